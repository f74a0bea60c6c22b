package dashboard

// Browser tests: the page in a real headless Chromium, driven with chromedp.
// They skip when no browser is installed, except under CI=true, where a
// missing browser is a failure (CI installs chromium).
//
// They do not call t.Parallel: each one starts its own Chromium, and on a
// small CI machine (2 cores) three at once make the page's animation frames
// and observers crawl for no gain. Every wait polls the page with a generous
// deadline and never asserts on how long something took.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/livedash/dashboard/collectors"

	"github.com/livedash/dashboard/internal/headless"
)

// findBrowser returns the path of a Chromium or Chrome. Without one the test
// is skipped, or fails when CI is "true".
func findBrowser(t *testing.T) string {
	t.Helper()
	if p, ok := headless.Find(); ok {
		return p
	}
	msg := fmt.Sprintf("browser tests need Chromium or Chrome in PATH (looked for %s): install it, e.g. `apt-get install chromium`",
		strings.Join(headless.Names, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts the headless browser at path (see findBrowser) with a
// fresh profile, opens one tab with a 1280×1024 viewport and returns its
// context and the console messages the tab will log. The browser is
// stopped when the test ends.
func newBrowser(t *testing.T, path string) (context.Context, *consoleLog) {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), headless.Options(path, t.TempDir())...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc() // waits for the browser to exit
	})
	// The first action starts the browser; it must have no deadline, or the
	// deadline would stop the browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	con := &consoleLog{}
	if err := chromedp.Listen(ctx, con.listen); err != nil {
		t.Fatal(err)
	}
	// Big enough that the IntersectionObserver counts at least 8 charts as
	// on screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1024)); err != nil {
		t.Fatal(err)
	}
	return ctx, con
}

// consoleLog collects what the page reports as errors and warnings: console
// calls, uncaught exceptions and the browser's own log (CSP violations,
// failed requests).
type consoleLog struct {
	mu       sync.Mutex
	errors   []string
	warnings []string
}

// listen is a chromedp.Listen callback: it runs in the tab's event loop, so
// it only records.
func (c *consoleLog) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		msg := fmt.Sprintf("console.%s: %s%s", ev.Type, argsText(ev.Args), stackTop(ev.StackTrace))
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
			c.add(true, msg)
		case runtime.ConsoleAPICalledTypeWarning:
			c.add(false, msg)
		}
	case *runtime.EventExceptionThrown:
		c.add(true, "uncaught exception: "+exceptionText(ev.ExceptionDetails))
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil {
			return
		}
		msg := fmt.Sprintf("browser log (%s): %s", e.Source, e.Text)
		if e.URL != "" {
			msg += fmt.Sprintf(" [%s:%d]", e.URL, e.LineNumber+1)
		}
		switch e.Level {
		case log.EntryLevelError:
			c.add(true, msg)
		case log.EntryLevelWarning:
			c.add(false, msg)
		}
	}
}

func (c *consoleLog) add(isErr bool, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if isErr {
		c.errors = append(c.errors, msg)
	} else {
		c.warnings = append(c.warnings, msg)
	}
}

// check logs the warnings and fails the test on every error that allowed
// (which may be nil) does not accept.
func (c *consoleLog) check(t *testing.T, allowed func(msg string) bool) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.warnings {
		t.Logf("page warning: %s", w)
	}
	for _, e := range c.errors {
		if allowed != nil && allowed(e) {
			t.Logf("page error (expected here): %s", e)
			continue
		}
		t.Errorf("page error: %s", e)
	}
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a == nil:
			continue
		case a.Type == runtime.RemoteObjectTypeString && len(a.Value) > 0:
			if json.Unmarshal(a.Value, &s) != nil {
				s = string(a.Value)
			}
		case a.Description != "":
			s = a.Description
		case a.UnserializableValue != "":
			s = string(a.UnserializableValue)
		default:
			s = string(a.Value)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func stackTop(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" [%s:%d:%d]", f.URL, f.LineNumber+1, f.ColumnNumber+1)
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "?"
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	if d.URL != "" {
		return s + fmt.Sprintf(" [%s:%d:%d]", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	}
	return s + stackTop(d.StackTrace)
}

