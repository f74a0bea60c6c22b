// Compare: the same window from an earlier time, overlaid on a chart. Pure:
// which offsets the history reaches, and the earlier values lined up with
// the times shown now. Times in seconds.

// OFFSETS are the earlier times offered, nearest first: the window just
// before (the offset equal to the window) comes first, then these.
export const OFFSETS = [60, 300, 900, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600];

// compareOffsets returns the offsets to offer when the page shows a window
// of win seconds and holds span seconds of data: those whose earlier
// window the data reaches at least half of. The window itself (the one just
// before) comes first when it is one of them.
export function compareOffsets(span, win) {
  if (!(span > 0) || !(win > 0)) return [];
  const reach = (o) => o + win / 2 <= span;
  const out = OFFSETS.filter((o) => o >= win && reach(o));
  if (reach(win) && !out.includes(win)) out.unshift(win);
  return out.sort((a, b) => a - b);
}

// offsetLabel names an offset: "1 min ago", "5 min ago", "1 h ago",
// "1 d ago", "90 s ago".
export function offsetLabel(o) {
  if (o % 86400 === 0) return `${o / 86400} d ago`;
  if (o % 3600 === 0) return `${o / 3600} h ago`;
  if (o % 60 === 0) return `${o / 60} min ago`;
  return `${o} s ago`;
}

// shifted returns, for each x of xs, the value of the series (srcXs,
// srcYs, ascending x) at x − offset: the row whose time is nearest, when it
// is within tol seconds (half a tick), else null. O(n) for xs ascending.
export function shifted(xs, srcXs, srcYs, offset, tol) {
  const out = new Array(xs.length);
  let j = 0;
  const n = srcXs.length;
  for (let i = 0; i < xs.length; i++) {
    const t = xs[i] - offset;
    while (j < n - 1 && srcXs[j + 1] <= t) j++;
    let best = -1;
    let d = Infinity;
    for (const k of [j, j + 1]) {
      if (k < 0 || k >= n) continue;
      const dk = Math.abs(srcXs[k] - t);
      if (dk < d) {
        d = dk;
        best = k;
      }
    }
    const v = best >= 0 && d <= tol ? srcYs[best] : null;
    out[i] = v == null || Number.isNaN(v) ? null : v;
  }
  return out;
}
