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
// The parts live in modules of their own: specs.js (schema → charts),
// axes.js (ranges and axes), palette.js, paths.js (the line path builder),
// timewindow.js, and chart.js (one card and its uPlot).

import { figure } from './format.js';
import { chartSpecs, statSpecs, sections, signature } from './specs.js';
import { liveWindow } from './timewindow.js';
import { Chart } from './chart.js';

// NEAR_MARGIN is how far off screen a chart is created and drawn once.
const NEAR_MARGIN = '300px 0px';

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
