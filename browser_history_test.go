package dashboard

// Browser tests of the long history (windows longer than the ring drawn
// from ./api/range, and a drag-zoom into them) and of the Server-Sent
// Events fallback. Same rules as browser_test.go: real Chromium, waits on
// conditions, no timed assertions.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/stream"
)

// spikeValue is what spikeCollector emits once, at its spikeAt-th call;
// every other call emits 1.
const (
	spikeValue = 100
	spikeAt    = 20
)

// spikeCollector emits app_spike: 1, and once spikeValue, which a coarse
// bucket's mean flattens and its max keeps. It records the time of the
// spike (unix ms) in at.
func spikeCollector(at *atomic.Int64) collectors.Collector {
	var calls atomic.Int64
	return collectors.CollectorFunc{
		CollectorName: "spike",
		Func: func(ctx context.Context, emit collectors.Emit) error {
			v := 1.0
			if calls.Add(1) == spikeAt {
				v = spikeValue
				at.Store(time.Now().UnixMilli())
			}
			emit(collectors.Desc{Name: "app_spike", Title: "spike", ChartTitle: "Spike", Group: "app"}, v)
			return nil
		},
	}
}

// longHistoryDash is a dashboard whose history is scaled down so that a
// test sees every tier within seconds: frames every 100 ms, a ring of 10 s,
// then 1-second buckets for a minute and 5-second buckets for 10 minutes.
// The page offers 10 s (the ring), 1 m, 5 m and 10 m.
func longHistoryDash(t *testing.T, spikeAt *atomic.Int64) *Dashboard {
	t.Helper()
	return newDash(t, Options{
		Interval:    100 * time.Millisecond,
		History:     10 * time.Second,
		LongHistory: []stream.Tier{{Step: time.Second, Span: time.Minute}, {Step: 5 * time.Second, Span: 10 * time.Minute}},
		DisableHost: true, DisableProcess: true, DisableRuntime: true,
		Collectors: []collectors.Collector{spikeCollector(spikeAt)},
	})
}

