// The charts: one uPlot per schema "chart" key, in page sections by group.
// Stat series ("stat": true: a CPU count, a limit, a start time) get no
// chart: they are figures in their section's summary line, updated as text
// on every frame.
//
// Drawing: the store changes once per incoming message; invalidate() asks
// for one requestAnimationFrame, in which every chart on screen syncs its
// view (O(new rows)) and gets one setData(data, false) + setScale('x', …),
// the sliding-window pattern of uPlot's demos, drawn at once (uPlot's
// batch). Charts off screen (IntersectionObserver) or in a hidden tab are
// skipped. A chart is created and drawn once when it comes within
// NEAR_MARGIN of the screen, so that it is ready when scrolled to, but
// redrawn on every tick only while on screen; when it comes back it gets a
// single setData with everything it missed.
//
// Safety: every server string (titles, labels, help) reaches the page
// through textContent, a property, or uPlot's series label (which uPlot
// sets with textContent); nothing here uses innerHTML.
//
// The pure helpers (chartSpecs, statSpecs, sections, yRange, liveWindow,
// legendWidths, lineVertices…) are exported for tests; the rest needs a DOM
// and window.uPlot.

import { formatter, axisFormatter, figure, isShare, unitLabel, BYTE_INCRS, DURATION_INCRS } from './format.js';

// Known page sections, in page order; other groups follow in order of
// first appearance.
export const GROUPS = [
  ['host', 'Host'],
  ['process', 'Process'],
  ['go', 'Go runtime'],
  ['app', 'App'],
];

// PALETTE is readable on both the light and the dark background; past its
// end, colours repeat with a dash pattern.
export const PALETTE = [
  '#3b82f6', // blue
  '#f59e0b', // amber
  '#10b981', // emerald
  '#ef4444', // red
  '#8b5cf6', // violet
  '#06b6d4', // cyan
  '#ec4899', // pink
  '#84cc16', // lime
  '#f97316', // orange
  '#6366f1', // indigo
  '#14b8a6', // teal
  '#a8a29e', // stone
];

const SYNC_KEY = 'livedash';
const TIME_INCRS = DURATION_INCRS.filter((v) => v >= 1);
// Axis steps per unit; uPlot's 1-2-5 steps for the others. Bytes step by
// whole bytes: an idle disk's axis reads 0 B, 1 B, not 0.25 B.
const UNIT_INCRS = new Map([
  ['bytes', BYTE_INCRS.filter((v) => v >= 1)],
  ['seconds', DURATION_INCRS],
  ['timestamp', TIME_INCRS],
]);
// NEAR_MARGIN is how far off screen a chart is created and drawn once.
const NEAR_MARGIN = '300px 0px';
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
// The live window spans the data held, at least MIN_WINDOW seconds (so a
// fresh page is not one squeezed minute of axis labels) and at most the
// ring's span.
export const MIN_WINDOW = 60;
// The lowest top of a share chart (a counter of seconds shown as a
// percentage): an idle process reads as idle, not as noise blown up to
// full height.
export const SHARE_FLOOR = 0.1;

// chartSpecs groups schema series into charts by their "chart" key, in
// order of first appearance. The chart's unit, kind and group are those of
// its first series. Stat series are left out (see statSpecs): a chart of
// stats only has no spec.
export function chartSpecs(series) {
  const byKey = new Map();
  for (const d of series) {
    if (d.stat) continue;
    let c = byKey.get(d.chart);
    if (!c) {
      c = { key: d.chart, title: d.chartTitle, group: d.group, unit: d.unit, kind: d.kind, help: '', series: [] };
      byKey.set(d.chart, c);
    }
    if (!c.help && d.help) c.help = d.help;
    c.series.push(d);
  }
  return [...byKey.values()];
}

// statSpecs lists the stat series as figures, in schema order: the label
// is the chart title ("Logical CPUs"), followed by the series title when
// one chart key holds several stats ("Limits soft", "Limits hard").
export function statSpecs(series) {
  const stats = series.filter((d) => d.stat);
  const perChart = new Map();
  for (const d of stats) perChart.set(d.chart, (perChart.get(d.chart) || 0) + 1);
  return stats.map((d) => ({
    id: d.id,
    group: d.group,
    label: perChart.get(d.chart) > 1 ? `${d.chartTitle} ${d.title}` : d.chartTitle,
    help: d.help,
    unit: d.unit,
    kind: d.kind,
  }));
}

