// The "What changed?" panel: for the range the page is paused on, the
// series ranked by how differently they behaved from the range before it
// (changes.js), each a button that jumps to its chart. DOM only; every
// server string is set as text. app.js loads this module (and so
// changes.js) on the first click of its button: most visits never ask.

import { rankChanges } from './changes.js';
import { formatter, clock } from './format.js';

export class WhatChanged {
  // els: {panel, title, list, close}; jump(key) shows a chart.
  constructor(charts, store, els, jump) {
    this.charts = charts;
    this.store = store;
    this.els = els;
    this.jump = jump;
    els.close.addEventListener('click', () => this.hide());
    els.list.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-chart]');
      if (b) this.jump(b.dataset.chart);
    });
  }

  hide() {
    this.els.panel.hidden = true;
  }

  // show ranks the series for the paused range and lists the top ones.
  show() {
    const win = this.charts.paused;
    if (!win) return;
    const series = this.store.series.filter((d) => !d.stat);
    const xs = this.store.times();
    const ranked = rankChanges(xs, series, (id) => this.store.values(id), win, 12);
    const doc = this.charts.doc;
    const w = win.max - win.min;
    this.els.title.textContent = `What changed in ${clock(win.min * 1000)} – ${clock(win.max * 1000)}, against the ${Math.round(w)} s before`;
    const items = ranked.map((r) => {
      const d = r.series;
      const fmt = formatter(d.unit, d.kind);
      const li = doc.createElement('li');
      const b = doc.createElement('button');
      b.type = 'button';
      b.className = 'change';
      b.dataset.chart = d.chart;
      const name = doc.createElement('span');
      name.className = 'change-name';
      name.textContent = d.chartTitle === d.title ? d.title : `${d.chartTitle} · ${d.title}`;
      const what = doc.createElement('span');
      what.className = 'change-what';
      what.textContent = `${fmt(r.before.mean)} → ${fmt(r.after.mean)}`;
      const sc = doc.createElement('span');
      sc.className = 'change-score';
      sc.textContent = r.z >= 100 ? '≫' : `${r.z.toFixed(1)}σ`;
      sc.title = 'How far the mean moved, in standard deviations of the window before (at least 2 % of the series’ largest value). Ranked by the size of the move among the moves beyond the noise.';
      b.append(name, what, sc);
      li.append(b);
      return li;
    });
    if (items.length === 0) {
      const li = doc.createElement('li');
      li.className = 'change-none';
      li.textContent = 'Nothing to compare: the page holds no data before this window.';
      items.push(li);
    }
    this.els.list.replaceChildren(...items);
    this.els.panel.hidden = false;
    this.els.list.querySelector('button')?.focus();
  }
}
