// The "What changed?" panel: for the range the page is paused on, the
// series ranked by how differently they behaved from the range before it
// (changes.js), each a button that jumps to its chart. DOM only; every
// server string is set as text. changes.js is loaded the first time the
// panel is asked for: most visits never do, so the page does not carry it.

import { formatter, clock } from './format.js';

let changesModule = null;
function loadChanges() {
  changesModule ??= import('./changes.js').catch((err) => {
    changesModule = null;
    throw err;
  });
  return changesModule;
}

export class WhatChanged {
  // els: {button, panel, title, list, close}; jump(key) shows a chart.
  constructor(charts, store, els, jump) {
    this.charts = charts;
    this.store = store;
    this.els = els;
    this.jump = jump;
    els.button.addEventListener('click', () => this.show());
    els.close.addEventListener('click', () => this.hide());
    els.list.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-chart]');
      if (b) this.jump(b.dataset.chart);
    });
  }

  // update enables the button while a range is selected (paused).
  update() {
    this.els.button.disabled = this.charts.paused == null;
    this.els.button.title = this.charts.paused
      ? 'Rank the series by how they changed from the window before'
      : 'Select a window (drag on a chart, or pause) first';
  }

  hide() {
    this.els.panel.hidden = true;
  }

  // show ranks the series for the paused range and lists the top ones.
  async show() {
    const win = this.charts.paused;
    if (!win) return;
    const doc = this.charts.doc;
    let rankChanges;
    try {
      ({ rankChanges } = await loadChanges());
    } catch (err) {
      const li = doc.createElement('li');
      li.className = 'change-none';
      li.textContent = `Could not load the ranking: ${(err && err.message) || err}`;
      this.els.title.textContent = 'What changed';
      this.els.list.replaceChildren(li);
      this.els.panel.hidden = false;
      return;
    }
    // The selection may have gone while the module loaded.
    if (this.charts.paused !== win) return;
    const series = this.store.series.filter((d) => !d.stat);
    const xs = this.store.times();
    const ranked = rankChanges(xs, series, (id) => this.store.values(id), win, 12);
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
