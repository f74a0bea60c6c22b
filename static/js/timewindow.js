// The time window: which windows the picker offers, how wide the live x
// range is, and the steps of zooming out and panning a paused range. Pure:
// every time is in seconds.

// The live window spans the data held, at least MIN_WINDOW seconds (so a
// fresh page is not one squeezed minute of axis labels) and at most the
// window chosen.
export const MIN_WINDOW = 60;

// WINDOWS are the windows the picker knows, shortest first. Only those the
// history can fill are offered (see windowsFor): a longer history (a
// server keeping hours) brings the longer ones with it.
export const WINDOWS = [60, 300, 900, 3600, 6 * 3600, 24 * 3600, 48 * 3600];

// windowsFor returns the windows to offer for a history of span seconds:
// every one of WINDOWS that fits, then the span itself when it is none of
// them (a 10-minute history offers 1 m, 5 m, 10 m), so the longest choice
// always shows all the history.
export function windowsFor(span) {
  if (!(span > 0)) return [];
  const out = WINDOWS.filter((w) => w <= span);
  if (out[out.length - 1] !== span) out.push(span);
  return out;
}

// windowsForTiers returns the windows to offer for a history of tiers
// ([{step, span}] in ms, the schema's, the full-rate ring first) and a ring
// of ringSpan seconds: those of the ring (windowsFor), then every one of
// WINDOWS longer than the ring that the longest tier reaches, then that
// tier's span when it is none of them. Without coarse tiers, the ring's.
export function windowsForTiers(tiers, ringSpan) {
  const out = windowsFor(ringSpan);
  let longest = 0;
  for (const t of tiers || []) if (t.span > longest) longest = t.span;
  longest = Math.floor(longest / 1000);
  const last = out.length ? out[out.length - 1] : 0;
  if (!(longest > last)) return out;
  for (const w of WINDOWS) if (w > last && w <= longest) out.push(w);
  if (out[out.length - 1] !== longest) out.push(longest);
  return out;
}

// windowLabel names a window in the picker: "1 m", "15 m", "1 h", "6 h",
// "90 s", "1.5 h".
export function windowLabel(w) {
  if (w < 60 || w % 60 !== 0) return `${w} s`;
  if (w < 3600 || w % 1800 !== 0) return `${w / 60} m`;
  return `${w / 3600} h`;
}

// parseWindow reads a window from the URL ("5m", "1h", "90s", "600"); NaN
// when it is none of these.
export function parseWindow(s) {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(String(s ?? '').trim());
  if (!m) return NaN;
  const mult = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] || 's'];
  return Math.round(Number(m[1]) * mult);
}

// formatWindow writes a window for the URL: "5m", "1h", "90s".
export function formatWindow(w) {
  if (w % 3600 === 0) return `${w / 3600}h`;
  if (w % 60 === 0) return `${w / 60}m`;
  return `${w}s`;
}

// pickWindow returns the window of offered closest to want (the one from
// the URL or the user's last choice); when want is not a number, fallback
// (the ring's span: the default window, drawn without fetching anything)
// if it is offered, else the longest offered.
export function pickWindow(offered, want, fallback = NaN) {
  if (offered.length === 0) return NaN;
  if (!Number.isFinite(want)) return offered.includes(fallback) ? fallback : offered[offered.length - 1];
  let best = offered[0];
  for (const w of offered) if (Math.abs(w - want) < Math.abs(best - want)) best = w;
  return best;
}

// liveWindow is the width (seconds) of the live x range: the span of the
// data held, at least MIN_WINDOW, at most win (the window chosen), so a
// fresh page fills its charts and the window grows to win. A window longer
// than the ring (ring seconds) is shown whole: its older part comes from
// the long history (range.js), however much of it there is.
export function liveWindow(held, win, ring = Infinity) {
  if (win > ring) return win;
  const w = Number.isFinite(held) ? Math.max(MIN_WINDOW, held) : MIN_WINDOW;
  return win > 0 ? Math.min(win, w) : w;
}

// zoomOut returns the range twice as wide as r around the same centre,
// kept within bounds ({min, max}: the data held) and shifted inside it
// rather than cut where it can. It returns null when the result covers at
// least maxWidth and reaches the newest data: that is the live window
// again.
export function zoomOut(r, bounds, maxWidth) {
  const width = r.max - r.min;
  const centre = (r.min + r.max) / 2;
  let w = Math.min(2 * width, bounds.max - bounds.min);
  if (maxWidth > 0) w = Math.min(w, maxWidth);
  let min = centre - w / 2;
  let max = centre + w / 2;
  if (max > bounds.max) {
    min -= max - bounds.max;
    max = bounds.max;
  }
  if (min < bounds.min) {
    max += bounds.min - min;
    min = bounds.min;
  }
  max = Math.min(max, bounds.max);
  if (max >= bounds.max && (max - min >= maxWidth || max - min >= bounds.max - bounds.min)) return null;
  if (!(max > min) || (min === r.min && max === r.max)) return null;
  return { min, max };
}

// pan moves r by frac of its width (negative: back in time), keeping its
// width, within bounds.
export function pan(r, frac, bounds) {
  const width = r.max - r.min;
  let min = r.min + frac * width;
  min = Math.max(bounds.min, Math.min(min, bounds.max - width));
  if (width >= bounds.max - bounds.min) min = bounds.min;
  return { min, max: min + width };
}

// needsRange tells whether a window of win seconds needs the long history
// (./api/range, range.js): the store has data and tiers beyond the ring,
// and the window is longer than the ring.
export function needsRange(store, win) {
  return store.lastTs != null && store.tiers.length > 1 && win > store.window;
}