// pageStateJS is a JavaScript function returning what the tests look at,
// read through window.livedash (the debugging handle app.js exposes) and the
// DOM.
const pageStateJS = `() => {
  const ld = window.livedash;
  const el = (id) => document.getElementById(id);
  const s = {
    ready: !!ld,
    state: el('status')?.dataset.state ?? null,
    text: el('status-text')?.textContent ?? null,
    errors: el('errors') && !el('errors').hidden ? el('errors').textContent : '',
    empty: el('empty') && !el('empty').hidden ? el('empty').textContent : '',
  };
  // Canvases on the page with a real size.
  s.canvases = [...document.querySelectorAll('#charts canvas')].filter((c) => {
    const r = c.getBoundingClientRect();
    return c.width > 0 && c.height > 0 && r.width > 0 && r.height > 0;
  }).length;
  if (!ld) return s;
  const st = ld.status;
  s.socket = st.state;
  s.code = st.code;
  s.attempt = st.attempt;
  s.url = st.url;
  s.charts = ld.charts.size;
  s.plots = ld.charts.plots;
  s.frames = ld.charts.frames;
  s.draws = ld.charts.draws;
  s.series = ld.store.series.length;
  s.rows = ld.store.length;
  s.total = ld.store.total;
  s.lastTs = ld.store.lastTs;
  // Charts whose uPlot holds at least two points, and the points of the
  // first of them.
  s.drawn = 0;
  s.firstPoints = 0;
  for (const k of ld.charts.keys()) {
    const u = ld.charts.get(k).u;
    const n = u && u.data && u.data[0] ? u.data[0].length : 0;
    if (n >= 2) {
      if (s.drawn === 0) s.firstPoints = n;
      s.drawn++;
    }
  }
  return s;
}`

// pageState is what pageStateJS returns.
type pageState struct {
	OK          bool   `json:"ok"`
	Ready       bool   `json:"ready"`
	State       string `json:"state"`
	Text        string `json:"text"`
	Errors      string `json:"errors"`
	Empty       string `json:"empty"`
	Canvases    int    `json:"canvases"`
	Socket      string `json:"socket"`
	Code        *int   `json:"code"`
	Attempt     int    `json:"attempt"`
	URL         string `json:"url"`
	Charts      int    `json:"charts"`
	Plots       int    `json:"plots"`
	Frames      int    `json:"frames"`
	Draws       int    `json:"draws"`
	Series      int    `json:"series"`
	Rows        int    `json:"rows"`
	Total       int    `json:"total"`
	LastTs      *int64 `json:"lastTs"`
	Drawn       int    `json:"drawn"`
	FirstPoints int    `json:"firstPoints"`
}

// liveJS is the condition "the socket is open and the header shows it".
// The header's text is checked apart, by checkLive, so that wrong wording
// fails with a clear message rather than a timeout.
const liveJS = `s.ready && s.socket === 'open' && s.state === 'open'`

// checkLive checks the header's text of a page whose socket is open: "live",
// as app.js documents for showStatus.
func checkLive(t *testing.T, st pageState) {
	t.Helper()
	if st.Text != "live" {
		t.Errorf("header status text %q while the socket is open, want %q", st.Text, "live")
	}
}

// waitState polls the page state every 100 ms until cond, a JavaScript
// expression over the state s (see pageStateJS), holds, and returns that
// state. After timeout it fails the test with the last state seen.
func waitState(t *testing.T, ctx context.Context, timeout time.Duration, what, cond string) pageState {
	t.Helper()
	var st pageState
	waitJS(t, ctx, timeout, what, `(() => { const s = (`+pageStateJS+`)(); s.ok = !!(`+cond+`); return s; })()`, &st)
	return st
}

