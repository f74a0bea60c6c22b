// Heatmaps of a histogram over time: one column per tick, one row per
// bucket, coloured by how many values fell in it. The wire carries the
// buckets as Prometheus does, the rate of values at most each upper bound
// ("le"); a cell is the difference of two neighbours. Pure: no DOM; the
// chart draws the cells (chart.js).

// LEVELS is a sequential palette, light to dark blue-violet, that reads on
// light and dark cards alike and for colour-blind readers (one hue ramp).
export const LEVELS = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#3f007d', '#000000'];

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
