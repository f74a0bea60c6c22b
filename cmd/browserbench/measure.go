package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
)

const (
	openTimeout = 30 * time.Second        // navigation to charts drawn
	openPoll    = 20 * time.Millisecond   // how often the open condition is polled
	loadTimeout = 10 * time.Second        // every HTTP resource finished, after the charts are drawn
	hideTimeout = 10 * time.Second        // the page seeing itself hidden, or visible again
	vsync       = 1000.0 / 60             // ms between frames at 60 fps
	lateFrame   = 1.5 * vsync             // a gap longer than this missed a vsync
	heapGCRuns  = 2                       // HeapProfiler.collectGarbage calls before reading the heap
	hiddenGrace = 1500 * time.Millisecond // after hiding, before counting
)

// bench runs the phases against one tab.
type bench struct {
	cfg config
	tab context.Context // the tab, with the run's deadline
	net *netlog
	log func(format string, args ...any)
}

// results is everything measured, for the report.
type results struct {
	load   loadResult
	open   openResult
	steady steadyResult
	fps    *fpsResult      // nil when -fps is 0
	trace  *traceResult    // nil when -trace is 0
	hidden *hiddenResult   // nil when -hidden is 0
	inter  *interactResult // nil when -interact is 0
	errors []string        // page errors seen over the whole run
	failed []string        // optional phases that failed
}

// prepare enables the Performance domain and installs the long task
// observers, before the page is opened.
func (b *bench) prepare() error {
	if err := chromedp.Listen(b.tab, b.net.listen); err != nil {
		return err
	}
	if _, err := chromedp.Call(b.tab, performance.Enable, performance.EnableParams{}); err != nil {
		return fmt.Errorf("enabling Performance metrics: %w", err)
	}
	if _, err := chromedp.Call(b.tab, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: observerJS}); err != nil {
		return fmt.Errorf("installing the long task observers: %w", err)
	}
	return nil
}

// openResult is the open phase: navigation to every visible chart drawn
// with the history.
type openResult struct {
	readyMs float64 // navigation start → every visible chart shows the history
	nav     navTiming
	ready   readyState
	polls   int
	state   pageState // right after the charts were drawn
	// Long tasks and animation frames from navigation start to then.
	longTasks, longFrames longSummary
	wsOpenMs              float64 // document request → socket's 101 response (0: not seen)
	historyMs             float64 // document request → history message received
	// Sizes of the history message and of all the messages before the
	// first frame (schema, status, history).
	historyBytes, openingBytes int64
}

// open navigates to url and polls readyJS every openPoll until it holds.
func (b *bench) open(url string) (openResult, error) {
	var r openResult
	nav, err := chromedp.Call(b.tab, page.Navigate, page.NavigateParams{URL: url})
	if err != nil {
		return r, fmt.Errorf("opening %s: %w", url, err)
	}
	if nav.ErrorText != "" {
		return r, fmt.Errorf("opening %s: %s", url, nav.ErrorText)
	}
	ctx, cancel := context.WithTimeout(b.tab, openTimeout)
	defer cancel()
	tick := time.NewTicker(openPoll)
	defer tick.Stop()
	for {
		// Errors are expected while the new document replaces the old.
		st, err := evalJS[readyState](ctx, readyJS)
		r.polls++
		if err == nil {
			r.ready = st
			if st.OK {
				r.readyMs = st.T
				break
			}
		}
		select {
		case <-ctx.Done():
			return r, fmt.Errorf("charts not drawn with history within %v of opening the page; last check: %+v", openTimeout, r.ready)
		case <-tick.C:
		}
	}
	if r.state, err = b.state(); err != nil {
		return r, err
	}
	r.longTasks = summarize(r.state.Long.Tasks, 0, r.state.Now)
	r.longFrames = summarize(r.state.Long.Frames, 0, r.state.Now)
	if r.nav, err = evalJS[navTiming](b.tab, navTimingJS); err != nil {
		return r, fmt.Errorf("reading Navigation Timing: %w", err)
	}
	return r, nil
}

// loadResult is the page weight: every HTTP resource of the page load.
type loadResult struct {
	resources []resource
	wire      int64 // bytes received, headers included
	body      int64 // bodies as sent
	decoded   int64 // bodies after decoding
	textPlain []string
	complete  bool
}

