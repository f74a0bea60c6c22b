// What changed: rank every series by how differently it behaved in a
// window from the window of the same length just before it. Pure: it works
// on the columns the page already holds.
//
// The score of a series is the shift of its mean in units of its usual
// noise: |after − before| / (sd before + floor), where sd before is the
// standard deviation in the window before and the floor a small part of
// the series' magnitude (so a flat series that moves a little does not
// score infinity, and a noisy one must move well beyond its noise). A
// goroutine leak, a burst of disk writes or a latency step rank first;
// series that only wobbled as usual rank last.

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

// score is how far the mean moved, in units of the noise before.
export function score(before, after) {
  const floor = 0.02 * Math.max(Math.abs(before.mean), Math.abs(after.mean)) + 1e-12;
  return Math.abs(after.mean - before.mean) / (before.sd + floor);
}

// rankChanges scores each series ({id, ...}, values by values(id), aligned
// with xs) in win ({min, max}, seconds) against the window as long just
// before it, and returns the top ones, best first: {series, before, after,
// score}. Series with fewer than two values in either window, or that did
// not move at all, are left out.
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
    const sc = score(before, after);
    if (!(sc > 0)) continue;
    out.push({ series: s, before, after, score: sc });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, top);
}