// sections returns [group, heading] for the groups used by specs (charts
// or stats): the known ones in page order, then the others in order of
// first appearance.
export function sections(specs) {
  const used = new Set(specs.map((s) => s.group));
  const out = GROUPS.filter(([g]) => used.has(g));
  const known = new Set(GROUPS.map(([g]) => g));
  for (const s of specs) {
    if (known.has(s.group)) continue;
    known.add(s.group);
    out.push([s.group, s.group.charAt(0).toUpperCase() + s.group.slice(1)]);
  }
  return out;
}

// signature is what, when it changes, makes a chart be built again.
export function signature(spec) {
  return JSON.stringify([spec.title, spec.unit, spec.kind, spec.series.map((s) => [s.id, s.title, s.unit, s.kind])]);
}

// yRange is the y scale range for a data range: zero-based for
// non-negative data, 5% headroom, [0, 1] when there is no data.
export function yRange(min, max) {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  let lo = Math.min(0, min);
  let hi = Math.max(0, max);
  if (hi === lo) return lo === 0 ? [0, 1] : [lo, 0];
  const pad = (hi - lo) * 0.05;
  if (hi > 0) hi += pad;
  if (lo < 0) lo -= pad;
  return [lo, hi];
}

// shareRange is the y range of a share chart (seconds per second, shown as
// a percentage): from zero, with headroom, topped at no less than
// SHARE_FLOOR, and not capped at 100 %, since a process may keep several
// cores busy.
export function shareRange(min, max) {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return [0, SHARE_FLOOR];
  if (min >= 0 && max <= 0) return [0, SHARE_FLOOR];
  const [lo, hi] = yRange(min, max);
  return [lo, Math.max(SHARE_FLOOR, hi)];
}

// liveWindow is the width (seconds) of the live x range: the span of the
// data held, at least MIN_WINDOW, at most full (the ring's span), so a
// fresh page fills its charts and the window grows to full.
export function liveWindow(held, full) {
  const w = Number.isFinite(held) ? Math.max(MIN_WINDOW, held) : MIN_WINDOW;
  return full > 0 ? Math.min(full, w) : w;
}

// wideValues are values whose formatting is the widest a legend shows
// for a unit and kind: the largest three- and four-digit mantissas of each
// prefix, within the unit's usual range.
const WIDE_VALUES = [0.000999, 0.00999, 0.0999, 0.999, 9.99, 99.9, 999, 1023];
for (let k = 1; k <= 4; k++) WIDE_VALUES.push(999 * 1000 ** k, 1023 * 1024 ** k);
const WIDE_RATIOS = [0.00123, 0.00999, 0.0999, 0.999, 1];
const WIDE_SHARES = [...WIDE_RATIOS, 9.99];
const WIDE_SECONDS = WIDE_VALUES.filter((v) => v < 86400);

function wideValues(unit, kind) {
  if (unit === 'ratio') return WIDE_RATIOS;
  if (isShare(unit, kind)) return WIDE_SHARES;
  if (unit === 'seconds') return WIDE_SECONDS;
  if (unit === 'timestamp') return [1e9];
  return WIDE_VALUES;
}

const MAX_LABEL_CH = 22;

// textCh estimates the width of a label in ch (the width of "0"): capitals
// are wider than digits in proportional fonts, lower case about as wide.
function textCh(s) {
  let n = 0;
  for (const c of String(s)) n += c >= 'A' && c <= 'Z' ? 1.2 : 1;
  return Math.ceil(n);
}

// legendWidths sizes a chart's legend cells in ch from its series
// ({title, unit, kind}): the widest title (capped at MAX_LABEL_CH; longer
// ones end in an ellipsis) and the widest value the series' units print,
// so entries line up in columns and values do not jump as they change.
export function legendWidths(series) {
  let label = 1;
  let value = 1;
  for (const d of series) {
    label = Math.max(label, textCh(d.title));
    const fmt = formatter(d.unit, d.kind);
    for (const v of wideValues(d.unit, d.kind)) value = Math.max(value, fmt(v).length);
  }
  return { label: Math.min(label, MAX_LABEL_CH), value };
}

// timeRange is the y range of a chart of timestamps (seconds since the
// epoch): around the data, at least a minute each side.
export function timeRange(min, max) {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const pad = Math.max(60, (max - min) * 0.1);
  return [min - pad, max + pad];
}

// timeLabels formats x ticks (seconds) as local HH:MM, or HH:MM:SS when
// ticks are less than a minute apart.
export function timeLabels(splits) {
  const step = splits.length > 1 ? splits[1] - splits[0] : 60;
  return splits.map((v) => {
    if (v == null) return '';
    const d = new Date(v * 1000);
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    return step < 60 ? `${hm}:${pad2(d.getSeconds())}` : hm;
  });
}

