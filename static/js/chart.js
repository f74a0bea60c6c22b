// Chart is one card of the page: a title, the plot box (fixed size,
// observed for resizes) and the legend box uPlot's legend is mounted in.
// Its owner (Charts, charts.js) holds the store, the observers, the theme
// and the pause state; a chart draws when its owner asks.
//
// Safety: every server string (titles, labels, help) reaches the page
// through textContent, a property, or uPlot's series label (which uPlot
// sets with textContent); nothing here uses innerHTML.

import { formatter, isShare, unitLabel, axisFormatter } from './format.js';
import { legendWidths, signature } from './specs.js';
import { haystack } from './filter.js';
import { FONT, TIME_INCRS, UNIT_INCRS, yRange, shareRange, timeRange, timeLabels, axisSize } from './axes.js';
import { seriesStyle, lineWidth, alpha, blend, partAlpha } from './palette.js';
import { stackPlan, stackColumns } from './stack.js';
import { inRange, belowLabels } from './markers.js';
import { linePaths, lonePoints } from './paths.js';
import { compareOffsets, offsetLabel, shifted } from './compare.js';
import { cells, level, rowsUsed, leUnit, LEVELS, levels, columns, ticksPerColumn, rowLabels, busyCells, shareLevel } from './heatmap.js';
import { le } from './specs.js';
import { bandsPlugin } from './bands.js';

const SYNC_KEY = 'livedash';
// LABEL_H is the line height of a name written on a plot (a limit's, a
// restart's), in CSS pixels.
const LABEL_H = 13;

