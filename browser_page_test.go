package dashboard

// Browser tests of the page's controls: finding a chart (filter, table of
// contents, collapsible sections, legend toggles), the time controls
// (window picker, pause, drag-zoom, pan, zoom out), the theme, the URL
// that keeps the view, empty states, and what a keyboard user and a phone
// get. Same rules as browser_test.go: real Chromium, clicks and keys, waits
// on conditions, no timed assertions.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/livedash/dashboard/collectors"
)

// flakyCollector emits one series with no value and fails on every call:
// its chart must say why it is blank, and the contents must flag it.
var flakyCollector = collectors.CollectorFunc{
	CollectorName: "flaky",
	Func: func(ctx context.Context, emit collectors.Emit) error {
		emit(collectors.Desc{Name: "flaky_temperature", Title: "temperature", ChartTitle: "Flaky sensor", Group: "app"}, math.NaN())
		return errors.New("sensor unplugged")
	},
}

// openPage serves d, opens it in a fresh browser and waits until the
// socket is live and n charts are drawn.
func openPage(t *testing.T, d *Dashboard, fragment string, n int) (context.Context, *consoleLog) {
	t.Helper()
	browser := findBrowser(t)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	ctx, con := newBrowser(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+fragment)); err != nil {
		t.Fatal(err)
	}
	checkLive(t, waitState(t, ctx, 45*time.Second, "live with charts drawn", fmt.Sprintf(liveJS+` && s.drawn >= %d`, n)))
	return ctx, con
}

func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// pressSlash presses "/" as a keyboard does: one keyDown that carries
// its text (typed unless the page prevents it), then keyUp. chromedp's
// KeyEvent sends the text as a separate char event, which no keydown
// handler can prevent, unlike a real key press.
func pressSlash(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text, p.UnmodifiedText = "/", "/"
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			t.Fatalf("pressing /: %v", err)
		}
	}
}

// shownJS lists the keys of the charts displayed (not hidden by the
// filter or a collapsed section).
const shownJS = `[...document.querySelectorAll('#charts .card')].filter((c) => c.offsetParent !== null).map((c) => c.dataset.chart)`

