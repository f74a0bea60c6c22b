package collectors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// GathererOptions configure the Gatherer collector. The zero value means
// defaults.
type GathererOptions struct {
	// SeriesPerFamily caps the label sets charted per metric family:
	// further ones are left out and counted in the collector's error,
	// which the page shows. Defaults to 20.
	SeriesPerFamily int
}

// gathererCollector charts the metrics of a prometheus.Gatherer.
type gathererCollector struct {
	g     prometheus.Gatherer
	limit int
	hists map[string]*gatheredHist // by series ID
	gen   uint64
}

// gatheredHist is the state of one histogram series between calls.
type gatheredHist struct {
	gen    uint64
	bounds []float64 // bucket i holds [bounds[i], bounds[i+1])
	counts []uint64  // per bucket, not cumulative
	prev   []uint64
}

// Gatherer returns a Collector, named "prometheus", of the metrics g
// gathers (prometheus.DefaultGatherer, or the app's own registry), in
// the App section: gauges and untyped metrics as values, counters as rates,
// summaries as their quantiles, histograms as the 50th, 90th and 99th
// percentiles and the maximum of each interval's observations (series
// with a "quantile" label), one series per label set, new label sets
// charted as they appear, at most SeriesPerFamily per family. Families
// whose names start "go_" or "process_", which client_golang's Go and
// process collectors register and the built-in collectors already show,
// are left out. Units are guessed from the name's suffix (_seconds,
// _bytes, _ratio).
func Gatherer(g prometheus.Gatherer, opts GathererOptions) Collector {
	if opts.SeriesPerFamily <= 0 {
		opts.SeriesPerFamily = 20
	}
	return &gathererCollector{g: g, limit: opts.SeriesPerFamily, hists: map[string]*gatheredHist{}}
}

// Name returns "prometheus".
func (c *gathererCollector) Name() string { return "prometheus" }

// Collect gathers and emits.
func (c *gathererCollector) Collect(ctx context.Context, emit Emit) error {
	fams, err := c.g.Gather()
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("gather: %w", err))
	}
	c.gen++
	var over []string
	for _, f := range fams {
		name := f.GetName()
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		ms := f.GetMetric()
		if len(ms) > c.limit {
			over = append(over, fmt.Sprintf("%s (%d of %d)", name, c.limit, len(ms)))
			ms = ms[:c.limit]
		}
		for _, m := range ms {
			c.emitMetric(f, m, emit)
		}
	}
	for id, h := range c.hists {
		if h.gen != c.gen {
			delete(c.hists, id)
		}
	}
	if len(over) > 0 {
		errs = append(errs, fmt.Errorf("too many label sets: charting the first of %s (GathererOptions.SeriesPerFamily)", strings.Join(over, ", ")))
	}
	return errors.Join(errs...)
}

func (c *gathererCollector) emitMetric(f *dto.MetricFamily, m *dto.Metric, emit Emit) {
	name := f.GetName()
	d := Desc{Name: name, Help: f.GetHelp(), Unit: unitOf(name), Group: "app"}
	for _, lp := range m.GetLabel() {
		d.Labels = append(d.Labels, Label{Name: lp.GetName(), Value: lp.GetValue()})
	}
	d.ChartTitle = strings.ReplaceAll(strings.TrimSuffix(name, "_total"), "_", " ")
	if len(d.Labels) == 0 {
		d.Title = d.ChartTitle
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch f.GetType() {
	case dto.MetricType_COUNTER:
		d.Kind = Counter
		if v := m.GetCounter().GetValue(); finite(v) {
			emit(d, v)
		}
	case dto.MetricType_GAUGE:
		if v := m.GetGauge().GetValue(); finite(v) {
			emit(d, v)
		}
	case dto.MetricType_UNTYPED:
		if v := m.GetUntyped().GetValue(); finite(v) {
			emit(d, v)
		}
	case dto.MetricType_SUMMARY:
		base := d.Labels
		for _, q := range m.GetSummary().GetQuantile() {
			if v := q.GetValue(); finite(v) {
				qd := d
				label := fmt.Sprint(q.GetQuantile())
				qd.Labels = append(slices.Clip(base), Label{Name: LabelQuantile, Value: label})
				qd.Title = strings.TrimSpace(labelTitle(base) + " q" + label)
				emit(qd, v)
			}
		}
	case dto.MetricType_HISTOGRAM:
		c.emitHistogram(d, m.GetHistogram(), emit)
	}
}

// emitHistogram emits the percentiles of the observations since the
// previous call, from the classic buckets (a native histogram without
// them is left out).
func (c *gathererCollector) emitHistogram(d Desc, h *dto.Histogram, emit Emit) {
	bs := h.GetBucket()
	if len(bs) == 0 {
		return
	}
	id := d.ID()
	st := c.hists[id]
	if st == nil || len(st.counts) != len(bs)+1 {
		st = &gatheredHist{bounds: make([]float64, len(bs)+2), counts: make([]uint64, len(bs)+1)}
		c.hists[id] = st
	}
	st.gen = c.gen
	lo := math.Inf(-1)
	if bs[0].GetUpperBound() > 0 {
		lo = 0
	}
	st.bounds[0] = lo
	var cum uint64
	for i, b := range bs {
		st.bounds[i+1] = b.GetUpperBound()
		n := b.GetCumulativeCount()
		st.counts[i] = n - min(n, cum)
		cum = max(cum, n)
	}
	st.bounds[len(bs)+1] = math.Inf(1)
	bounds := st.bounds
	if math.IsInf(bs[len(bs)-1].GetUpperBound(), 1) {
		// The +Inf bucket is listed: nothing lies beyond it.
		bounds = bounds[:len(bs)+1]
		st.counts[len(bs)] = 0
	} else {
		st.counts[len(bs)] = h.GetSampleCount() - min(h.GetSampleCount(), cum)
	}
	if st.prev == nil {
		st.prev = slices.Clone(st.counts)
		return
	}
	var vals [len(runtimeQuantileSet)]float64
	n := len(bounds) - 1
	if histogramQuantiles(bounds, st.counts[:n], st.prev[:n], false, &vals) {
		for i, q := range runtimeQuantileSet {
			qd := d
			qd.Labels = append(slices.Clip(d.Labels), Label{Name: LabelQuantile, Value: q.label})
			qd.Title = strings.TrimSpace(labelTitle(d.Labels) + " " + q.title)
			emit(qd, vals[i])
		}
	}
	copy(st.prev, st.counts)
}

func labelTitle(ls []Label) string {
	vals := make([]string, len(ls))
	for i, l := range ls {
		vals[i] = l.Value
	}
	return strings.Join(vals, " ")
}

// unitOf guesses a metric's unit from its name's suffix.
func unitOf(name string) string {
	name = strings.TrimSuffix(name, "_total")
	switch {
	case strings.HasSuffix(name, "_timestamp_seconds"):
		return UnitTimestamp
	case strings.HasSuffix(name, "_seconds"):
		return UnitSeconds
	case strings.HasSuffix(name, "_bytes"):
		return UnitBytes
	case strings.HasSuffix(name, "_ratio"):
		return UnitRatio
	}
	return UnitNone
}
