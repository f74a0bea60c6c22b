// Package dashboard is Livedash: a live metrics dashboard that lives inside
// a Go program. Mount one http.Handler and a browser shows the host (CPU,
// memory, disks, network, load), this process, the Go runtime and the
// app's own metrics as charts that move every second, with the last ten
// minutes already there when the page opens.
//
//	d, err := dashboard.New(dashboard.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer d.Close()
//	d.Gauge("app_queue_depth", "", func() float64 { return float64(queue.Len()) })
//
//	mux := http.NewServeMux()
//	mux.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
//	srv := &http.Server{Addr: "localhost:8080", Handler: mux}
//	srv.RegisterOnShutdown(func() { d.Close() })
//
// The handler does not know its prefix: it works at "/", under
// http.StripPrefix and under chi's Mount alike. Below wherever it is
// mounted it serves the page at "./", the WebSocket at "./ws", the assets at
// "./static/…", a JSON snapshot at "./api/snapshot" and the Prometheus text
// exposition at "./metrics".
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
	"strconv"
	"sync"
	"time"

	"github.com/livedash/dashboard/collectors"
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
	// History is how far back the charts reach when the page opens.
	// Defaults to 10 minutes; at most 100,000 intervals.
	History time.Duration

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

	// QueueLen, WriteTimeout, ClientTimeout and ReadLimit tune each
	// browser's connection; see stream.Options for their defaults.
	QueueLen      int
	WriteTimeout  time.Duration
	ClientTimeout time.Duration
	ReadLimit     int64
	// Compress turns on permessage-deflate for browsers that offer it:
	// smaller transfers, more server CPU per browser. Defaults to off.
	Compress bool

	// Logger receives collector errors (once per change) and lifecycle
	// messages. Defaults to slog.Default().
	Logger *slog.Logger
}

// Dashboard is the live dashboard: an http.Handler plus the collectors and
// the broker behind it. Create it with New and stop it with Close.
type Dashboard struct {
	opts   Options
	broker *stream.Broker
	sched  *collectors.Scheduler
	app    *collectors.App
	assets *assets
	facts  []views.Fact
	router http.Handler

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
	app := collectors.NewApp()
	cs = append(cs, app)
	cs = append(cs, opts.Collectors...)

	b := stream.NewBroker(stream.Options{
		Interval:       opts.Interval,
		History:        opts.History,
		QueueLen:       opts.QueueLen,
		WriteTimeout:   opts.WriteTimeout,
		ClientTimeout:  opts.ClientTimeout,
		ReadLimit:      opts.ReadLimit,
		OriginPatterns: opts.OriginPatterns,
		Compress:       opts.Compress,
		Logger:         opts.Logger,
	})
	sched := collectors.NewScheduler(b, collectors.SchedulerOptions{Interval: opts.Interval, Logger: opts.Logger})
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
	for _, c := range cs {
		if err := sched.Add(c); err != nil {
			d.Close()
			return nil, err
		}
	}
	d.router = d.routes()
	return d, nil
}

// Gauge adds an app metric: fn is called once per interval and its value
// drawn as is. name follows Prometheus conventions (e.g.
// "app_queue_depth", "app_cache_bytes"); unit is one of the collectors.Unit
// constants or any short word. Open pages receive the new chart at once.
func (d *Dashboard) Gauge(name, unit string, fn func() float64) error {
	return d.app.Gauge(name, unit, fn)
}

// Counter adds an app counter: fn returns a running total (e.g. requests
// served) and the page draws its rate per second. By convention name ends
// in "_total".
func (d *Dashboard) Counter(name, unit string, fn func() float64) error {
	return d.app.Counter(name, unit, fn)
}

// AddCollector runs c alongside the built-in collectors.
func (d *Dashboard) AddCollector(c collectors.Collector) error {
	return d.sched.Add(c)
}

// ServeHTTP serves the page, the socket, the assets, the snapshot and the
// metrics, relative to wherever the dashboard is mounted.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.router.ServeHTTP(w, r)
}

// Close stops the collectors, closes every browser's socket with 1001
// (going away) and waits for every goroutine the dashboard started. It is
// safe to call more than once and from several goroutines.
func (d *Dashboard) Close() error {
	d.closeOnce.Do(func() {
		// Both at once: a stuck collector and a browser slow to answer
		// the close handshake each take up to 5 s; together still 5 s.
		errSched := make(chan error, 1)
		go func() { errSched <- d.sched.Close(5 * time.Second) }()
		errBroker := d.broker.Close()
		d.closeErr = errors.Join(<-errSched, errBroker)
	})
	return d.closeErr
}

var _ http.Handler = (*Dashboard)(nil)
