package stream

import (
	"math"

	"github.com/livedash/dashboard/collectors"
)

// Latest is one series' latest value as its collector gave it: a
// counter's running total, not its rate.
type Latest struct {
	Desc      *collectors.Desc
	Collector string
	Value     float64
}

// AppendLatest appends every series that has a current value to dst, in
// the schema's order, and returns it. The descriptors are shared and
// must not be modified.
func (b *Broker) AppendLatest(dst []Latest) []Latest {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.all {
		if s.hasRaw && !math.IsNaN(s.raw) {
			dst = append(dst, Latest{Desc: s.desc, Collector: s.collector, Value: s.raw})
		}
	}
	return dst
}
