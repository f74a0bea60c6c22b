// Command browserbench measures what the Livedash page costs the browser
// that shows it. It opens the page in headless Chromium, drives it over the
// DevTools protocol (chromedp) and prints a report, then one line per
// metric in the Go benchmark format (name, 1, value, unit), so that runs
// can be compared with benchstat.
//
//	go run ./cmd/browserbench                     # in-process dashboard, 30 s of history, 60 s window
//	go run ./cmd/browserbench -warm 10m           # the page opens on a full 10-minute history
//	go run ./cmd/browserbench -url http://127.0.0.1:8080/
//
// One run is one sample, and a shared machine is noisy: for a comparison,
// run it several times on each side and give both files to benchstat.
//
// Without -url it serves its own dashboard (dashboard.Options{}: every
// built-in collector, 1 s frames, 10 minutes of history, plus a gauge and a
// counter in the App section) on 127.0.0.1, and waits -warm before opening
// the page so that the page opens on that much history. -url must be a
// loopback address. Every run is bounded: the phases below have fixed
// lengths and timeouts, and the whole run a deadline derived from them.
//
// The browser is started with exactly the flags of the browser tests
// (headless, --disable-gpu, a fresh profile, no background networking),
// with a -width × -height viewport (1400×900 by default).
//
// # Phases and metrics
//
// Page weight. From the DevTools network events of the page load on a
// fresh profile (no cache): for every HTTP resource, the bytes received
// (Network.loadingFinished encodedDataLength, response headers included),
// the body as sent and decoded, and its Content-Encoding. The total is
// what a first visit transfers. Text resources over 1 KB sent without
// compression are flagged. The WebSocket's opening messages (schema,
// status, history) are reported apart: they are data, not page weight,
// and grow with the history.
//
// Open → charts showing history. Page.navigate, then every 20 ms an
// evaluation that holds once every chart on screen (the page's
// IntersectionObserver without margin; charts within 300 px of the screen
// are drawn once too, ahead of a scroll, but not waited for) has a uPlot
// that holds at least two points and has synced every row of the store
// (the history is applied in one message). The time is the page's own
// performance.now() at that evaluation, i.e. milliseconds since navigation
// start, late by at most the polling period. It needs the socket, the
// history, the schema and a uPlot per visible chart, so it covers the
// whole path. Navigation Timing (DOMContentLoaded, load) and the socket's
// 101 and history message (network events, from the document request) are
// printed as a breakdown.
//
// Main-thread busy. Performance.getMetrics at both ends of the -duration
// window, after a -settle period in which the page warms up (JIT, first
// draws): TaskDuration less DevToolsCommandDuration (the benchmark's own
// reads), over the renderer's elapsed Timestamp. ScriptDuration,
// LayoutDuration and RecalcStyleDuration are parts of it. ThreadTime and
// ProcessTime are CPU time of the main thread and of the whole renderer
// (compositor and raster threads too), as a share of one core. On a loaded
// machine, busy time includes time the thread waited for a core: run it
// on an idle machine.
//
// Frames and draws. window.livedash.charts counts the animation frames in
// which the charts drew (frames), the uPlot setData calls (draws) and the
// time those frames' script took by the page's own clock (drawMs, uPlot's
// drawing included; rasterizing the canvases comes later, in the commit):
// at 1 Hz, about one frame per second and one draw per chart on screen. Charts
// off screen at both ends of the window must not sync a row (their view's
// row count must not move); charts on screen must keep up with the store.
//
// JS heap. JSHeapUsedSize after HeapProfiler.collectGarbage at both ends
// of the window: growth is what the page retained. It is not zero by
// design while the page is young: each chart's view appends one row per
// tick to plain arrays until they hold twice the ring (10 minutes) and
// then cuts them back (see View in static/js/store.js), and the store's
// ring fills for 10 minutes after the server starts. So the report prints
// the values the charts' arrays gained next to the growth, and the bytes
// of growth per value gained; growth well beyond that is a leak. DOM nodes
// and event listeners (Performance metrics Nodes and JSEventListeners,
// after GC) must not grow.
//
// Frame rate. The Performance domain has no frame counter, and headless
// Chromium draws a frame only when something changed (about one per second
// here), so counting presented frames would measure the data rate, not
// smoothness. Instead, after the main window (its cost would otherwise
// count as the page's), a probe of -fps length runs a requestAnimationFrame
// loop that records only timestamps: it asks for a frame at every vsync,
// as an animation or a moving cursor would, and shows whether the main
// thread, with the charts redrawing every second, ever misses one. The
// frame clock is headless Chromium's own 60 Hz begin-frame source
// (software compositing with --disable-gpu), so 60 fps is the ceiling.
// Long tasks and long animation frames (over 50 ms, from
// PerformanceObservers installed before the page's scripts, which cost
// nothing until one happens) are reported for the open, the window (with
// their times, to match them with other work on the machine) and the
// probe.
//
// Main thread by activity. For -trace, after the frame-rate probe, the
// Tracing domain records the DevTools timeline categories; the report
// sums, on the page's renderer main thread, the self time of each event
// name (FunctionCall, Layout, Paint, Commit…), which says what the
// "other" part of the busy time is, and divides it by the chart frames
// drawn meanwhile: the main thread's time per tick. Tracing has a cost of
// its own, so read the shares, not the total. With -cpuprofile, V8's
// sampling profiler runs during the trace too: the profile is written for
// DevTools, and the report lists the page's functions by self time.
//
// Interaction. For -interact rounds, after the frame-rate probe: typing a
// character into the filter (or clearing it), switching the time window
// (shortest, longest) and toggling the theme, each timed by the page from
// just before the action to the end of the next frame (target ≤ 100 ms).
//
// Path builder A/B. -paths linear opens the page with #paths=linear, which
// draws the lines with uPlot.paths.linear() instead of the page's own
// builder (static/js/paths.js); run one of each at the same time against
// one dashboard (-url) to compare them under the same load.
//
// Hidden tab. For -hidden, a second tab of the same window is brought to
// the front (Target.activateTarget), so the page's tab is hidden as when
// the user switches tabs: document.hidden must be true, and no chart may
// draw, while the store keeps receiving rows. Then the page's tab comes
// back, and the time until every visible chart has drawn what it missed is
// measured (polled every 20 ms).
//
// # Caveats
//
// The numbers are those of headless Chromium with software rendering on
// the machine it runs on: a desktop browser with a GPU spends less on
// raster and compositing (in the trace, Commit, the main thread handing
// each frame to the compositor, is the largest item here), a slower laptop
// more. Busy time is wall time the main thread spent in tasks, so CPU
// contention from other processes inflates it, most of all when they too
// wake up every second (another dashboard, a load test): compare the
// main thread's CPU time, the per-interval table and the long tasks'
// times. chromedp enables the DOM, CSS, Network, Page, Log and Runtime
// domains, which add a little bookkeeping to every DOM change and
// request, as DevTools open in a normal browser would.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/livedash/dashboard/internal/headless"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "browserbench:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	url      string
	warm     time.Duration
	settle   time.Duration
	duration time.Duration
	report   time.Duration
	fps      time.Duration
	hidden   time.Duration
	trace    time.Duration
	// cpuprofile is where to write the page's JavaScript profile, taken
	// during the trace ("": none).
	cpuprofile string
	chromium   string
	width      int
	height     int
	// interact is the number of rounds of the interaction phase.
	interact int
	// paths is the page's line path builder: "own" (paths.js) or
	// "linear" (uPlot's, through the page's #paths=linear).
	paths string
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("browserbench", flag.ContinueOnError)
	fs.StringVar(&c.url, "url", "", "dashboard page to measure, on a loopback address (default: serve an in-process dashboard)")
	fs.DurationVar(&c.warm, "warm", 30*time.Second, "in-process dashboard only: history to collect before the page opens (up to the 10m it keeps)")
	fs.DurationVar(&c.settle, "settle", 10*time.Second, "time the page runs after opening before the window starts")
	fs.DurationVar(&c.duration, "duration", 60*time.Second, "measurement window")
	fs.DurationVar(&c.report, "report", 10*time.Second, "time between progress lines in the window")
	fs.DurationVar(&c.fps, "fps", 10*time.Second, "frame-rate probe after the window (0: skip)")
	fs.DurationVar(&c.hidden, "hidden", 20*time.Second, "time the page's tab spends behind another tab (0: skip)")
	fs.DurationVar(&c.trace, "trace", 10*time.Second, "trace after the window, for the main thread's time by activity (0: skip)")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "during the trace, sample the page's JavaScript (V8 profiler) and write the profile to this file (.cpuprofile, opens in DevTools)")
	fs.StringVar(&c.chromium, "chromium", "", "browser executable (default: the first of "+strings.Join(headless.Names, ", ")+" in PATH)")
	fs.IntVar(&c.width, "width", 1400, "viewport width in CSS pixels")
	fs.IntVar(&c.height, "height", 900, "viewport height in CSS pixels")
	fs.IntVar(&c.interact, "interact", 8, "rounds of the interaction phase: type in the filter, switch the window, toggle the theme, each timed to the next frame (0: skip)")
	fs.StringVar(&c.paths, "paths", "own", `line path builder of the page: "own" (static/js/paths.js) or "linear" (uPlot.paths.linear(), for an A/B run side by side)`)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	warmSet := false
	fs.Visit(func(f *flag.Flag) { warmSet = warmSet || f.Name == "warm" })
	switch {
	case c.url != "" && warmSet:
		return c, errors.New("-warm applies to the in-process dashboard only, not with -url")
	case c.warm < 0 || c.warm > 15*time.Minute:
		return c, errors.New("-warm must be between 0 and 15m")
	case c.settle < 0 || c.settle > 5*time.Minute:
		return c, errors.New("-settle must be between 0 and 5m")
	case c.duration < time.Second || c.duration > 30*time.Minute:
		return c, errors.New("-duration must be between 1s and 30m")
	case c.report <= 0:
		return c, errors.New("-report must be positive")
	case c.fps < 0 || c.fps > 5*time.Minute:
		return c, errors.New("-fps must be between 0 and 5m")
	case c.hidden < 0 || c.hidden > 5*time.Minute:
		return c, errors.New("-hidden must be between 0 and 5m")
	case c.trace < 0 || c.trace > time.Minute:
		return c, errors.New("-trace must be between 0 and 1m")
	case c.cpuprofile != "" && c.trace == 0:
		return c, errors.New("-cpuprofile needs a -trace window")
	case c.interact < 0 || c.interact > 100:
		return c, errors.New("-interact must be between 0 and 100")
	case c.paths != "own" && c.paths != "linear":
		return c, fmt.Errorf("-paths %q: want own or linear", c.paths)
	case c.width < 320 || c.width > 8192 || c.height < 200 || c.height > 8192:
		return c, errors.New("-width and -height must be between 320×200 and 8192×8192")
	}
	if c.url != "" {
		u, err := url.Parse(c.url)
		if err != nil {
			return c, err
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return c, fmt.Errorf("-url %q: want an http or https URL", c.url)
		}
		if err := checkLoopback(u.Hostname()); err != nil {
			return c, err
		}
	}
	return c, nil
}