// TestBrowserFilterContentsAndSections types in the filter (focused with
// "/"), collapses a section, jumps with the table of contents and toggles
// a series from the legend, by mouse and by keyboard.
func TestBrowserFilterContentsAndSections(t *testing.T) {
	d := newDash(t, Options{Interval: 250 * time.Millisecond, Collectors: []collectors.Collector{flakyCollector}})
	ctx, con := openPage(t, d, "", 8)

	total := eval[int](t, ctx, `window.livedash.charts.size`)
	if got, want := eval[string](t, ctx, `document.getElementById('filter-count').textContent`), fmt.Sprintf("%d charts", total); got != want {
		t.Errorf("count %q, want %q", got, want)
	}

	// "/" focuses the filter; typing narrows the charts as one types.
	pressSlash(t, ctx)
	if id := eval[string](t, ctx, `document.activeElement?.id ?? ''`); id != "filter" {
		t.Fatalf("after /, the focus is on %q, want the filter", id)
	}
	if v := eval[string](t, ctx, `document.getElementById('filter').value`); v != "" {
		t.Errorf("the / that focused the filter was typed into it: %q", v)
	}
	do(t, ctx, "typing p99", chromedp.KeyEvent("p99"))
	var p99 struct {
		OK    bool     `json:"ok"`
		Shown []string `json:"shown"`
		Want  []string `json:"want"`
		Count string   `json:"count"`
		Value string   `json:"value"`
	}
	// The charts that have a series titled p99 (the runtime's histograms).
	waitJS(t, ctx, 10*time.Second, "the filter narrowing to p99", `(() => {
		const ld = window.livedash.charts;
		const want = ld.keys().filter((k) => ld.get(k).spec.series.some((s) => s.title === 'p99'));
		const shown = `+shownJS+`;
		const count = document.getElementById('filter-count').textContent;
		return { ok: shown.length === want.length && count === shown.length + ' of ' + ld.size, shown, want, count, value: document.getElementById('filter').value };
	})()`, &p99)
	slices.Sort(p99.Shown)
	slices.Sort(p99.Want)
	if len(p99.Want) < 3 || !slices.Equal(p99.Shown, p99.Want) {
		t.Errorf("filter p99 shows %q, want the charts with a p99 series %q", p99.Shown, p99.Want)
	}
	// A label value finds the same charts: their series are labelled
	// quantile="0.99".
	do(t, ctx, "typing 0.99", chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('filter'); f.value = ''; })()`), chromedp.KeyEvent("0.99"))
	byLabel := eval[[]string](t, ctx, shownJS)
	slices.Sort(byLabel)
	if !slices.Equal(byLabel, p99.Want) {
		t.Errorf("filter 0.99 shows %q, want %q", byLabel, p99.Want)
	}
	if h := eval[string](t, ctx, `location.hash`); !strings.Contains(h, "q=0.99") {
		t.Errorf("the filter is not in the URL: %q", h)
	}
	// Escape clears it.
	do(t, ctx, "pressing Escape", chromedp.KeyEvent(kb.Escape))
	if n := len(eval[[]string](t, ctx, shownJS)); n != total {
		t.Errorf("after Escape %d charts shown, want all %d", n, total)
	}
	do(t, ctx, "typing a word nothing has", chromedp.KeyEvent("zzzz"))
	if got := eval[string](t, ctx, `document.getElementById('filter-count').textContent`); got != fmt.Sprintf("0 of %d", total) {
		t.Errorf("count %q for a filter nothing matches", got)
	}
	do(t, ctx, "pressing Escape", chromedp.KeyEvent(kb.Escape))

	// The failing collector: a badge on its chart, in the contents, and
	// the reason in the blank chart.
	var flaky struct {
		OK    bool   `json:"ok"`
		Note  string `json:"note"`
		Badge string `json:"badge"`
		TOC   string `json:"toc"`
	}
	waitJS(t, ctx, 20*time.Second, "the flaky chart explaining itself", `(() => {
		const card = document.querySelector('.card[data-chart="flaky_temperature"]');
		const note = card?.querySelector('.plot-note');
		const badge = card?.querySelector('.card-alert');
		const toc = document.getElementById('toc-alert');
		const r = { note: note && !note.hidden ? note.textContent : '', badge: badge && !badge.hidden ? badge.title : '', toc: toc.hidden ? '' : toc.textContent };
		r.ok = r.note !== '' && r.badge !== '' && r.toc !== '';
		return r;
	})()`, &flaky)
	if flaky.Note != "No data: flaky is failing: sensor unplugged" || flaky.Badge != "flaky: sensor unplugged" || flaky.TOC != "1 failing" {
		t.Errorf("flaky chart: note %q, badge %q, contents %q", flaky.Note, flaky.Badge, flaky.TOC)
	}

	// Collapsing Host: its charts are not displayed and stop syncing rows,
	// while the others keep drawing.
	do(t, ctx, "collapsing Host", chromedp.Click(`section[data-group="host"] .group-toggle`))
	if e := eval[string](t, ctx, `document.querySelector('section[data-group="host"] .group-toggle').getAttribute('aria-expanded')`); e != "false" {
		t.Errorf("Host toggle aria-expanded=%s after collapsing", e)
	}
	// Once the observers have seen the section go, note each chart's rows.
	waitJS(t, ctx, 10*time.Second, "host charts off screen", `(() => {
		const ld = window.livedash.charts;
		return { ok: ld.keys().every((k) => ld.get(k).spec.group !== 'host' || !ld.get(k).visible) && ld.visible > 0 };
	})()`, nil)
	before := eval[map[string]int](t, ctx, `Object.fromEntries(window.livedash.charts.keys().map((k) => [k, window.livedash.charts.get(k).view.seen]))`)
	total0 := eval[int](t, ctx, `window.livedash.store.total`)
	var after struct {
		OK   bool           `json:"ok"`
		Seen map[string]int `json:"seen"`
		Vis  []string       `json:"visible"`
	}
	waitJS(t, ctx, 20*time.Second, "four ticks with Host collapsed", fmt.Sprintf(`(() => {
		const ld = window.livedash.charts;
		const seen = Object.fromEntries(ld.keys().map((k) => [k, ld.get(k).view.seen]));
		const visible = ld.keys().filter((k) => ld.get(k).visible);
		return { ok: window.livedash.store.total >= %d && visible.some((k) => seen[k] >= %d), seen, visible };
	})()`, total0+4, total0+4), &after)
	for k, n := range before {
		if strings.HasPrefix(k, "host_") && after.Seen[k] != n {
			t.Errorf("collapsed chart %s synced rows: %d → %d", k, n, after.Seen[k])
		}
	}
	if h := eval[string](t, ctx, `location.hash`); !strings.Contains(h, "c=host") {
		t.Errorf("the collapsed section is not in the URL: %q", h)
	}

	// The contents jump to a chart in the collapsed section, hidden by a
	// filter too: the section opens, the filter clears, the chart gets the
	// focus and is on screen.
	do(t, ctx, "filtering on memory", chromedp.Focus("#filter"), chromedp.KeyEvent("memory"))
	do(t, ctx, "opening the contents", chromedp.Click(`#toc > summary`))
	do(t, ctx, "clicking Load average", chromedp.Click(`#toc-nav a[data-chart="host_load"]`))
	var jumped struct {
		OK      bool    `json:"ok"`
		Focus   string  `json:"focus"`
		Top     float64 `json:"top"`
		Filter  string  `json:"filter"`
		Open    bool    `json:"open"`
		Section string  `json:"section"`
	}
	waitJS(t, ctx, 10*time.Second, "the jump to Load average", `(() => {
		const card = document.querySelector('.card[data-chart="host_load"]');
		const r = { focus: document.activeElement?.dataset?.chart ?? '', top: card.getBoundingClientRect().top,
			filter: document.getElementById('filter').value, open: document.getElementById('toc').open,
			section: document.querySelector('section[data-group="host"] .group-toggle').getAttribute('aria-expanded') };
		r.ok = r.focus === 'host_load' && card.offsetParent !== null;
		return r;
	})()`, &jumped)
	innerH := eval[float64](t, ctx, `innerHeight`)
	if jumped.Top < 0 || jumped.Top > innerH-100 || jumped.Filter != "" || jumped.Open || jumped.Section != "true" {
		t.Errorf("after the jump: top %v of %v, filter %q, contents open %v, Host expanded %s", jumped.Top, innerH, jumped.Filter, jumped.Open, jumped.Section)
	}

	// Legend toggles: a click hides the series, Enter shows it again.
	waitJS(t, ctx, 10*time.Second, "Load average drawn", `({ ok: !!window.livedash.charts.get('host_load').u })`, nil)
	const entry = `.card[data-chart="host_load"] .legend tr.u-series:nth-child(2) th`
	shown := func() (bool, string) {
		v := eval[[]any](t, ctx, `[window.livedash.charts.get('host_load').u.series[1].show, document.querySelector('`+entry+`').getAttribute('aria-pressed')]`)
		return v[0].(bool), v[1].(string)
	}
	do(t, ctx, "clicking the legend", chromedp.Click(entry))
	if s, p := shown(); s || p != "false" {
		t.Errorf("after a click on its legend entry, series shown=%v aria-pressed=%s", s, p)
	}
	do(t, ctx, "Enter on the legend", chromedp.Focus(entry), chromedp.KeyEvent(kb.Enter))
	if s, p := shown(); !s || p != "true" {
		t.Errorf("after Enter on its legend entry, series shown=%v aria-pressed=%s", s, p)
	}
	con.check(t, nil)
}

