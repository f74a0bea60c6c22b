package collectors

import (
	"context"
	"time"
)

// Collector is a source of metrics. The dashboard calls Collect once per
// interval from a single goroutine at a time, so a Collector may keep state
// between calls (previous counters, reused handles) without locking.
//
// Collect emits every value it has through emit and returns an error if
// some or all of its values could not be read; values emitted before the
// error are kept. Collect must return when ctx is done: the dashboard
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

// Periodic may be implemented by a Collector that wants its own interval,
// such as filesystem usage, which changes slowly and costs a syscall per
// mount. Without it the dashboard's interval is used.
type Periodic interface {
	Interval() time.Duration
}
