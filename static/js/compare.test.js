// Tests of compare.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOffsets, offsetLabel, shifted } from './compare.js';

test('compareOffsets: what the history reaches, the window just before first', () => {
  // 10 minutes held, a 1-minute window: 1 and 5 min ago.
  assert.deepEqual(compareOffsets(600, 60), [60, 300]);
  // 2 hours held, 15 minutes shown: 15 min and 1 h ago.
  assert.deepEqual(compareOffsets(7200, 900), [900, 3600]);
  // A 90 s window on 10 minutes: the 90 s before, then 5 min.
  assert.deepEqual(compareOffsets(600, 90), [90, 300]);
  // Nothing held before the window.
  assert.deepEqual(compareOffsets(60, 60), []);
  assert.deepEqual(compareOffsets(0, 60), []);
});

test('offsetLabel', () => {
  assert.equal(offsetLabel(60), '1 min ago');
  assert.equal(offsetLabel(3600), '1 h ago');
  assert.equal(offsetLabel(86400), '1 d ago');
  assert.equal(offsetLabel(90), '90 s ago');
});

test('shifted lines earlier values up with the times shown', () => {
  const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const ys = xs.map((x) => x * 10);
  // 3 s ago: x=5 shows the value at 2; before the data, null.
  assert.deepEqual(shifted([5, 6, 7], xs, ys, 3, 0.5), [20, 30, 40]);
  assert.deepEqual(shifted([1, 2, 3], xs, ys, 3, 0.5), [null, null, 0]);
  // Jittered tick times still find their row; a gap stays a gap.
  const ys2 = ys.slice();
  ys2[4] = null;
  assert.deepEqual(shifted([7.1, 8.02, 9.4], xs, ys2, 4, 0.5), [30, null, 50]);
  // Beyond tolerance (a hole in the earlier data): null.
  assert.deepEqual(shifted([20], [0, 10], [1, 2], 5, 0.5), [null]);
});
