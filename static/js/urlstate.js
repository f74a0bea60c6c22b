// The view kept in the URL's fragment, so that a link shows the same view:
// the window (w=5m), the filter (q=eth0), the collapsed sections
// (c=host,go), the theme (t=dark), a paused range (p=<from>-<to>, unix
// seconds) and the charts compared with an earlier time
// (k=host_cpu:3600,go_memory:300: chart key, then seconds ago after the
// last colon). Pure. The fragment never reaches the server.

import { parseWindow, formatWindow } from './timewindow.js';

const THEMES = new Set(['light', 'dark']);

// parseState reads a fragment ("#w=5m&q=eth0", with or without "#").
// Unknown or malformed fields are left out.
export function parseState(hash) {
  const p = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  const st = {};
  const w = parseWindow(p.get('w'));
  if (w > 0) st.window = w;
  const q = p.get('q');
  if (q) st.filter = q;
  const c = (p.get('c') || '').split(',').filter((g) => g !== '');
  if (c.length) st.collapsed = c;
  const t = p.get('t');
  if (THEMES.has(t)) st.theme = t;
  const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(p.get('p') || '');
  if (m && Number(m[2]) > Number(m[1])) st.paused = { min: Number(m[1]), max: Number(m[2]) };
  const k = {};
  for (const e of (p.get('k') || '').split(',')) {
    const at = e.lastIndexOf(':');
    const off = Number(e.slice(at + 1));
    if (at > 0 && /^\d+(\.\d+)?$/.test(e.slice(at + 1)) && off > 0) k[e.slice(0, at)] = off;
  }
  if (Object.keys(k).length) st.compare = k;
  return st;
}

// formatState writes a fragment (with its "#", or "" when there is nothing
// to keep). Fields left at their defaults are left out.
export function formatState(st) {
  const p = new URLSearchParams();
  if (st.window > 0) p.set('w', formatWindow(st.window));
  if (st.filter) p.set('q', st.filter);
  if (st.collapsed && st.collapsed.length) p.set('c', st.collapsed.join(','));
  if (THEMES.has(st.theme)) p.set('t', st.theme);
  if (st.paused) p.set('p', `${Math.floor(st.paused.min)}-${Math.ceil(st.paused.max)}`);
  const k = Object.entries(st.compare || {}).filter(([key, off]) => key && off > 0);
  if (k.length) p.set('k', k.map(([key, off]) => `${key}:${+off.toFixed(3)}`).join(','));
  const s = p.toString();
  return s ? '#' + s : '';
}
