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
// single setData with everything it missed. A card the filter hides or
// whose section is collapsed is not displayed, so the observers count it
// off screen and it costs nothing per tick.
//
// Safety: every server string (titles, labels, help) reaches the page
// through textContent, a property, or uPlot's series label (which uPlot
// sets with textContent); nothing here uses innerHTML.
//
// The parts live in modules of their own: specs.js (schema → charts),
// axes.js (ranges and axes), palette.js, paths.js (the line path builder),
// timewindow.js, and chart.js (one card and its uPlot).

import { gcMarks, restartMarks } from './markers.js';
import { figure } from './format.js';
import { chartSpecs, statSpecs, sections, signature, failingFor } from './specs.js';
import { liveWindow, windowsForTiers, pickWindow, zoomOut, pan } from './timewindow.js';
import { terms, matches } from './filter.js';
import { Chart } from './chart.js';

// NEAR_MARGIN is how far off screen a chart is created and drawn once.
const NEAR_MARGIN = '300px 0px';

// STALE_BUDGET_MS is how long a frame may spend before it leaves the
// charts whose range changed to the next frame.
const STALE_BUDGET_MS = 40;

// Charts owns every chart of the page, the sections they are in, and the
// view they all show: the time window, live or paused on a range, the
// filter and the collapsed sections.
export class Charts {
  // root is the element holding the sections; store the Store; options:
  // uPlot (the constructor, default window.uPlot), onView() called when
  // the view changes (window, pause, filter, collapsed sections), and
  // onLayout() after a schema rebuilt the charts.
  constructor(root, store, opts = {}) {
    this.root = root;
    this.store = store;
    this.uPlot = opts.uPlot || window.uPlot;
    this.onView = opts.onView || (() => {});
    // The charts compared with an earlier time (key → seconds ago), also
    // for charts not made yet (a link opened before the schema came).
    this.wantCompare = new Map();
    // The series names this OS does not report (setUnavailable).
    this.unavailable = new Set();
    this.onLayout = opts.onLayout || (() => {});
    this.doc = root.ownerDocument;
    this.win = this.doc.defaultView;
    // #paths=linear in the URL the page opens with: lines drawn by uPlot's
    // own linear path builder instead of paths.js (cmd/browserbench -ab
    // measures the two side by side).
    const linear = /(^|[#&])paths=linear(&|$)/.test(this.win.location?.hash || '') && this.uPlot?.paths?.linear;
    this.paths = linear ? this.uPlot.paths.linear() : null;
    this.charts = new Map(); // key → Chart, in page order
    this.figures = []; // {spec, value: <dd>, text} of the stat series
    this.sections = new Map(); // group → {el, heading, stats, grid, toggle, count}
    this.raf = null;
    this.paused = null; // {min, max} in seconds while paused or zoomed, else null
    this.windows = []; // the windows offered (seconds), see windowsFor
    this.wantWindow = NaN; // the window asked for (URL, picker)
    this.window = NaN; // the window shown, one of windows
    this.words = []; // the filter's words
    this.filter = '';
    this.collapsed = new Set(); // collapsed section groups
    this.errors = []; // the collectors' errors, from status messages
    this.draws = 0; // setData calls, for tests
    this.frames = 0; // animation frames drawn, for tests
    this.drawMs = 0; // time those frames took (ms), for benchmarks
    this.theme = {};
    this.readTheme();
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

  // shown is the number of charts the filter lets through.
  get shown() {
    let n = 0;
    for (const c of this.charts.values()) if (c.match) n++;
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
  // summaries are rebuilt, and the windows offered follow the history's
  // length.
  applySchema() {
    const specs = chartSpecs(this.store.series);
    const stats = statSpecs(this.store.series);
    const order = sections([...specs, ...stats]);
    const headings = new Map(order);
    const keep = new Map();
    for (const spec of specs) {
      const old = this.charts.get(spec.key);
      if (old && old.sig === signature(spec)) {
        keep.set(spec.key, old);
      } else {
        if (old) old.destroy();
        const c = new Chart(this, spec, headings.get(spec.group));
        // A comparison the URL asked for before the chart existed.
        if (this.wantCompare.has(spec.key)) c.setCompare(this.wantCompare.get(spec.key));
        keep.set(spec.key, c);
      }
    }
    for (const [key, c] of this.charts) if (!keep.has(key)) c.destroy();
    this.charts = keep;

    // Lay out sections and cards in order, moving only what is out of place.
    this.figures = [];
    let prev = null;
    for (const [group, heading] of order) {
      let sec = this.sections.get(group);
      if (!sec) {
        sec = makeSection(this.doc, group, heading, () => this.setCollapsed(group, !this.collapsed.has(group)));
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
    this.windows = windowsForTiers(this.store.tiers, this.store.window);
    this.window = pickWindow(this.windows, this.wantWindow, this.store.window);
    this.#applyFilter();
    this.#applyCollapsed();
    this.setErrors(this.errors);
    this.onLayout();
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

  // setWindow shows the last w seconds (one of windows, or the closest),
  // live.
  setWindow(w) {
    this.wantWindow = w;
    const next = pickWindow(this.windows, w, this.store.window);
    const changed = next !== this.window || this.paused != null;
    this.window = next;
    this.paused = null;
    if (changed) this.#rescale();
  }

  // pause stops following live data and shows [min, max] (seconds) on
  // every chart.
  pause(min, max) {
    if (!(max > min)) return;
    this.paused = { min, max };
    this.#rescale();
  }

  // pauseNow stops following live data on the range shown now.
  pauseNow() {
    const r = this.range();
    if (r) this.pause(r.min, r.max);
  }

  // resume goes back to the live sliding window.
  resume() {
    if (!this.paused) return;
    this.paused = null;
    this.#rescale();
  }

  // bounds is the time span of the data held, widened to the range shown
  // (a young page's window reaches back before its first row), or null.
  bounds() {
    const max = this.store.lastX;
    if (max == null) return null;
    const r = this.paused;
    // The older rows of a long window (range.js) count as held.
    const first = Math.min(this.store.firstX, this.store.range?.xs[0] ?? Infinity);
    return r ? { min: Math.min(first, r.min), max: Math.max(max, r.max) } : { min: first, max };
  }

  // zoomOut shows twice the paused range, back to live once that covers
  // the window.
  zoomOut() {
    const b = this.bounds();
    if (!this.paused || !b) return;
    const r = zoomOut(this.paused, b, this.window);
    if (r) this.pause(r.min, r.max);
    else this.resume();
  }

  // pan moves the paused range by frac of its width (negative: back).
  pan(frac) {
    const b = this.bounds();
    if (!this.paused || !b) return;
    const r = pan(this.paused, frac, b);
    if (r.min !== this.paused.min) this.pause(r.min, r.max);
  }

  // range is the x range to show: the paused one, or the live window
  // ending at the newest tick (see liveWindow).
  range() {
    if (this.paused) return this.paused;
    const max = this.store.lastX;
    if (max == null) return null;
    return { min: max - liveWindow(max - this.store.firstX, this.window || this.store.window, this.store.window), max };
  }

  // setFilter shows only the charts whose text has every word of q (see
  // filter.js), and the sections that have one.
  setFilter(q) {
    q = String(q ?? '');
    if (q === this.filter) return;
    this.filter = q;
    this.words = terms(q);
    this.#applyFilter();
    this.onView();
  }

  // setCollapsed collapses (or opens) a section: its charts are not
  // displayed, and so not drawn.
  setCollapsed(group, on) {
    if (on === this.collapsed.has(group)) return;
    if (on) this.collapsed.add(group);
    else this.collapsed.delete(group);
    this.#applyCollapsed();
    this.onView();
  }

  // setCollapsedAll sets the collapsed sections to groups.
  setCollapsedAll(groups) {
    this.collapsed = new Set(groups);
    this.#applyCollapsed();
  }

  // setErrors records the collectors' errors and shows, on each chart, the
  // one that explains why it may hold no data.
  setErrors(errors) {
    this.errors = errors;
    for (const c of this.charts.values()) c.setFailing(failingFor(c.spec, errors));
    this.onLayout();
  }

  // reveal makes a chart displayed (its section opened, the filter cleared
  // when it hides it) and scrolls to it.
  reveal(key) {
    const c = this.charts.get(key);
    if (!c) return null;
    if (this.collapsed.has(c.spec.group)) this.setCollapsed(c.spec.group, false);
    if (!c.match) this.setFilter('');
    c.card.scrollIntoView({ block: 'start' });
    return c;
  }

  // marks are the GC and restart markers over the rows held (markers.js),
  // worked out once a tick for every chart that draws them.
  marks() {
    const s = this.store;
    if (this.marksCache && this.marksAt === s.total) return this.marksCache;
    const xs = s.times();
    const step = s.interval / 1000;
    this.marksCache = {
      gc: gcMarks(xs, s.values('go_gc_cycles_total'), step),
      restarts: restartMarks(xs, s.values('process_start_time_seconds'), step),
    };
    this.marksAt = s.total;
    return this.marksCache;
  }

  // setUnavailable takes the names of the series this OS does not report:
  // a chart of only those says so rather than "No data yet".
  setUnavailable(names) {
    this.unavailable = new Set(names);
  }

  // compares is every chart compared with an earlier time: key → seconds.
  compares() {
    const out = Object.fromEntries(this.wantCompare);
    for (const [key, c] of this.charts) {
      if (c.compare > 0) out[key] = c.compare;
      else delete out[key];
    }
    return out;
  }

  // setCompares compares the charts of want (key → seconds ago) and no
  // others.
  setCompares(want) {
    this.wantCompare = new Map(Object.entries(want || {}));
    for (const [key, c] of this.charts) c.setCompare(this.wantCompare.get(key) || 0);
  }

  // themeChanged reads the theme's colours again and redraws the charts.
  themeChanged() {
    this.readTheme();
    for (const c of this.charts.values()) c.themeChanged();
  }

  // readTheme reads the colours the canvases need from the stylesheet: the
  // --ld-* properties are light-dark() pairs, which only an element's
  // computed colour resolves.
  readTheme() {
    const probe = (this.probe ||= this.doc.createElement('span'));
    if (!probe.isConnected) {
      probe.hidden = true;
      this.root.append(probe);
    }
    const cs = this.win.getComputedStyle(probe);
    const v = (name, d) => {
      probe.style.color = d;
      probe.style.color = `var(${name})`;
      return cs.color || d;
    };
    this.theme.axis = v('--ld-axis', '#6b7280');
    this.theme.grid = v('--ld-grid', 'rgba(128,128,128,0.15)');
    this.theme.card = v('--ld-card', '#ffffff');
    this.theme.fg = v('--ld-fg', '#1f2328');
    this.theme.warn = v('--ld-warn', '#9a6700');
    this.theme.name = this.doc.documentElement?.dataset.theme === 'dark' ? 'dark' : 'light';
  }

  // #rescale makes every chart set its x range again and tells the page.
  #rescale() {
    for (const c of this.charts.values()) c.shown = null;
    this.onView();
    this.invalidate();
  }

  #applyFilter() {
    const counts = new Map();
    for (const c of this.charts.values()) {
      c.match = this.words.length === 0 || matches(c.hay, this.words);
      c.card.hidden = !c.match;
      counts.set(c.spec.group, (counts.get(c.spec.group) || 0) + (c.match ? 1 : 0));
    }
    for (const [group, sec] of this.sections) {
      const n = counts.get(group) || 0;
      const all = sec.grid.childElementCount;
      sec.el.hidden = this.words.length > 0 && n === 0;
      sec.count.textContent = this.words.length > 0 ? `${n} of ${all}` : all === 1 ? '1 chart' : `${all} charts`;
    }
    // A filter that matches nothing says so, rather than a blank page.
    let shown = 0;
    for (const n of counts.values()) shown += n;
    const none = this.words.length > 0 && this.charts.size > 0 && shown === 0;
    if (none && !this.noMatch) {
      this.noMatch = this.doc.createElement('p');
      this.noMatch.className = 'empty no-match';
      this.root.append(this.noMatch);
    }
    if (this.noMatch) {
      this.noMatch.hidden = !none;
      if (none) this.noMatch.textContent = `No chart matches “${this.filter}”. Clear the filter to see every chart.`;
    }
  }

  #applyCollapsed() {
    for (const [group, sec] of this.sections) {
      const on = this.collapsed.has(group);
      sec.grid.hidden = on;
      sec.el.classList.toggle('collapsed', on);
      sec.toggle.setAttribute('aria-expanded', String(!on));
    }
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
    let more = false;
    for (const c of this.charts.values()) {
      if (c.visible || (c.near && c.early)) {
        // Charts that must rebuild from a new range (a long window's
        // thousands of buckets, range.js) are drawn a few per frame.
        if (c.view.stale && this.win.performance.now() - t0 > STALE_BUDGET_MS) {
          more = true;
          continue;
        }
        c.early = false;
        c.draw(range);
      }
    }
    this.drawMs += this.win.performance.now() - t0;
    if (more) this.invalidate();
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
}

// makeSection builds a page section: a heading line (a button that
// collapses the section, the number of charts, the summary of its stat
// series), then the grid of chart cards.
function makeSection(doc, group, heading, onToggle) {
  const el = doc.createElement('section');
  el.className = 'group';
  el.dataset.group = group;
  el.id = 'section-' + group;
  const head = doc.createElement('div');
  head.className = 'group-head';
  const h = doc.createElement('h2');
  const toggle = doc.createElement('button');
  toggle.type = 'button';
  toggle.className = 'group-toggle';
  toggle.textContent = heading;
  toggle.setAttribute('aria-expanded', 'true');
  toggle.addEventListener('click', onToggle);
  h.append(toggle);
  const count = doc.createElement('span');
  count.className = 'group-count';
  const stats = doc.createElement('dl');
  stats.className = 'stats';
  stats.hidden = true;
  head.append(h, count, stats);
  const grid = doc.createElement('div');
  grid.className = 'grid';
  grid.id = 'grid-' + group;
  toggle.setAttribute('aria-controls', grid.id);
  el.append(head, grid);
  return { el, heading, stats, grid, toggle, count };
}