// waitJS evaluates expr, which must give an object with a boolean "ok",
// every 100 ms until ok is true, and decodes that object into out. After
// timeout it fails the test with the last object (or error) seen, so that
// a timeout says what the page was showing.
func waitJS(t *testing.T, ctx context.Context, timeout time.Duration, what, expr string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
		if err == nil {
			var v struct {
				OK bool `json:"ok"`
			}
			if err = json.Unmarshal(raw, &v); err == nil {
				last = string(raw)
				if v.OK {
					if out != nil {
						if err := json.Unmarshal(raw, out); err != nil {
							t.Fatalf("%s: decoding %s: %v", what, raw, err)
						}
					}
					return
				}
			}
		}
		if err != nil && ctx.Err() == nil {
			last = "error: " + err.Error()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not reached within %v; last page state: %s", what, timeout, last)
		case <-tick.C:
		}
	}
}

// eval evaluates expr and decodes its value into a T.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %.80q: %v", expr, err)
	}
	return v
}

// TestBrowserSmoke opens the dashboard, mounted under a prefix, in
// Chromium: no console error, CSP violation or failed request; the socket
// goes live; at least 8 charts are drawn on real canvases; the Host,
// Process and Go runtime sections are there; and live data keeps arriving
// into the store and the charts. With LIVEDASH_SCREENSHOT=path.png it
// saves a full-page screenshot there.
func TestBrowserSmoke(t *testing.T) {
	browser := findBrowser(t)
	d := newDash(t, Options{Title: "Livedash smoke test", Interval: 250 * time.Millisecond})
	mux := http.NewServeMux()
	mux.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx, con := newBrowser(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// Without the trailing slash: ServeMux redirects to it.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/debug/dashboard")); err != nil {
		t.Fatal(err)
	}
	if loc := eval[string](t, ctx, `location.href`); loc != srv.URL+"/debug/dashboard/" {
		t.Fatalf("page at %s, want %s", loc, srv.URL+"/debug/dashboard/")
	}
	if title := eval[string](t, ctx, `document.title`); title != "Livedash smoke test" {
		t.Errorf("title %q", title)
	}

	st := waitState(t, ctx, 45*time.Second, "live with 8 charts drawn",
		liveJS+` && s.drawn >= 8 && s.canvases >= 8`)
	checkLive(t, st)
	t.Logf("live: %d series in %d charts, %d uPlots, %d drawn, %d canvases, %d rows, socket %s",
		st.Series, st.Charts, st.Plots, st.Drawn, st.Canvases, st.Rows, st.URL)
	if !strings.HasSuffix(st.URL, "/debug/dashboard/ws") {
		t.Errorf("socket URL %q, want it under the prefix", st.URL)
	}
	if st.Errors != "" {
		t.Logf("collector errors shown: %s", st.Errors)
	}

	type section struct {
		Group   string `json:"group"`
		Heading string `json:"heading"`
		Cards   int    `json:"cards"`
	}
	secs := eval[[]section](t, ctx, `[...document.querySelectorAll('#charts section.group')].map((s) => ({
		group: s.dataset.group, heading: s.querySelector('h2')?.textContent ?? '', cards: s.querySelectorAll('.card').length }))`)
	pos := -1
	for _, want := range []section{{"host", "Host", 0}, {"process", "Process", 0}, {"go", "Go runtime", 0}} {
		i := slices.IndexFunc(secs, func(s section) bool { return s.Group == want.Group })
		switch {
		case i < 0:
			t.Errorf("no %q section; sections: %+v", want.Heading, secs)
		case secs[i].Heading != want.Heading || secs[i].Cards == 0:
			t.Errorf("section %s: heading %q with %d charts, want %q with some", want.Group, secs[i].Heading, secs[i].Cards, want.Heading)
		case i < pos:
			t.Errorf("section %s out of order: %+v", want.Group, secs)
		}
		pos = max(pos, i)
	}

	// Live data: more rows in the store, more points in a drawn chart, more
	// animation frames.
	grown := waitState(t, ctx, 30*time.Second, "live data arriving", fmt.Sprintf(
		liveJS+` && s.total >= %d && s.rows > %d && s.firstPoints > %d && s.frames > %d`,
		st.Total+3, st.Rows, st.FirstPoints, st.Frames))
	t.Logf("store grew from %d to %d rows, first chart from %d to %d points, %d → %d frames drawn",
		st.Rows, grown.Rows, st.FirstPoints, grown.FirstPoints, st.Frames, grown.Frames)

	if path := os.Getenv("LIVEDASH_SCREENSHOT"); path != "" {
		// Charts are created only near the screen: make the viewport as
		// tall as the page so that every chart is drawn.
		h := eval[int64](t, ctx, `document.documentElement.scrollHeight`)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, h)); err != nil {
			t.Fatal(err)
		}
		waitState(t, ctx, 30*time.Second, "every chart drawn for the screenshot", liveJS+` && s.drawn === s.charts`)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot written to %s", path)
	}
	con.check(t, nil)
}