// budget bounds the whole run: every phase plus a margin for starting and
// stopping the browser.
func (c config) budget() time.Duration {
	d := openTimeout + loadTimeout + c.settle + c.duration + c.fps + c.hidden + c.trace + 3*hideTimeout + 2*time.Minute
	d += time.Duration(c.interact) * time.Duration(len(interactKinds)) * 2 * time.Second
	if c.url == "" {
		d += c.warm
	}
	return d
}

// checkLoopback refuses any host that is not this machine.
func checkLoopback(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address: browserbench only measures a dashboard on this machine", host)
	}
	return nil
}

func run(args []string) (err error) {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	path, err := findBrowser(cfg.chromium)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	deadline := time.Now().Add(cfg.budget())
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}

	rep := &report{cfg: cfg, load0: loadAverage()}
	rep.target = cfg.url
	if cfg.url == "" {
		srv, err := startServer()
		if err != nil {
			return err
		}
		defer func() {
			if cerr := srv.close(); err == nil {
				err = cerr
			}
		}()
		rep.target, rep.inProcess = srv.url, true
		logf("dashboard at %s; collecting %v of history before opening the page", srv.url, cfg.warm)
		if err := sleep(ctx, cfg.warm); err != nil {
			return err
		}
	}

	// The browser lives as long as ctx; the measurement has the deadline.
	br, err := startBrowser(ctx, path, cfg.width, cfg.height)
	if err != nil {
		return err
	}
	defer br.stop()
	rep.browser = br.version
	tab, cancel := context.WithDeadline(br.ctx, deadline)
	defer cancel()
	b := &bench{cfg: cfg, tab: tab, net: newNetlog(), log: logf}
	if err := b.prepare(); err != nil {
		return err
	}

	target := rep.target
	if cfg.paths == "linear" {
		target += "#paths=linear"
	}
	logf("opening %s in %s", target, br.version)
	res := &rep.res
	if res.open, err = b.open(target); err != nil {
		return err
	}
	res.load = b.pageLoad(&res.open)
	logf("charts drawn with history %.0f ms after navigation start; settling for %v", res.open.readyMs, cfg.settle)
	if err := sleep(tab, cfg.settle); err != nil {
		return err
	}
	logf("measuring for %v", cfg.duration)
	if res.steady, err = b.steady(); err != nil {
		return err
	}
	// The optional phases come after the main measurement: a failure
	// there is reported, not fatal.
	optional := func(what string, d time.Duration, phase func() error) {
		if d <= 0 || tab.Err() != nil {
			return
		}
		logf("%s for %v", what, d)
		if err := phase(); err != nil {
			logf("%s: %v", what, err)
			res.failed = append(res.failed, fmt.Sprintf("%s: %v", what, err))
		}
	}
	optional("frame-rate probe", cfg.fps, func() (err error) { res.fps, err = b.fps(); return err })
	optional("interaction rounds", time.Duration(cfg.interact)*time.Second, func() (err error) { res.inter, err = b.interact(); return err })
	optional("trace", cfg.trace, func() (err error) { res.trace, err = b.trace(); return err })
	optional("page's tab hidden behind another", cfg.hidden, func() (err error) { res.hidden, err = b.hidden(); return err })
	res.errors = b.net.pageErrors()
	rep.load1 = loadAverage()
	rep.print(os.Stdout)
	return nil
}

// loadAverage returns the machine's 1-minute load average, or "" where
// /proc/loadavg does not exist: other work on the machine inflates the
// main thread's busy time.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
