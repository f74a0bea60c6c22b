// Series colours and line widths. Pure.

// PALETTE is the Okabe–Ito palette without its yellow and grey (too pale on
// a white card, and grey reads as "disabled"): six colours that stay apart
// for readers with any of the three colour-vision deficiencies, and are
// readable on the light and the dark card (palette.test.js checks both).
// Past its end, colours repeat with a dash pattern.
export const PALETTE = [
  '#0072b2', // blue
  '#e69f00', // orange
  '#009e73', // bluish green
  '#d55e00', // vermillion
  '#56b4e9', // sky blue
  '#cc79a7', // reddish purple
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

// partAlpha is how strongly the k-th series' colour is laid over the card
// to fill its area in a stack: past the palette's end, where lines tell a
// repeated colour by their dash but areas have none, a deeper shade, so
// that the seventh part does not look like the first.
export function partAlpha(k, dark) {
  return k < PALETTE.length ? (dark ? 0.55 : 0.4) : dark ? 0.9 : 0.8;
}

// alpha returns a #rrggbb colour with an alpha channel.
export function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

// blend returns the opaque colour of a #rrggbb colour laid at alpha a over
// the background bg (#rrggbb or a computed "rgb(r, g, b)"): a stacked
// area is filled with it, so the areas under it do not show through.
export function blend(hex, bg, a) {
  const n = parseInt(hex.slice(1), 16);
  const fg = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  let back = [255, 255, 255];
  const m = /^#([0-9a-f]{6})$/i.exec(bg || '');
  if (m) {
    const b = parseInt(m[1], 16);
    back = [(b >> 16) & 255, (b >> 8) & 255, b & 255];
  } else {
    const d = String(bg || '').match(/\d+(\.\d+)?/g);
    if (d && d.length >= 3) back = d.slice(0, 3).map(Number);
  }
  const c = fg.map((v, i) => Math.round(v * a + back[i] * (1 - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