// TestBrowserLongWindow opens a 1-minute window on a 10-second ring: the
// page offers the windows the tiers reach, keeps the window in the URL,
// fetches the part the ring does not hold from ./api/range (separate from
// the ring, which keeps its length), draws it before the ring's rows, and
// keeps it up to date as the ring moves on: a spike that left the ring
// shows in the band (the buckets' max) though the line (their mean)
// flattens it. A drag-zoom onto it in the 10-minute window (5-second
// buckets) asks for the 1-second tier; going back to live drops it.
func TestBrowserLongWindow(t *testing.T) {
	var spike atomic.Int64
	d := longHistoryDash(t, &spike)
	ctx, con := openPage(t, d, "#w=1m", 1)

	btns := eval[[]string](t, ctx, `[...document.querySelectorAll('#windows button')].map((b) => b.textContent + (b.getAttribute('aria-pressed') === 'true' ? '*' : ''))`)
	if strings.Join(btns, " ") != "10 s 1 m* 5 m 10 m" {
		t.Errorf("window buttons %q, want 10 s, 1 m (pressed), 5 m, 10 m", btns)
	}

	// The spike leaves the ring; the range, fetched again as the ring moves
	// on, holds it, and the chart draws it before the ring's rows.
	var got struct {
		OK       bool    `json:"ok"`
		Tier     int     `json:"tier"`
		Step     int     `json:"step"`
		Rows     int     `json:"rows"`
		Pre      int     `json:"pre"`
		First    float64 `json:"first"`
		RingRows int     `json:"ringRows"`
		Capacity int     `json:"capacity"`
		Max      float64 `json:"max"`
		Mean     float64 `json:"mean"`
		Hi       float64 `json:"hi"`
		XMin     float64 `json:"xmin"`
		Window   float64 `json:"window"`
		Requests int     `json:"requests"`
		Hash     string  `json:"hash"`
	}
	waitJS(t, ctx, 60*time.Second, "the spike drawn from the range", `(() => {
		const ld = window.livedash;
		const s = ld.store;
		const r = s.range;
		const c = ld.charts.get('app_spike');
		const out = { ok: false, err: ld.ranges?.status.error ?? '', requests: ld.ranges?.requests ?? 0, hash: location.hash, ringRows: s.length, capacity: s.capacity };
		if (!r || !c || !c.u) return out;
		const col = r.cols.get('app_spike');
		Object.assign(out, { tier: r.tier, step: r.step, rows: r.xs.length, pre: c.view.pre, first: s.firstX,
			max: col ? Math.max(...col.max.filter((v) => v != null)) : 0,
			mean: col ? Math.max(...col.mean.filter((v) => v != null)) : 0,
			hi: Math.max(0, ...(c.view.hi[0] || []).filter((v) => v != null)),
			xmin: c.u.data[0][0], window: c.u.scales.x.max - c.u.scales.x.min });
		out.ok = out.hi >= `+strconv.Itoa(spikeValue)+` && out.pre > 2 && out.xmin < s.firstX;
		return out;
	})()`, &got)
	t.Logf("range: tier %d, step %d ms, %d rows, %d drawn before the ring's first row; ring %d/%d rows; %d requests; spike max %v, mean %v",
		got.Tier, got.Step, got.Rows, got.Pre, got.RingRows, got.Capacity, got.Requests, got.Max, got.Mean)
	if got.Tier != 1 || got.Step != 1000 {
		t.Errorf("1 m window from tier %d (step %d ms), want tier 1 (1 s)", got.Tier, got.Step)
	}
	if got.Mean >= spikeValue {
		t.Errorf("the buckets' mean reaches %v: a spike of one tick in a bucket of ten should be flattened", got.Mean)
	}
	if got.Capacity != 100 || got.RingRows > 100 {
		t.Errorf("the ring holds %d of %d rows, want 100 at most: the range must not go into it", got.RingRows, got.Capacity)
	}
	if got.Window < 59.9 || got.Window > 60.1 {
		t.Errorf("the 1 m window shows %v s", got.Window)
	}
	if !strings.Contains(got.Hash, "w=1m") {
		t.Errorf("URL fragment %q does not keep the window", got.Hash)
	}
	if got.Requests < 2 {
		t.Errorf("%d range requests: the part the ring let go of was not fetched again", got.Requests)
	}

	if path := os.Getenv("LIVEDASH_SCREENSHOT_LONG"); path != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The 10 m window: 5-second buckets. Zoom onto the spike: the
	// 1-second tier reaches it and is asked for; live again drops it.
	do(t, ctx, "clicking 10 m", chromedp.Click(`#windows button[data-window="600"]`))
	waitJS(t, ctx, 30*time.Second, "10 m from 5-second buckets", `(() => {
		const r = window.livedash.store.range;
		return { ok: !!r && r.step === 5000 && location.hash.includes('w=10m') };
	})()`, nil)
	at := float64(spike.Load()) / 1000
	var zoom struct {
		OK    bool    `json:"ok"`
		Key   string  `json:"key"`
		Fine  int     `json:"fine"`
		Hi    float64 `json:"hi"`
		Shown float64 `json:"shown"`
	}
	// Once the ring has let go of the whole zoom.
	waitJS(t, ctx, 30*time.Second, "the spike's seconds out of the ring", `({ ok: window.livedash.store.firstX > `+strconv.FormatFloat(at+5, 'f', 3, 64)+` })`, nil)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.livedash.charts.pause(`+strconv.FormatFloat(at-4, 'f', 3, 64)+`, `+strconv.FormatFloat(at+4, 'f', 3, 64)+`)`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 30*time.Second, "the zoom drawn from 1-second buckets", `(() => {
		const ld = window.livedash;
		const r = ld.store.range;
		const c = ld.charts.get('app_spike');
		const p = ld.charts.paused;
		if (!r || !p || !c?.u) return { ok: false, key: ld.ranges?.zoomKey };
		const xs = c.u.data[0];
		let fine = 0;
		for (let k = 1; k < c.view.pre; k++) if (xs[k] >= p.min && xs[k] <= p.max && Math.abs(xs[k] - xs[k - 1] - 1) < 1e-6) fine++;
		const hi = Math.max(0, ...(c.view.hi[0] || []).filter((v) => v != null));
		return { ok: ld.ranges.zoomKey.startsWith('1:') && fine >= 5 && hi >= `+strconv.Itoa(spikeValue)+`, key: ld.ranges.zoomKey, fine, hi, shown: c.u.scales.x.max - c.u.scales.x.min };
	})()`, &zoom)
	t.Logf("zoom %s: %d one-second buckets drawn, band up to %v, %v s shown", zoom.Key, zoom.Fine, zoom.Hi, zoom.Shown)

	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.livedash.charts.resume()`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 30*time.Second, "the zoom dropped on resume", `(() => {
		const ld = window.livedash;
		return { ok: ld.ranges.zoomKey === '' && ld.store.range?.step === 5000 && ld.charts.paused == null };
	})()`, nil)

	// Back to a window the ring holds: nothing kept.
	do(t, ctx, "clicking 10 s", chromedp.Click(`#windows button[data-window="10"]`))
	waitJS(t, ctx, 30*time.Second, "the range dropped", `({ ok: window.livedash.store.range === null && window.livedash.charts.get('app_spike').view.pre === 0 })`, nil)
	con.check(t, nil)
}

