// Package dashboard is Livedash: a live metrics dashboard that lives inside
// a Go program. Mount one http.Handler and a browser shows the host (CPU,
// memory, disks, network, load), this process, the Go runtime and the
// app's own metrics as charts that move every second, with the last ten
// minutes already there when the page opens.
//
//	package main
//
//	import (
//		"log"
//		"net/http"
//
//		"github.com/livedash/dashboard"
//	)
//
//	func main() {
//		d, err := dashboard.New(dashboard.Options{})
//		if err != nil {
//			log.Fatal(err)
//		}
//		defer d.Close()
//
//		mux := http.NewServeMux()
//		mux.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
//		srv := &http.Server{Addr: "localhost:8080", Handler: mux}
//		srv.RegisterOnShutdown(func() { d.Close() })
//		log.Fatal(srv.ListenAndServe()) // open http://localhost:8080/debug/dashboard/
//	}
//
// The handler does not know its prefix: it works at "/", under
// http.StripPrefix (with or without the prefix's trailing slash), under
// ServeMux method patterns ("GET /debug/dashboard/") and under chi's
// Mount, gin's WrapH and echo's WrapHandler alike. Below wherever it is
// mounted it serves the page at "./", the WebSocket at "./ws", the assets
// at "./static/…", a JSON snapshot at "./api/snapshot" and the Prometheus
// exposition at "./metrics" (text or OpenMetrics, through client_golang's
// promhttp; Options.DisableMetrics turns it off).
//
// # App metrics
//
// Gauge and Counter read a function once per interval; Histogram returns an
// observer. Each takes labels as name/value pairs:
//
//	d.Gauge("app_queue_depth", "", func() float64 { return float64(q.Len()) }, "queue", "orders")
//	d.Counter("app_requests_total", "requests", func() float64 { return float64(served.Load()) })
//	h, _ := d.Histogram("app_request_duration_seconds", "seconds", nil, "route", "/checkout")
//	h.Observe(elapsed.Seconds())
//
// Metrics the app already has come in with no code: Options.Gatherer
// (e.g. prometheus.DefaultGatherer) and Options.Expvar.
//
// Most programs import this package alone. For a source of metrics of
// its own, a program implements collectors.Collector (package collectors
// is for writing one) and passes it in Options.Collectors or to
// AddCollector.
//
// # Custom clients
//
// The page speaks a small protocol over "./ws" (stream/protocol.go): the
// server sends JSON messages with a "type" (schema, status, history, then
// one frame per interval). A client must send a message at least every
// PingPeriod (5 s), normally {"type":"ping","ts":<tick of its last frame>},
// or it is closed (1008) after Options.ClientTimeout; after a reconnect,
// {"type":"resume","since":<unix ms>} asks for the history it missed.
//
// WebSockets are hijacked connections, which http.Server.Shutdown does not
// wait for: register Close with RegisterOnShutdown (or call it after
// Shutdown) so that browsers get a clean 1001 and no goroutine is left.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/appmetrics"
	"github.com/livedash/dashboard/internal/schedule"
	"github.com/livedash/dashboard/static"
	"github.com/livedash/dashboard/stream"
	"github.com/livedash/dashboard/views"
)