function pad2(n) {
  return n < 10 ? '0' + n : String(n);
}

// lineWidth is the width of a series' line in CSS pixels on a screen of
// devicePixelRatio dpr: one device pixel on a standard screen, where the
// rasterizer draws a one-pixel line as a hairline (a 1.5 px line costs
// several times as much to fill: it was most of the main thread's time
// of a tick with software rendering), 1.5 px on a high-density one.
export function lineWidth(dpr) {
  return dpr >= 2 ? 1.5 : 1;
}

// seriesStyle returns the colour and dash of the k-th series of a chart.
export function seriesStyle(k) {
  const colour = PALETTE[k % PALETTE.length];
  const round = Math.floor(k / PALETTE.length);
  return { colour, dash: round === 0 ? undefined : round === 1 ? [6, 3] : [2, 3] };
}

// lonePoints is a uPlot points filter: the indices, within the x range
// shown, of values with a gap on both sides (null when there are none).
// It scans the same indices uPlot's own path builder does.
export function lonePoints(u, sIdx, show) {
  if (show) return null;
  const ys = u.data[sIdx];
  const idxs = u.series[0].idxs;
  if (!ys || !idxs || idxs[0] == null) return null;
  const last = ys.length - 1;
  let out = null;
  for (let i = Math.max(0, idxs[0]); i <= Math.min(idxs[1], last); i++) {
    if (ys[i] != null && (i === 0 || ys[i - 1] == null) && (i === last || ys[i + 1] == null)) (out ||= []).push(i);
  }
  return out;
}

// The line path builder (series.paths): what uPlot's own linear builder
// draws, with fewer vertices and less work per point.
//
// A chart holds up to ten minutes of points (600 at 1 Hz) in a plot a few
// hundred pixels wide, and every chart is drawn again on every tick. With
// software rendering the cost of a draw is that of building the path (a
// Path2D call per vertex) and of rasterizing it, both growing with the
// vertices. lineVertices keeps only the vertices that make a difference to
// the picture:
//
//   - within one device-pixel column, the first and last point and the
//     lowest and highest value (as uPlot itself does once there are four
//     points per pixel): the column is drawn as a vertical stroke from min
//     to max, so spikes stay;
//   - on a run of equal values, the two ends: a flat line is one segment,
//     whatever the number of points on it.
//
// Gaps (null) end a segment: the next point starts a new one (moveTo), so
// no line crosses a gap and, unlike uPlot's linear builder, no clip path is
// needed. A point alone between two gaps draws no line (the charts draw it
// as a dot, see lonePoints). undefined values are skipped and
// spanned, as uPlot does.
//
// Only the path changes: u.data is untouched, so the cursor, the legend and
// the y range still see every point.

// BREAK marks the end of a segment in the vertex buffer (both coordinates).
const BREAK = NaN;

// lineVertices reduces the points i0..i1 of one series (xs, ys: uPlot's
// columns) to vertices in canvas pixels: x = ax + bx·xs[i], y = ay + by·ys[i].
// It writes x, y pairs to out (growing it when needed; a segment ends with
// a BREAK pair) and returns {out, n}, n being the number of numbers written.
export function lineVertices(xs, ys, i0, i1, ax, bx, ay, by, out) {
  // At most four vertices per point plus a break per gap (two numbers
  // each), so one check up front covers the loop.
  const need = 8 * Math.max(0, i1 - i0 + 2);
  if (out.length < need) out = new Float64Array(Math.max(need, 2 * out.length));
  let n = 0;
  // open: a segment has started and no gap has ended it; cnt: its
  // vertices written. The current column: its index col, first point
  // (fx, fy), last point (lx, ly), lowest and highest y (lo, hi).
  let open = false;
  let cnt = 0;
  let col = 0;
  let fx = 0;
  let fy = 0;
  let lx = 0;
  let ly = 0;
  let lo = 0;
  let hi = 0;
  for (let i = i0; i <= i1 + 1; i++) {
    // One step past i1 ends the last segment.
    const v = i <= i1 ? ys[i] : null;
    if (v === undefined) continue;
    let x = 0;
    let y = 0;
    let c = 0;
    if (v !== null) {
      x = ax + bx * xs[i];
      y = ay + by * v;
      c = Math.floor(x);
      if (open && c === col) {
        lx = x;
        ly = y;
        if (y < lo) lo = y;
        else if (y > hi) hi = y;
        continue;
      }
    }
    if (open) {
      // Draw the column: its first point, the extreme nearer to it, the
      // other one, its last point, leaving out the repeats.
      let a = fy;
      let b = fy;
      if (lo !== hi) {
        const down = fy - lo <= hi - fy;
        a = down ? lo : hi;
        b = down ? hi : lo;
      }
      for (let k = 0; k < 4; k++) {
        let vx = fx;
        let vy = fy;
        if (k === 1) {
          if (a === fy) continue;
          vy = a;
        } else if (k === 2) {
          if (b === a || b === ly) continue;
          vy = b;
        } else if (k === 3) {
          if (lx === fx && ly === fy) continue;
          vx = lx;
          vy = ly;
        }
        // On a flat run (the two vertices before at this y), move the
        // run's end instead of adding a vertex.
        if (cnt >= 2 && out[n - 1] === vy && out[n - 3] === vy) {
          out[n - 2] = vx;
          continue;
        }
        out[n++] = vx;
        out[n++] = vy;
        cnt++;
      }
    }
    if (v === null) {
      if (open) {
        out[n++] = BREAK;
        out[n++] = BREAK;
      }
      open = false;
      cnt = 0;
      continue;
    }
    open = true;
    col = c;
    fx = lx = x;
    fy = ly = lo = hi = y;
  }
  return { out, n };
}

