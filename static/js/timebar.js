// The time controls: the window picker (only windows the history can
// fill, see timewindow.js), pause / live, zoom out, and the keys: ← and →
// pan a paused range, − zooms out, Esc goes back to live. Drag-zoom on any
// chart is chart.js's; it pauses every chart on the selection. DOM only.

import { windowLabel } from './timewindow.js';
import { clock } from './format.js';
import { typing } from './find.js';

export class Timebar {
  // els: {windows, live, zoomOut, paused, pausedText, resume}.
  constructor(charts, els) {
    this.charts = charts;
    this.els = els;
    this.offered = '';
    els.live.addEventListener('click', () => (charts.paused ? charts.resume() : charts.pauseNow()));
    els.zoomOut.addEventListener('click', () => charts.zoomOut());
    els.resume.addEventListener('click', () => charts.resume());
    els.windows.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-window]');
      if (b) charts.setWindow(Number(b.dataset.window));
    });
    charts.doc.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (e.key === 'Escape' && charts.paused) charts.resume();
      else if (e.key === '-' && charts.paused) charts.zoomOut();
      else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && charts.paused) {
        // Not when a control that arrows move within has the focus.
        if (e.target?.closest?.('[role="group"]')) return;
        e.preventDefault();
        charts.pan((e.key === 'ArrowLeft' ? -1 : 1) * (e.shiftKey ? 0.5 : 0.25));
      } else return;
    });
  }

  // update shows the view: the windows offered (rebuilt when they change),
  // the one shown, live or paused.
  update() {
    const c = this.charts;
    const doc = c.doc;
    const key = c.windows.join(',');
    if (key !== this.offered) {
      this.offered = key;
      this.els.windows.replaceChildren(
        ...c.windows.map((w) => {
          const b = doc.createElement('button');
          b.type = 'button';
          b.className = 'btn';
          b.dataset.window = String(w);
          b.textContent = windowLabel(w);
          b.setAttribute('aria-label', `Last ${windowLabel(w)}`);
          return b;
        }),
      );
    }
    for (const b of this.els.windows.children) {
      b.setAttribute('aria-pressed', String(!c.paused && Number(b.dataset.window) === c.window));
    }
    const paused = c.paused != null;
    this.els.live.textContent = paused ? 'Live' : 'Pause';
    this.els.live.title = paused ? 'Back to the live window (Esc)' : 'Stop following live data';
    this.els.zoomOut.disabled = !paused;
    this.els.paused.hidden = !paused;
    if (paused) this.els.pausedText.textContent = `Paused on ${clock(c.paused.min * 1000)} – ${clock(c.paused.max * 1000)}`;
  }
}