// shownRange waits until every chart on screen shows the range the page
// holds (charts redraw in the next animation frame), and returns it.
func shownRange(t *testing.T, ctx context.Context) []float64 {
	t.Helper()
	var r struct {
		OK     bool        `json:"ok"`
		Range  []float64   `json:"range"`
		Charts [][]float64 `json:"charts"`
	}
	waitJS(t, ctx, 10*time.Second, "every chart on screen showing the range", `(() => {
		const ld = window.livedash.charts;
		const want = ld.range();
		const charts = ld.keys().map((k) => ld.get(k)).filter((c) => c.u && c.visible).map((c) => [c.u.scales.x.min, c.u.scales.x.max]);
		return { ok: charts.length > 0 && charts.every((x) => x[0] === want.min && x[1] === want.max), range: [want.min, want.max], charts };
	})()`, &r)
	return r.Range
}

// TestBrowserTimeControls picks a window, pauses, drag-zooms, pans with
// the arrow keys, zooms out back to live, and opens a link to a view.
func TestBrowserTimeControls(t *testing.T) {
	// The ring only: the windows of the long history are
	// browser_history_test.go's.
	d := newDash(t, Options{Interval: 250 * time.Millisecond, History: 2 * time.Minute, DisableLongHistory: true})
	ctx, con := openPage(t, d, "#w=1m", 8)

	// 2 minutes of history: 1 m and 2 m are offered, the link's 1 m shown.
	type btn struct {
		Text    string `json:"text"`
		Pressed string `json:"pressed"`
	}
	btns := eval[[]btn](t, ctx, `[...document.querySelectorAll('#windows button')].map((b) => ({ text: b.textContent, pressed: b.getAttribute('aria-pressed') }))`)
	if len(btns) != 2 || btns[0].Text != "1 m" || btns[1].Text != "2 m" || btns[0].Pressed != "true" || btns[1].Pressed != "false" {
		t.Errorf("window buttons %+v, want 1 m (pressed) and 2 m", btns)
	}
	r := shownRange(t, ctx)
	if w := r[1] - r[0]; math.Abs(w-60) > 1e-6 {
		t.Errorf("1 m window shows %v s", w)
	}
	do(t, ctx, "clicking 2 m", chromedp.Click(`#windows button[data-window="120"]`))
	if h := eval[string](t, ctx, `location.hash`); strings.Contains(h, "w=") {
		t.Errorf("the default window is kept in the URL: %q", h)
	}
	if p := eval[string](t, ctx, `document.querySelector('#windows button[data-window="120"]').getAttribute('aria-pressed')`); p != "true" {
		t.Errorf("2 m not pressed after a click")
	}

	// Pause: the range stops moving while data keeps coming.
	do(t, ctx, "clicking Pause", chromedp.Click(`#live`))
	paused := shownRange(t, ctx)
	total := eval[int](t, ctx, `window.livedash.store.total`)
	waitState(t, ctx, 20*time.Second, "more rows while paused", fmt.Sprintf(`s.total >= %d && s.frames > 0`, total+4))
	if now := shownRange(t, ctx); now[0] != paused[0] || now[1] != paused[1] {
		t.Errorf("paused range moved from %v to %v", paused, now)
	}
	if txt := eval[string](t, ctx, `document.getElementById('live').textContent`); txt != "Live" {
		t.Errorf("the pause button reads %q while paused", txt)
	}
	if h := eval[string](t, ctx, `location.hash`); !strings.Contains(h, "p=") {
		t.Errorf("the paused range is not in the URL: %q", h)
	}
	do(t, ctx, "clicking Live", chromedp.Click(`#live`))
	waitJS(t, ctx, 10*time.Second, "live again", `({ ok: document.getElementById('paused').hidden && window.livedash.charts.paused == null })`, nil)

	// Drag over 80 to 95 percent of the first chart's 60 s, once the
	// page holds 20 s of data, so that there is data on both sides of the
	// selection to pan to: every chart shows the selection, paused.
	waitState(t, ctx, 60*time.Second, "20 s of data", `s.rows >= 80`)
	type box struct{ X, Y, W, H float64 }
	b := eval[box](t, ctx, `(() => { const r = document.querySelector('.card .u-over').getBoundingClientRect(); return { X: r.x, Y: r.y, W: r.width, H: r.height }; })()`)
	y := b.Y + b.H/2
	do(t, ctx, "dragging on a chart",
		chromedp.MouseEvent(chromedp.MouseMoved, b.X+0.8*b.W, y),
		chromedp.MouseEvent(chromedp.MousePressed, b.X+0.8*b.W, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, b.X+0.85*b.W, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, b.X+0.95*b.W, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, b.X+0.95*b.W, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	waitJS(t, ctx, 10*time.Second, "paused on the selection", `({ ok: window.livedash.charts.paused != null && !document.getElementById('paused').hidden })`, nil)
	zoom := shownRange(t, ctx)
	if w := zoom[1] - zoom[0]; w > 0.2*60 || w < 0.1*60 {
		t.Errorf("zoomed to %v s from 15 %% of a 60 s window", w)
	}
	if dis := eval[bool](t, ctx, `document.getElementById('zoom-out').disabled`); dis {
		t.Error("Zoom out disabled while zoomed")
	}

	// ← moves the range back by a quarter of its width.
	do(t, ctx, "blurring", chromedp.Evaluate[chromedp.Void](`document.activeElement?.blur()`))
	do(t, ctx, "pressing ←", chromedp.KeyEvent(kb.ArrowLeft))
	left := shownRange(t, ctx)
	w := zoom[1] - zoom[0]
	if math.Abs((left[1]-left[0])-w) > 1e-6 || math.Abs((zoom[0]-left[0])-w/4) > 1e-6 {
		t.Errorf("← moved %v to %v, want a quarter of the width back", zoom, left)
	}
	do(t, ctx, "pressing →", chromedp.KeyEvent(kb.ArrowRight))
	right := shownRange(t, ctx)
	if math.Abs(right[0]-zoom[0]) > 1e-6 {
		t.Errorf("→ moved %v to %v, want back to %v", left, right, zoom)
	}

	// Zoom out: twice the width each time, then live.
	do(t, ctx, "clicking Zoom out", chromedp.Click(`#zoom-out`))
	out := shownRange(t, ctx)
	if got := out[1] - out[0]; math.Abs(got-2*w) > 1e-6 && out[0] > eval[float64](t, ctx, `window.livedash.store.firstX`)+1e-6 {
		t.Errorf("zoom out from %v s gave %v s", w, got)
	}
	for i := 0; i < 8 && eval[bool](t, ctx, `window.livedash.charts.paused != null`); i++ {
		do(t, ctx, "pressing -", chromedp.KeyEvent("-"))
	}
	if eval[bool](t, ctx, `window.livedash.charts.paused != null`) {
		t.Error("still paused after zooming out eight times")
	}
	// Escape leaves a pause too.
	do(t, ctx, "clicking Pause", chromedp.Click(`#live`))
	do(t, ctx, "pressing Escape", chromedp.KeyEvent(kb.Escape))
	if eval[bool](t, ctx, `window.livedash.charts.paused != null`) {
		t.Error("still paused after Escape")
	}
	con.check(t, nil)
}

// TestBrowserThemeToggle follows a dark system, then the toggle: the
// choice changes the page and the canvases' colours, is remembered across
// a reload and kept in the URL.
func TestBrowserThemeToggle(t *testing.T) {
	browser := findBrowser(t)
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true})
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	ctx, con := newBrowser(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "opening the page", chromedp.Navigate(srv.URL+"/"))
	waitState(t, ctx, 45*time.Second, "live", liveJS+` && s.drawn >= 2`)

	type look struct {
		Theme  string `json:"theme"`
		BG     string `json:"bg"`
		Axis   string `json:"axis"`
		Label  string `json:"label"`
		Stored string `json:"stored"`
		Hash   string `json:"hash"`
	}
	read := func() look {
		return eval[look](t, ctx, `({ theme: document.documentElement.dataset.theme, bg: getComputedStyle(document.body).backgroundColor,
			axis: window.livedash.charts.theme.axis, label: document.getElementById('theme').textContent,
			stored: localStorage.getItem('livedash.theme') ?? '', hash: location.hash })`)
	}
	dark := read()
	if dark.Theme != "dark" || dark.BG != "rgb(13, 17, 23)" || dark.Label != "Theme: dark (system)" || dark.Stored != "" {
		t.Errorf("on a dark system: %+v", dark)
	}
	do(t, ctx, "clicking the theme", chromedp.Click("#theme"))
	light := read()
	if light.Theme != "light" || light.BG != "rgb(244, 245, 247)" || light.Stored != "light" || !strings.Contains(light.Hash, "t=light") || light.Axis == dark.Axis {
		t.Errorf("after the toggle: %+v (dark was %+v)", light, dark)
	}
	// Remembered: a reload without the fragment is still light.
	do(t, ctx, "reloading", chromedp.Navigate(srv.URL+"/"))
	waitState(t, ctx, 45*time.Second, "live again", liveJS+` && s.drawn >= 2`)
	if again := read(); again.Theme != "light" || again.BG != "rgb(244, 245, 247)" {
		t.Errorf("after a reload: %+v", again)
	}
	do(t, ctx, "clicking the theme", chromedp.Click("#theme"))
	if back := read(); back.Theme != "dark" || back.Stored != "" || back.Label != "Theme: dark (system)" {
		t.Errorf("second toggle: %+v, want the system's dark again", back)
	}
	con.check(t, nil)
}