export class Chart {
  // owner is the Charts; spec the chart's spec (specs.js); heading its
  // section's heading, which the filter searches too.
  constructor(owner, spec, heading = '') {
    this.owner = owner;
    this.spec = spec;
    this.sig = signature(spec);
    this.hay = haystack(spec, heading); // what the filter searches
    this.match = true; // the filter lets it through
    this.view = owner.store.view(spec.series.map((s) => s.id));
    this.u = null;
    this.near = false; // within NEAR_MARGIN of the screen
    this.early = false; // came near: draw once, ahead of being on screen
    this.visible = false; // on screen
    this.shown = null; // the x range last set, to skip no-op redraws
    this.failing = null; // the collector error that explains missing data
    this.noteText = '';
    this.compare = 0; // the earlier time overlaid (seconds ago), 0 for none
    this.plan = stackPlan(spec); // drawn as stacked areas (stack.js), or null

    const doc = owner.doc;
    const card = (this.card = doc.createElement('article'));
    card.className = 'card';
    card.dataset.chart = spec.key;
    card.id = 'chart-' + spec.key;
    card.tabIndex = -1; // the table of contents moves the focus here
    if (spec.series.length > 8) card.classList.add('many');
    const head = doc.createElement('header');
    head.className = 'card-head';
    const h = (this.heading = doc.createElement('h3'));
    h.id = 'title-' + spec.key;
    h.textContent = spec.title;
    if (spec.help) h.title = spec.help;
    card.setAttribute('aria-labelledby', h.id);
    this.alert = doc.createElement('span');
    this.alert.className = 'card-alert';
    this.alert.hidden = true;
    const unit = doc.createElement('span');
    unit.className = 'card-unit';
    unit.textContent = unitLabel(spec.unit, spec.kind);
    head.append(h, this.alert, unit);
    if (spec.help) {
      // The help text, one click away.
      const btn = doc.createElement('button');
      btn.type = 'button';
      btn.className = 'card-btn help-btn';
      btn.textContent = '?';
      btn.setAttribute('aria-label', `About ${spec.title}`);
      btn.setAttribute('aria-expanded', 'false');
      this.help = doc.createElement('p');
      this.help.className = 'card-help';
      this.help.id = 'help-' + spec.key;
      this.help.hidden = true;
      this.help.textContent = spec.help;
      btn.setAttribute('aria-controls', this.help.id);
      btn.addEventListener('click', () => {
        this.help.hidden = !this.help.hidden;
        btn.setAttribute('aria-expanded', String(!this.help.hidden));
      });
      head.append(btn);
    }
    // Export buttons, over the right of the header on hover or focus;
    // export.js does the work (see app.js).
    const exports = doc.createElement('span');
    exports.className = 'exports';
    for (const [what, text, label] of [
      ['csv', 'CSV', `Download ${spec.title} as CSV`],
      ['png', 'PNG', `Download ${spec.title} as PNG`],
    ]) {
      const btn = doc.createElement('button');
      btn.type = 'button';
      btn.className = 'card-btn export-btn';
      btn.dataset.export = what;
      btn.textContent = text;
      btn.setAttribute('aria-label', label);
      exports.append(btn);
    }
    // Compare: the same window from an earlier time, overlaid dashed; the
    // choices are those the history reaches, read when the list opens.
    const cmp = (this.compareSel = doc.createElement('select'));
    cmp.className = 'card-btn compare-sel';
    cmp.setAttribute('aria-label', `Compare ${spec.title} with an earlier time`);
    cmp.title = 'Overlay the same window from an earlier time';
    this.#compareOptions();
    cmp.addEventListener('focus', () => this.#compareOptions());
    cmp.addEventListener('pointerdown', () => this.#compareOptions());
    cmp.addEventListener('change', () => this.setCompare(Number(cmp.value) || 0));
    if (!spec.heatmap) exports.prepend(cmp);
    head.append(exports);
    this.head = head;
    this.plot = doc.createElement('div');
    this.plot.className = 'plot';
    // Why the chart is empty, when it is (see #updateNote).
    this.note = doc.createElement('p');
    this.note.className = 'plot-note';
    this.note.hidden = true;
    this.plot.append(this.note);
    this.legend = doc.createElement('div');
    this.legend.className = 'legend';
    // Legend cells sized to the widest title and value, through the CSSOM
    // (a strict style-src allows it, unlike style attributes).
    // A heatmap's one entry names the bucket under the cursor and its rate.
    const widths = spec.heatmap ? { label: 8, value: 24 } : legendWidths(spec.series);
    this.legend.style.setProperty('--ld-label', `${widths.label}ch`);
    this.legend.style.setProperty('--ld-value', `${widths.value}ch`);
    card.append(head);
    if (this.help) card.append(this.help);
    card.append(this.plot, this.legend);
    owner.byElement.set(this.plot, this);
    owner.byElement.set(card, this);
    this.observed = false;
  }

  // setFailing shows (or clears) the error of the collector that feeds this
  // chart, as a badge by the title and in the empty state.
  setFailing(err) {
    this.failing = err;
    this.alert.hidden = !err;
    if (err) {
      this.alert.textContent = 'failing';
      this.alert.title = `${err.collector}: ${err.error}`;
    }
    this.#updateNote();
  }

  // themeChanged redraws the canvas (axes and grid read the theme's
  // colours as they draw): at once on screen; off screen at its next
  // draw (a reset x range makes that draw set the scale, which redraws).
  themeChanged() {
    if (!this.u) return;
    if (this.visible) this.u.redraw(false);
    else this.shown = null;
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
    // A window longer than the ring (hours) moves less than a pixel a tick:
    // it is drawn again once it moved one, or its range changed.
    const sh = this.shown;
    const w = range.max - range.min;
    if (!first && sh && !this.view.stale && w > this.owner.store.window &&
        range.min - sh.min < w / u.bbox.width && Math.abs(w - (sh.max - sh.min)) < w * 1e-9) {
      // The view's arrays are uPlot's: an append shows in the legend.
      if (!this.view.sync() || u.data === this.view.data) {
        if (!(u.cursor.left >= 0)) this.#showNewest();
        return;
      }
    }
    u.batch(() => {
      // While paused, a chart that already has data keeps it untouched
      // (uPlot holds the view's arrays); it catches up on resume.
      if (first || !paused || this.view.stale) {
        if (this.view.sync() || first) {
          u.setData(this.#data(), false);
          this.owner.draws++;
          this.shown = null;
        }
      }
      if (!this.shown || this.shown.min !== range.min || this.shown.max !== range.max) {
        u.setScale('x', { min: range.min, max: range.max });
        this.shown = range;
        this.#updateNote();
      }
      // With the cursor off this chart, the legend shows the newest values.
      if (!(u.cursor.left >= 0)) this.#showNewest();
    });
  }

  // setCompare overlays the same window from offset seconds earlier (0:
  // none). The series change, so the plot is built again at its next draw.
  setCompare(offset) {
    offset = offset > 0 ? offset : 0;
    if (offset === this.compare) return;
    this.compare = offset;
    if (offset > 0) this.owner.wantCompare?.set(this.spec.key, offset);
    else this.owner.wantCompare?.delete(this.spec.key);
    this.card.classList.toggle('comparing', offset > 0);
    this.#compareOptions();
    if (this.u) {
      this.u.destroy();
      this.u = null;
    }
    this.shown = null;
    this.early = true;
    this.owner.invalidate();
    // The URL keeps it (not while the charts are being made).
    if (this.owner.charts?.get(this.spec.key) === this) this.owner.onView?.();
  }

  // #compareOptions lists the earlier times the history reaches for the
  // window shown, keeping the one chosen.
  #compareOptions() {
    const sel = this.compareSel;
    const o = this.owner;
    const r = o.range?.();
    const span = o.store.length > 1 ? o.store.lastX - o.store.firstX : 0;
    const offs = r ? compareOffsets(span, r.max - r.min) : [];
    if (this.compare && !offs.includes(this.compare)) offs.push(this.compare);
    const want = ['', ...offs.map(String)];
    const have = [...sel.options].map((x) => x.value);
    if (want.join() !== have.join()) {
      const doc = o.doc;
      sel.replaceChildren(
        ...want.map((v) => {
          const opt = doc.createElement('option');
          opt.value = v;
          opt.textContent = v === '' ? 'Compare…' : `vs ${offsetLabel(Number(v))}`;
          return opt;
        }),
      );
    }
    sel.value = this.compare ? String(this.compare) : '';
  }

  // #data is what the plot shows: the view's columns and, when comparing,
  // each series as it was compare seconds earlier, lined up with the view's
  // times.
  // A stacked chart's plot gets each part summed with those under it (in
  // arrays reused from tick to tick); the legend still reads the view.
  #data() {
    const d = this.view.data;
    const plan = this.plan;
    const compare = this.compare && !this.spec.heatmap;
    if (!plan && !compare) return d;
    const show = plan ? this.#shown() : null;
    const out = [d[0], ...(plan ? stackColumns(d.slice(1), plan, show, (this.stackBuf ||= [])) : d.slice(1))];
    if (compare) {
      const s = this.owner.store;
      const xs = s.times();
      const tol = s.interval / 2000;
      const was = (this.was = this.spec.series.map((sd) => shifted(d[0], xs, s.values(sd.id) || [], this.compare, tol)));
      out.push(...(plan ? stackColumns(was, plan, show) : was));
    }
    return out;
  }

  // #shown is, for each entry of the stack plan's order, whether its
  // series is shown (before the plot exists: unless it starts hidden).
  #shown() {
    const { order, hidden } = this.plan;
    return order.map((k, j) => (this.u ? this.u.series[j + 1].show : !hidden.includes(k)));
  }