// The vertex buffer, shared by every chart: paths are built one at a time.
let buf = new Float64Array(4096);

// linePaths is a uPlot path builder (series.paths) for lines on linear
// scales, horizontal x: the stroke, and for a series with a fill, the area
// between the line and zero (clamped to the y range, as uPlot's fillTo
// default), one closed shape per segment.
export function linePaths(u, sIdx, idx0, idx1) {
  const s = u.series[sIdx];
  const sx = u.scales.x;
  const sy = u.scales[s.scale];
  const { left, top, width, height } = u.bbox;
  const dx = sx.max - sx.min;
  const dy = sy.max - sy.min;
  const stroke = new Path2D();
  const paths = { stroke, fill: null, clip: null, band: null, gaps: null, flags: 1 };
  if (!(dx > 0) || !(dy > 0)) return paths;
  // With series.pxAlign 1, uPlot shifts the canvas by half the line's
  // width (in device pixels) before it clips to the plot and draws: the
  // clip rectangle then falls on whole pixels, which the rasterizer applies
  // as a plain rectangle instead of an antialiased mask that doubled the
  // cost of drawing the lines. The vertices are shifted back, so the
  // lines stay where they are.
  const lw = s.width * (globalThis.devicePixelRatio || 1);
  const off = s.pxAlign === 1 ? (lw % 2) / 2 : 0;
  const bx = width / dx;
  const ax = left - sx.min * bx - off;
  const by = -height / dy;
  const ay = top + height - sy.min * by - off;
  const r = lineVertices(u.data[0], u.data[sIdx], idx0, idx1, ax, bx, ay, by, buf);
  buf = r.out;
  const n = r.n;

  // The stroke: one subpath per segment.
  let segs = 0;
  let start = true;
  for (let k = 0; k < n; k += 2) {
    const x = buf[k];
    if (x !== x) {
      start = true;
      continue;
    }
    if (start) {
      stroke.moveTo(x, buf[k + 1]);
      segs++;
      start = false;
    } else {
      stroke.lineTo(x, buf[k + 1]);
    }
  }
  if (s.fill == null || segs === 0) return paths;

  // The area: each segment closed down to the base line. With one segment
  // (no gap in view, the usual case) it is a copy of the stroke.
  const base = Math.min(sy.max, Math.max(sy.min, 0));
  const baseY = ay + by * base;
  let fill;
  if (segs === 1) {
    fill = new Path2D(stroke);
    fill.lineTo(buf[n - 4], baseY);
    fill.lineTo(buf[0], baseY);
    fill.closePath();
  } else {
    fill = new Path2D();
    let firstX = 0;
    let len = 0;
    for (let k = 0; k < n; k += 2) {
      const x = buf[k];
      if (x !== x) {
        if (len > 1) {
          fill.lineTo(buf[k - 2], baseY);
          fill.lineTo(firstX, baseY);
          fill.closePath();
        }
        len = 0;
        continue;
      }
      if (len === 0) {
        fill.moveTo(x, buf[k + 1]);
        firstX = x;
      } else {
        fill.lineTo(x, buf[k + 1]);
      }
      len++;
    }
  }
  paths.fill = fill;
  return paths;
}

// alpha returns a #rrggbb colour with an alpha channel.
function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

