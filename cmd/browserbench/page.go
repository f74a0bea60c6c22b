package main

import (
	"context"

	"github.com/chromedp/chromedp"
)

// What the benchmark reads from the page, through window.livedash (the
// read-only debugging handle app.js exposes) and standard web APIs. Apart
// from the long task observers, installed before the page loads, and the
// frame-rate probe, started and stopped around its own window, every
// snippet only reads.

// observerJS runs before the page's own scripts (it is added with
// Page.addScriptToEvaluateOnNewDocument) and records long tasks and long
// animation frames (both over 50 ms) in window.__browserbench, at most
// maxLong of each. The observers fire only for such tasks and frames, so
// they cost nothing while there are none.
const observerJS = `(() => {
  const maxLong = 10000;
  const s = { tasks: [], frames: [] };
  Object.defineProperty(window, '__browserbench', { value: s });
  const observe = (type, list, fn) => {
    try {
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) if (list.length < maxLong) list.push(fn(e));
      }).observe({ type, buffered: true });
    } catch {
      // Not supported by this browser: nothing is recorded.
    }
  };
  observe('longtask', s.tasks, (e) => ({ t: e.startTime, d: e.duration }));
  observe('long-animation-frame', s.frames, (e) => ({ t: e.startTime, d: e.duration, b: e.blockingDuration || 0 }));
})();`

// longEntries is window.__browserbench: times in ms since navigation
// start.
type longEntries struct {
	Tasks  []longEntry `json:"tasks"`
	Frames []longEntry `json:"frames"`
}

// longEntry is one long task or long animation frame: its start, its
// duration and, for a frame, its blocking duration.
type longEntry struct {
	T float64 `json:"t"`
	D float64 `json:"d"`
	B float64 `json:"b"`
}

// longSummary sums the entries that started in [from, to).
type longSummary struct {
	n        int
	max, sum float64
	at       []float64 // start times, seconds since from
}

func summarize(entries []longEntry, from, to float64) longSummary {
	var s longSummary
	for _, e := range entries {
		if e.T >= from && e.T < to {
			s.n++
			s.sum += e.D
			s.max = max(s.max, e.D)
			s.at = append(s.at, (e.T-from)/1000)
		}
	}
	return s
}

// stateJS returns the page's state (see pageState), or null before app.js
// has run.
const stateJS = `(() => {
  const ld = window.livedash;
  if (!ld) return null;
  const c = ld.charts;
  const s = {
    now: performance.now(),
    hidden: document.hidden,
    socket: ld.status.state,
    draws: c.draws,
    frames: c.frames,
    drawMs: c.drawMs || 0,
    charts: c.size,
    plots: c.plots,
    visible: c.visible,
    rows: ld.store.length,
    capacity: ld.store.capacity,
    total: ld.store.total,
    series: ld.store.series.length,
    perChart: [],
    long: window.__browserbench || { tasks: [], frames: [] },
  };
  for (const k of c.keys()) {
    const ch = c.get(k);
    const n = ch.u && ch.u.data && ch.u.data[0] ? ch.u.data[0].length : 0;
    s.perChart.push({ key: k, visible: ch.visible, plot: !!ch.u, points: n, seen: ch.view.seen,
      rows: ch.view.data[0].length, series: ch.view.ids.length });
  }
  return s;
})()`

// pageState is what stateJS returns.
type pageState struct {
	Now      float64      `json:"now"` // performance.now(): ms since navigation start
	Hidden   bool         `json:"hidden"`
	Socket   string       `json:"socket"`
	Draws    int64        `json:"draws"`  // setData calls since the page opened
	Frames   int64        `json:"frames"` // animation frames in which the charts drew
	DrawMs   float64      `json:"drawMs"` // ms of script those frames took, uPlot's drawing included
	Charts   int          `json:"charts"`
	Plots    int          `json:"plots"`    // charts whose uPlot exists
	Visible  int          `json:"visible"`  // charts on screen
	Rows     int          `json:"rows"`     // rows the store holds
	Capacity int          `json:"capacity"` // rows its ring holds when full
	Total    int64        `json:"total"`    // rows ever appended
	Series   int          `json:"series"`
	PerChart []chartState `json:"perChart"`
	Long     longEntries  `json:"long"`
}

