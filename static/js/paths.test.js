// Tests of paths.js: lone points and the line path builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lonePoints, lineVertices } from './paths.js';

test('lonePoints finds values with gaps on both sides, in the shown range', () => {
  const u = (ys, idxs) => ({ data: [ys.map((_, i) => i), ys], series: [{ idxs }, {}] });
  assert.deepEqual(lonePoints(u([1, null, 2, null, 3, 4, null, 5], [0, 7]), 1, false), [0, 2, 7]);
  assert.deepEqual(lonePoints(u([1, null, 2, null, 3, 4, null, 5], [1, 6]), 1, false), [2]);
  assert.equal(lonePoints(u([1, 2, 3], [0, 2]), 1, false), null);
  assert.equal(lonePoints(u([1, null, 3], [0, 2]), 1, true), null, 'uPlot already shows all points');
  assert.equal(lonePoints(u([], [null, null]), 1, false), null);
});

function vertices(xs, ys, i0 = 0, i1 = xs.length - 1) {
  const { out, n } = lineVertices(xs, ys, i0, i1, 0, 1, 0, 1, new Float64Array(4));
  const segs = [];
  let cur = null;
  for (let k = 0; k < n; k += 2) {
    if (Number.isNaN(out[k])) {
      assert.ok(cur && cur.length > 0, 'a break ends a segment that has vertices');
      segs.push(cur);
      cur = null;
      continue;
    }
    (cur ||= []).push([out[k], out[k + 1]]);
  }
  assert.equal(cur, null, 'the last segment is ended');
  return segs;
}

// extent returns the lowest and highest y the polyline reaches within the
// pixel column [c, c+1).
function extent(seg, c) {
  let lo = Infinity;
  let hi = -Infinity;
  const at = (x, y) => {
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  };
  for (let k = 0; k < seg.length; k++) {
    const [x0, y0] = seg[k];
    if (x0 >= c && x0 < c + 1) at(x0, y0);
    if (k === 0) continue;
    const [xa, ya] = seg[k - 1];
    // Where the segment from the previous vertex crosses the column's
    // edges.
    for (const e of [c, c + 1 - 1e-9]) {
      if (x0 > xa && e > xa && e < x0) at(e, ya + ((y0 - ya) * (e - xa)) / (x0 - xa));
    }
  }
  return [lo, hi];
}

test('a flat run is one segment', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i * 3.7);
  const ys = xs.map(() => 42);
  assert.deepEqual(vertices(xs, ys), [[[0, 42], [99 * 3.7, 42]]]);
});

test('a step keeps its corners', () => {
  const xs = [0, 10, 20, 30, 40, 50];
  const ys = [1, 1, 1, 5, 5, 5];
  assert.deepEqual(vertices(xs, ys), [[[0, 1], [20, 1], [30, 5], [50, 5]]]);
});

test('points one per column are all kept', () => {
  const xs = [0, 2, 4, 6, 8];
  const ys = [3, 9, 1, 7, 2];
  assert.deepEqual(vertices(xs, ys), [xs.map((x, i) => [x, ys[i]])]);
});

test('many points in one column keep the lowest and highest', () => {
  // 10 points per pixel column, a spike in the middle of the second one.
  const xs = Array.from({ length: 30 }, (_, i) => i / 10);
  const ys = xs.map((_, i) => (i === 15 ? 100 : i === 16 ? -50 : 10));
  const [seg] = vertices(xs, ys);
  assert.ok(seg.length < 10, `${seg.length} vertices for 30 points`);
  const [lo, hi] = extent(seg, 1);
  assert.equal(lo, -50);
  assert.equal(hi, 100);
});

test('a gap ends a segment; a lone point is a segment of one vertex', () => {
  const xs = [0, 1, 2, 3, 4, 5, 6];
  const ys = [1, 2, null, 3, null, 4, 5];
  assert.deepEqual(vertices(xs, ys), [
    [[0, 1], [1, 2]],
    [[3, 3]],
    [[5, 4], [6, 5]],
  ]);
  assert.deepEqual(vertices(xs, [null, null, 1, 2, null, null, null]), [[[2, 1], [3, 2]]]);
  assert.deepEqual(vertices(xs, xs.map(() => null)), []);
});

test('undefined is skipped and spanned, as uPlot does', () => {
  assert.deepEqual(vertices([0, 1, 2], [1, undefined, 3]), [[[0, 1], [2, 3]]]);
});

test('only the points from i0 to i1 are drawn', () => {
  assert.deepEqual(vertices([0, 1, 2, 3, 4], [9, 1, 2, 3, 9], 1, 3), [[[1, 1], [2, 2], [3, 3]]]);
});

test('the transform maps values to pixels', () => {
  const { out, n } = lineVertices([10, 20], [1, 2], 0, 1, 5, 2, 100, -10, new Float64Array(0));
  assert.deepEqual([...out.subarray(0, n)], [25, 90, 45, 80, NaN, NaN]);
});

test('random data: every point is within the line drawn in its pixel column, with fewer vertices', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const perPixel of [0.3, 1.6, 4, 20]) {
    const n = 600;
    const xs = Array.from({ length: n }, (_, i) => i / perPixel + 0.25);
    let v = 50;
    const ys = xs.map(() => {
      const r = rand();
      if (r < 0.02) return null;
      if (r < 0.5) return v; // flat stretches
      v += (rand() - 0.5) * 20;
      return Math.round(v * 4) / 4;
    });
    const segs = vertices(xs, ys);
    let count = 0;
    for (const seg of segs) count += seg.length;
    assert.ok(count <= n, `${perPixel} points per pixel: ${count} vertices for ${n} points`);
    for (let i = 0; i < n; i++) {
      if (ys[i] == null) continue;
      const c = Math.floor(xs[i]);
      const ok = segs.some((seg) => {
        const [lo, hi] = extent(seg, c);
        return ys[i] >= lo - 1e-9 && ys[i] <= hi + 1e-9;
      });
      assert.ok(ok, `${perPixel} points per pixel: point ${i} (${xs[i]}, ${ys[i]}) is off the line`);
    }
  }
});