// syntheticRange wraps d: ./api/range answers with made-up buckets for
// every series of d's schema over the whole window asked for (the default
// tiers: 10-second buckets within 6 hours, 1-minute buckets within 48),
// as a server that has been running for two days would, so that a test
// can open a 48-hour window at once. Each series wanders around its
// newest value, with one spike a day; every other request goes to d.
func syntheticRange(t *testing.T, d *Dashboard) http.Handler {
	t.Helper()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/api/range") {
			d.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		from, _ := strconv.ParseInt(q.Get("from"), 10, 64)
		to, _ := strconv.ParseInt(q.Get("to"), 10, 64)
		ask, _ := strconv.ParseInt(q.Get("step"), 10, 64)
		now := time.Now().UnixMilli()
		tier, step := 1, int64(10_000)
		if ask > step || now-6*3600_000 > from {
			tier, step = 2, 60_000
		}
		latest := snapshotLatest(t, d)
		var b []byte
		b = fmt.Appendf(b, `{"type":"range","tier":%d,"step":%d,"from":%d,"to":%d,"ts":[`, tier, step, from, to)
		first := from / step * step
		n := 0
		for ts := first; ts <= to; ts += step {
			if n > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, ts, 10)
			n++
		}
		b = append(b, `],"cols":[`...)
		for i, v := range latest {
			if i > 0 {
				b = append(b, ',')
			}
			if math.IsNaN(v) {
				b = append(b, "null"...)
				continue
			}
			var lo, hi, mean []byte
			for k := range n {
				ts := first + int64(k)*step
				x := float64(ts) / 3600_000 // hours
				m := v * (1 + 0.25*math.Sin(x*2*math.Pi/(6+float64(i%5))) + 0.05*math.Sin(x*97))
				spread := math.Abs(v) * 0.04
				top := m + spread
				if (ts/step)%(86_400_000/step) == int64(i)%(86_400_000/step) {
					top = m + 3*math.Abs(v) + 1 // a one-second spike in the bucket
				}
				sep := func(b []byte) []byte {
					if k > 0 {
						b = append(b, ',')
					}
					return b
				}
				lo = strconv.AppendFloat(sep(lo), m-spread, 'g', 4, 64)
				hi = strconv.AppendFloat(sep(hi), top, 'g', 4, 64)
				mean = strconv.AppendFloat(sep(mean), m, 'g', 4, 64)
			}
			b = fmt.Appendf(b, `{"min":[%s],"max":[%s],"mean":[%s]}`, lo, hi, mean)
		}
		b = append(b, "]}"...)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	})
}