// TestBrowserEscapesMetricNames feeds the page series whose titles, labels,
// help and unit are HTML: they must show as text, create no element and run
// no script.
func TestBrowserEscapesMetricNames(t *testing.T) {
	browser := findBrowser(t)
	const (
		title = `<img src=x onerror="window.__xss=1">`
		label = `<script>window.__xss=2</script>`
		other = `<svg onload="window.__xss=3">` // the second series' title, from its label
		help  = `<img src=x onerror="window.__xss=4">`
		unit  = `<b onclick="window.__xss=5">req</b>`
	)
	xss := collectors.CollectorFunc{
		CollectorName: "xss",
		Func: func(ctx context.Context, emit collectors.Emit) error {
			emit(collectors.Desc{
				Name: "app_xss_test", Labels: collectors.L("path", label),
				Title: title, ChartTitle: title, Help: help, Unit: unit, Group: "app",
			}, 1)
			emit(collectors.Desc{
				Name: "app_xss_test", Labels: collectors.L("path", other),
				Help: help, Unit: unit, Group: "app",
			}, 2)
			return nil
		},
	}
	d := newDash(t, Options{
		Interval:    250 * time.Millisecond,
		DisableHost: true, DisableProcess: true, DisableRuntime: true,
		Collectors: []collectors.Collector{xss},
	})
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	ctx, con := newBrowser(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}

	// The chart's key is the series name (Desc.Chart defaults to Name).
	st := waitState(t, ctx, 45*time.Second, "the hostile chart drawn",
		liveJS+` && s.drawn >= 1 && !!window.livedash.charts.get('app_xss_test')?.u`)
	checkLive(t, st)
	// Let a few frames pass: an injected element's handlers would have run
	// by then.
	waitState(t, ctx, 30*time.Second, "a few more frames", fmt.Sprintf(liveJS+` && s.total >= %d`, st.Total+3))

	strs, _ := json.Marshal([]string{title, other, unit})
	var got struct {
		OK        bool     `json:"ok"`
		Texts     []bool   `json:"texts"`
		Heading   string   `json:"heading"`
		HelpAttr  string   `json:"help"`
		Elements  []string `json:"elements"`
		ImgsInDoc int      `json:"imgsInDoc"`
		XSS       string   `json:"xss"`
	}
	waitJS(t, ctx, 10*time.Second, "reading the page", `(() => {
		const charts = document.getElementById('charts');
		// Is each string the text of some leaf element?
		const leaves = [...charts.querySelectorAll('*')].filter((e) => e.children.length === 0);
		const texts = `+string(strs)+`.map((want) => leaves.some((e) => e.textContent.includes(want)));
		const h3 = charts.querySelector('.card[data-chart="app_xss_test"] h3');
		const bad = [...charts.querySelectorAll('img, script, svg, iframe, object, embed, b, [onerror], [onload], [onclick]')];
		return {
			ok: true, texts, heading: h3 ? h3.textContent : '(no heading)', help: h3 ? h3.title : '',
			elements: bad.map((e) => e.outerHTML.slice(0, 120)),
			imgsInDoc: document.querySelectorAll('img').length,
			xss: typeof window.__xss === 'undefined' ? 'undefined' : String(window.__xss),
		};
	})()`, &got)
	for i, want := range []string{title, other, unit} {
		if !got.Texts[i] {
			t.Errorf("text %q is not shown as text in the charts", want)
		}
	}
	if got.Heading != title {
		t.Errorf("chart heading %q, want the text %q", got.Heading, title)
	}
	if got.HelpAttr != help {
		t.Errorf("chart heading's title attribute %q, want the help text %q", got.HelpAttr, help)
	}
	if len(got.Elements) > 0 || got.ImgsInDoc > 0 {
		t.Errorf("server strings became elements: %q (%d img in the document)", got.Elements, got.ImgsInDoc)
	}
	if got.XSS != "undefined" {
		t.Errorf("window.__xss = %s: a server string ran as script", got.XSS)
	}
	con.check(t, nil)
}