// TestBrowserControlsAndLayout checks that every control has an accessible
// name and is reachable by Tab, and the grid: one column on a phone, a
// dense grid on a 4K screen.
func TestBrowserControlsAndLayout(t *testing.T) {
	d := newDash(t, Options{Interval: 250 * time.Millisecond})
	ctx, con := openPage(t, d, "", 8)
	unnamed := eval[[]string](t, ctx, `(() => {
		const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.title || '').trim();
		return [...document.querySelectorAll('button, input, select, summary, a[href], [role="button"]')]
			.filter((el) => el.offsetParent !== null && (name(el) === '' || el.tabIndex < 0))
			.map((el) => el.outerHTML.slice(0, 100));
	})()`)
	if len(unnamed) > 0 {
		t.Errorf("controls without a name or out of the tab order: %q", unnamed)
	}
	cols := func(w, h int64) int {
		do(t, ctx, "resizing", chromedp.EmulateViewport(w, h))
		var n struct {
			OK   bool `json:"ok"`
			Cols int  `json:"cols"`
		}
		// Wait for layout to settle on the new width.
		waitJS(t, ctx, 10*time.Second, "the grid at the new width", fmt.Sprintf(`(() => {
			const g = document.querySelector('.grid');
			return { ok: innerWidth === %d, cols: getComputedStyle(g).gridTemplateColumns.split(' ').length };
		})()`, w), &n)
		return n.Cols
	}
	if n := cols(390, 844); n != 1 {
		t.Errorf("a phone gets %d columns, want 1", n)
	}
	if n := cols(1400, 900); n < 3 || n > 4 {
		t.Errorf("a laptop gets %d columns, want 3 or 4", n)
	}
	if n := cols(3840, 2160); n < 10 {
		t.Errorf("a 4K screen gets %d columns, want at least 10", n)
	}
	// The view bar: one line on a laptop; where it wraps, "What changed?",
	// Export and Theme go to the next line together, Theme never alone.
	lines := func() map[string]int {
		return eval[map[string]int](t, ctx, `Object.fromEntries(['toc', 'filter', 'windows', 'live', 'zoom-out', 'changes-btn', 'export-json', 'theme']
			.map((id) => [id, Math.round(document.getElementById(id).getBoundingClientRect().top)]))`)
	}
	cols(1400, 900)
	if l := lines(); len(slices.Compact(slices.Sorted(maps.Values(l)))) != 1 {
		t.Errorf("at 1400 px the view bar takes more than a line: tops %v", l)
	}
	for _, w := range []int64{1200, 1000} {
		cols(w, 800)
		if l := lines(); l["theme"] != l["export-json"] || l["theme"] != l["changes-btn"] || l["theme"] == l["toc"] {
			t.Errorf("at %d px the view bar wraps otherwise than by its last group: tops %v", w, l)
		}
	}
	con.check(t, nil)
}