// axisSize sizes the y axis to its longest label (uPlot's axis autosize
// demo), so "1023 MiB/s" is not cut. Unlike the demo it measures on every
// layout pass: a pass that skipped the axis (no data yet) must not leave a
// stale size. It never shrinks within one layout, so the layout converges.
// Widths are measured once per label and font (a tick's label rarely
// changes from one second to the next).
const labelWidths = new Map();

function axisSize(u, values, axisIdx, cycleNum) {
  const axis = u.axes[axisIdx];
  let size = axis.ticks.size + axis.gap + 4;
  let longest = '';
  for (const v of values || []) if (v.length > longest.length) longest = v;
  if (longest !== '') {
    const font = axis.font[0];
    const key = font + '\n' + longest;
    let w = labelWidths.get(key);
    if (w === undefined) {
      if (labelWidths.size >= 1000) labelWidths.clear();
      u.ctx.font = font;
      w = u.ctx.measureText(longest).width;
      labelWidths.set(key, w);
    }
    size += w / devicePixelRatio;
  }
  size = Math.max(36, Math.ceil(size));
  return cycleNum > 1 && axis._size > size ? axis._size : size;
}

// Charts owns every chart of the page.
export class Charts {
  // root is the element holding the sections; store the Store; options:
  // uPlot (the constructor, default window.uPlot), onPause(range|null)
  // called when the user zooms (pauses live follow) or resumes.
  constructor(root, store, opts = {}) {
    this.root = root;
    this.store = store;
    this.uPlot = opts.uPlot || window.uPlot;
    this.onPause = opts.onPause || (() => {});
    this.doc = root.ownerDocument;
    this.win = this.doc.defaultView;
    this.charts = new Map(); // key → Chart, in page order
    this.figures = []; // {spec, value: <dd>, text} of the stat series
    this.sections = new Map(); // group → {el, stats, grid}
    this.raf = null;
    this.paused = null; // {min, max} in seconds while zoomed, else null
    this.draws = 0; // setData calls, for tests
    this.frames = 0; // animation frames drawn, for tests
    this.drawMs = 0; // time those frames took (ms), for benchmarks
    this.theme = {};
    this.#readTheme();
    this.byElement = new WeakMap(); // observed element → Chart

    // Two observers of each card: near the screen (create and draw once),
    // and on it (draw on every tick).
    this.io = new IntersectionObserver((entries) => this.#onIntersect(entries, 'near'), { rootMargin: NEAR_MARGIN });
    this.vo = new IntersectionObserver((entries) => this.#onIntersect(entries, 'visible'));
    this.ro = new ResizeObserver((entries) => {
      for (const e of entries) {
        const c = this.byElement.get(e.target);
        if (c) c.resize(e.contentRect.width, e.contentRect.height);
      }
    });
    this.doc.addEventListener('visibilitychange', () => {
      if (!this.doc.hidden) this.invalidate();
    });
    const mq = this.win.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', () => {
      this.#readTheme();
      for (const c of this.charts.values()) if (c.u) c.u.redraw(false);
    });
    this.doc.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.paused) this.resume();
    });
  }

  // size is the number of charts.
  get size() {
    return this.charts.size;
  }

  // stats is the number of figures (stat series) in section summaries.
  get stats() {
    return this.figures.length;
  }

  // plots is the number of charts whose uPlot exists.
  get plots() {
    let n = 0;
    for (const c of this.charts.values()) if (c.u) n++;
    return n;
  }

  // visible is the number of charts on screen (drawn on every tick).
  get visible() {
    let n = 0;
    for (const c of this.charts.values()) if (c.visible) n++;
    return n;
  }

  // near is the number of charts on or near the screen.
  get near() {
    let n = 0;
    for (const c of this.charts.values()) if (c.near) n++;
    return n;
  }

  // keys returns the chart keys in page order.
  keys() {
    return [...this.charts.keys()];
  }

  // get returns the Chart of a key (for tests: .u is its uPlot).
  get(key) {
    return this.charts.get(key);
  }

  // applySchema builds, keeps, rebuilds or removes charts after a schema
  // message: a chart whose series changed is built again. The section
  // summaries are rebuilt.
  applySchema() {
    const specs = chartSpecs(this.store.series);
    const stats = statSpecs(this.store.series);
    const keep = new Map();
    for (const spec of specs) {
      const old = this.charts.get(spec.key);
      if (old && old.sig === signature(spec)) {
        keep.set(spec.key, old);
      } else {
        if (old) old.destroy();
        keep.set(spec.key, new Chart(this, spec));
      }
    }
    for (const [key, c] of this.charts) if (!keep.has(key)) c.destroy();
    this.charts = keep;

    // Lay out sections and cards in order, moving only what is out of place.
    const order = sections([...specs, ...stats]);
    this.figures = [];
    let prev = null;
    for (const [group, heading] of order) {
      let sec = this.sections.get(group);
      if (!sec) {
        sec = makeSection(this.doc, group, heading);
        this.sections.set(group, sec);
      }
      const want = prev ? prev.el.nextSibling : this.root.firstChild;
      if (want !== sec.el) this.root.insertBefore(sec.el, want);
      prev = sec;
      sec.stats.replaceChildren(...stats.filter((f) => f.group === group).map((f) => this.#makeFigure(f)));
      sec.stats.hidden = sec.stats.childElementCount === 0;
      let i = 0;
      for (const c of this.charts.values()) {
        if (c.spec.group !== group) continue;
        if (sec.grid.children[i] !== c.card) sec.grid.insertBefore(c.card, sec.grid.children[i] || null);
        i++;
      }
    }
    for (const [group, sec] of this.sections) {
      if (!order.some(([g]) => g === group)) {
        sec.el.remove();
        this.sections.delete(group);
      }
    }
    for (const c of this.charts.values()) c.attach();
    this.invalidate();
  }

  // invalidate asks for one redraw of the visible charts.
  invalidate() {
    if (this.raf != null) return;
    this.raf = this.win.requestAnimationFrame(() => {
      this.raf = null;
      this.#draw();
    });
  }

  // pause stops following live data and shows [min, max] (seconds) on
  // every chart.
  pause(min, max) {
    if (!(max > min)) return;
    this.paused = { min, max };
    for (const c of this.charts.values()) c.shown = null;
    this.onPause({ min, max });
    this.invalidate();
  }

  // resume goes back to the live sliding window.
  resume() {
    if (!this.paused) return;
    this.paused = null;
    for (const c of this.charts.values()) c.shown = null;
    this.onPause(null);
    this.invalidate();
  }

  // range is the x range to show: the paused one, or the live window
  // ending at the newest tick (see liveWindow).
  range() {
    if (this.paused) return this.paused;
    const max = this.store.lastX;
    if (max == null) return null;
    return { min: max - liveWindow(max - this.store.firstX, this.store.window), max };
  }

  // #draw draws the charts on screen, and once those that just came near
  // it.
  #draw() {
    if (this.doc.hidden) return; // visibilitychange invalidates again
    const range = this.range();
    if (!range) return;
    this.frames++;
    const t0 = this.win.performance.now();
    this.#updateFigures();
    for (const c of this.charts.values()) {
      if (c.visible || (c.near && c.early)) {
        c.early = false;
        c.draw(range);
      }
    }
    this.drawMs += this.win.performance.now() - t0;
  }

  // #makeFigure builds one figure of a section summary: its label and an
  // empty value that #updateFigures fills.
  #makeFigure(spec) {
    const el = this.doc.createElement('div');
    el.className = 'stat';
    if (spec.help) el.title = spec.help;
    const label = this.doc.createElement('dt');
    label.textContent = spec.label;
    const value = this.doc.createElement('dd');
    value.textContent = '—';
    el.append(label, value);
    this.figures.push({ spec, value, text: '—' });
    return el;
  }

  // #updateFigures shows the newest value of every stat series, as of the
  // newest tick (server time, so "12 min ago" does not depend on the
  // browser's clock). Only text that changed is written.
  #updateFigures() {
    const now = this.store.lastX;
    for (const f of this.figures) {
      const text = figure(this.store.latest(f.spec.id), f.spec.unit, f.spec.kind, now);
      if (text !== f.text) f.value.textContent = f.text = text;
    }
  }

  // #onIntersect records that charts came near (or on) the screen or left
  // it. A chart that comes near is drawn once in the next frame, one that
  // comes on screen in every frame from then on.
  #onIntersect(entries, what) {
    let any = false;
    for (const e of entries) {
      const c = this.byElement.get(e.target);
      if (!c) continue;
      c[what] = e.isIntersecting;
      if (what === 'near') c.early = e.isIntersecting;
      any = any || e.isIntersecting;
    }
    if (any) this.invalidate();
  }

  #readTheme() {
    const cs = this.win.getComputedStyle(this.doc.documentElement);
    const v = (name, d) => cs.getPropertyValue(name).trim() || d;
    this.theme.axis = v('--ld-axis', '#6b7280');
    this.theme.grid = v('--ld-grid', 'rgba(128,128,128,0.15)');
  }
}

