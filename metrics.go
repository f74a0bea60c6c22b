package dashboard

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/stream"
)

// gathererName is the name of the Gatherer's collector, whose series
// ./metrics leaves out: they are the app's own registry's.
const gathererName = "prometheus"

// exporter is a prometheus.Collector of the dashboard's series: gauges and
// counters (as their running totals) from the broker's latest values, and
// the histograms of the collectors that have some (the runtime's, the
// app's), whole, in place of the percentiles the page draws of them.
type exporter struct {
	broker *stream.Broker
	// sources returns the collectors with histograms; skip tells the
	// collectors whose series are not exported at all (the Gatherer's:
	// they are the app's own registry's, which it serves itself).
	sources func() []collectors.HistogramSource
	skip    func(collector string) bool

	mu    sync.Mutex
	descs map[string]*prometheus.Desc // by name and label names
}

func newExporter(b *stream.Broker, sources func() []collectors.HistogramSource, skip func(string) bool) *exporter {
	return &exporter{broker: b, sources: sources, skip: skip, descs: map[string]*prometheus.Desc{}}
}

// Describe sends nothing: the series come and go, so the exporter is an
// unchecked collector.
func (e *exporter) Describe(chan<- *prometheus.Desc) {}

// Collect sends every series' latest value and every histogram.
func (e *exporter) Collect(ch chan<- prometheus.Metric) {
	latest := e.broker.AppendLatest(nil)
	hists := make(map[string]bool)
	var hv []collectors.HistogramValue
	for _, src := range e.sources() {
		hv = src.AppendHistograms(hv)
	}
	for _, h := range hv {
		hists[h.Name] = true
	}
	// One help text per family, the first series'.
	help := make(map[string]string)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range latest {
		d := l.Desc
		// A histogram's buckets as series (for the page's heatmaps) are in
		// the histogram itself.
		if hists[d.Name] || hists[strings.TrimSuffix(d.Name, "_bucket")] || e.skip(l.Collector) || hasLabel(d.Labels, collectors.LabelQuantile) {
			continue
		}
		if _, ok := help[d.Name]; !ok {
			help[d.Name] = d.Help
		}
		typ := prometheus.GaugeValue
		if d.Kind == collectors.Counter {
			typ = prometheus.CounterValue
		}
		m, err := prometheus.NewConstMetric(e.desc(d.Name, help[d.Name], d.Labels), typ, l.Value, labelValues(d.Labels)...)
		if err != nil {
			m = prometheus.NewInvalidMetric(e.desc(d.Name, help[d.Name], d.Labels), err)
		}
		ch <- m
	}
	for _, h := range hv {
		if _, ok := help[h.Name]; !ok {
			help[h.Name] = h.Help
		}
		buckets := make(map[float64]uint64, len(h.Upper))
		for i, u := range h.Upper {
			buckets[u] = h.Cumulative[i]
		}
		d := e.desc(h.Name, help[h.Name], h.Labels)
		m, err := prometheus.NewConstHistogram(d, h.Count, h.Sum, buckets, labelValues(h.Labels)...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	}
}

// desc returns the cached descriptor of a family and label names.
func (e *exporter) desc(name, help string, labels []collectors.Label) *prometheus.Desc {
	var key strings.Builder
	key.WriteString(name)
	for _, l := range labels {
		key.WriteByte(0)
		key.WriteString(l.Name)
	}
	if d, ok := e.descs[key.String()]; ok {
		return d
	}
	names := make([]string, len(labels))
	for i, l := range labels {
		names[i] = l.Name
	}
	if help == "" {
		help = name
	}
	d := prometheus.NewDesc(name, help, names, nil)
	e.descs[key.String()] = d
	return d
}

func labelValues(ls []collectors.Label) []string {
	vs := make([]string, len(ls))
	for i, l := range ls {
		vs[i] = l.Value
	}
	return vs
}

func hasLabel(ls []collectors.Label, name string) bool {
	for _, l := range ls {
		if l.Name == name {
			return true
		}
	}
	return false
}

// metricsHandler serves the exporter through promhttp: the text format or
// OpenMetrics as the scraper asks, gzip when it accepts it.
func metricsHandler(e *exporter, log *slog.Logger) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		EnableOpenMetrics:   true,
		ErrorHandling:       promhttp.ContinueOnError,
		ErrorLog:            promLogger{log},
		MaxRequestsInFlight: 4,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// promLogger hands promhttp's errors to the dashboard's logger.
type promLogger struct{ log *slog.Logger }

func (l promLogger) Println(v ...any) {
	l.log.Warn("livedash: serving ./metrics", "error", strings.TrimSpace(fmt.Sprintln(v...)))
}