// TestBrowserWhatChanged makes one series step up (a leak starting) while
// another only wobbles, selects the window of the step by dragging, asks
// what changed, and expects the step first; its entry jumps to its chart.
func TestBrowserWhatChanged(t *testing.T) {
	var stepped atomic.Bool
	var n atomic.Int64
	incident := collectors.CollectorFunc{
		CollectorName: "incident",
		Func: func(ctx context.Context, emit collectors.Emit) error {
			k := n.Add(1)
			v := 40.0
			if stepped.Load() {
				v = 400
			}
			emit(collectors.Desc{Name: "incident_workers", Title: "workers", ChartTitle: "Incident workers", Group: "app"}, v)
			emit(collectors.Desc{Name: "incident_noise", Title: "noise", ChartTitle: "Incident noise", Group: "app"}, float64(100+k%7))
			return nil
		},
	}
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true, Collectors: []collectors.Collector{incident}})
	ctx, con := openPage(t, d, "", 4)
	if !eval[bool](t, ctx, `document.getElementById('changes-btn').disabled`) {
		t.Error("What changed? enabled with no window selected")
	}
	// 14 s of data, then the step; 4 s after it, drag from just before the
	// step to the right edge (the step is inside, and calm as long before
	// it). The Go runtime of this busy test process moves on its own: the
	// step must still rank first.
	waitState(t, ctx, 60*time.Second, "14 s of data", `s.rows >= 56`)
	stepped.Store(true)
	stepAt := `(() => { const s = window.livedash.store, xs = s.times(), ys = s.values('incident_workers');
		for (let i = 0; i < xs.length; i++) if (ys[i] === 400) return xs[i]; return null; })()`
	var st struct {
		OK bool    `json:"ok"`
		At float64 `json:"at"`
	}
	waitJS(t, ctx, 30*time.Second, "the step in the page", `({ ok: `+stepAt+` != null, at: `+stepAt+` })`, &st)
	rows := eval[int](t, ctx, `window.livedash.store.total`)
	waitState(t, ctx, 30*time.Second, "4 s after the step", fmt.Sprintf(`s.total >= %d`, rows+16))
	// Pause first, so that the charts stand still between measuring where
	// the step is and dragging there (on a busy machine that can take
	// more than the two ticks of margin).
	do(t, ctx, "pausing", chromedp.Click("#live"))
	waitJS(t, ctx, 10*time.Second, "paused and drawn so", `(() => { const c = window.livedash.charts, p = c.paused;
		const u = c.get(document.querySelector('.card').dataset.chart).u;
		return { ok: p != null && u != null && u.scales.x.max === p.max }; })()`, nil)
	type box struct{ X, Y, W, H, From float64 }
	// From: where the step minus two ticks is on the first chart.
	b := eval[box](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector('.card'), r = el.querySelector('.u-over').getBoundingClientRect();
		const u = window.livedash.charts.get(el.dataset.chart).u;
		return { X: r.x, Y: r.y, W: r.width, H: r.height, From: u.valToPos(%f - 0.5, 'x') }; })()`, st.At))
	if b.From < 2 || b.From > b.W-8 {
		t.Fatalf("the step is at %.0f px of a %.0f px chart", b.From, b.W)
	}
	y := b.Y + b.H/2
	from := b.X + b.From
	do(t, ctx, "dragging over the step",
		chromedp.MouseEvent(chromedp.MouseMoved, from, y),
		chromedp.MouseEvent(chromedp.MousePressed, from, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, (from+b.X+b.W)/2, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, b.X+b.W-1, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, b.X+b.W-1, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	waitJS(t, ctx, 10*time.Second, "paused on the selection", `({ ok: window.livedash.charts.paused != null && !document.getElementById('changes-btn').disabled })`, nil)
	// The panel's modules come with the first click, not with the page.
	for _, m := range loadedModules(t, ctx) {
		if m == "whatchanged.js" || m == "changes.js" {
			t.Errorf("%s loaded before the first click", m)
		}
	}
	do(t, ctx, "asking what changed", chromedp.Click("#changes-btn"))
	var got struct {
		OK      bool     `json:"ok"`
		Charts  []string `json:"charts"`
		Names   []string `json:"names"`
		Focused string   `json:"focused"`
	}
	waitJS(t, ctx, 10*time.Second, "the ranking", `(() => {
		const items = [...document.querySelectorAll('#changes-list button.change')];
		return { ok: !document.getElementById('changes').hidden && items.length > 0,
			charts: items.map((b) => b.dataset.chart), names: items.map((b) => b.textContent),
			focused: document.activeElement?.dataset?.chart ?? '' };
	})()`, &got)
	if got.Charts[0] != "incident_workers" {
		t.Errorf("ranking starts with %q, want the stepped series first: %q", got.Charts[0], got.Names)
	}
	if i := slices.Index(got.Charts, "incident_noise"); i >= 0 && i < 1 {
		t.Errorf("the wobbling series ranks %d: %q", i, got.Names)
	}
	// "workers 40 → 400": from what to what. On a busy machine the
	// selection may start a tick late or early, so the earlier window's
	// mean may hold a little of the step; it is still far nearer 40.
	if m := regexp.MustCompile(`(\d+(?:\.\d+)?) → (\d+(?:\.\d+)?)`).FindStringSubmatch(got.Names[0]); m == nil {
		t.Errorf("first entry %q does not say from what it moved", got.Names[0])
	} else if from, _ := strconv.ParseFloat(m[1], 64); from > 150 {
		t.Errorf("first entry %q: moved from %v, want about 40", got.Names[0], from)
	}
	do(t, ctx, "clicking the first entry", chromedp.Click(`#changes-list button.change`))
	waitJS(t, ctx, 10*time.Second, "the jump to the stepped chart", `({ ok: document.activeElement?.dataset?.chart === 'incident_workers' })`, nil)
	con.check(t, nil)
}

