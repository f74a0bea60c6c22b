package collectors

import (
	"math"
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

// Histogram counts observations in buckets. Observe is safe from many
// goroutines, takes a few nanoseconds and never allocates. A nil
// *Histogram (what a failed registration returns) ignores observations.
type Histogram struct {
	upper  []float64
	counts []atomic.Uint64 // per bucket, the last for +Inf
	sum    atomic.Uint64   // float64 bits

	desc Desc // of the histogram, without the quantile label

	// Used by the App's run goroutine only: quantiles of each interval.
	bounds []float64 // bucket i holds [bounds[i], bounds[i+1])
	snap   []uint64
	prev   []uint64
	qdescs [len(runtimeQuantileSet)]Desc
}

func newHistogram(d Desc, upper []float64) *Histogram {
	h := &Histogram{
		upper:  upper,
		counts: make([]atomic.Uint64, len(upper)+1),
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
	h.counts[lo].Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// collect emits the percentiles of the observations since the previous
// call, and nothing when there were none.
func (h *Histogram) collect(emit Emit) {
	for i := range h.counts {
		h.snap[i] = h.counts[i].Load()
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
		Sum:        math.Float64frombits(h.sum.Load()),
	}
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if i < len(h.upper) {
			v.Cumulative[i] = cum
		}
	}
	v.Count = cum
	return v
}