// pageLoad waits until every HTTP request the page made has finished and
// sums their sizes. The WebSocket is not an HTTP resource here; its
// opening messages are reported apart.
func (b *bench) pageLoad(open *openResult) loadResult {
	var l loadResult
	deadline := time.Now().Add(loadTimeout)
	for {
		l.resources, l.complete = b.net.pageLoad()
		if l.complete || time.Now().After(deadline) || sleep(b.tab, 50*time.Millisecond) != nil {
			break
		}
	}
	var docStart cdp.MonotonicTime
	for _, r := range l.resources {
		if docStart == 0 && r.typ == "Document" {
			docStart = r.start
		}
		l.wire += r.wire
		l.body += r.body
		l.decoded += r.decoded
		if r.encoding == "" && r.decoded > 1024 && (r.typ == "Document" || r.typ == "Script" || r.typ == "Stylesheet") {
			l.textPlain = append(l.textPlain, r.url)
		}
	}
	ws := b.net.webSocket()
	since := func(t cdp.MonotonicTime) float64 {
		if t == 0 || docStart == 0 {
			return 0
		}
		return float64(t-docStart) * 1000
	}
	open.wsOpenMs = since(ws.openAt)
	open.historyMs = since(ws.historyAt)
	open.historyBytes, open.openingBytes = ws.historyBytes, ws.openingBytes
	return l
}

// perf is one Performance.getMetrics reading, by metric name.
type perf map[string]float64

func (b *bench) perf() (perf, error) {
	res, err := chromedp.Call(b.tab, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		return nil, fmt.Errorf("reading Performance metrics: %w", err)
	}
	p := make(perf, len(res.Metrics))
	for _, m := range res.Metrics {
		p[m.Name] = m.Value
	}
	return p, nil
}

// heap collects garbage, then reads the metrics: JSHeapUsedSize is then
// the live heap.
func (b *bench) heap() (perf, error) {
	for range heapGCRuns {
		if _, err := chromedp.Call(b.tab, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return nil, fmt.Errorf("collecting garbage: %w", err)
		}
	}
	return b.perf()
}

func (b *bench) state() (pageState, error) {
	st, err := evalJS[*pageState](b.tab, stateJS)
	if err != nil {
		return pageState{}, fmt.Errorf("reading the page state: %w", err)
	}
	if st == nil {
		return pageState{}, errors.New("the page has no window.livedash")
	}
	return *st, nil
}

// usage is the main thread's time between two readings, as a share of the
// wall time between them (percent).
type usage struct {
	wall     float64 // seconds, from the renderer's own Timestamp metric
	busy     float64 // tasks, DevTools commands excluded
	script   float64
	layout   float64
	style    float64
	devtools float64 // DevTools commands: the benchmark's own reads
	thread   float64 // main thread CPU time
	process  float64 // renderer process CPU time, all its threads
}

func usageBetween(a, b perf) usage {
	u := usage{wall: b["Timestamp"] - a["Timestamp"]}
	if u.wall <= 0 {
		return u
	}
	pct := func(name string) float64 { return (b[name] - a[name]) / u.wall * 100 }
	u.devtools = pct("DevToolsCommandDuration")
	u.busy = max(0, pct("TaskDuration")-u.devtools)
	u.script = pct("ScriptDuration")
	u.layout = pct("LayoutDuration")
	u.style = pct("RecalcStyleDuration")
	u.thread = pct("ThreadTime")
	u.process = pct("ProcessTime")
	return u
}

// interval is one report line of the steady window.
type interval struct {
	at      time.Duration // end, since the window's start
	use     usage
	draws   float64 // per second
	frames  float64 // per second
	wsBytes float64 // received, per second
}

// steadyResult is the measurement window.
type steadyResult struct {
	window       time.Duration
	use          usage
	intervals    []interval
	start, end   pageState
	heapStart    float64 // bytes, after GC
	heapEnd      float64
	perfStart    perf // after GC
	perfEnd      perf // before GC
	perfGC       perf // at the end, after GC
	longTasks    longSummary
	longFrames   longSummary
	wsBytes      int64
	wsMsgs       int64
	wsFrames     int64
	wsSentBytes  int64
	sockets      int      // sockets the page has opened since it opened
	offScreen    int      // charts off screen at both ends of the window
	offRedrawn   []string // of those, the ones whose view synced rows in the window
	onScreen     int      // charts visible at both ends
	onScreenLate []string // of those, the ones that did not keep up with the store
}