// TestBrowserExport downloads a chart as CSV and as PNG and the history as
// JSON, by clicking, and reads the files.
func TestBrowserExport(t *testing.T) {
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true})
	ctx, con := openPage(t, d, "", 2)
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	}); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, 30*time.Second, "a few rows", `s.rows >= 4`)
	key := eval[string](t, ctx, `document.querySelector('.card').dataset.chart`)
	ids := eval[[]string](t, ctx, `window.livedash.charts.get('`+key+`').spec.series.map((s) => s.id)`)
	wait := func(ext string) []byte {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			m, _ := filepath.Glob(filepath.Join(dir, "*."+ext))
			if len(m) == 1 {
				if b, err := os.ReadFile(m[0]); err == nil && len(b) > 0 {
					return b
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no .%s file downloaded (found %q)", ext, m)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// export.js comes with the first export, not with the page; nor does
	// range.js, for windows longer than the ring, come with a page that
	// shows the ring's.
	if m := loadedModules(t, ctx); slices.Contains(m, "export.js") || slices.Contains(m, "range.js") || len(m) < 10 {
		t.Errorf("modules loaded before any export: %q", m)
	}
	do(t, ctx, "clicking CSV", chromedp.Click(`.card[data-chart="`+key+`"] button[data-export="csv"]`))
	csv := strings.Split(strings.TrimSpace(string(wait("csv"))), "\r\n")
	if want := "time," + strings.Join(ids, ","); csv[0] != want {
		t.Errorf("CSV header %q, want %q", csv[0], want)
	}
	if len(csv) < 4 || !strings.HasSuffix(strings.SplitN(csv[1], ",", 2)[0], "Z") {
		t.Errorf("CSV rows: %q", csv)
	}
	do(t, ctx, "clicking PNG", chromedp.Click(`.card[data-chart="`+key+`"] button[data-export="png"]`))
	if png := wait("png"); !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("the PNG download is not a PNG: % x", png[:min(8, len(png))])
	}
	do(t, ctx, "clicking Export JSON", chromedp.Click(`#export-json`))
	var hist struct {
		TS     []int64 `json:"ts"`
		Series []struct {
			ID     string     `json:"id"`
			Values []*float64 `json:"values"`
		} `json:"series"`
	}
	if err := json.Unmarshal(wait("json"), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.TS) < 4 || len(hist.Series) < 10 || len(hist.Series[0].Values) != len(hist.TS) {
		t.Errorf("history JSON: %d ticks, %d series", len(hist.TS), len(hist.Series))
	}
	con.check(t, nil)
}

// TestBrowserCompare pauses on a short range by dragging, picks "vs N s
// ago" from a chart's compare list with the keyboard, and reads the overlay:
// a ramp that grows by one a tick shows, against itself N s earlier, a
// difference of N s of ticks. Choosing "Compare…" again takes it away.
func TestBrowserCompare(t *testing.T) {
	var n atomic.Int64
	ramp := collectors.CollectorFunc{
		CollectorName: "ramp",
		Func: func(ctx context.Context, emit collectors.Emit) error {
			emit(collectors.Desc{Name: "ramp_ticks", Title: "ticks", ChartTitle: "Ramp", Group: "app"}, float64(n.Add(1)))
			return nil
		},
	}
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true, Collectors: []collectors.Collector{ramp}})
	ctx, con := openPage(t, d, "", 1)
	waitState(t, ctx, 60*time.Second, "20 s of data", `s.rows >= 80`)
	card := `.card[data-chart="ramp_ticks"]`
	do(t, ctx, "scrolling to the ramp", chromedp.ScrollIntoView(card))
	waitJS(t, ctx, 20*time.Second, "the ramp drawn", `({ ok: !!document.querySelector('`+card+` .u-over') })`, nil)
	type box struct{ X, Y, W, H float64 }
	b := eval[box](t, ctx, `(() => { const r = document.querySelector('`+card+` .u-over').getBoundingClientRect(); return { X: r.x, Y: r.y, W: r.width, H: r.height }; })()`)
	y := b.Y + b.H/2
	do(t, ctx, "dragging over the last seconds",
		chromedp.MouseEvent(chromedp.MouseMoved, b.X+0.85*b.W, y),
		chromedp.MouseEvent(chromedp.MousePressed, b.X+0.85*b.W, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, b.X+0.92*b.W, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, b.X+b.W-1, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, b.X+b.W-1, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	waitJS(t, ctx, 10*time.Second, "paused on the selection", `({ ok: window.livedash.charts.paused != null })`, nil)
	sel := card + ` select.compare-sel`
	do(t, ctx, "choosing the first earlier time", chromedp.Focus(sel), chromedp.KeyEvent(kb.ArrowDown))
	var got struct {
		OK     bool      `json:"ok"`
		Offset float64   `json:"offset"`
		Labels []string  `json:"labels"`
		Diffs  []float64 `json:"diffs"`
		Name   string    `json:"name"`
	}
	waitJS(t, ctx, 20*time.Second, "the overlay", `(() => {
		const c = window.livedash.charts.get('ramp_ticks'), u = c.u;
		if (!u || u.series.length < 3) return { ok: false, offset: c.compare };
		// diffs: each overlaid value against the ramp's own value at the
		// tick nearest to offset seconds earlier (a busy machine skips
		// ticks, so the count of ticks in offset seconds varies).
		const r = window.livedash.charts.paused, now = u.data[1], then = u.data[2], diffs = [];
		const s = window.livedash.store, xs = s.times(), ys = s.values('ramp_ticks');
		const at = (x) => { let j = 0; for (let k = 1; k < xs.length; k++) if (Math.abs(xs[k] - x) < Math.abs(xs[j] - x)) j = k; return ys[j]; };
		for (let i = 0; i < u.data[0].length; i++) {
			const x = u.data[0][i];
			if (x >= r.min && x <= r.max && now[i] != null && then[i] != null) diffs.push(then[i] - at(x - c.compare));
		}
		return { ok: diffs.length >= 5, offset: c.compare, labels: u.series.map((s) => s.label), diffs,
			name: document.querySelector('`+sel+`').getAttribute('aria-label') };
	})()`, &got)
	if got.Offset <= 0 || !strings.HasSuffix(got.Labels[2], " s ago") {
		t.Fatalf("compare offset %v, legend %q", got.Offset, got.Labels)
	}
	// The nearest tick, or the one next to it when x − offset falls
	// half-way between two.
	for _, diff := range got.Diffs {
		if math.Abs(diff) > 1 {
			t.Errorf("the ramp %v s earlier is off its own values by %v (all: %v)", got.Offset, diff, got.Diffs)
			break
		}
	}
	if got.Name == "" {
		t.Error("the compare list has no accessible name")
	}
	// The link keeps the comparison: the URL says it, and a page opened
	// on that URL compares the same chart again.
	hash := eval[string](t, ctx, `location.hash`)
	if !strings.Contains(hash, "k=ramp_ticks%3A") {
		t.Errorf("URL fragment %q does not keep the comparison", hash)
	}
	do(t, ctx, "opening the link", chromedp.Reload())
	waitJS(t, ctx, 30*time.Second, "the comparison from the link", fmt.Sprintf(`(() => { const c = window.livedash?.charts?.get('ramp_ticks');
		return { ok: !!c && Math.abs(c.compare - %f) < 0.01 && Number(c.compareSel.value) === c.compare }; })()`, got.Offset), nil)
	do(t, ctx, "choosing no comparison", chromedp.Focus(sel), chromedp.KeyEvent(kb.Home))
	waitJS(t, ctx, 20*time.Second, "the overlay gone", `(() => { const c = window.livedash.charts.get('ramp_ticks');
		return { ok: c.compare === 0 && c.u != null && c.u.series.length === 2 && !location.hash.includes('k=') }; })()`, nil)
	con.check(t, nil)
}

// TestBrowserHeatmap opens the allocation sizes heatmap, checks that its
// canvas holds cells in the palette's colours, that a GC cycle is marked,
// points at a row and reads the legend: it names that row's bucket.
func TestBrowserHeatmap(t *testing.T) {
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true})
	ctx, con := openPage(t, d, "#q=allocation%20sizes%20over%20time&t=light", 1)
	const chart = `window.livedash.charts.get('go_alloc_sizes_heatmap')`
	// Cells: pixels of the plot painted in one of the palette's colours
	// (cells are filled on whole pixels, so their insides are exact).
	waitJS(t, ctx, 30*time.Second, "heatmap cells drawn", `(() => {
		const c = `+chart+`, u = c && c.u;
		if (!u || !c.visible) return { ok: false };
		const { left, top, width, height } = u.bbox;
		const px = u.ctx.getImageData(left, top, width, height).data;
		const pal = new Set(['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b', '#3f007d']);
		const hex = (i) => '#' + [px[i], px[i + 1], px[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('');
		let n = 0;
		for (let i = 0; i < px.length; i += 4) if (pal.has(hex(i))) n++;
		return { ok: n > 50, n };
	})()`, nil)
	// A GC cycle (this process's: the dashboard runs in it) is marked.
	runtime.GC()
	waitJS(t, ctx, 30*time.Second, "a GC mark", `({ ok: window.livedash.charts.marks().gc.length > 0 })`, nil)
	do(t, ctx, "pausing", chromedp.Click("#live"))
	waitJS(t, ctx, 10*time.Second, "paused and drawn so", `(() => { const c = window.livedash.charts, p = c.paused, u = `+chart+`.u;
		return { ok: p != null && u.scales.x.max === p.max }; })()`, nil)
	// A row of a bucket under 1 KiB among those shown, and where its
	// middle is.
	type target struct {
		X, Y float64
		Le   string
	}
	tg := eval[target](t, ctx, `(() => {
		const c = `+chart+`, u = c.u, r = u.over.getBoundingClientRect();
		const lo = Math.round(u.scales.y.min), hi = Math.round(u.scales.y.max);
		for (let k = lo; k < hi; k++) {
			const le = Number(c.spec.series[k].labels.le);
			if (le < 1024) return { X: r.x + r.width / 2, Y: r.y + u.valToPos(k + 0.5, 'y'), Le: String(le) };
		}
		return { X: 0, Y: 0, Le: '' };
	})()`)
	if tg.Le == "" {
		t.Fatal("no bucket under 1 KiB shown")
	}
	do(t, ctx, "pointing at the row", chromedp.MouseEvent(chromedp.MouseMoved, tg.X, tg.Y))
	var got struct {
		OK   bool   `json:"ok"`
		Text string `json:"text"`
	}
	want := "≤ " + tg.Le + " B: "
	waitJS(t, ctx, 10*time.Second, "the legend naming the bucket", `(() => {
		const v = `+chart+`.legend.querySelector('tr.u-series:nth-child(2) .u-value');
		const text = v ? v.textContent : '';
		return { ok: text.startsWith(`+strconv.Quote(want)+`) && text.endsWith('/s'), text };
	})()`, &got)
	if !strings.HasPrefix(got.Text, want) {
		t.Errorf("legend %q, want it to start with %q", got.Text, want)
	}
	con.check(t, nil)
}

