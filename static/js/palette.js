// Series colours and line widths. Pure.

// PALETTE is readable on both the light and the dark background; past its
// end, colours repeat with a dash pattern.
export const PALETTE = [
  '#3b82f6', // blue
  '#f59e0b', // amber
  '#10b981', // emerald
  '#ef4444', // red
  '#8b5cf6', // violet
  '#06b6d4', // cyan
  '#ec4899', // pink
  '#84cc16', // lime
  '#f97316', // orange
  '#6366f1', // indigo
  '#14b8a6', // teal
  '#a8a29e', // stone
];

// lineWidth is the width of a series' line in CSS pixels on a screen of
// devicePixelRatio dpr: one device pixel on a standard screen, where the
// rasterizer draws a one-pixel line as a hairline (a 1.5 px line costs
// several times as much to fill: it was most of the main thread's time
// of a tick with software rendering), 1.5 px on a high-density one.
export function lineWidth(dpr) {
  return dpr >= 2 ? 1.5 : 1;
}

// seriesStyle returns the colour and dash of the k-th series of a chart.
export function seriesStyle(k) {
  const colour = PALETTE[k % PALETTE.length];
  const round = Math.floor(k / PALETTE.length);
  return { colour, dash: round === 0 ? undefined : round === 1 ? [6, 3] : [2, 3] };
}

// alpha returns a #rrggbb colour with an alpha channel.
export function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}
