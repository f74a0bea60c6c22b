// Tests of stack.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stackPlan, stackColumns } from './stack.js';

const s = (title) => ({ title });

test('stackPlan: parts top first, then lines; idle hidden; other charts none', () => {
  const cpu = { key: 'host_cpu_core_3', series: ['user', 'system', 'iowait', 'steal', 'idle'].map(s) };
  assert.deepEqual(stackPlan(cpu), { order: [4, 3, 2, 1, 0], parts: 5, hidden: [4] });
  const mem = { key: 'host_memory', series: ['used', 'buff/cache', 'available', 'free'].map(s) };
  assert.deepEqual(stackPlan(mem), { order: [3, 1, 0, 2], parts: 3, hidden: [3] });
  assert.equal(stackPlan({ key: 'host_load', series: ['1 min', '5 min'].map(s) }), null);
  assert.equal(stackPlan({ key: 'host_cpu', heatmap: true, series: ['user', 'idle'].map(s) }), null);
  // A chart of the family with one known part only is drawn as lines.
  assert.equal(stackPlan({ key: 'host_memory', series: ['used', 'other'].map(s) }), null);
  // Every series a part.
  assert.deepEqual(stackPlan({ key: 'go_memory_runtime', series: ['a', 'b', 'c'].map(s) }).order, [2, 1, 0]);
});

test('stackColumns: sums bottom up, hidden parts left out, gaps kept, lines as they are', () => {
  const plan = { order: [2, 0, 1], parts: 2, hidden: [] }; // top: series 2, bottom: series 0, line: series 1
  const cols = [
    [1, 2, null, 4],
    [9, 9, 9, 9],
    [10, 20, 30, null],
  ];
  const out = stackColumns(cols, plan, [true, true, true]);
  assert.deepEqual(out, [
    [11, 22, 30, null],
    [1, 2, null, 4],
    [9, 9, 9, 9],
  ]);
  // The bottom part hidden: the top one rests on zero.
  const again = stackColumns(cols, plan, [true, false, true], out);
  assert.equal(again, out, 'the arrays are reused');
  assert.deepEqual(again[0], [10, 20, 30, null]);
  assert.deepEqual(again[1], [1, 2, null, 4]);
});