// unavailableCollector emits one series it cannot read here (NaN) and
// lists it as not available on this OS, as the process collector does for
// the figures an OS does not report.
type unavailableCollector struct{}

func (unavailableCollector) Name() string { return "odd" }

func (unavailableCollector) Collect(ctx context.Context, emit collectors.Emit) error {
	emit(collectors.Desc{Name: "odd_things", Title: "things", ChartTitle: "Odd things", Group: "app"}, math.NaN())
	return nil
}

func (unavailableCollector) Unavailable() []string { return []string{"odd_things"} }

// TestBrowserNotAvailable: a chart of figures this OS does not report says
// so, rather than waiting for data that will never come.
func TestBrowserNotAvailable(t *testing.T) {
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true, Collectors: []collectors.Collector{unavailableCollector{}}})
	ctx, con := openPage(t, d, "#q=odd", 1)
	var got struct {
		OK   bool   `json:"ok"`
		Note string `json:"note"`
	}
	waitJS(t, ctx, 30*time.Second, "the chart's note", `(() => {
		const n = document.querySelector('.card[data-chart="odd_things"] .plot-note');
		return { ok: !!n && !n.hidden && n.textContent !== '', note: n ? n.textContent : '' };
	})()`, &got)
	if got.Note != "Not available on this OS" {
		t.Errorf("note %q, want %q", got.Note, "Not available on this OS")
	}
	con.check(t, nil)
}

