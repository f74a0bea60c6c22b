package collectors

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
)

// HistogramValue is the state of one histogram since the program started,
// as ./metrics exports it.
type HistogramValue struct {
	// Name, Help and Labels are those of the series (without "le").
	Name, Help string
	Labels     []Label
	// Upper are the finite upper bounds of the buckets, ascending.
	Upper []float64
	// Cumulative[i] is the number of observations at most Upper[i].
	Cumulative []uint64
	// Count is the number of observations, Sum their sum.
	Count uint64
	Sum   float64
}

// HistogramSource may be implemented by a Collector whose histograms
// ./metrics exports as Prometheus histograms. The series it emits with a
// "quantile" label, percentiles drawn in the page, are then left out of
// ./metrics. AppendHistograms may be called at any time from any
// goroutine, also during Collect.
type HistogramSource interface {
	AppendHistograms(dst []HistogramValue) []HistogramValue
}

// DefaultBuckets are the histogram buckets used when none are given:
// client_golang's default, for durations in seconds from 5 ms to 10 s.
var DefaultBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Histogram counts observations in buckets. Observe is safe from many
// goroutines, takes a few nanoseconds and never allocates. A nil
// *Histogram (what a failed registration returns) ignores observations.
type Histogram struct {
	upper []float64
	// cells holds histShards shards of stride words each: the sum's
	// float64 bits, then the bucket counts (the last for +Inf), padded so
	// that no two shards share a cache line. An observation goes to a
	// shard picked at random, so goroutines on different cores seldom
	// write the same line.
	cells  []atomic.Uint64
	stride int

	desc Desc // of the histogram, without the quantile label

	// Used by the app metrics' run goroutine only: quantiles of each
	// interval.
	bounds []float64 // bucket i holds [bounds[i], bounds[i+1])
	snap   []uint64
	prev   []uint64
	qdescs [len(runtimeQuantileSet)]Desc
}

func newHistogram(d Desc, upper []float64) *Histogram {
	stride := (len(upper)+2+7)/8*8 + 8 // sum, buckets, +Inf; whole lines and one spare
	h := &Histogram{
		upper:  upper,
		cells:  make([]atomic.Uint64, histShards*stride),
		stride: stride,
		desc:   d,
		snap:   make([]uint64, len(upper)+1),
		prev:   make([]uint64, len(upper)+1),
	}
	// Below the first bound: from 0 when that is positive, as Prometheus'
	// histogram_quantile assumes.
	lo := math.Inf(-1)
	if upper[0] > 0 {
		lo = 0
	}
	h.bounds = append(append([]float64{lo}, upper...), math.Inf(1))
	for i, q := range runtimeQuantileSet {
		qd := d
		qd.Labels = append(append([]Label(nil), d.Labels...), Label{Name: LabelQuantile, Value: q.label})
		qd.Title = q.title
		if len(d.Labels) > 0 {
			qd.Title = d.Title + " " + q.title
		}
		qd.Help = "Percentiles of " + d.Name + " over each interval."
		h.qdescs[i] = qd
	}
	return h
}

// Observe records v. NaN is ignored.
func (h *Histogram) Observe(v float64) {
	if h == nil || v != v {
		return
	}
	// The first bucket whose upper bound is at least v: Prometheus' "le".
	lo, hi := 0, len(h.upper)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if h.upper[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	cell := h.cells[int(rand.Uint32()%histShards)*h.stride:]
	cell[1+lo].Add(1)
	sum := &cell[0]
	for {
		old := sum.Load()
		if sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// histShards is the number of shards of a histogram's counters.
const histShards = 8

// count returns the count of bucket i over the shards.
func (h *Histogram) count(i int) uint64 {
	var n uint64
	for s := 0; s < histShards; s++ {
		n += h.cells[s*h.stride+1+i].Load()
	}
	return n
}

// sum returns the sum of the observations over the shards.
func (h *Histogram) sum() float64 {
	var f float64
	for s := 0; s < histShards; s++ {
		f += math.Float64frombits(h.cells[s*h.stride].Load())
	}
	return f
}

// collect emits the percentiles of the observations since the previous
// call, and nothing when there were none.
func (h *Histogram) collect(emit Emit) {
	for i := range h.snap {
		h.snap[i] = h.count(i)
	}
	var vals [len(runtimeQuantileSet)]float64
	if histogramQuantiles(h.bounds, h.snap, h.prev, false, &vals) {
		for i := range vals {
			emit(h.qdescs[i], vals[i])
		}
	}
	h.prev, h.snap = h.snap, h.prev
}

// value returns the histogram's state for export.
func (h *Histogram) value() HistogramValue {
	v := HistogramValue{
		Name:       h.desc.Name,
		Help:       h.desc.Help,
		Labels:     h.desc.Labels,
		Upper:      h.upper,
		Cumulative: make([]uint64, len(h.upper)),
		Sum:        h.sum(),
	}
	var cum uint64
	for i := range len(h.upper) + 1 {
		cum += h.count(i)
		if i < len(h.upper) {
			v.Cumulative[i] = cum
		}
	}
	v.Count = cum
	return v
}
