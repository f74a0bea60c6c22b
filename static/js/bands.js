// Bands: behind each line, the span from min to max of the coarse buckets a
// long window shows (range.js), so that a one-second spike still shows at
// 48 hours, where the line is the buckets' mean. Drawn by a uPlot plugin
// under the series (the drawAxes hook runs after the axes, before the
// series). bandColumns is pure and tested; the plugin only paints.

import { alpha } from './palette.js';

// BAND_ALPHA is the band's opacity; the edges are drawn at EDGE_ALPHA so a
// spike one pixel wide stays visible.
export const BAND_ALPHA = 0.22;
export const EDGE_ALPHA = 0.55;

// bandColumns reduces the rows 0..n-1 of a band (xs, lo, hi: columns, null
// or NaN for a gap) to one column per device pixel: x = ax + bx·xs[i], y = ay +
// by·v. It returns the segments, each {x: [], top: [], bottom: []} (top the
// pixel y of the highest max, bottom of the lowest min, per column); a gap
// ends a segment. Rows whose x is outside [x0, x1] (pixels, with a column
// of margin) are skipped.
export function bandColumns(xs, lo, hi, n, ax, bx, ay, by, x0 = -Infinity, x1 = Infinity) {
  const segs = [];
  let seg = null;
  let col = NaN;
  for (let i = 0; i < n; i++) {
    const a = lo[i];
    const b = hi[i];
    if (a == null || b == null || a !== a || b !== b) {
      seg = null;
      continue;
    }
    const x = ax + bx * xs[i];
    if (x < x0 - 1 || x > x1 + 1) {
      seg = null;
      continue;
    }
    const c = Math.floor(x);
    // Canvas y grows downwards: the max is the smaller y.
    const top = ay + by * Math.max(a, b);
    const bottom = ay + by * Math.min(a, b);
    if (seg && c === col) {
      const k = seg.x.length - 1;
      if (top < seg.top[k]) seg.top[k] = top;
      if (bottom > seg.bottom[k]) seg.bottom[k] = bottom;
      continue;
    }
    if (!seg) segs.push((seg = { x: [], top: [], bottom: [] }));
    col = c;
    seg.x.push(x);
    seg.top.push(top);
    seg.bottom.push(bottom);
  }
  return segs;
}

// bandsPlugin returns a uPlot plugin that draws view's bands (View.lo and
// .hi over its first .pre rows, see store.js) in each shown series' colour.
// colours[k] is the k-th series' #rrggbb colour.
export function bandsPlugin(view, colours) {
  return {
    hooks: {
      drawAxes: [(u) => drawBands(u, view, colours)],
    },
  };
}

function drawBands(u, view, colours) {
  const n = view.pre;
  if (!(n > 0) || !view.lo.length) return;
  const sx = u.scales.x;
  const xs = u.data[0];
  const { left, top, width, height } = u.bbox;
  const dx = sx.max - sx.min;
  if (!(dx > 0) || !xs) return;
  const bx = width / dx;
  const ax = left - sx.min * bx;
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (let k = 0; k < view.lo.length; k++) {
    const lo = view.lo[k];
    const hi = view.hi[k];
    const s = u.series[k + 1];
    if (!lo || !hi || !s || !s.show) continue;
    const sy = u.scales[s.scale];
    const dy = sy.max - sy.min;
    if (!(dy > 0)) continue;
    const by = -height / dy;
    const ay = top + height - sy.min * by;
    const segs = bandColumns(xs, lo, hi, Math.min(n, lo.length), ax, bx, ay, by, left, left + width);
    if (!segs.length) continue;
    const fill = new Path2D();
    const edge = new Path2D();
    for (const g of segs) {
      const m = g.x.length;
      // A bucket alone is as wide as its column.
      const w = m === 1 ? 1 : 0;
      fill.moveTo(g.x[0], g.top[0]);
      edge.moveTo(g.x[0], g.top[0]);
      for (let i = 1; i < m; i++) {
        fill.lineTo(g.x[i], g.top[i]);
        edge.lineTo(g.x[i], g.top[i]);
      }
      if (w) {
        fill.lineTo(g.x[0] + w, g.top[0]);
        fill.lineTo(g.x[0] + w, g.bottom[0]);
      }
      for (let i = m - 1; i >= 0; i--) fill.lineTo(g.x[i], g.bottom[i]);
      fill.closePath();
    }
    const colour = colours[k] || '#808080';
    ctx.fillStyle = alpha(colour, BAND_ALPHA);
    ctx.fill(fill);
    ctx.strokeStyle = alpha(colour, EDGE_ALPHA);
    ctx.lineWidth = 1;
    ctx.stroke(edge);
  }
  ctx.restore();
}
