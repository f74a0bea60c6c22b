package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"net/url"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets from the issue.
const (
	targetWeight   = 100_000 // bytes transferred by the page load (1 KB = 1000 B)
	targetOpenMs   = 1000    // open → charts showing history
	targetBusy     = 3.0     // % of the main thread at 1 Hz
	targetFPS      = 59.0    // at least, with under 1 % of frames late
	targetInteract = 100.0   // ms from an action to the end of the next frame
)

// report is a run: what was measured and on what.
type report struct {
	cfg          config
	target       string
	inProcess    bool
	browser      string
	load0, load1 string // load averages at the start and the end
	res          results
}

func (r *report) print(w io.Writer) {
	res := &r.res
	fmt.Fprintf(w, "\n# Livedash page in headless %s, viewport %d×%d, path builder %s\n", r.browser, r.cfg.width, r.cfg.height, r.cfg.paths)
	if r.inProcess {
		fmt.Fprintf(w, "# in-process dashboard (dashboard.Options{}, 1 s frames), page opened on %v of history\n", r.cfg.warm)
	} else {
		fmt.Fprintf(w, "# dashboard at %s\n", r.target)
	}
	fmt.Fprintf(w, "# machine: %d CPUs", runtime.NumCPU())
	if r.load0 != "" {
		fmt.Fprintf(w, ", load average %s at the start, %s at the end", r.load0, r.load1)
	}
	fmt.Fprintln(w)

	r.printLoad(w)
	r.printOpen(w)
	r.printSteady(w)
	if res.fps != nil {
		r.printFPS(w)
	}
	if res.inter != nil {
		r.printInteract(w)
	}
	if res.trace != nil {
		r.printTrace(w)
	}
	if res.hidden != nil {
		r.printHidden(w)
	}
	for _, f := range res.failed {
		fmt.Fprintf(w, "\nNot measured: %s\n", f)
	}
	if len(res.errors) > 0 {
		fmt.Fprintf(w, "\nPage errors (%d):\n", len(res.errors))
		for _, e := range res.errors {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	r.printBench(w)
}

func (r *report) printLoad(w io.Writer) {
	l := r.res.load
	fmt.Fprintf(w, "\nPage weight, first visit (no cache); 1 KB = 1000 B\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  \ttype\tstatus\tencoding\ttransferred\tbody sent\tbody decoded\t  resource\n")
	for _, res := range l.resources {
		status := fmt.Sprint(res.status)
		switch {
		case res.failed != "":
			status = "failed: " + res.failed
		case !res.finished:
			status = "unfinished"
		case res.fromCache:
			status += " (cache)"
		}
		fmt.Fprintf(tw, "  \t%s\t%s\t%s\t%s\t%s\t%s\t  %s\n", res.typ, status,
			cmp.Or(res.encoding, "-"), kb(res.wire), kb(res.body), kb(res.decoded), r.shortURL(res.url))
	}
	fmt.Fprintf(tw, "  \t\t\t\t%s\t%s\t%s\t  total, %d requests\n", kb(l.wire), kb(l.body), kb(l.decoded), len(l.resources))
	tw.Flush()
	fmt.Fprintf(w, "  page weight %s transferred: %s (target ≤ %s)\n", kb(l.wire), verdict(l.wire <= targetWeight), kb(targetWeight))
	if len(l.textPlain) > 0 {
		fmt.Fprintf(w, "  sent without compression: %s\n", strings.Join(l.textPlain, ", "))
	} else {
		fmt.Fprintf(w, "  every document, script and stylesheet over 1 KB was compressed\n")
	}
	if !l.complete {
		fmt.Fprintf(w, "  some requests had not finished %v after the charts were drawn\n", loadTimeout)
	}
}

func (r *report) printOpen(w io.Writer) {
	o := r.res.open
	fmt.Fprintf(w, "\nOpen → every visible chart showing the history (polled every %v, %d polls)\n", openPoll, o.polls)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  document response ends\t%6.0f ms\tNavigation Timing, from navigation start\n", o.nav.ResponseEnd)
	fmt.Fprintf(tw, "  DOMContentLoaded\t%6.0f ms\t\n", o.nav.DOMContentLoaded)
	fmt.Fprintf(tw, "  load\t%6.0f ms\t\n", o.nav.Load)
	if o.wsOpenMs > 0 {
		fmt.Fprintf(tw, "  socket open (101)\t%6.0f ms\tnetwork events, from the document request\n", o.wsOpenMs)
	}
	if o.historyMs > 0 {
		fmt.Fprintf(tw, "  history received\t%6.0f ms\t%s in the history message, %s in all opening messages\n",
			o.historyMs, kb(o.historyBytes), kb(o.openingBytes))
	}
	fmt.Fprintf(tw, "  charts drawn with history\t%6.0f ms\t%d of %d charts visible, ≥ %d points each, %d rows in the store\n",
		o.readyMs, o.ready.Visible, o.state.Charts, o.ready.MinPoints, o.ready.Rows)
	tw.Flush()
	fmt.Fprintf(w, "  open → charts showing history %.0f ms: %s (target ≤ %d ms on loopback)\n", o.readyMs, verdict(o.readyMs <= targetOpenMs), targetOpenMs)
	fmt.Fprintf(w, "  meanwhile: %s; %s\n", longText(o.longTasks, "long task"), longText(o.longFrames, "long animation frame"))
}

func (r *report) printSteady(w io.Writer) {
	s := r.res.steady
	u := s.use
	secs := s.window.Seconds()
	fmt.Fprintf(w, "\nSteady state: %v window after %v of settling\n", s.window.Round(time.Second), r.cfg.settle)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  \tend\tbusy %%\tscript %%\tlayout %%\tstyle %%\tthread CPU %%\tdraws/s\tchart frames/s\tsocket B/s\t\n")
	busies := make([]float64, 0, len(s.intervals))
	for _, iv := range s.intervals {
		busies = append(busies, iv.use.busy)
		fmt.Fprintf(tw, "  \t%v\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.2f\t%.0f\t\n", iv.at, iv.use.busy, iv.use.script,
			iv.use.layout, iv.use.style, iv.use.thread, iv.draws, iv.frames, iv.wsBytes)
	}
	tw.Flush()
	slices.Sort(busies)
	fmt.Fprintf(w, "  main thread busy %.2f %% (target ≤ %.0f %%): %s; median of the %v intervals %.2f %%\n",
		u.busy, targetBusy, verdict(u.busy <= targetBusy), r.cfg.report, quantile(busies, 0.5))
	fmt.Fprintf(w, "    script %.2f %%, layout %.2f %%, style %.2f %%, other %.2f %%; benchmark's own DevTools calls %.3f %% (excluded)\n",
		u.script, u.layout, u.style, max(0, u.busy-u.script-u.layout-u.style), u.devtools)
	fmt.Fprintf(w, "  CPU: main thread %.2f %%, whole renderer %.2f %% of one core\n", u.thread, u.process)
	frames := float64(s.end.Frames - s.start.Frames)
	draws := float64(s.end.Draws - s.start.Draws)
	perFrame := 0.0
	if frames > 0 {
		perFrame = draws / frames
	}
	fmt.Fprintf(w, "  chart frames %.2f/s, draws %.1f/s = %.1f per frame; %d of %d charts visible (%d with a uPlot)\n",
		frames/secs, draws/secs, perFrame, s.end.Visible, s.end.Charts, s.end.Plots)
	if frames > 0 {
		fmt.Fprintf(w, "  script of a chart frame (the page's own clock, uPlot's drawing included; raster and commit come after): %.2f ms\n",
			(s.end.DrawMs-s.start.DrawMs)/frames)
	}
	if lo, hi := pointRange(s.end); hi > 0 {
		fmt.Fprintf(w, "  each visible chart holds %d–%d points (the cost of a draw grows with them)\n", lo, hi)
	}
	fmt.Fprintf(w, "  off-screen charts redrawn: %d of %d off screen throughout: %s\n", len(s.offRedrawn), s.offScreen, verdict(len(s.offRedrawn) == 0))
	if len(s.offRedrawn) > 0 {
		fmt.Fprintf(w, "    %s\n", strings.Join(s.offRedrawn, ", "))
	}
	fmt.Fprintf(w, "  on-screen charts up to date with the store at the end: %d of %d\n", s.onScreen-len(s.onScreenLate), s.onScreen)
	if len(s.onScreenLate) > 0 {
		fmt.Fprintf(w, "    behind: %s\n", strings.Join(s.onScreenLate, ", "))
	}
	growth := s.heapEnd - s.heapStart
	dv := s.end.viewValues() - s.start.viewValues()
	fmt.Fprintf(w, "  JS heap after GC: %s → %s (%+.1f KB, %+.1f KB/min)\n",
		kb(int64(s.heapStart)), kb(int64(s.heapEnd)), growth/1000, growth/1000/secs*60)
	fmt.Fprintf(w, "    store %d → %d rows (ring %s); the charts' arrays %+d values (%d → %d)",
		s.start.Rows, s.end.Rows, ringState(s.end), dv, s.start.viewValues(), s.end.viewValues())
	if dv > 0 {
		fmt.Fprintf(w, ", %.0f B of growth per value", growth/float64(dv))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  after GC: DOM nodes %.0f → %.0f, event listeners %.0f → %.0f\n",
		s.perfStart["Nodes"], s.perfGC["Nodes"], s.perfStart["JSEventListeners"], s.perfGC["JSEventListeners"])
	fmt.Fprintf(w, "  socket %s: %.2f messages/s (%.2f frames/s), %.0f B/s received, %.1f B/s sent\n",
		s.end.Socket, float64(s.wsMsgs)/secs, float64(s.wsFrames)/secs, float64(s.wsBytes)/secs, float64(s.wsSentBytes)/secs)
	if s.sockets != 1 {
		fmt.Fprintf(w, "    the page opened %d sockets since it opened: it reconnected\n", s.sockets)
	}
	fmt.Fprintf(w, "  %s; %s\n", longText(s.longTasks, "long task"), longText(s.longFrames, "long animation frame"))
	if n := len(s.longTasks.at); n > 0 {
		at := make([]string, 0, min(n, 20))
		for _, t := range s.longTasks.at[:min(n, 20)] {
			at = append(at, fmt.Sprintf("%.1f", t))
		}
		fmt.Fprintf(w, "    long tasks at %s s into the window\n", strings.Join(at, ", "))
	}
}

// longText describes long tasks or frames: "no long task", "3 long tasks
// (max 80 ms, 190 ms in all)".
func longText(s longSummary, what string) string {
	switch s.n {
	case 0:
		return "no " + what
	case 1:
		return fmt.Sprintf("1 %s (%.0f ms)", what, s.max)
	}
	return fmt.Sprintf("%d %ss (max %.0f ms, %.0f ms in all)", s.n, what, s.max, s.sum)
}

// pointRange returns the fewest and the most points a visible chart's
// uPlot holds.
func pointRange(s pageState) (lo, hi int) {
	lo = math.MaxInt
	for _, c := range s.PerChart {
		if c.Visible && c.Plot {
			lo, hi = min(lo, c.Points), max(hi, c.Points)
		}
	}
	if hi == 0 {
		lo = 0
	}
	return lo, hi
}

func ringState(s pageState) string {
	if s.Rows >= s.Capacity {
		return "full"
	}
	return fmt.Sprintf("of %d, filling", s.Capacity)
}

func (r *report) printFPS(w io.Writer) {
	f := r.res.fps
	fmt.Fprintf(w, "\nFrame rate: requestAnimationFrame probe, %v\n", f.window.Round(100*time.Millisecond))
	ok := f.fps >= targetFPS && f.late*100 < f.frames
	fmt.Fprintf(w, "  %.1f fps over %d frames: %s (target steady 60)\n", f.fps, f.frames, verdict(ok))
	fmt.Fprintf(w, "  frame gaps p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d late (> %.0f ms), %d vsyncs missed\n",
		f.p50, f.p99, f.maxGap, f.late, lateFrame, f.missed)
	fmt.Fprintf(w, "  meanwhile the charts drew in %d frames (%d draws); %s\n", f.drawFrame, f.draws, longText(f.long, "long animation frame"))
}

func (r *report) printInteract(w io.Writer) {
	fmt.Fprintf(w, "\nInteraction: action to the end of the next frame (target ≤ %.0f ms)\n", targetInteract)
	for _, kind := range interactKinds {
		med, hi, n := r.res.inter.stats(kind)
		fmt.Fprintf(w, "  %-7s median %6.1f ms, max %6.1f ms over %d: %s\n", kind, med, hi, n, verdict(med <= targetInteract))
	}
}

func (r *report) printTrace(w io.Writer) {
	t := r.res.trace
	fmt.Fprintf(w, "\nMain thread by activity: %v trace (tracing adds its own cost; read the shares)\n", t.window.Round(time.Second))
	fmt.Fprintf(w, "  in top-level events %.2f %% of the time; self time by event:\n", t.busy)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	shown := 0.0
	for i, a := range t.activities {
		if i == 10 {
			fmt.Fprintf(tw, "    (%d more)\t%5.2f %%\t\n", len(t.activities)-i, t.busy-shown)
			break
		}
		shown += a.share
		fmt.Fprintf(tw, "    %s\t%5.2f %%\t%d×\n", a.name, a.share, a.count)
	}
	tw.Flush()
	if t.frames > 0 {
		perFrame := t.busy / 100 * float64(t.window.Microseconds()) / 1000 / float64(t.frames)
		fmt.Fprintf(w, "  %d chart frames (%d draws): %.1f ms of the main thread per chart frame, all activities\n",
			t.frames, t.draws, perFrame)
	}
	if t.dataLoss {
		fmt.Fprintf(w, "  the trace buffer lost data\n")
	}
	if len(t.functions) > 0 {
		fmt.Fprintf(w, "  JavaScript by function, self time over the %v profile (written to %s):\n", t.profiled.Round(time.Millisecond), r.cfg.cpuprofile)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, f := range t.functions {
			if i == 15 {
				break
			}
			fmt.Fprintf(tw, "    %s\t%6.1f ms\t%5.2f %%\t\n", f.name, float64(f.self.Microseconds())/1000,
				float64(f.self)/float64(t.profiled)*100)
		}
		tw.Flush()
	}
}

func (r *report) printHidden(w io.Writer) {
	h := r.res.hidden
	fmt.Fprintf(w, "\nHidden tab: %v behind another tab\n", h.window.Round(time.Second))
	fmt.Fprintf(w, "  document.hidden %v; chart frames %+d, draws %+d while %d rows arrived: %s\n",
		h.hidden, h.frames, h.draws, h.rows, verdict(h.hidden && h.draws == 0 && h.frames == 0))
	fmt.Fprintf(w, "  main thread busy %.2f %% (script %.2f %%), renderer CPU %.2f %%\n", h.use.busy, h.use.script, h.use.process)
	if h.caughtUp {
		fmt.Fprintf(w, "  back in front: %d visible charts caught up in %v (%d draws)\n", h.visible, h.catchUp.Round(time.Millisecond), h.afterDraws)
	} else {
		fmt.Fprintf(w, "  back in front: charts not caught up within %v\n", hideTimeout)
	}
}

// printBench prints one line per metric in the Go benchmark format:
// name, iterations (always 1: one page), value, unit.
func (r *report) printBench(w io.Writer) {
	res := &r.res
	s := res.steady
	secs := s.window.Seconds()
	line := func(name string, v float64, unit string) {
		num := strconv.FormatFloat(v, 'f', -1, 64)
		if v != math.Trunc(v) {
			num = strconv.FormatFloat(v, 'g', 4, 64)
		}
		fmt.Fprintf(w, "BenchmarkLivedashPage/%s 1 %s %s\n", name, num, unit)
	}
	fmt.Fprintf(w, "\ngoos: %s\ngoarch: %s\ncpus: %d\nbrowser: %s\nviewport: %dx%d\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), strings.ReplaceAll(r.browser, " ", "_"), r.cfg.width, r.cfg.height)
	if r.inProcess {
		fmt.Fprintf(w, "history: %v\n", r.cfg.warm)
	}
	line("page-transferred", float64(res.load.wire), "B")
	line("page-requests", float64(len(res.load.resources)), "requests")
	line("history-message", float64(res.open.historyBytes), "B")
	line("open-to-history", res.open.readyMs, "ms")
	line("main-thread-busy", s.use.busy, "%")
	line("script", s.use.script, "%")
	line("layout", s.use.layout, "%")
	line("style", s.use.style, "%")
	line("main-thread-cpu", s.use.thread, "%")
	line("renderer-cpu", s.use.process, "%")
	line("chart-frames", float64(s.end.Frames-s.start.Frames)/secs, "frames/s")
	line("chart-draws", float64(s.end.Draws-s.start.Draws)/secs, "draws/s")
	line("charts-visible", float64(s.end.Visible), "charts")
	line("charts-total", float64(s.end.Charts), "charts")
	line("offscreen-redrawn", float64(len(s.offRedrawn)), "charts")
	line("heap-growth", s.heapEnd-s.heapStart, "B")
	line("heap", s.heapEnd, "B")
	line("socket-received", float64(s.wsBytes)/secs, "B/s")
	line("long-tasks", float64(s.longTasks.n), "tasks")
	if f := res.fps; f != nil {
		line("fps", f.fps, "fps")
		line("frame-gap-p99", f.p99, "ms")
		line("late-frames", float64(f.late), "frames")
	}
	if in := res.inter; in != nil {
		for _, kind := range interactKinds {
			med, _, _ := in.stats(kind)
			line("interact-"+kind, med, "ms")
		}
	}
	if h := res.hidden; h != nil {
		line("hidden-draws", float64(h.draws), "draws")
		line("hidden-busy", h.use.busy, "%")
		line("visible-catch-up", float64(h.catchUp.Microseconds())/1000, "ms")
	}
}

// shortURL shows a resource relative to the page, with the asset hash
// elided.
func (r *report) shortURL(s string) string {
	base, err1 := url.Parse(r.target)
	u, err2 := url.Parse(s)
	if err1 != nil || err2 != nil || u.Host != base.Host {
		return s
	}
	rel := strings.TrimPrefix(u.Path, path.Dir(base.Path+"x"))
	rel = strings.TrimPrefix(rel, "/")
	if rest, ok := strings.CutPrefix(rel, "static/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rel = "static/…" + rest[i:]
		}
	}
	if rel == "" {
		rel = "./"
	}
	return rel
}

func kb(b int64) string { return fmt.Sprintf("%.1f KB", float64(b)/1000) }

func verdict(ok bool) string {
	if ok {
		return "OK"
	}
	return "OVER TARGET"
}