// snapshotLatest returns the newest value of every series of d by wire
// index (NaN for none), from ./api/snapshot's history.
func snapshotLatest(t *testing.T, d *Dashboard) []float64 {
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/snapshot", nil))
	var snap struct {
		Series []struct {
			I int `json:"i"`
		} `json:"series"`
		History struct {
			Cols [][]*float64 `json:"cols"`
		} `json:"history"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &snap); err != nil {
		t.Errorf("snapshot: %v", err)
	}
	n := 0
	for _, s := range snap.Series {
		n = max(n, s.I+1)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
		if i < len(snap.History.Cols) {
			c := snap.History.Cols[i]
			for k := len(c) - 1; k >= 0; k-- {
				if c[k] != nil {
					out[i] = *c[k]
					break
				}
			}
		}
	}
	return out
}

// longTaskSpyJS runs before the page's scripts and records every long
// task (over 50 ms) in window.__longTasks as [start, duration] (ms).
const longTaskSpyJS = `(() => {
  const tasks = (window.__longTasks = []);
  new PerformanceObserver((l) => { for (const e of l.getEntries()) tasks.push([Math.round(e.startTime), Math.round(e.duration)]); })
    .observe({ type: 'longtask', buffered: true });
})();`

// TestBrowserLongWindow48h opens a 48-hour window of every built-in series
// (about 170) on a server that answers ./api/range with two days of
// buckets (syntheticRange): the charts on screen show 2,880 buckets before
// the ring's rows. It logs the time from the request to the charts drawn
// and the long tasks of the page (BENCHMARKS.md); it asserts no time.
// With LIVEDASH_SCREENSHOT_48H=path.png it saves a screenshot.
func TestBrowserLongWindow48h(t *testing.T) {
	browser := findBrowser(t)
	d := newDash(t, Options{Interval: time.Second})
	srv := httptest.NewServer(syntheticRange(t, d))
	t.Cleanup(srv.Close)
	ctx, con := newBrowser(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: longTaskSpyJS}); err != nil {
		t.Fatal(err)
	}
	// Live first, so that the 48 h window is a click like a user's.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	st := waitState(t, ctx, 60*time.Second, "live with charts drawn", liveJS+` && s.drawn >= 8`)
	t.Logf("%d series in %d charts", st.Series, st.Charts)
	eval[any](t, ctx, `(() => { window.__t0 = performance.now(); window.__longTasks.length = 0; })()`)
	do(t, ctx, "clicking 48 h", chromedp.Click(`#windows button[data-window="172800"]`))
	var got struct {
		OK        bool      `json:"ok"`
		Rows      int       `json:"rows"`
		Step      int       `json:"step"`
		Drawn     int       `json:"drawn"`
		Ms        float64   `json:"ms"`
		LongTasks [][]int64 `json:"longTasks"`
	}
	waitJS(t, ctx, 90*time.Second, "every chart on screen drawing the 48 h range", `(() => {
		const ld = window.livedash;
		const r = ld.store.range;
		const on = ld.charts.keys().map((k) => ld.charts.get(k)).filter((c) => c.visible);
		const drawn = on.filter((c) => c.u && c.view.pre > 2000 && c.u.data[0].length === c.view.data[0].length && !c.view.stale).length;
		return { ok: !!r && on.length > 0 && drawn === on.length, rows: r ? r.xs.length : 0, step: r ? r.step : 0, drawn,
			ms: performance.now() - window.__t0, longTasks: window.__longTasks };
	})()`, &got)
	// The long tasks of the next second of live frames too.
	waitState(t, ctx, 30*time.Second, "a few live frames in the 48 h window", fmt.Sprintf(liveJS+` && s.total >= %d`, st.Total+3))
	tasks := eval[[][]int64](t, ctx, `window.__longTasks`)
	longest := int64(0)
	for _, lt := range tasks {
		longest = max(longest, lt[1])
	}
	t0 := eval[float64](t, ctx, `window.__t0`)
	for _, lt := range tasks {
		lt[0] -= int64(t0)
	}
	t.Logf("48 h: %d buckets of %d ms drawn on %d charts on screen %.0f ms after the click (polled); long tasks (start after the click, ms) %v; longest %d ms",
		got.Rows, got.Step, got.Drawn, got.Ms, tasks, longest)
	if path := os.Getenv("LIVEDASH_SCREENSHOT_48H"); path != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	con.check(t, nil)
}

// refuseWebSocket answers the WebSocket upgrade with 403, as a proxy that
// refuses upgrades does, and passes every other request to h.
func refuseWebSocket(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/ws") {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// eventSourceSpyJS runs before the page's scripts and records, in
// window.__streams, the URL of every EventSource the page opens.
const eventSourceSpyJS = `(() => {
  const Native = window.EventSource;
  const streams = (window.__streams = []);
  window.EventSource = class extends Native {
    constructor(url, init) {
      super(url, init);
      streams.push(String(url));
    }
  };
})();`

// TestBrowserSSEFallback serves the page where the WebSocket upgrade is
// refused (403): the page must go live over Server-Sent Events with the
// history, say so in the header, and, after a restart (dashboard A closed,
// a new dashboard B on the same address that has been collecting for a
// moment), reconnect over SSE with ?since=<last tick it holds>, backfill
// B's ticks from before it reconnected, and keep the time column strictly
// increasing with a gap row between A and B.
func TestBrowserSSEFallback(t *testing.T) {
	browser := findBrowser(t)
	const interval = 250 * time.Millisecond
	opts := Options{Interval: interval, DisableHost: true}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	a := newDash(t, opts)
	stopA := serve(t, ln, refuseWebSocket(a))
	// The page opens on some history.
	deadline := time.Now().Add(30 * time.Second)
	for len(historyTicks(t, a)) < 4 {
		if time.Now().After(deadline) {
			t.Fatal("A recorded no history within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	ctx, con := newBrowser(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	for _, js := range []string{socketSpyJS, eventSourceSpyJS} {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js}); err != nil {
			t.Fatal(err)
		}
	}
	opened := time.Now().UnixMilli()
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/")); err != nil {
		t.Fatal(err)
	}
	type sseState struct {
		pageState
		Transport string         `json:"transport"`
		Badge     string         `json:"badge"`
		Label     string         `json:"label"`
		First     float64        `json:"first"`
		Sockets   []socketRecord `json:"sockets"`
		Streams   []string       `json:"streams"`
		Times     []int64        `json:"times"`
		Values    []*float64     `json:"values"`
	}
	stateJS := func(cond string) string {
		return `(() => {
		const s = (` + pageStateJS + `)();
		s.sockets = window.__sockets || [];
		s.streams = window.__streams || [];
		if (!s.ready) return s;
		const st = window.livedash.store;
		const b = document.getElementById('transport');
		s.transport = window.livedash.status.transport;
		s.badge = b ? b.textContent : '';
		s.label = b ? b.getAttribute('aria-label') : '';
		s.first = st.firstX;
		s.times = Array.from(st.times(), (x) => Math.round(x * 1000));
		s.values = Array.from(st.values('go_goroutines') || [], (v) => (Number.isNaN(v) ? null : v));
		s.ok = ` + cond + `;
		return s;
	})()`
	}
	var live sseState
	waitJS(t, ctx, 60*time.Second, "live over SSE with charts drawn", stateJS(liveJS+` && s.transport === 'sse' && s.drawn >= 4`), &live)
	checkLive(t, live.pageState)
	t.Logf("live over SSE: %d rows, %d charts drawn; sockets %+v; streams %q", live.Rows, live.Drawn, live.Sockets, live.Streams)
	if live.Badge != "SSE" || live.Label != "Transport: Server-Sent Events" {
		t.Errorf("transport indicator %q (%q), want SSE (Transport: Server-Sent Events)", live.Badge, live.Label)
	}
	if len(live.Sockets) == 0 || live.Sockets[0].Open {
		t.Errorf("sockets %+v: the refused WebSocket should have been tried first", live.Sockets)
	}
	if live.First*1000 >= float64(opened) {
		t.Errorf("the store starts at %v, after the page opened (%d): no history over SSE", live.First, opened)
	}
	if path := os.Getenv("LIVEDASH_SCREENSHOT_SSE"); path != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	grown := waitStateSSE(t, ctx, stateJS, live.Total+4)
	t.Logf("frames over SSE: %d → %d rows", live.Total, grown.Total)

	// Restart: A goes away; B comes up later on the same address, having
	// collected a few ticks the page must backfill.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	stopA()
	var down sseState
	waitJS(t, ctx, 30*time.Second, "the page sees A go away", stateJS(`s.socket !== 'open' && s.state !== 'open'`), &down)
	if down.LastTs == nil {
		t.Fatal("store holds no tick after A")
	}
	lastA := *down.LastTs
	time.Sleep(time.Until(time.UnixMilli(lastA).Add(3 * interval)))
	b := newDash(t, opts)
	var backlog []int64
	deadline = time.Now().Add(30 * time.Second)
	for len(backlog) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("B's history holds %d ticks after 30 s", len(backlog))
		}
		time.Sleep(50 * time.Millisecond)
		backlog = historyTicks(t, b)
	}
	ln2, err := relisten(addr)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, ln2, refuseWebSocket(b))

	var up sseState
	waitJS(t, ctx, 60*time.Second, "live again over SSE on B with new data", stateJS(fmt.Sprintf(
		liveJS+` && s.transport === 'sse' && s.lastTs > %d`, backlog[len(backlog)-1]+2*interval.Milliseconds())), &up)
	checkLive(t, up.pageState)
	last := up.Streams[len(up.Streams)-1]
	t.Logf("live again after %d streams and %d sockets; last stream %s; %d rows up to %d", len(up.Streams), len(up.Sockets), last, up.Rows, *up.LastTs)
	if want := fmt.Sprintf("since=%d", lastA); !strings.Contains(last, want) {
		t.Errorf("reconnected with %s, want %s", last, want)
	}
	held := checkBackfill(t, up.Times, lastA, backlog)
	if i, ok := held[lastA+interval.Milliseconds()]; !ok || up.Values[i] != nil {
		t.Errorf("no gap row at %d between A (last %d) and B (first %d)", lastA+interval.Milliseconds(), lastA, backlog[0])
	}
	// The refused upgrades and the refused connections while nothing
	// listened are logged by the browser.
	con.check(t, func(msg string) bool {
		return strings.Contains(msg, "ws://"+addr+"/ws") || strings.Contains(msg, "/events") || strings.Contains(msg, "403")
	})
}

// waitStateSSE waits until the store has taken total rows in all.
func waitStateSSE(t *testing.T, ctx context.Context, stateJS func(string) string, total int) pageState {
	t.Helper()
	var st pageState
	waitJS(t, ctx, 30*time.Second, "frames arriving over SSE", stateJS(fmt.Sprintf(liveJS+` && s.transport === 'sse' && s.total >= %d`, total)), &st)
	return st
}