// Options configure a Dashboard. The zero value means defaults: every
// built-in collector, a 1 s frame interval and 10 minutes of history.
type Options struct {
	// Title is shown in the page header and the browser tab.
	// Defaults to "Livedash".
	Title string
	// Interval is the time between frames and the default interval of
	// every collector. Defaults to 1s; at least 100ms.
	Interval time.Duration
	// History is how far back the charts reach when the page opens, at
	// the full rate. Defaults to 10 minutes; at most 100,000 intervals.
	History time.Duration
	// LongHistory are the coarser tiers kept after History, for the
	// page's longer windows: the min, max and mean of every series per
	// bucket of Step, kept for Span, compressed to a few KB per series
	// in all. A separate option rather than tiers in History, because
	// History is also what every page receives when it opens and must
	// stay at the full rate. Defaults to 10-second buckets for 6 hours
	// and 1-minute buckets for 48 hours; DisableLongHistory turns them
	// off.
	LongHistory []stream.Tier
	// DisableLongHistory keeps only History. Defaults to false.
	DisableLongHistory bool
	// HistoryFile, when set, keeps the history across restarts: it is
	// written atomically every minute and at Close, and read back by New.
	// A missing, truncated, corrupt or foreign file is reported in the log
	// and the page's status and ignored. Defaults to none.
	HistoryFile string

	// Host configures the host collectors (CPU, memory, load, disks,
	// filesystems, network, uptime).
	Host collectors.HostOptions
	// DisableHost, DisableProcess and DisableRuntime turn off the
	// built-in host, process and Go runtime collectors. Default: all on.
	DisableHost, DisableProcess, DisableRuntime bool
	// Collectors are extra collectors, run like the built-in ones.
	Collectors []collectors.Collector

	// OriginPatterns are the foreign origins allowed to open the
	// WebSocket, as host patterns ("dash.example.com", "*.example.com").
	// Defaults to none: same origin only.
	OriginPatterns []string
	// Authorize, when set, is asked about every request; a false answer
	// gets 403 Forbidden. Defaults to allowing all: mount the dashboard
	// behind your own authentication if it is reachable by others.
	Authorize func(*http.Request) bool

	// QueueLen, WriteTimeout and ReadLimit tune each browser's
	// connection; see stream.Options for their defaults. Negative values
	// are refused.
	QueueLen     int
	WriteTimeout time.Duration
	ReadLimit    int64
	// ClientTimeout closes a browser that sent nothing for this long, or
	// whose pings report a last frame this old. The page pings every 5 s
	// (PingPeriod), so New refuses a ClientTimeout of 5 s or less.
	// Defaults to 10s.
	ClientTimeout time.Duration
	// Compress turns on permessage-deflate for browsers that offer it:
	// smaller transfers, more server CPU per browser. Defaults to off.
	Compress bool

	// Gatherer, when set, has the app's existing Prometheus metrics
	// (prometheus.DefaultGatherer, or its own registry) charted live in
	// the App section: gauges as values, counters as rates, summaries and
	// histograms as percentiles, one series per label set, at most
	// GathererSeriesPerFamily per family (the overflow is reported in the
	// page). client_golang's Go and process families (go_*, process_*) are
	// left out: the built-in collectors show them. ./metrics does not
	// repeat these metrics; the app serves its registry as it did.
	// Defaults to nil: none.
	Gatherer prometheus.Gatherer
	// GathererSeriesPerFamily caps the label sets charted per family of
	// the Gatherer. Defaults to 20.
	GathererSeriesPerFamily int
	// Expvar charts the numeric expvar variables (ints, floats, and the
	// numeric fields of maps and other JSON objects) in the App section,
	// as expvar_<name> gauges; memstats is skipped. Defaults to false.
	Expvar bool

	// DisableMetrics turns off the Prometheus exposition at ./metrics,
	// which then answers 404. Defaults to false: ./metrics is served.
	DisableMetrics bool

	// Logger receives collector errors (once per change) and lifecycle
	// messages. Defaults to slog.Default().
	Logger *slog.Logger
}

// PingPeriod is how often the page pings the server over its WebSocket.
// A custom client must send a message at least this often, or it is
// closed after Options.ClientTimeout.
const PingPeriod = 5 * time.Second

// Dashboard is the live dashboard: an http.Handler plus the collectors and
// the broker behind it. Create it with New and stop it with Close.
type Dashboard struct {
	opts   Options
	broker *stream.Broker
	sched  *schedule.Scheduler
	app    *appmetrics.App
	assets *assets
	facts  []views.Fact
	router http.Handler

	mu      sync.Mutex
	sources []collectors.HistogramSource // collectors whose histograms ./metrics exports

	closeOnce sync.Once
	closeErr  error
}