// manyCores emits per-core CPU series as the host collector does, for a
// machine of n logical CPUs: core k is busy (k+1)/(n+1) of the time
// (user two thirds, system one third), so each row of the heatmap has
// its own, known shade.
func manyCores(n int) collectors.Collector {
	return collectors.CollectorFunc{
		CollectorName: "cores",
		Func: func(ctx context.Context, emit collectors.Emit) error {
			for k := range n {
				cpu := strconv.Itoa(k)
				busy := float64(k+1) / float64(n+1)
				for _, m := range []struct {
					mode  string
					share float64
				}{{"user", busy * 2 / 3}, {"system", busy / 3}, {"iowait", 0}, {"steal", 0}, {"idle", 1 - busy}} {
					emit(collectors.Desc{
						Name:       "host_cpu_core_ratio",
						Labels:     []collectors.Label{{Name: "cpu", Value: cpu}, {Name: "mode", Value: m.mode}},
						Title:      m.mode,
						Unit:       collectors.UnitRatio,
						Group:      "host",
						Chart:      "host_cpu_core_" + cpu,
						ChartTitle: "CPU " + cpu,
					}, m.share)
				}
			}
			return nil
		},
	}
}

// TestBrowserCoreHeatmap: with 12 logical CPUs the per-core charts become
// one heatmap, a row a core in core order (cpu 10 after cpu 9), its
// cells shaded by the core's busy share; pointing at a row names the
// core and its share.
func TestBrowserCoreHeatmap(t *testing.T) {
	const n = 12
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true, Collectors: []collectors.Collector{manyCores(n)}})
	ctx, con := openPage(t, d, "#q=CPU%20per%20core&t=light", 1)
	const chart = `window.livedash.charts.get('host_cpu_cores')`
	var got struct {
		OK     bool     `json:"ok"`
		Cores  []string `json:"cores"`
		Single bool     `json:"single"`
		Cells  int      `json:"cells"`
	}
	waitJS(t, ctx, 30*time.Second, "the per-core heatmap drawn", `(() => {
		const c = `+chart+`, u = c && c.u;
		const single = !!window.livedash.charts.get('host_cpu_core_3');
		if (!u || !c.visible) return { ok: false, single };
		const { left, top, width, height } = u.bbox;
		const px = u.ctx.getImageData(left, top, width, height).data;
		let cells = 0;
		for (let i = 0; i < px.length; i += 4) if (px[i] < 200 && px[i + 2] > px[i]) cells++; // the palette's blues
		return { ok: cells > 200, cores: c.spec.series.map((s) => s.labels.cpu), single, cells };
	})()`, &got)
	want := make([]string, n)
	for k := range want {
		want[k] = strconv.Itoa(k)
	}
	if !slices.Equal(got.Cores, want) {
		t.Errorf("heatmap rows %q, want the cores in order %q", got.Cores, want)
	}
	if got.Single {
		t.Error("a per-core chart is still drawn beside the heatmap")
	}
	waitState(t, ctx, 30*time.Second, "a few rows", `s.rows >= 4`)
	do(t, ctx, "pausing", chromedp.Click("#live"))
	// The row of cpu 10 (busy 11/13 = 84.6 %), in the column of the
	// latest tick before the pause.
	type target struct{ X, Y float64 }
	tg := eval[target](t, ctx, `(() => {
		const c = `+chart+`, u = c.u, r = u.over.getBoundingClientRect();
		const k = c.spec.series.findIndex((s) => s.labels.cpu === '10');
		const xs = u.data[0].filter((x) => x <= u.scales.x.max);
		return { X: r.x + u.valToPos(xs[xs.length - 1] - 0.05, 'x'), Y: r.y + u.valToPos(k + 0.5, 'y') };
	})()`)
	do(t, ctx, "pointing at the row of cpu 10", chromedp.MouseEvent(chromedp.MouseMoved, tg.X, tg.Y))
	var legend struct {
		OK   bool   `json:"ok"`
		Text string `json:"text"`
	}
	waitJS(t, ctx, 10*time.Second, "the legend naming the core", `(() => {
		const v = `+chart+`.legend.querySelector('tr.u-series:nth-child(2) .u-value');
		const text = v ? v.textContent : '';
		return { ok: text.startsWith('cpu 10: '), text };
	})()`, &legend)
	m := regexp.MustCompile(`^cpu 10: (\d+(?:\.\d+)?) ?% busy$`).FindStringSubmatch(legend.Text)
	if m == nil {
		t.Fatalf("legend %q, want cpu 10's busy share", legend.Text)
	}
	t.Logf("%d rows, %d heatmap pixels, legend %q", len(got.Cores), got.Cells, legend.Text)
	if v, _ := strconv.ParseFloat(m[1], 64); math.Abs(v-100*11.0/13) > 1 {
		t.Errorf("legend %q, want about %.1f %% busy", legend.Text, 100*11.0/13)
	}
	con.check(t, nil)
}

// loadedModules lists the page's modules the browser has fetched so far
// (file names under static/…/js/).
func loadedModules(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => /\/js\/[a-z]+\.js$/.test(p)).map((p) => p.slice(p.lastIndexOf('/') + 1))`)
}