// steady measures the window: main thread time, draws, heap, socket
// traffic.
func (b *bench) steady() (steadyResult, error) {
	var s steadyResult
	var err error
	if s.perfStart, err = b.heap(); err != nil {
		return s, err
	}
	s.heapStart = s.perfStart["JSHeapUsedSize"]
	if s.start, err = b.state(); err != nil {
		return s, err
	}
	ws0 := b.net.webSocket()
	start := time.Now()
	end := start.Add(b.cfg.duration)
	prevPerf, prevState, prevWS, prevAt := s.perfStart, s.start, ws0, start
	for now := start; now.Before(end); now = time.Now() {
		if err := sleep(b.tab, min(b.cfg.report, end.Sub(now))); err != nil {
			return s, err
		}
		p, err := b.perf()
		if err != nil {
			return s, err
		}
		st, err := b.state()
		if err != nil {
			return s, err
		}
		ws := b.net.webSocket()
		at := time.Now()
		dt := at.Sub(prevAt).Seconds()
		iv := interval{
			at:      at.Sub(start).Round(time.Second),
			use:     usageBetween(prevPerf, p),
			draws:   float64(st.Draws-prevState.Draws) / dt,
			frames:  float64(st.Frames-prevState.Frames) / dt,
			wsBytes: float64(ws.recvBytes-prevWS.recvBytes) / dt,
		}
		s.intervals = append(s.intervals, iv)
		b.log("%6s  busy %5.2f %%  script %5.2f %%  draws %5.1f/s  chart frames %4.2f/s  socket %6.0f B/s",
			iv.at, iv.use.busy, iv.use.script, iv.draws, iv.frames, iv.wsBytes)
		prevPerf, prevState, prevWS, prevAt = p, st, ws, at
	}
	s.window = prevAt.Sub(start)
	s.perfEnd, s.end = prevPerf, prevState
	s.use = usageBetween(s.perfStart, s.perfEnd)
	ws1 := prevWS
	s.wsBytes = ws1.recvBytes - ws0.recvBytes
	s.wsMsgs = ws1.recvMsgs - ws0.recvMsgs
	s.wsFrames = ws1.frames - ws0.frames
	s.wsSentBytes = ws1.sentBytes - ws0.sentBytes
	s.sockets = ws1.sockets

	// Off-screen charts: a chart's view only syncs when the chart is drawn.
	startBy := map[string]chartState{}
	for _, c := range s.start.PerChart {
		startBy[c.Key] = c
	}
	for _, c := range s.end.PerChart {
		c0, ok := startBy[c.Key]
		switch {
		case !ok:
		case !c0.Visible && !c.Visible:
			s.offScreen++
			if c.Seen != c0.Seen {
				s.offRedrawn = append(s.offRedrawn, c.Key)
			}
		case c0.Visible && c.Visible:
			s.onScreen++
			if c.Seen < s.end.Total-1 {
				s.onScreenLate = append(s.onScreenLate, c.Key)
			}
		}
	}

	s.longTasks = summarize(s.end.Long.Tasks, s.start.Now, s.end.Now)
	s.longFrames = summarize(s.end.Long.Frames, s.start.Now, s.end.Now)

	if s.perfGC, err = b.heap(); err != nil {
		return s, err
	}
	s.heapEnd = s.perfGC["JSHeapUsedSize"]
	return s, nil
}

// fpsResult is the frame-rate probe's window.
type fpsResult struct {
	window    time.Duration
	frames    int
	fps       float64
	p50, p99  float64 // ms between frames
	maxGap    float64
	late      int   // gaps over lateFrame
	missed    int   // vsyncs missed in all, from the gap lengths
	draws     int64 // chart draws (setData) during the probe
	drawFrame int64 // animation frames in which the charts drew
	long      longSummary
}

