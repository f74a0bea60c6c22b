// Finding a chart: the filter box (focused with "/") with the count of
// charts it lets through, and the table of contents (section → chart
// titles, with a badge where a collector is failing) that jumps to a
// chart. DOM only; what a query matches is filter.js. Every server string
// is set as text.

import { countText } from './filter.js';

// Find wires the filter box and the table of contents to charts.
export class Find {
  // els: {filter: <input>, count, toc: <details>, nav, alert}.
  constructor(charts, els) {
    this.charts = charts;
    this.els = els;
    const doc = (this.doc = charts.doc);
    els.filter.addEventListener('input', () => this.charts.setFilter(els.filter.value));
    els.filter.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && els.filter.value !== '') {
        e.stopPropagation();
        els.filter.value = '';
        this.charts.setFilter('');
      }
    });
    doc.addEventListener('keydown', (e) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      e.preventDefault();
      els.filter.focus();
      els.filter.select();
    });
    els.nav.addEventListener('click', (e) => {
      const a = e.target.closest('a[data-chart]');
      if (!a) return;
      e.preventDefault();
      this.jump(a.dataset.chart);
    });
  }

  // showFilter puts the charts' filter into the box (from the URL) and
  // updates the count.
  update() {
    const c = this.charts;
    if (this.els.filter.value !== c.filter && this.doc.activeElement !== this.els.filter) this.els.filter.value = c.filter;
    this.els.count.textContent = c.size ? countText(c.shown, c.size, c.words.length > 0) : '';
    this.els.filter.classList.toggle('nomatch', c.words.length > 0 && c.shown === 0);
  }

  // jump shows a chart (opening its section, clearing a filter that hides
  // it), moves the focus to it and closes the table of contents.
  jump(key) {
    const c = this.charts.reveal(key);
    if (!c) return;
    this.els.toc.open = false;
    c.card.focus({ preventScroll: true });
    c.card.classList.remove('flash');
    void c.card.offsetWidth; // restart the animation
    c.card.classList.add('flash');
  }

  // layout rebuilds the table of contents: one list per section, an entry
  // per chart, a badge on the entries and sections whose collector fails.
  layout() {
    const doc = this.doc;
    const lists = [];
    let failing = 0;
    for (const [group, sec] of this.charts.sections) {
      const charts = [...this.charts.charts.values()].filter((c) => c.spec.group === group);
      if (charts.length === 0) continue;
      const block = doc.createElement('div');
      block.className = 'toc-group';
      const h = doc.createElement('h3');
      h.textContent = sec.heading;
      const bad = charts.filter((c) => c.failing).length;
      if (bad > 0) h.append(badge(doc, `${bad} failing`));
      failing += bad;
      const ul = doc.createElement('ul');
      for (const c of charts) {
        const li = doc.createElement('li');
        const a = doc.createElement('a');
        a.href = '#' + c.card.id;
        a.dataset.chart = c.spec.key;
        a.textContent = c.spec.title;
        li.append(a);
        if (c.failing) {
          const b = badge(doc, 'failing');
          b.title = `${c.failing.collector}: ${c.failing.error}`;
          li.append(b);
        }
        ul.append(li);
      }
      block.append(h, ul);
      lists.push(block);
    }
    this.els.nav.replaceChildren(...lists);
    this.els.alert.hidden = failing === 0;
    this.els.alert.textContent = failing > 0 ? `${failing} failing` : '';
    this.update();
  }
}

function badge(doc, text) {
  const b = doc.createElement('span');
  b.className = 'badge';
  b.textContent = text;
  return b;
}

// typing reports whether key presses on el are text being typed.
export function typing(el) {
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}
