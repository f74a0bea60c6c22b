package collectors

import (
	"context"
	"time"
)

// Collector is a source of metrics. The Scheduler calls Collect once per
// interval from a single goroutine at a time, so a Collector may keep state
// between calls (previous counters, reused handles) without locking.
//
// Collect emits every value it has through emit and returns an error if
// some or all of its values could not be read; values emitted before the
// error are kept. Collect must return when ctx is done: the scheduler
// cancels it when the collector's timeout passes.
type Collector interface {
	// Name identifies the collector in logs and error reports.
	Name() string
	// Collect reads the current values and emits them.
	Collect(ctx context.Context, emit Emit) error
}

// CollectorFunc adapts a function to the Collector interface.
type CollectorFunc struct {
	CollectorName string
	Func          func(ctx context.Context, emit Emit) error
}

// Name returns c.CollectorName.
func (c CollectorFunc) Name() string { return c.CollectorName }

// Collect calls c.Func.
func (c CollectorFunc) Collect(ctx context.Context, emit Emit) error { return c.Func(ctx, emit) }

// Batch is what one run of one collector produced.
type Batch struct {
	// Collector is the collector's name.
	Collector string
	// Order is the collector's position among those added to the
	// scheduler (0 for the first), so a page can list series in the
	// order their collectors were added, whichever reported first.
	Order int
	// Time is when the run was due: the interval boundary it was
	// scheduled for (the first run: when it started).
	Time time.Time
	// Samples are the values emitted, with normalized descriptors that
	// are shared and must not be modified.
	Samples []Sample
	// Err is the run's error, panic or timeout, or nil.
	Err error
}

// Sink receives batches from the scheduler. Publish must not block for long
// and must not keep b.Samples after it returns.
type Sink interface {
	Publish(b Batch)
}

// Periodic may be implemented by a Collector that wants its own interval,
// such as filesystem usage, which changes slowly and costs a syscall per
// mount. Without it the scheduler's default interval is used.
type Periodic interface {
	Interval() time.Duration
}
