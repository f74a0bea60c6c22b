// Axes and ranges: the y range of each kind of chart, the time axis'
// labels, tick steps per unit and the y axis' width. Pure except axisSize,
// which measures text with the chart's canvas context.

import { BYTE_INCRS, DURATION_INCRS } from './format.js';

export const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const TIME_INCRS = DURATION_INCRS.filter((v) => v >= 1);
// Axis steps per unit; uPlot's 1-2-5 steps for the others. Bytes step by
// whole bytes: an idle disk's axis reads 0 B, 1 B, not 0.25 B.
export const UNIT_INCRS = new Map([
  ['bytes', BYTE_INCRS.filter((v) => v >= 1)],
  ['seconds', DURATION_INCRS],
  ['timestamp', TIME_INCRS],
]);
// The lowest top of a share chart (a counter of seconds shown as a
// percentage): an idle process reads as idle, not as noise blown up to
// full height.
export const SHARE_FLOOR = 0.1;

// yRange is the y scale range for a data range: zero-based for
// non-negative data, 5% headroom, [0, 1] when there is no data.
export function yRange(min, max) {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  let lo = Math.min(0, min);
  let hi = Math.max(0, max);
  if (hi === lo) return lo === 0 ? [0, 1] : [lo, 0];
  const pad = (hi - lo) * 0.05;
  if (hi > 0) hi += pad;
  if (lo < 0) lo -= pad;
  return [lo, hi];
}

// shareRange is the y range of a share chart (seconds per second, shown as
// a percentage): from zero, with headroom, topped at no less than
// SHARE_FLOOR, and not capped at 100 %, since a process may keep several
// cores busy.
export function shareRange(min, max) {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return [0, SHARE_FLOOR];
  if (min >= 0 && max <= 0) return [0, SHARE_FLOOR];
  const [lo, hi] = yRange(min, max);
  return [lo, Math.max(SHARE_FLOOR, hi)];
}

// timeRange is the y range of a chart of timestamps (seconds since the
// epoch): around the data, at least a minute each side.
export function timeRange(min, max) {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const pad = Math.max(60, (max - min) * 0.1);
  return [min - pad, max + pad];
}

// timeLabels formats x ticks (seconds) as local HH:MM, or HH:MM:SS when
// ticks are less than a minute apart.
export function timeLabels(splits) {
  const step = splits.length > 1 ? splits[1] - splits[0] : 60;
  return splits.map((v) => {
    if (v == null) return '';
    const d = new Date(v * 1000);
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    return step < 60 ? `${hm}:${pad2(d.getSeconds())}` : hm;
  });
}

function pad2(n) {
  return n < 10 ? '0' + n : String(n);
}

// axisSize sizes the y axis to its longest label (uPlot's axis autosize
// demo), so "1023 MiB/s" is not cut. Unlike the demo it measures on every
// layout pass: a pass that skipped the axis (no data yet) must not leave a
// stale size. It never shrinks within one layout, so the layout converges.
// Widths are measured once per label and font (a tick's label rarely
// changes from one second to the next).
const labelWidths = new Map();

export function axisSize(u, values, axisIdx, cycleNum) {
  const axis = u.axes[axisIdx];
  let size = axis.ticks.size + axis.gap + 4;
  let longest = '';
  for (const v of values || []) if (v.length > longest.length) longest = v;
  if (longest !== '') {
    const font = axis.font[0];
    const key = font + '\n' + longest;
    let w = labelWidths.get(key);
    if (w === undefined) {
      if (labelWidths.size >= 1000) labelWidths.clear();
      u.ctx.font = font;
      w = u.ctx.measureText(longest).width;
      labelWidths.set(key, w);
    }
    size += w / devicePixelRatio;
  }
  size = Math.max(36, Math.ceil(size));
  return cycleNum > 1 && axis._size > size ? axis._size : size;
}
