// Tests of heatmap.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cells, level, rowsUsed, leUnit, LEVELS, DARK_LEVELS, levels, ticksPerColumn, MIN_COLUMN_PX, columns, rowLabels, busyCells, shareLevel } from './heatmap.js';

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

test('levels: a palette per theme, as long as each other', () => {
  assert.equal(levels('light'), LEVELS);
  assert.equal(levels('dark'), DARK_LEVELS);
  assert.equal(DARK_LEVELS.length, LEVELS.length);
  assert.ok(!LEVELS.includes('#000000'), 'no black cells on a light card');
});

test('ticksPerColumn: columns at least MIN_COLUMN_PX wide', () => {
  assert.equal(ticksPerColumn(10), 1);
  assert.equal(ticksPerColumn(MIN_COLUMN_PX), 1);
  assert.equal(ticksPerColumn(1), MIN_COLUMN_PX);
  assert.equal(ticksPerColumn(0.4, 4), 10);
  assert.equal(ticksPerColumn(0), 1);
});

test('columns: one a tick with n = 1, the mean of n ticks aligned on n·step otherwise', () => {
  // One bucket (le 1) and +Inf; a tick at x covers (x − 1, x].
  const xs = [1, 2, 3, 4, 5, 6];
  const cs = [
    [0, 3, 0, 0, null, 3],
    [0, 3, 0, 3, null, 3],
  ];
  const one = columns(cs, xs, 0, 5, 1, 1);
  assert.equal(one.length, 6);
  assert.deepEqual(one[1], { x0: 1, x1: 2, cells: [3, 0] });
  assert.deepEqual(one[4].cells, [null, null]);
  // Three ticks a column: 1, 2, 3 → (0, 3]; 4, 5, 6 → (3, 6].
  const three = columns(cs, xs, 0, 5, 1, 3);
  assert.deepEqual(
    three.map((c) => [c.x0, c.x1]),
    [
      [0, 3],
      [3, 6],
    ],
  );
  assert.deepEqual(three[0].cells, [1, 0]); // (0 + 3 + 0) / 3
  assert.deepEqual(three[1].cells, [1.5, 1.5]); // the tick without values is not counted
  // A GC pause (one tick in five) fills its whole column.
  const gc = [[0, 0, 0, 0, 5, 0, 0, 0, 0, 0]];
  const wide = columns(gc, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0, 9, 1, 5);
  assert.deepEqual(
    wide.map((c) => [c.x0, c.cells[0]]),
    [
      [0, 1],
      [5, 0],
    ],
  );
});

test('rowLabels: each row at its middle, thinned to fit', () => {
  assert.deepEqual(rowLabels(2, 5, 20), [2.5, 3.5, 4.5]);
  assert.deepEqual(rowLabels(0, 6, 7, 14), [0.5, 2.5, 4.5]);
  assert.deepEqual(rowLabels(3, 3, 10), []);
});

test('busyCells and shareLevel: a core busy 1 − idle, coloured linearly, idle uncoloured', () => {
  assert.deepEqual(busyCells([[1, 0.25, null], [0, NaN, 1.2]], 1), [0.75, null]);
  assert.equal(shareLevel(0), -1);
  assert.equal(shareLevel(0.004), -1);
  assert.equal(shareLevel(0.01, 8), 0);
  assert.equal(shareLevel(0.5, 8), 4);
  assert.equal(shareLevel(1, 8), 7);
});
