// Tests of heatmap.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cells, level, rowsUsed, leUnit, LEVELS } from './heatmap.js';

// Three buckets (le 1, 10, +Inf), cumulative rates, three ticks.
const cols = [
  [0, 2, null],
  [5, 2, null],
  [5, 9, null],
];

test('cells: each bucket alone, never below zero, gaps kept', () => {
  assert.deepEqual(cells(cols, 0), [0, 5, 0]);
  assert.deepEqual(cells(cols, 1), [2, 0, 7]);
  assert.deepEqual(cells(cols, 2), [null, null, null]);
  // A rounded rate may make a bucket a hair smaller than the one below.
  assert.deepEqual(cells([[3], [2.999], [4]], 0), [3, 0, 1.001 - 0 * 1 + 0].map((v, k) => (k === 2 ? 4 - 2.999 : v)));
});

test('level: log scale, zero has no colour, max the darkest', () => {
  assert.equal(level(0, 100), -1);
  assert.equal(level(null, 100), -1);
  assert.equal(level(100, 100), LEVELS.length - 1);
  assert.ok(level(1, 100) < level(10, 100));
  assert.ok(level(1, 100) >= 0);
});

test('rowsUsed: the buckets with values', () => {
  assert.deepEqual(rowsUsed(cols, 0, 2), [0, 2]);
  assert.deepEqual(rowsUsed(cols, 0, 0), [1, 1]);
  assert.equal(rowsUsed(cols, 2, 2), null);
});

test('leUnit', () => {
  assert.equal(leUnit('go_sched_latencies_seconds_bucket'), 'seconds');
  assert.equal(leUnit('go_gc_heap_allocs_by_size_bytes_bucket'), 'bytes');
  assert.equal(leUnit('requests_bucket'), '');
});
