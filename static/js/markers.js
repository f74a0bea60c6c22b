// Markers over time: the ticks in which the Go runtime finished a GC
// cycle, and the times the process started again. Pure: no DOM; the
// charts draw them (chart.js).

// gcMarks returns the times (seconds) of the ticks in which at least one
// GC cycle ended, from the rate of go_gc_cycles_total (cycles per second,
// one value a tick, step seconds apart).
export function gcMarks(xs, rates, step) {
  const out = [];
  if (!xs || !rates) return out;
  for (let i = 0; i < xs.length; i++) {
    const r = rates[i];
    // r·step cycles ended in the tick; a rate rounded on the wire may be
    // a hair under a whole cycle.
    if (r > 0 && r * step >= 0.5) out.push(xs[i]);
  }
  return out;
}

// restartMarks returns the times (seconds) at which the process started
// again: the first row whose start time (process_start_time_seconds)
// differs from the last one known before it, gaps skipped. Without start
// times (not reported on this OS) it is the first row after a jump of
// more than three steps in time, which is as much as the page can tell.
export function restartMarks(xs, starts, step) {
  const out = [];
  if (!xs || xs.length < 2) return out;
  if (starts && starts.some((v) => Number.isFinite(v))) {
    let last = NaN;
    for (let i = 0; i < xs.length; i++) {
      const v = starts[i];
      if (!Number.isFinite(v)) continue;
      // Start times from one process agree to well under a second.
      if (Number.isFinite(last) && Math.abs(v - last) > 0.5) out.push(xs[i]);
      last = v;
    }
    return out;
  }
  for (let i = 1; i < xs.length; i++) if (xs[i] - xs[i - 1] > 3 * step) out.push(xs[i]);
  return out;
}

// inRange returns the marks within [min, max], in order (marks sorted).
export function inRange(marks, min, max) {
  let i = 0;
  while (i < marks.length && marks[i] < min) i++;
  let j = i;
  while (j < marks.length && marks[j] <= max) j++;
  return marks.slice(i, j);
}

// belowLabels returns where (top, device pixels) to write a name that
// spans x0..x1 and is h high, at y or lower: below every label in boxes
// ({x0, x1, y0, y1}) it would run into, so that a restart's name does not
// cover a limit's.
export function belowLabels(boxes, x0, x1, y, h) {
  for (let moved = true; moved; ) {
    moved = false;
    for (const b of boxes || []) {
      if (x0 < b.x1 && x1 > b.x0 && y < b.y1 && y + h > b.y0) {
        y = b.y1 + 1;
        moved = true;
      }
    }
  }
  return y;
}
