// The time window: how wide the live x range is. Pure.

// The live window spans the data held, at least MIN_WINDOW seconds (so a
// fresh page is not one squeezed minute of axis labels) and at most the
// ring's span.
export const MIN_WINDOW = 60;

// liveWindow is the width (seconds) of the live x range: the span of the
// data held, at least MIN_WINDOW, at most full (the ring's span), so a
// fresh page fills its charts and the window grows to full.
export function liveWindow(held, full) {
  const w = Number.isFinite(held) ? Math.max(MIN_WINDOW, held) : MIN_WINDOW;
  return full > 0 ? Math.min(full, w) : w;
}
