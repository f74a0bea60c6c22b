// Tests of bands.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandColumns } from './bands.js';

test('bandColumns keeps one column per pixel with the extremes, and breaks at gaps', () => {
  // x in px = 2·x, y in px = 100 − v.
  const xs = [0, 0.2, 0.4, 1, 2, 3, 4];
  const lo = [1, 0, 2, 5, null, 1, 1];
  const hi = [3, 9, 4, 6, null, 2, 50];
  const segs = bandColumns(xs, lo, hi, xs.length, 0, 2, 100, -1);
  assert.equal(segs.length, 2);
  assert.deepEqual(segs[0], { x: [0, 2], top: [91, 94], bottom: [100, 95] });
  assert.deepEqual(segs[1], { x: [6, 8], top: [98, 50], bottom: [99, 99] });
});

test('bandColumns: a spike in one bucket of thousands keeps its height', () => {
  const n = 2880;
  const xs = Array.from({ length: n }, (_, k) => k * 60);
  const lo = Array(n).fill(1);
  const hi = Array(n).fill(2);
  hi[1234] = 1000;
  // 2880 buckets over 400 px.
  const bx = 400 / (n * 60);
  const segs = bandColumns(xs, lo, hi, n, 0, bx, 1000, -1);
  assert.equal(segs.length, 1);
  assert.ok(segs[0].x.length <= 401);
  assert.equal(Math.min(...segs[0].top), 0, 'the spike reaches its value');
  assert.equal(segs[0].top.filter((y) => y < 998).length, 1, 'in one column');
});

test('bandColumns skips rows outside the plot and stops at n', () => {
  const xs = [0, 10, 20, 30];
  const segs = bandColumns(xs, [1, 1, 1, 1], [2, 2, 2, 2], 3, 0, 1, 0, 1, 5, 25);
  assert.deepEqual(segs.map((s) => s.x), [[10, 20]]);
});