// TestBrowserReconnectsAndBackfills restarts the server under an open
// page: dashboard A is closed (the page gets 1001) and a new dashboard B,
// which has been collecting for a moment, comes up on the same address. The
// page must reconnect by itself with ?since=<last tick it holds>, go live
// again, hold B's ticks from before it reconnected (the backfilled history)
// and from after, with a strictly increasing time column, and a gap row
// between A's data and B's.
func TestBrowserReconnectsAndBackfills(t *testing.T) {
	browser := findBrowser(t)
	const interval = 250 * time.Millisecond
	opts := Options{Interval: interval, DisableHost: true}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	a := newDash(t, opts)
	stopA := serve(t, ln, a)

	ctx, con := newBrowser(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	// Record every socket the page opens and how it closes.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: socketSpyJS,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/")); err != nil {
		t.Fatal(err)
	}
	checkLive(t, waitState(t, ctx, 45*time.Second, "live on A", liveJS+` && s.rows >= 4`))

	// Restart: A goes away with 1001 and nothing listens for a moment.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	stopA()
	var down struct {
		pageState
		Sockets []socketRecord `json:"sockets"`
	}
	waitJS(t, ctx, 30*time.Second, "the page sees A go away", `(() => {
		const s = (`+pageStateJS+`)();
		s.sockets = window.__sockets || [];
		s.ok = s.ready && s.socket !== 'open' && s.state !== 'open' && s.sockets.length > 0 && s.sockets[0].code != null;
		return s;
	})()`, &down)
	if c := down.Sockets[0].Code; c == nil || *c != 1001 {
		t.Errorf("first socket closed with %v, want 1001 (going away)", down.Sockets[0].Code)
	}
	if down.LastTs == nil {
		t.Fatal("store holds no tick after A")
	}
	lastA := *down.LastTs
	t.Logf("A gone: page %s (%q), store holds %d rows up to %d", down.State, down.Text, down.Rows, lastA)

	// The restart takes a moment: B starts more than 2.5 intervals after A's
	// last tick, so the page must show a gap between them, and collects a
	// few ticks before it can be reached, which the page must backfill.
	time.Sleep(time.Until(time.UnixMilli(lastA).Add(3 * interval)))
	b := newDash(t, opts)
	var backlog []int64
	deadline := time.Now().Add(30 * time.Second)
	for len(backlog) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("B's history holds %d ticks after 30 s", len(backlog))
		}
		time.Sleep(50 * time.Millisecond)
		backlog = historyTicks(t, b)
	}
	t.Logf("B recorded ticks %d…%d before it could be reached", backlog[0], backlog[len(backlog)-1])
	ln2, err := relisten(addr)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, ln2, b)

	var up struct {
		pageState
		Sockets []socketRecord `json:"sockets"`
		Times   []int64        `json:"times"`
		Values  []*float64     `json:"values"`
	}
	waitJS(t, ctx, 45*time.Second, "live again on B with new data", fmt.Sprintf(`(() => {
		const s = (`+pageStateJS+`)();
		s.sockets = window.__sockets || [];
		if (!s.ready) return s;
		const st = window.livedash.store;
		s.times = Array.from(st.times(), (x) => Math.round(x * 1000));
		s.values = Array.from(st.values('go_goroutines') || [], (v) => (Number.isNaN(v) ? null : v));
		s.ok = `+liveJS+` && s.lastTs > %d;
		return s;
	})()`, backlog[len(backlog)-1]+2*interval.Milliseconds()), &up)

	checkLive(t, up.pageState)
	last := up.Sockets[len(up.Sockets)-1]
	t.Logf("live again after %d sockets; last %s; store holds %d rows up to %d", len(up.Sockets), last.URL, up.Rows, *up.LastTs)
	if want := fmt.Sprintf("since=%d", lastA); !strings.Contains(last.URL, want) {
		t.Errorf("reconnected with %s, want %s", last.URL, want)
	}
	held := checkBackfill(t, up.Times, lastA, backlog)
	if len(up.Values) != len(up.Times) {
		t.Fatalf("%d values for %d times", len(up.Values), len(up.Times))
	}
	// More than 2.5 intervals between A's last tick and B's first: the store
	// inserts a row of gaps one interval after A's last.
	if i, ok := held[lastA+interval.Milliseconds()]; !ok || up.Values[i] != nil {
		t.Errorf("no gap row at %d between A (last %d) and B (first %d)", lastA+interval.Milliseconds(), lastA, backlog[0])
	}
	if v := up.Values[len(up.Values)-1]; v == nil || *v <= 0 {
		t.Errorf("go_goroutines at the newest row = %v, want B's value", v)
	}
	// While nothing listened, the browser logs each refused connection (the
	// page tries Server-Sent Events too after a few refused sockets).
	con.check(t, func(msg string) bool {
		return strings.Contains(msg, "WebSocket connection to 'ws://"+addr+"/ws") || strings.Contains(msg, "http://"+addr+"/events")
	})
}

