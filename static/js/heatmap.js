// Heatmaps of a histogram over time: one column per tick, one row per
// bucket, coloured by how many values fell in it. The wire carries the
// buckets as Prometheus does, the rate of values at most each upper bound
// ("le"); a cell is the difference of two neighbours. Pure: no DOM; the
// chart draws the cells (chart.js).

// LEVELS is a sequential palette for the light theme, pale to deep blue
// and violet (one hue ramp, which colour-blind readers read as well);
// DARK_LEVELS the same steps for the dark theme, from a dim blue that
// still stands out of the card to a bright yellow (viridis), so that more
// always means more contrast with the card.
export const LEVELS = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b', '#3f007d'];
export const DARK_LEVELS = ['#2c3e6b', '#31588f', '#26779a', '#1f968b', '#35b779', '#6dcd59', '#b4de2c', '#fde725'];

// levels is the palette of a theme ("dark" or anything else for light).
export function levels(theme) {
  return theme === 'dark' ? DARK_LEVELS : LEVELS;
}

// cells returns, for row i of each column k (cols: one array per bucket,
// cumulative, sorted by le), the values in bucket k alone: cols[k][i] −
// cols[k−1][i], at least 0; null where the bucket has no value.
export function cells(cols, i) {
  const out = new Array(cols.length);
  let prev = 0;
  for (let k = 0; k < cols.length; k++) {
    const v = cols[k][i];
    if (v == null || Number.isNaN(v)) {
      out[k] = null;
      continue;
    }
    out[k] = Math.max(0, v - prev);
    prev = v;
  }
  return out;
}

// level maps a count to a palette index on a log scale up to max: 0 is no
// colour (-1); the largest count the darkest.
export function level(v, max) {
  if (!(v > 0) || !(max > 0)) return -1;
  const f = Math.log1p(v) / Math.log1p(max);
  return Math.min(LEVELS.length - 1, Math.max(0, Math.floor(f * LEVELS.length - 1e-9)));
}

// rowsUsed returns [lo, hi]: the first and last bucket with a value in the
// columns i0..i1, or null when all are empty, so that the heatmap shows
// the buckets the data uses rather than fifteen decades of nothing.
export function rowsUsed(cols, i0, i1) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = i0; i <= i1; i++) {
    const c = cells(cols, i);
    for (let k = 0; k < c.length; k++) {
      if (c[k] > 0) {
        if (k < lo) lo = k;
        if (k > hi) hi = k;
      }
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

// leUnit is the unit of a histogram's bounds, from its bucket series name:
// "go_sched_latencies_seconds_bucket" → "seconds".
export function leUnit(name) {
  const m = /_(seconds|bytes)_bucket$/.exec(name || '');
  return m ? m[1] : '';
}

// MIN_COLUMN_PX is the narrowest a heatmap column is drawn, in CSS pixels:
// a tick is often under a pixel wide, and a sparse histogram (GC pauses,
// a few a minute) then shows as hairlines. Ticks are merged into columns
// at least this wide instead.
export const MIN_COLUMN_PX = 4;

// ticksPerColumn is how many ticks one column holds so that it is at
// least minPx wide when a tick is pxPerTick wide.
export function ticksPerColumn(pxPerTick, minPx = MIN_COLUMN_PX) {
  if (!(pxPerTick > 0)) return 1;
  return pxPerTick >= minPx ? 1 : Math.ceil(minPx / pxPerTick);
}

// columns merges the ticks i0..i1 (times xs, step seconds apart; cols as
// for cells) into columns of n ticks, each {x0, x1, cells}: the mean of
// its ticks' cells (the rate over the column), null where none of them
// has a value. With n > 1 a column covers a whole multiple of n·step
// seconds since the epoch, so that columns do not shift and flicker as
// the window slides; with n = 1 a column is its tick, (x − step, x].
export function columns(cols, xs, i0, i1, step, n, cellsOf = cells) {
  const out = [];
  const w = n * step;
  let cur = null;
  let count = null;
  const close = () => {
    if (!cur) return;
    for (let k = 0; k < cur.cells.length; k++) cur.cells[k] = count[k] > 0 ? cur.cells[k] / count[k] : null;
    out.push(cur);
  };
  for (let i = i0; i <= i1; i++) {
    const x = xs[i];
    if (x == null) continue;
    const id = n > 1 ? Math.floor((x - step / 2) / w) : i;
    if (!cur || cur.id !== id) {
      close();
      cur = n > 1 ? { id, x0: id * w, x1: (id + 1) * w, cells: new Array(cols.length).fill(0) } : { id, x0: x - step, x1: x, cells: new Array(cols.length).fill(0) };
      count = new Array(cols.length).fill(0);
    }
    const c = cellsOf(cols, i);
    for (let k = 0; k < c.length; k++) {
      if (c[k] == null) continue;
      cur.cells[k] += c[k];
      count[k]++;
    }
  }
  close();
  for (const c of out) delete c.id;
  return out;
}

// rowLabels picks the rows of lo..hi (hi excluded) to label so that
// labels are at least minPx apart when a row is pxPerRow high: every
// row, or every second, third, …, counted from the lowest. Each is the
// row's centre (k + 0.5), where its label sits.
export function rowLabels(lo, hi, pxPerRow, minPx = 14) {
  const every = pxPerRow > 0 ? Math.max(1, Math.ceil(minPx / pxPerRow)) : 1;
  const out = [];
  for (let k = lo; k < hi; k += every) out.push(k + 0.5);
  return out;
}

// busyCells returns, for row i, each core's busy share (1 − its idle
// share, cols one idle column a core), null where a core has no value.
export function busyCells(cols, i) {
  return cols.map((col) => {
    const v = col[i];
    return v == null || Number.isNaN(v) ? null : Math.min(1, Math.max(0, 1 - v));
  });
}

// shareLevel maps a share (0–1) to a palette index on a linear scale: an
// idle core (under half a percent) has no colour.
export function shareLevel(v, n = LEVELS.length) {
  if (!(v >= 0.005)) return -1;
  return Math.min(n - 1, Math.floor(v * n));
}
