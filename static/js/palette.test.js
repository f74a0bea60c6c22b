// Tests of palette.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seriesStyle, lineWidth, PALETTE, blend, partAlpha } from './palette.js';

test('seriesStyle cycles the palette, then dashes', () => {
  assert.deepEqual(seriesStyle(0), { colour: PALETTE[0], dash: undefined });
  assert.equal(seriesStyle(PALETTE.length).colour, PALETTE[0]);
  assert.deepEqual(seriesStyle(PALETTE.length).dash, [6, 3]);
  assert.deepEqual(seriesStyle(2 * PALETTE.length + 1).dash, [2, 3]);
  assert.equal(new Set(PALETTE).size, PALETTE.length);
});

test('lineWidth: one device pixel on a standard screen, 1.5 px on a dense one', () => {
  assert.equal(lineWidth(1), 1);
  assert.equal(lineWidth(1.25), 1);
  assert.equal(lineWidth(2), 1.5);
  assert.equal(lineWidth(3), 1.5);
});

// Colour-vision deficiencies simulated as in Machado, Oliveira and
// Fernandes (2009), severity 1, on linear RGB; distances are CIE76 ΔE in
// CIELAB (about 2.3 is just noticeable; lines need far more).
const CVD = {
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};
const linear = (hex) => {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
};
const lab = ([r, g, b]) => {
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
};
const simulate = (m, c) => m.map((row) => Math.min(1, Math.max(0, row[0] * c[0] + row[1] * c[1] + row[2] * c[2])));
const luminance = (hex) => {
  const [r, g, b] = linear(hex);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
};

test('palette colours stay apart for colour-blind readers', () => {
  for (const [vision, m] of [['normal vision', null], ...Object.entries(CVD)]) {
    const seen = PALETTE.map((c) => lab(m ? simulate(m, linear(c)) : linear(c)));
    for (let i = 0; i < seen.length; i++) {
      for (let j = i + 1; j < seen.length; j++) {
        const d = Math.hypot(...seen[i].map((v, k) => v - seen[j][k]));
        assert.ok(d >= 15, `${vision}: ${PALETTE[i]} and ${PALETTE[j]} are ΔE ${d.toFixed(1)} apart, want at least 15`);
      }
    }
  }
});

test('palette colours read on the light and the dark card', () => {
  // The cards' backgrounds (css/app.css --ld-card). 2:1 is enough for a
  // line beside its labelled legend entry; text uses --ld-fg.
  for (const card of ['#ffffff', '#161b22']) {
    for (const c of PALETTE) assert.ok(contrast(c, card) >= 2, `${c} on ${card}: ${contrast(c, card).toFixed(2)}:1`);
  }
});

test('blend: a colour over a background, opaque', () => {
  assert.equal(blend('#0072b2', '#ffffff', 1), 'rgb(0,114,178)');
  assert.equal(blend('#0072b2', '#ffffff', 0), 'rgb(255,255,255)');
  assert.equal(blend('#ff0000', 'rgb(22, 27, 34)', 0.5), 'rgb(139,14,17)');
  assert.equal(blend('#000000', undefined, 0.5), 'rgb(128,128,128)');
});

test("a stack's seventh part is filled apart from its first, on either card, for any vision", () => {
  const hex = (rgb) => '#' + rgb.match(/\d+/g).map((v) => Number(v).toString(16).padStart(2, '0')).join('');
  for (const [card, dark] of [['#ffffff', false], ['#161b22', true]]) {
    for (let k = 0; k < PALETTE.length; k++) {
      const a = hex(blend(PALETTE[k], card, partAlpha(k, dark)));
      const b = hex(blend(PALETTE[k], card, partAlpha(k + PALETTE.length, dark)));
      for (const [vision, m] of [['normal vision', null], ...Object.entries(CVD)]) {
        const [p, q] = [a, b].map((c) => lab(m ? simulate(m, linear(c)) : linear(c)));
        const d = Math.hypot(...p.map((v, i) => v - q[i]));
        assert.ok(d >= 10, `${vision} on ${card}: parts ${k} and ${k + PALETTE.length} (${a}, ${b}) are ΔE ${d.toFixed(1)} apart, want at least 10`);
      }
    }
  }
});
