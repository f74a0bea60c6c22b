// Tests of markers.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gcMarks, restartMarks, inRange, belowLabels } from './markers.js';

test('gcMarks: the ticks in which a cycle ended', () => {
  const xs = [1, 2, 3, 4, 5];
  assert.deepEqual(gcMarks(xs, [0, 2, 0, NaN, 1], 1), [2, 5]);
  // At 4 ticks a second, one cycle in a tick is a rate of 4/s.
  assert.deepEqual(gcMarks(xs, [0, 4, 0.1, 3.9, 0], 0.25), [2, 4]);
  assert.deepEqual(gcMarks(xs, null, 1), []);
});

test('restartMarks: a new start time, across a gap; or a jump in time without them', () => {
  const xs = [1, 2, 3, 4, 10, 11];
  const t0 = 1796000000.25;
  assert.deepEqual(restartMarks(xs, [t0, t0, t0, NaN, t0 + 9, t0 + 9], 1), [10]);
  assert.deepEqual(restartMarks(xs, [t0, t0, t0, t0, t0, t0], 1), [], 'a gap alone, same process: no restart');
  assert.deepEqual(restartMarks(xs, null, 1), [10]);
  assert.deepEqual(restartMarks(xs, [NaN, NaN, NaN, NaN, NaN, NaN], 1), [10]);
  assert.deepEqual(restartMarks([1], null, 1), []);
});

test('inRange: the marks in a window, ends included', () => {
  assert.deepEqual(inRange([1, 2, 3, 4], 2, 3), [2, 3]);
  assert.deepEqual(inRange([1, 2], 5, 6), []);
});

test('belowLabels: a name goes under the labels it would cover, and stays where it is clear', () => {
  const boxes = [
    { x0: 100, x1: 200, y0: 2, y1: 15 },
    { x0: 150, x1: 200, y0: 15, y1: 28 },
  ];
  assert.equal(belowLabels(boxes, 10, 60, 2, 13), 2, 'clear of both');
  assert.equal(belowLabels(boxes, 90, 130, 2, 13), 16, 'under the first only');
  assert.equal(belowLabels(boxes, 140, 190, 2, 13), 29, 'under both, one after the other');
  assert.equal(belowLabels(boxes, 140, 190, 40, 13), 40, 'already below');
  assert.equal(belowLabels([], 0, 10, 2, 13), 2);
  assert.equal(belowLabels(undefined, 0, 10, 2, 13), 2);
});