// socketSpyJS runs before the page's scripts and records, in
// window.__sockets, every WebSocket the page opens: its URL, and the code
// it closed with.
const socketSpyJS = `(() => {
  const Native = window.WebSocket;
  const sockets = (window.__sockets = []);
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const rec = { url: String(url), open: false, code: null };
      sockets.push(rec);
      this.addEventListener('open', () => { rec.open = true; });
      this.addEventListener('close', (e) => { rec.code = e.code; });
    }
  };
})();`

type socketRecord struct {
	URL  string `json:"url"`
	Open bool   `json:"open"`
	Code *int   `json:"code"`
}

// serve serves h on ln until the returned stop is called or the test
// ends; stop closes the server and waits for Serve to return.
func serve(t *testing.T, ln net.Listener, h http.Handler) (stop func()) {
	t.Helper()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			srv.Close()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// relisten listens on addr again, retrying briefly in case the port is
// not free yet.
func relisten(addr string) (net.Listener, error) {
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", addr); err == nil {
			return ln, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, fmt.Errorf("listening on %s again: %w", addr, err)
}

// historyTicks returns the tick times d's snapshot history holds.
func historyTicks(t *testing.T, d *Dashboard) []int64 {
	t.Helper()
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/snapshot", nil))
	var snap struct {
		History struct {
			TS []int64 `json:"ts"`
		} `json:"history"`
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("snapshot: %d %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &snap); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return snap.History.TS
}

// checkBackfill checks the time column a page holds after a server restart
// and a reconnect: strictly increasing, with server A's last tick and every
// tick server B made before the page came back. It returns each time's
// row.
func checkBackfill(t *testing.T, times []int64, lastA int64, backlog []int64) map[int64]int {
	t.Helper()
	for i := 1; i < len(times); i++ {
		if times[i] <= times[i-1] {
			t.Errorf("time column not strictly increasing at row %d: %d after %d", i, times[i], times[i-1])
			break
		}
	}
	held := make(map[int64]int, len(times))
	for i, ts := range times {
		held[ts] = i
	}
	if _, ok := held[lastA]; !ok {
		t.Errorf("A's last tick %d is gone", lastA)
	}
	for _, ts := range backlog {
		if _, ok := held[ts]; !ok {
			t.Errorf("B's tick %d, recorded before the page reconnected, was not backfilled", ts)
		}
	}
	return held
}