// makeSection builds a page section: a heading line with the summary of
// its stat series, then the grid of chart cards.
function makeSection(doc, group, heading) {
  const el = doc.createElement('section');
  el.className = 'group';
  el.dataset.group = group;
  const head = doc.createElement('div');
  head.className = 'group-head';
  const h = doc.createElement('h2');
  h.textContent = heading;
  const stats = doc.createElement('dl');
  stats.className = 'stats';
  stats.hidden = true;
  head.append(h, stats);
  const grid = doc.createElement('div');
  grid.className = 'grid';
  el.append(head, grid);
  return { el, stats, grid };
}

// Chart is one card: a title, the plot box (fixed size, observed for
// resizes) and the legend box uPlot's legend is mounted in.
class Chart {
  constructor(owner, spec) {
    this.owner = owner;
    this.spec = spec;
    this.sig = signature(spec);
    this.view = owner.store.view(spec.series.map((s) => s.id));
    this.u = null;
    this.near = false; // within NEAR_MARGIN of the screen
    this.early = false; // came near: draw once, ahead of being on screen
    this.visible = false; // on screen
    this.shown = null; // the x range last set, to skip no-op redraws

    const doc = owner.doc;
    const card = (this.card = doc.createElement('article'));
    card.className = 'card';
    card.dataset.chart = spec.key;
    if (spec.series.length > 8) card.classList.add('many');
    const head = doc.createElement('header');
    head.className = 'card-head';
    const h = doc.createElement('h3');
    h.textContent = spec.title;
    if (spec.help) h.title = spec.help;
    const unit = doc.createElement('span');
    unit.className = 'card-unit';
    unit.textContent = unitLabel(spec.unit, spec.kind);
    head.append(h, unit);
    this.plot = doc.createElement('div');
    this.plot.className = 'plot';
    this.legend = doc.createElement('div');
    this.legend.className = 'legend';
    // Legend cells sized to the widest title and value, through the CSSOM
    // (a strict style-src allows it, unlike style attributes).
    const widths = legendWidths(spec.series);
    this.legend.style.setProperty('--ld-label', `${widths.label}ch`);
    this.legend.style.setProperty('--ld-value', `${widths.value}ch`);
    card.append(head, this.plot, this.legend);
    owner.byElement.set(this.plot, this);
    owner.byElement.set(card, this);
    this.observed = false;
  }