// New starts the collectors and the broker and returns the dashboard.
func New(opts Options) (*Dashboard, error) {
	if opts.Title == "" {
		opts.Title = "Livedash"
	}
	if opts.Interval == 0 {
		opts.Interval = time.Second
	}
	if opts.Interval < 100*time.Millisecond {
		return nil, fmt.Errorf("interval %v is below the minimum of 100ms", opts.Interval)
	}
	if opts.History == 0 {
		opts.History = 10 * time.Minute
	}
	if opts.History < opts.Interval || opts.History/opts.Interval > 100_000 {
		return nil, fmt.Errorf("history %v must hold between 1 and 100000 intervals of %v", opts.History, opts.Interval)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := validate(&opts); err != nil {
		return nil, err
	}
	as, err := loadAssets(static.FS)
	if err != nil {
		return nil, err
	}

	var cs []collectors.Collector
	if !opts.DisableHost {
		cs = append(cs, collectors.Host(opts.Host)...)
	}
	if !opts.DisableProcess {
		p, err := collectors.Process()
		if err != nil {
			return nil, fmt.Errorf("process collector: %w", err)
		}
		cs = append(cs, p)
	}
	if !opts.DisableRuntime {
		cs = append(cs, collectors.Runtime())
	}
	app := appmetrics.NewApp()
	cs = append(cs, app)
	if opts.Gatherer != nil {
		cs = append(cs, collectors.Gatherer(opts.Gatherer, collectors.GathererOptions{SeriesPerFamily: opts.GathererSeriesPerFamily}))
	}
	if opts.Expvar {
		cs = append(cs, collectors.Expvar())
	}
	cs = append(cs, opts.Collectors...)

	bopts := stream.Options{
		Interval:           opts.Interval,
		History:            opts.History,
		LongHistory:        opts.LongHistory,
		DisableLongHistory: opts.DisableLongHistory,
		HistoryFile:        opts.HistoryFile,
		QueueLen:           opts.QueueLen,
		WriteTimeout:       opts.WriteTimeout,
		ClientTimeout:      opts.ClientTimeout,
		ReadLimit:          opts.ReadLimit,
		OriginPatterns:     opts.OriginPatterns,
		Compress:           opts.Compress,
		Logger:             opts.Logger,
	}
	if err := bopts.Validate(); err != nil {
		return nil, err
	}
	b := stream.NewBroker(bopts)
	sched := schedule.NewScheduler(b, schedule.SchedulerOptions{Interval: opts.Interval, Logger: opts.Logger})
	in := collectors.HostInfo(context.Background())
	facts := []views.Fact{
		{Label: "host", Value: in.Hostname},
		{Label: "os", Value: in.OS},
		{Label: "kernel", Value: in.Kernel},
		{Label: "arch", Value: in.Arch},
		{Label: "go", Value: in.GoVersion},
		{Label: "pid", Value: strconv.Itoa(in.PID)},
	}
	d := &Dashboard{opts: opts, broker: b, sched: sched, app: app, assets: as, facts: facts}
	var unavailable []string
	for _, c := range cs {
		if err := d.AddCollector(c); err != nil {
			d.Close()
			return nil, fmt.Errorf("options: collectors: %w", err)
		}
		if u, ok := c.(interface{ Unavailable() []string }); ok {
			unavailable = append(unavailable, u.Unavailable()...)
		}
	}
	if len(unavailable) > 0 {
		d.facts = append(d.facts, views.Fact{Label: "not available on this OS", Value: strings.Join(unavailable, ", ")})
	}
	d.router = d.routes()
	return d, nil
}

// validate refuses options that cannot work.
func validate(o *Options) error {
	switch {
	case o.ClientTimeout < 0, o.WriteTimeout < 0, o.QueueLen < 0, o.ReadLimit < 0, o.GathererSeriesPerFamily < 0:
		return fmt.Errorf("options: negative ClientTimeout, WriteTimeout, QueueLen, ReadLimit or GathererSeriesPerFamily")
	case o.ClientTimeout != 0 && o.ClientTimeout <= PingPeriod:
		return fmt.Errorf("options: ClientTimeout %v would close every page: it must exceed the page's ping period of %v", o.ClientTimeout, PingPeriod)
	}
	for _, p := range o.OriginPatterns {
		if p == "" {
			return errors.New("options: empty entry in OriginPatterns")
		}
		// coder/websocket matches patterns with path.Match, against the
		// origin's host, or its scheme://host if the pattern has one.
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("options: OriginPatterns entry %q: %w", p, err)
		}
	}
	for i, c := range o.Collectors {
		if c == nil {
			return fmt.Errorf("options: Collectors[%d] is nil", i)
		}
	}
	return nil
}

