package schedule

import (
	"time"

	"github.com/livedash/dashboard/collectors"
)

// Sample is one value of one series. Its time is its Batch's: every value
// of one collector run shares it.
type Sample struct {
	Desc  *collectors.Desc
	Value float64
}

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