// fps runs the requestAnimationFrame probe for the -fps window.
func (b *bench) fps() (*fpsResult, error) {
	st0, err := b.state()
	if err != nil {
		return nil, err
	}
	if _, err := evalJS[bool](b.tab, fpsStartJS); err != nil {
		return nil, fmt.Errorf("starting the frame probe: %w", err)
	}
	if err := sleep(b.tab, b.cfg.fps); err != nil {
		return nil, err
	}
	times, err := evalJS[[]float64](b.tab, fpsStopJS)
	if err != nil {
		return nil, fmt.Errorf("stopping the frame probe: %w", err)
	}
	st1, err := b.state()
	if err != nil {
		return nil, err
	}
	r := &fpsResult{
		frames: len(times), draws: st1.Draws - st0.Draws, drawFrame: st1.Frames - st0.Frames,
		long: summarize(st1.Long.Frames, st0.Now, st1.Now),
	}
	if len(times) < 2 {
		return r, nil
	}
	span := times[len(times)-1] - times[0]
	r.window = time.Duration(span * float64(time.Millisecond))
	r.fps = float64(len(times)-1) / span * 1000
	gaps := make([]float64, len(times)-1)
	for i := range gaps {
		g := times[i+1] - times[i]
		gaps[i] = g
		if g > lateFrame {
			r.late++
			r.missed += int(g/vsync+0.5) - 1
		}
	}
	slices.Sort(gaps)
	r.p50, r.p99, r.maxGap = quantile(gaps, 0.5), quantile(gaps, 0.99), gaps[len(gaps)-1]
	return r, nil
}

// hiddenResult is the hidden-tab window.
type hiddenResult struct {
	window     time.Duration
	hidden     bool // the page saw document.hidden
	use        usage
	draws      int64 // while hidden
	frames     int64
	rows       int64 // store rows that arrived while hidden
	catchUp    time.Duration
	caughtUp   bool
	afterDraws int64 // draws of the catch-up
	visible    int
}

// hidden covers the tab with a second one for the -hidden window, then
// brings it back and times the catch-up.
func (b *bench) hidden() (*hiddenResult, error) {
	r := &hiddenResult{}
	uncover, err := coverTab(b.tab)
	if err != nil {
		return nil, err
	}
	uncovered := false
	defer func() {
		if !uncovered {
			uncover()
		}
	}()
	if err := b.waitHidden(true); err != nil {
		return nil, err
	}
	r.hidden = true
	// Let the frame that may have been queued before hiding go by.
	if err := sleep(b.tab, hiddenGrace); err != nil {
		return nil, err
	}
	p0, err := b.perf()
	if err != nil {
		return nil, err
	}
	st0, err := b.state()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := sleep(b.tab, b.cfg.hidden); err != nil {
		return nil, err
	}
	p1, err := b.perf()
	if err != nil {
		return nil, err
	}
	st1, err := b.state()
	if err != nil {
		return nil, err
	}
	r.window = time.Since(start)
	r.use = usageBetween(p0, p1)
	r.draws, r.frames, r.rows = st1.Draws-st0.Draws, st1.Frames-st0.Frames, st1.Total-st0.Total

	// Back to the front: the visibilitychange asks for one frame that
	// draws every visible chart with what it missed.
	shown := time.Now()
	uncovered = true
	if err := uncover(); err != nil {
		return nil, fmt.Errorf("bringing the page's tab back: %w", err)
	}
	ctx, cancel := context.WithTimeout(b.tab, hideTimeout)
	defer cancel()
	for ctx.Err() == nil {
		st, err := evalJS[*pageState](ctx, stateJS)
		if err == nil && st != nil && !st.Hidden && st.Frames > st1.Frames && caughtUp(st) {
			r.catchUp = time.Since(shown)
			r.caughtUp = true
			r.afterDraws = st.Draws - st1.Draws
			r.visible = st.Visible
			break
		}
		sleep(ctx, openPoll)
	}
	return r, nil
}

// caughtUp reports whether every visible chart has synced every row of
// the store.
func caughtUp(st *pageState) bool {
	for _, c := range st.PerChart {
		if c.Visible && c.Seen < st.Total {
			return false
		}
	}
	return true
}

// waitHidden waits until document.hidden is want.
func (b *bench) waitHidden(want bool) error {
	ctx, cancel := context.WithTimeout(b.tab, hideTimeout)
	defer cancel()
	for {
		h, err := evalJS[bool](ctx, `document.hidden`)
		if err == nil && h == want {
			return nil
		}
		if sleep(ctx, openPoll) != nil {
			return fmt.Errorf("document.hidden did not become %v within %v: headless Chromium may not hide a background tab", want, hideTimeout)
		}
	}
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