// Gauge adds an app metric: fn is called once per interval, in a
// goroutine of its own, and its value drawn as is. name follows Prometheus
// conventions (e.g. "app_queue_depth", "app_cache_bytes"); unit is one of
// the collectors.Unit constants or any short word; labels are name/value
// pairs ("queue", "orders"), and the series of one name (same label
// names, different values) share a chart. Open pages receive the new chart
// at once.
//
// The error says what is wrong: an invalid name or label, a name already
// registered with another kind or other label names, a series already
// registered, a name that belongs to a built-in collector (names starting
// "go_", "process_" and "host_" while those run) or to another collector,
// or a dashboard already closed. A function that panics, returns NaN or
// hangs is reported in the page under its own name and costs only its own
// series.
func (d *Dashboard) Gauge(name, unit string, fn func() float64, labels ...string) error {
	return d.app.Gauge(name, unit, fn, labels...)
}

// Counter adds an app counter: fn returns a running total (e.g. requests
// served) and the page draws its rate per second; ./metrics exports the
// total as a counter. By convention name ends in "_total". Labels and
// errors are as for Gauge.
func (d *Dashboard) Counter(name, unit string, fn func() float64, labels ...string) error {
	return d.app.Counter(name, unit, fn, labels...)
}

// Histogram adds an app histogram and returns its observer: Observe is
// safe from any number of goroutines, costs a few tens of nanoseconds and
// never allocates. buckets are the upper bounds, ascending (nil:
// collectors.DefaultBuckets, for seconds from 5 ms to 10 s). The page draws
// the 50th, 90th and 99th percentiles and the maximum of each interval's
// observations; ./metrics exports the histogram whole. Labels and errors
// are as for Gauge, and a nil *Histogram, returned with an error, ignores
// observations.
func (d *Dashboard) Histogram(name, unit string, buckets []float64, labels ...string) (*collectors.Histogram, error) {
	return d.app.Histogram(name, unit, buckets, labels...)
}

// AddCollector runs c alongside the built-in collectors. It returns an
// error for a nil collector, a name already added, or a dashboard already
// closed. Series c emits that are invalid or belong to another collector
// are refused one by one and reported in the page under c's name.
func (d *Dashboard) AddCollector(c collectors.Collector) error {
	if err := d.sched.Add(c); err != nil {
		return err
	}
	if hs, ok := c.(collectors.HistogramSource); ok {
		d.mu.Lock()
		d.sources = append(d.sources, hs)
		d.mu.Unlock()
	}
	return nil
}

func (d *Dashboard) histogramSources() []collectors.HistogramSource {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sources[:len(d.sources):len(d.sources)]
}

// ServeHTTP serves the page, the socket, the assets, the snapshot and the
// metrics, relative to wherever the dashboard is mounted.
//
// A path without its leading slash, which http.StripPrefix leaves when
// given the prefix with its trailing slash ("/debug/dashboard/"), is
// served as if it had one.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "" || p[0] != '/' {
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = "/" + p
		if u.RawPath != "" {
			u.RawPath = "/" + u.RawPath
		}
		r2.URL = &u
		r = r2
	}
	d.router.ServeHTTP(w, r)
}

// closeWait bounds how long Close waits for collectors and app functions
// that do not return.
const closeWait = 5 * time.Second

// Close stops the collectors, closes every browser's socket with 1001
// (going away) and waits for every goroutine the dashboard started. It
// returns within about 5 seconds: a collector or an app metric function
// that does not return by then is named in the error and left running (Go
// cannot stop it), and a browser that does not answer the close handshake
// within that time is cut off. After Close, registrations return an error
// and the handler keeps answering without live data. It is safe to call
// more than once and from several goroutines.
func (d *Dashboard) Close() error {
	d.closeOnce.Do(func() {
		// Both at once: a stuck collector and a browser slow to answer
		// the close handshake each take up to 5 s; together still 5 s.
		deadline := time.Now().Add(closeWait)
		errSched := make(chan error, 1)
		go func() {
			err := d.sched.Close(closeWait)
			errSched <- errors.Join(err, d.app.Close(max(time.Until(deadline), 0)))
		}()
		errBroker := d.broker.Close()
		d.closeErr = errors.Join(<-errSched, errBroker)
	})
	return d.closeErr
}

var _ http.Handler = (*Dashboard)(nil)