  // attach starts observing once the card is in the document.
  attach() {
    if (this.observed) return;
    this.observed = true;
    this.owner.io.observe(this.card);
    this.owner.vo.observe(this.card);
    this.owner.ro.observe(this.plot);
  }

  // draw brings the chart up to date and draws it at once (uPlot's batch:
  // one redraw for the data, the x range and the legend, inside the
  // animation frame rather than in a microtask after it).
  draw(range) {
    const first = !this.u;
    if (first && !this.#create()) return;
    const u = this.u;
    const paused = this.owner.paused != null;
    u.batch(() => {
      // While paused, a chart that already has data keeps it untouched
      // (uPlot holds the view's arrays); it catches up on resume.
      if (first || !paused) {
        if (this.view.sync() || first) {
          u.setData(this.view.data, false);
          this.owner.draws++;
          this.shown = null;
        }
      }
      if (!this.shown || this.shown.min !== range.min || this.shown.max !== range.max) {
        u.setScale('x', { min: range.min, max: range.max });
        this.shown = range;
      }
      // With the cursor off this chart, the legend shows the newest values.
      if (!(u.cursor.left >= 0)) this.#showNewest();
    });
  }

  // #showNewest writes the newest values into the legend, the text uPlot's
  // setLegend({idx: null}) would write, but only into the cells whose text
  // changes: uPlot rewrites every cell, and each text written costs the
  // page a layout and a paint of the legend, which made up most of the
  // layout and paint of a tick. With the cursor on the chart, uPlot's own
  // legend updates are left as they are.
  #showNewest() {
    const u = this.u;
    this.cells ||= [...this.legend.querySelectorAll('tr.u-series')].map(
      (row) => row.querySelector('td.u-value')?.firstChild ?? null,
    );
    for (let i = 1; i < u.series.length; i++) {
      const node = this.cells[i];
      if (!node) continue;
      const text = u.series[i].value(u, null, i, null);
      if (text != null && node.nodeValue !== text) node.nodeValue = text;
    }
  }