  // #updateNote says why the chart is blank, when it is: no data yet, the
  // collector that feeds it failing (with its error), or nothing in the
  // window shown. It looks for a value from the newest end of the range,
  // so a chart with data stops at its first row.
  #updateNote() {
    let text = '';
    const r = this.shown;
    if (!this.#hasData(r)) {
      if (this.#unavailable()) text = 'Not available on this OS';
      else if (this.failing) text = `No data: ${this.failing.collector} is failing: ${this.failing.error}`;
      else if (this.owner.store.length < 2) text = 'No data yet';
      else text = 'No data in this window';
    }
    if (text === this.noteText) return;
    this.noteText = text;
    this.note.textContent = text;
    this.note.hidden = text === '';
  }

  // #unavailable: every series of the chart is one this OS does not
  // report (the collectors list them; the page header shows the list).
  #unavailable() {
    const na = this.owner.unavailable;
    return !!na && na.size > 0 && this.spec.series.every((d) => na.has(d.name));
  }

  #hasData(r) {
    const d = this.view.data;
    const xs = d[0];
    if (!r || xs.length === 0) return false;
    for (let i = xs.length - 1; i >= 0 && xs[i] >= r.min; i--) {
      if (xs[i] > r.max) continue;
      for (let k = 1; k < d.length; k++) if (d[k][i] != null) return true;
    }
    return false;
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
    this.u = new this.owner.uPlot(this.#options(w, h), this.#data(), this.plot);
    this.cells = null; // the legend's value cells, found on first use
    this.#legendKeys();
    return true;
  }

  // #legendKeys makes each legend entry a toggle a keyboard reaches: uPlot
  // shows or hides a series when its entry is clicked (Ctrl+click: only
  // it); Enter and Space do the same here, and aria-pressed says whether
  // the series is shown.
  #legendKeys() {
    const rows = [...this.legend.querySelectorAll('tr.u-series')];
    // A stack's entries read bottom part first, as a stack is read,
    // though the plot draws (and uPlot lists) the top first.
    // The compared series (after the plan's, in the same order) likewise.
    if (this.plan) {
      const { parts, order } = this.plan;
      rows.forEach((row, i) => {
        if (i === 0) return;
        const j = (i - 1) % order.length;
        const base = i - 1 < order.length ? 0 : order.length;
        row.style.order = String(base + (j < parts ? parts - j : j + 1));
      });
    }
    this.toggles = rows.map((row, i) => {
      const th = row.querySelector('th');
      if (i === 0 || !th) return null;
      th.tabIndex = 0;
      th.setAttribute('role', 'button');
      th.setAttribute('aria-pressed', 'true');
      th.setAttribute('aria-label', `Show ${this.u.series[i].label}`);
      th.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        th.dispatchEvent(new MouseEvent('click', { bubbles: true, ctrlKey: e.ctrlKey, metaKey: e.metaKey }));
      });
      return th;
    });
  }

  // #onSetSeries keeps the legend toggles' aria-pressed in step with the
  // series shown.
  #onSetSeries(u) {
    // A part shown or hidden moves the parts above it.
    if (this.plan && this.u === u) {
      u.setData(this.#data(), false);
      u.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
    }
    if (!this.toggles) return;
    for (let i = 1; i < u.series.length; i++) this.toggles[i]?.setAttribute('aria-pressed', String(u.series[i].show));
  }

  #options(width, height) {
    return this.spec.heatmap ? this.#heatOptions(width, height) : this.#lineOptions(width, height);
  }

  // #heatOptions: one column per tick, one row per bucket (see heatmap.js);
  // the rows shown are those the data in the window uses. The cursor's
  // legend names the bucket's bounds, and how many values per second fell
  // in it.
  #heatOptions(width, height) {
    const { spec, owner } = this;
    const theme = owner.theme;
    const unit = leUnit(spec.series[0]?.name);
    const fmtLe = unit ? formatter(unit, 'gauge') : (v) => String(v);
    const bounds = spec.series.map(le);
    // Per-core CPU (spec.heatmap "cores", specs.js coreHeatmap): a row a
    // core, its busy share on a linear scale; otherwise a histogram's
    // buckets, values per second on a log scale.
    const cores = spec.heatmap === 'cores';
    const cellsOf = cores ? busyCells : cells;
    const pct = formatter('ratio', 'gauge');
    const label = (k) => {
      if (cores) return `cpu ${spec.series[k]?.labels?.cpu ?? k}`;
      const hi = bounds[k];
      const lo = k > 0 ? bounds[k - 1] : 0;
      return hi === Infinity ? `> ${fmtLe(lo)}` : `≤ ${fmtLe(hi)}`;
    };
    const cols = (u) => u.data.slice(1, 1 + spec.series.length);
    let rows = null; // [lo, hi] of the rows drawn
    const axisCommon = {
      font: FONT,
      stroke: () => theme.axis,
      grid: { stroke: () => theme.grid, width: 1 },
      ticks: { stroke: () => theme.grid, width: 1, size: 4 },
      gap: 4,
    };
    // The columns drawn last (heatmap.js columns): the legend reads the
    // one under the cursor.
    let drawn = [];
    const draw = (u) => {
      drawn = [];
      const idx = u.series[0].idxs;
      const xs = u.data[0];
      if (!idx || idx[0] == null || !rows) return;
      const c = cols(u);
      const ctx = u.ctx;
      const { left, top, width: w, height: h } = u.bbox;
      const dpr = owner.win.devicePixelRatio || 1;
      const step = owner.store.interval / 1000;
      const span = u.scales.x.max - u.scales.x.min;
      const n = ticksPerColumn(span > 0 ? ((w / dpr) * step) / span : 0);
      drawn = columns(c, xs, Math.max(0, idx[0]), idx[1], step, n, cellsOf);
      let max = 0;
      for (const col of drawn) for (const v of col.cells) if (v > max) max = v;
      const pal = levels(theme.name);
      const levelOf = cores ? (v) => shareLevel(v, pal.length) : (v) => level(v, max);
      // Edges rounded to whole device pixels, so that neighbouring cells
      // meet without a seam or an overlap.
      const ys = [];
      for (let k = rows[0]; k <= rows[1] + 1; k++) ys.push(Math.round(u.valToPos(k, 'y', true)));
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, w, h);
      ctx.clip();
      for (const col of drawn) {
        const x0 = Math.round(u.valToPos(col.x0, 'x', true));
        const x1 = Math.max(x0 + 1, Math.round(u.valToPos(col.x1, 'x', true)));
        for (let k = rows[0]; k <= rows[1]; k++) {
          const l = levelOf(col.cells[k]);
          if (l < 0) continue;
          const y1 = ys[k - rows[0]];
          const y0 = ys[k - rows[0] + 1];
          ctx.fillStyle = pal[l];
          ctx.fillRect(x0, y0, x1 - x0, Math.max(1, y1 - y0));
        }
      }
      ctx.restore();
    };
    // at is the column under x (seconds), or null.
    const at = (x) => {
      for (const col of drawn) if (x > col.x0 && x <= col.x1) return col;
      return null;
    };
    const series = [{ label: 'time', value: () => '' }];
    // One legend entry: the bucket under the cursor.
    series.push({
      label: cores ? 'busy' : 'values/s',
      stroke: LEVELS[3],
      paths: () => null,
      points: { show: false },
      scale: 'y',
      value: (u, v, sIdx, idx) => {
        const { left, top } = u.cursor;
        if (idx == null || !(top >= 0) || !rows) return '—';
        const k = Math.floor(u.posToVal(top, 'y'));
        if (k < rows[0] || k > rows[1]) return '—';
        const col = at(u.posToVal(left, 'x'));
        const cell = col ? col.cells[k] : cellsOf(cols(u), idx)[k];
        if (cores) return `${label(k)}: ${cell == null ? '—' : pct(cell)} busy`;
        return `${label(k)}: ${cell == null ? '—' : count(cell)}/s`;
      },
    });
    const count = formatter('count', 'gauge');
    return {
      width,
      height,
      pxAlign: 0,
      series,
      legend: { show: true, live: true, mount: (u, el) => this.legend.appendChild(el) },
      cursor: {
        sync: { key: SYNC_KEY, scales: ['x', null], setSeries: false },
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
        bind: {
          dblclick: () => () => {
            owner.resume();
            return null;
          },
        },
      },
      scales: {
        x: { time: true },
        y: {
          range: (u) => {
            const idx = u.series[0].idxs;
            const c = cols(u);
            if (cores) rows = c.length ? [0, c.length - 1] : null;
            else rows = idx && idx[0] != null && c.length ? rowsUsed(c, Math.max(0, idx[0]), idx[1]) : null;
            return rows ? [rows[0], rows[1] + 1] : [0, 1];
          },
        },
      },
      axes: [
        {
          ...axisCommon,
          space: (u, i, min, max, dim) => ((max - min) * 56 < 60 * dim ? 72 : 56),
          size: 26,
          incrs: TIME_INCRS,
          values: (u, splits) => timeLabels(splits),
        },
        {
          ...axisCommon,
          // A row's label at its middle: its upper bound (the +Inf row:
          // above the bound below it); as many rows labelled as fit.
          grid: { show: false },
          size: 64,
          splits: (u, ai, min, max) => {
            const dpr = owner.win.devicePixelRatio || 1;
            return rowLabels(Math.round(min), Math.round(max), u.bbox.height / dpr / Math.max(1, max - min));
          },
          values: (u, splits) =>
            splits.map((s) => {
              const k = Math.floor(s);
              if (k < 0 || k >= bounds.length) return '';
              if (cores) return label(k);
              return bounds[k] === Infinity ? `> ${fmtLe(k > 0 ? bounds[k - 1] : 0)}` : fmtLe(bounds[k]);
            }),
        },
      ],
      hooks: {
        draw: [draw, (u) => this.#drawMarks(u)],
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width > 2) owner.pause(u.posToVal(sel.left, 'x'), u.posToVal(sel.left + sel.width, 'x'));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
      },
    };
  }

  // #drawMarks marks, along the bottom of the Go runtime's charts, each
  // tick in which a GC cycle ended (a short tick in the axis colour), and
  // on every chart each restart of the process (a dashed line, named).
  #drawMarks(u) {
    const m = this.owner.marks?.();
    if (!m) return;
    const gc = this.spec.group === 'go' ? m.gc : [];
    if (gc.length === 0 && m.restarts.length === 0) return;
    const { min, max } = u.scales.x;
    const ctx = u.ctx;
    const { left, top, width: w, height: h } = u.bbox;
    const dpr = this.owner.win.devicePixelRatio || 1;
    const theme = this.owner.theme;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, w, h);
    ctx.clip();
    ctx.fillStyle = theme.axis;
    for (const x of inRange(gc, min, max)) {
      const px = Math.round(u.valToPos(x, 'x', true));
      ctx.fillRect(px - dpr, top + h - 5 * dpr, 2 * dpr, 5 * dpr);
    }
    const restarts = inRange(m.restarts, min, max);
    if (restarts.length) {
      ctx.strokeStyle = theme.warn;
      ctx.fillStyle = theme.warn;
      ctx.lineWidth = dpr;
      ctx.setLineDash([3 * dpr, 3 * dpr]);
      ctx.font = FONT.replace(/^(\d+)px/, (all, n) => `${Math.round(n * dpr)}px`);
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      let named = -Infinity; // where the last name ends
      for (const x of restarts) {
        const px = Math.round(u.valToPos(x, 'x', true)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, top + h);
        ctx.stroke();
        // Named to the right of the line, or to its left near the edge;
        // not named where the name would run into the one before.
        const tw = ctx.measureText('restart').width;
        const right = px + 3 * dpr + tw <= left + w;
        const x0 = right ? px + 3 * dpr : px - 3 * dpr - tw;
        if (x0 < named) continue;
        named = x0 + tw + 3 * dpr;
        ctx.textAlign = 'left';
        // On the card's colour, so that it reads over a filled area.
        const y0 = belowLabels(this.limitLabels, x0, x0 + tw, top + 2 * dpr, LABEL_H * dpr);
        ctx.fillStyle = theme.card;
        ctx.globalAlpha = 0.85;
        ctx.fillRect(x0 - 2 * dpr, y0 - dpr, tw + 4 * dpr, LABEL_H * dpr);
        ctx.globalAlpha = 1;
        ctx.fillStyle = theme.warn;
        ctx.fillText('restart', x0, y0);
      }
    }
    ctx.restore();
  }

  // #drawLimits draws each of the chart's limits (a series with limitOf)
  // as a dashed line with its name and value, at its newest value; a limit
  // above the plot is named at its top edge with an arrow.
  #drawLimits(u) {
    const { spec, owner } = this;
    // Where the names were written (device pixels), for #drawMarks to
    // keep the restarts' names off them.
    const labels = (this.limitLabels = []);
    if (!spec.limits?.length) return;
    const ctx = u.ctx;
    const { left, top, width: w, height: h } = u.bbox;
    const dpr = owner.win.devicePixelRatio || 1;
    ctx.save();
    ctx.font = FONT.replace(/^(\d+)px/, (m, n) => `${Math.round(n * dpr)}px`);
    ctx.fillStyle = owner.theme.fg;
    ctx.strokeStyle = owner.theme.fg;
    ctx.globalAlpha = 0.75;
    ctx.lineWidth = dpr;
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.textAlign = 'right';
    let above = 0;
    const right = left + w - 4 * dpr;
    for (const d of spec.limits) {
      const v = owner.store.latest(d.id);
      if (!Number.isFinite(v)) continue;
      const text = `${d.title} ${formatter(d.unit, d.kind)(v)}`;
      const y = u.valToPos(v, 'y', true);
      if (y < top) {
        const t = `↑ ${text}`;
        const y0 = top + 2 * dpr + above;
        ctx.textBaseline = 'top';
        ctx.fillText(t, right, y0);
        labels.push({ x0: right - ctx.measureText(t).width, x1: right, y0, y1: y0 + LABEL_H * dpr });
        above += LABEL_H * dpr;
        continue;
      }
      if (y > top + h) continue;
      ctx.beginPath();
      ctx.moveTo(left, Math.round(y) + 0.5);
      ctx.lineTo(left + w, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.textBaseline = 'bottom';
      ctx.fillText(text, right, y - 2 * dpr);
      labels.push({ x0: right - ctx.measureText(text).width, x1: right, y0: y - 2 * dpr - LABEL_H * dpr, y1: y - 2 * dpr });
    }
    ctx.restore();
  }

  // #limitTop is the largest limit close enough above the data (within
  // half again its top) to be worth raising the y range for.
  #limitTop(max) {
    let top = max;
    for (const d of this.spec.limits || []) {
      const v = this.owner.store.latest(d.id);
      if (Number.isFinite(v) && v > top && v <= 1.5 * max) top = v;
    }
    return top;
  }

  #lineOptions(width, height) {
    const { spec, owner } = this;
    const theme = owner.theme;
    const ratio = spec.unit === 'ratio';
    const times = spec.unit === 'timestamp';
    const share = isShare(spec.unit, spec.kind);
    const yRangeOf = times ? timeRange : share ? shareRange : yRange;
    const fmtAxis = times ? null : axisFormatter(spec.unit, spec.kind);
    const single = spec.series.length === 1;
    const line = lineWidth(owner.win.devicePixelRatio || 1);

    const plan = this.plan;
    const order = plan ? plan.order : spec.series.map((d, k) => k);
    const series = [{ label: 'time', value: () => '' }];
    order.forEach((k, j) => {
      const d = spec.series[k];
      const { colour, dash } = seriesStyle(k);
      const fmt = formatter(d.unit, d.kind);
      const part = plan && j < plan.parts;
      series.push({
        label: d.title,
        stroke: colour,
        width: line,
        dash: part ? undefined : dash,
        // A part of a stack: filled down to zero, opaque (it hides the
        // parts under it, drawn after it), in its colour over the card
        // (deeper for a colour the palette repeats).
        fill: part ? () => blend(colour, theme.card, partAlpha(k, theme.name === 'dark')) : single ? alpha(colour, 0.12) : undefined,
        show: !(plan && plan.hidden.includes(k)),
        spanGaps: false,
        // Fewer vertices than uPlot's own builder, the same picture; its
        // pxAlign lets the plot's clip fall on whole pixels (see linePaths).
        // owner.paths is uPlot's own linear builder in a page opened with
        // #paths=linear, for the browser benchmark's A/B.
        paths: owner.paths || linePaths,
        pxAlign: 1,
        // Lines only; a lone value between gaps (which a line cannot
        // show) is drawn as a dot.
        points: { show: false, size: 5, filter: lonePoints },
        // Cursor on the chart: the value under it; off: the newest. The
        // series' own value (the view's), not its top in a stack.
        value: (u, v, sIdx, idx) => {
          const col = plan ? this.view.data[k + 1] : u.data[sIdx];
          if (idx == null) v = col && col.length ? col[col.length - 1] : null;
          else if (plan) v = col ? col[idx] : null;
          return fmt(v);
        },
      });
    });

    // Compared: each series again as it was compare seconds ago, dashed and
    // fainter, in its colour.
    if (this.compare) {
      const ago = offsetLabel(this.compare);
      order.forEach((k) => {
        const d = spec.series[k];
        const { colour } = seriesStyle(k);
        const fmt = formatter(d.unit, d.kind);
        series.push({
          label: `${d.title} ${ago}`,
          show: !(plan && plan.hidden.includes(k)),
          stroke: alpha(colour, 0.7),
          width: line,
          dash: [4, 3],
          spanGaps: false,
          paths: owner.paths || linePaths,
          pxAlign: 1,
          points: { show: false, size: 5, filter: lonePoints },
          // The series' own earlier value, not its top in a stack.
          value: (u, v, sIdx, idx) => {
            const col = plan ? this.was?.[k] : u.data[sIdx];
            if (idx == null) v = col && col.length ? col[col.length - 1] : null;
            else if (plan) v = col ? col[idx] : null;
            return fmt(v);
          },
        });
      });
    }

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
      // A long window's min–max bands under the lines (bands.js); none
      // on a heatmap.
      plugins: spec.heatmap ? [] : [bandsPlugin(this.view, spec.series.map((d, k) => seriesStyle(k).colour))],
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
          : { range: (u, min, max) => yRangeOf(min, max > 0 ? this.#limitTop(max) : max) },
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
        draw: [(u) => this.#drawLimits(u), (u) => this.#drawMarks(u)],
        setSeries: [(u) => this.#onSetSeries(u)],
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
