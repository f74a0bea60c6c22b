// What changed: rank every series by how differently it behaved in a
// window from the window of the same length just before it. Pure: it works
// on the columns the page already holds.
//
// Two questions decide the rank of a series:
//
//   - Did it move beyond its noise? z = |after − before| / (sd + floor),
//     the shift of its mean in units of its spread in the window before.
//     The floor keeps a series that was flat before (sd 0) from scoring
//     infinity on a tiny move: it is 2 % of the series' scale (the largest
//     magnitude it has had in the data the page holds), and for shares
//     (ratios, seconds per second) at least one percentage point: a mutex
//     wait going from 0 % to 0.01 % of the time did not change anything.
//   - How big was the move? rel = |after − before| / scale, the move as a
//     part of the largest the series has been.
//
// The score is rel × min(z, Z)/Z: beyond Z standard deviations a move is
// certain, and certain moves rank by their size; wobbles within the noise
// are discounted by how little they stand out. A goroutine leak, a burst of
// disk writes or a latency step rank first; a series that only wobbled as
// usual, or moved by its last digit, ranks last.

// Z is the number of standard deviations from which a move counts fully.
export const Z = 8;

// stats returns {n, mean, sd, max} of the finite values of ys at the rows
// whose x is in [min, max).
export function stats(xs, ys, min, max) {
  let n = 0;
  let sum = 0;
  let sq = 0;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!(x >= min && x < max)) continue;
    const v = ys[i];
    if (v == null || !Number.isFinite(v)) continue;
    n++;
    sum += v;
    sq += v * v;
    if (v > hi) hi = v;
  }
  const mean = n > 0 ? sum / n : NaN;
  const sd = n > 1 ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0;
  return { n, mean, sd, max: hi };
}

// scaleOf is the largest magnitude of the finite values of ys at rows whose
// x is below max.
export function scaleOf(xs, ys, max) {
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i] < max)) continue;
    const v = ys[i];
    if (v == null || !Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > s) s = a;
  }
  return s;
}

// isShareUnit reports whether a series' values are a share of a whole
// (ratio) or of the time (the rate of a counter of seconds).
export function isShareUnit(unit, kind) {
  return unit === 'ratio' || (unit === 'seconds' && kind === 'counter');
}

// SHARE_FLOOR is the least spread assumed of a share: one percentage point.
export const SHARE_FLOOR = 0.01;

// deviation returns {z, rel, score} of a move from before to after
// ({mean, sd}) of a series of the given scale (largest magnitude held);
// share says the series is a share (see isShareUnit).
export function deviation(before, after, scale, share = false) {
  const d = Math.abs(after.mean - before.mean);
  const mag = Math.max(scale || 0, Math.abs(before.mean), Math.abs(after.mean));
  const floor = Math.max(0.02 * mag, share ? SHARE_FLOOR : 0, 1e-12);
  const z = d / (before.sd + floor);
  const rel = mag > 0 ? d / mag : 0;
  return { z, rel, score: (rel * Math.min(z, Z)) / Z };
}

// score is the rank score of a move of a series whose scale is the larger
// of its two means (see deviation).
export function score(before, after, share = false) {
  return deviation(before, after, 0, share).score;
}

// rankChanges scores each series ({id, unit, kind, ...}, values by
// values(id), aligned with xs) in win ({min, max}, seconds) against the
// window as long just before it, and returns the top ones, best first:
// {series, before, after, z, rel, score}. Series with fewer than two values
// in either window, or that did not move at all, are left out.
export function rankChanges(xs, series, values, win, top = 10) {
  const w = win.max - win.min;
  if (!(w > 0)) return [];
  const out = [];
  for (const s of series) {
    const ys = values(s.id);
    if (!ys) continue;
    const after = stats(xs, ys, win.min, win.max + 1e-9);
    const before = stats(xs, ys, win.min - w, win.min);
    if (after.n < 2 || before.n < 2) continue;
    const dev = deviation(before, after, scaleOf(xs, ys, win.max + 1e-9), isShareUnit(s.unit, s.kind));
    if (!(dev.score > 0)) continue;
    out.push({ series: s, before, after, ...dev });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, top);
}