  resize(w, h) {
    if (!this.u) return;
    w = Math.floor(w);
    h = Math.floor(h);
    if (w > 0 && h > 0 && (w !== this.u.width || h !== this.u.height)) this.u.setSize({ width: w, height: h });
  }

  destroy() {
    this.owner.io.unobserve(this.card);
    this.owner.vo.unobserve(this.card);
    this.owner.ro.unobserve(this.plot);
    if (this.u) this.u.destroy();
    this.u = null;
    this.card.remove();
  }

  #create() {
    const w = Math.floor(this.plot.clientWidth);
    const h = Math.floor(this.plot.clientHeight);
    if (!(w > 0 && h > 0) || !this.owner.uPlot) return false;
    this.u = new this.owner.uPlot(this.#options(w, h), this.view.data, this.plot);
    this.cells = null; // the legend's value cells, found on first use
    return true;
  }

  #options(width, height) {
    const { spec, owner } = this;
    const theme = owner.theme;
    const ratio = spec.unit === 'ratio';
    const times = spec.unit === 'timestamp';
    const share = isShare(spec.unit, spec.kind);
    const yRangeOf = times ? timeRange : share ? shareRange : yRange;
    const fmtAxis = times ? null : axisFormatter(spec.unit, spec.kind);
    const single = spec.series.length === 1;
    const line = lineWidth(owner.win.devicePixelRatio || 1);

    const series = [{ label: 'time', value: () => '' }];
    spec.series.forEach((d, k) => {
      const { colour, dash } = seriesStyle(k);
      const fmt = formatter(d.unit, d.kind);
      series.push({
        label: d.title,
        stroke: colour,
        width: line,
        dash,
        fill: single ? alpha(colour, 0.12) : undefined,
        spanGaps: false,
        // Fewer vertices than uPlot's own builder, the same picture; its
        // pxAlign lets the plot's clip fall on whole pixels (see linePaths).
        paths: linePaths,
        pxAlign: 1,
        // Lines only; a lone value between gaps (which a line cannot
        // show) is drawn as a dot.
        points: { show: false, size: 5, filter: lonePoints },
        // Cursor on the chart: the value under it; off: the newest.
        value: (u, v, sIdx, idx) => {
          if (idx == null) {
            const col = u.data[sIdx];
            v = col && col.length ? col[col.length - 1] : null;
          }
          return fmt(v);
        },
      });
    });

    const axisCommon = {
      font: FONT,
      stroke: () => theme.axis,
      grid: { stroke: () => theme.grid, width: 1 },
      ticks: { stroke: () => theme.grid, width: 1, size: 4 },
      gap: 4,
    };

    return {
      width,
      height,
      pxAlign: 0,
      series,
      legend: {
        show: true,
        live: true,
        mount: (u, el) => this.legend.appendChild(el),
      },
      // Hovering a legend entry highlights its series in this chart only.
      focus: { alpha: 0.3 },
      cursor: {
        // The x cursor is shared by every chart; y scales differ, so only x
        // is synced (#969), and series focus/toggles stay per chart (series
        // indices mean nothing across charts). No horizontal line: on the
        // other charts it would mark nothing.
        sync: { key: SYNC_KEY, scales: ['x', null], setSeries: false },
        y: false,
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
        bind: {
          // Double-click: back to live.
          dblclick: () => () => {
            owner.resume();
            return null;
          },
        },
      },
      scales: {
        x: { time: true },
        y: ratio
          ? { auto: false, range: [0, 1] }
          : { range: (u, min, max) => yRangeOf(min, max) },
      },
      axes: [
        {
          ...axisCommon,
          // HH:MM:SS labels (ticks under a minute apart) need more room
          // than HH:MM.
          space: (u, i, min, max, dim) => ((max - min) * 56 < 60 * dim ? 72 : 56),
          size: 26,
          // uPlot's own time steps jump from 1 to 5 minutes; ours have 2.
          incrs: TIME_INCRS,
          values: (u, splits) => timeLabels(splits),
        },
        {
          ...axisCommon,
          space: 24,
          size: axisSize,
          incrs: share ? undefined : UNIT_INCRS.get(spec.unit),
          values: (u, splits) => (times ? timeLabels(splits) : splits.map((v) => fmtAxis(v))),
        },
      ],
      hooks: {
        // Drag to zoom: every chart shows the selection and live follow
        // pauses (uPlot's zoom-fetch pattern; zoom is never propagated from
        // setScale, which fires on every tick).
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width > 2) {
              const min = u.posToVal(sel.left, 'x');
              const max = u.posToVal(sel.left + sel.width, 'x');
              owner.pause(min, max);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
      },
    };
  }
}