// chartState is one chart. Seen is the number of store rows its view has
// synced, which only grows when the chart is drawn; Rows is the length of
// the view's arrays (one x and Series y arrays), which uPlot holds.
type chartState struct {
	Key     string `json:"key"`
	Visible bool   `json:"visible"`
	Plot    bool   `json:"plot"`
	Points  int    `json:"points"`
	Seen    int64  `json:"seen"`
	Rows    int    `json:"rows"`
	Series  int    `json:"series"`
}

// viewValues is the number of values the charts' views hold.
func (s pageState) viewValues() int {
	n := 0
	for _, c := range s.PerChart {
		n += c.Rows * (1 + c.Series)
	}
	return n
}

// readyJS is the open condition, cheap enough to poll every 20 ms: every
// chart the page counts as visible (on screen) has a uPlot with at least two
// points that has synced every row the store holds, at most the newest
// one excepted (a frame that arrived after the last animation frame). The
// history message is applied whole, so a store with rows holds the whole
// history. t is performance.now(): ms since navigation start.
const readyJS = `(() => {
  const r = { t: performance.now(), ok: false, visible: 0, ready: 0, rows: 0, minPoints: 0 };
  const ld = window.livedash;
  if (!ld || ld.store.length === 0) return r;
  const total = ld.store.total;
  r.rows = ld.store.length;
  let min = Infinity;
  for (const k of ld.charts.keys()) {
    const c = ld.charts.get(k);
    if (!c.visible) continue;
    r.visible++;
    const n = c.u && c.u.data && c.u.data[0] ? c.u.data[0].length : 0;
    if (n >= 2 && c.view.seen >= total - 1) {
      r.ready++;
      min = Math.min(min, n);
    }
  }
  r.minPoints = r.ready > 0 ? min : 0;
  r.ok = r.visible > 0 && r.ready === r.visible;
  return r;
})()`

// readyState is what readyJS returns.
type readyState struct {
	T         float64 `json:"t"`
	OK        bool    `json:"ok"`
	Visible   int     `json:"visible"`
	Ready     int     `json:"ready"`
	Rows      int     `json:"rows"`
	MinPoints int     `json:"minPoints"`
}

// navTimingJS returns the document's Navigation Timing, in ms since
// navigation start.
const navTimingJS = `(() => {
  const n = performance.getEntriesByType('navigation')[0];
  return n ? { responseStart: n.responseStart, responseEnd: n.responseEnd,
    domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd } : null;
})()`

// navTiming is what navTimingJS returns.
type navTiming struct {
	ResponseStart    float64 `json:"responseStart"`
	ResponseEnd      float64 `json:"responseEnd"`
	DOMContentLoaded float64 `json:"domContentLoaded"`
	Load             float64 `json:"load"`
}

// fpsStartJS starts the frame-rate probe: a requestAnimationFrame loop
// that only records each frame's time. It asks for a frame at every
// vsync, which an idle page would not, so it runs in a window of its own.
const fpsStartJS = `(() => {
  const p = { times: [], stop: false };
  Object.defineProperty(window, '__browserbenchFPS', { value: p, configurable: true });
  const tick = (t) => {
    if (p.stop) return;
    p.times.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return true;
})()`

// fpsStopJS stops the probe and returns the frame times (ms).
const fpsStopJS = `(() => {
  const p = window.__browserbenchFPS;
  if (!p) return [];
  p.stop = true;
  delete window.__browserbenchFPS;
  return p.times;
})()`

// evalJS evaluates expr in the tab of ctx and decodes its value.
func evalJS[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}
