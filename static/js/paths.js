// Drawing lines: the points filter that shows lone values and the line
// path builder. Pure functions of uPlot's state (no DOM), tested with plain
// objects.

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
