// Tests of export.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCSV, historyJSON, fileName } from './export.js';
import { Store } from './store.js';

test('toCSV: a time column, one column per series, gaps empty, the range only', () => {
  const data = [
    [1700000000, 1700000001, 1700000002],
    [1, null, 3.5],
    [10, 20, 30],
  ];
  assert.equal(
    toCSV(['a', 'b{x="1,2"}'], data, { min: 1700000001, max: 1700000002 }),
    'time,a,"b{x=""1,2""}"\r\n2023-11-14T22:13:21.000Z,,20\r\n2023-11-14T22:13:22.000Z,3.5,30\r\n',
  );
  assert.equal(toCSV(['a'], [[], []], null), 'time,a\r\n');
});

test('historyJSON holds every series with its values', () => {
  const s = new Store(4);
  s.applySchema({ interval: 1000, historyLen: 4, series: [{ i: 0, id: 'x', unit: 'bytes' }, { i: 1, id: 'y' }] });
  s.applyHistory({ ts: [1000, 2000], cols: [[1, null], [5, 6]] });
  const h = JSON.parse(historyJSON(s));
  assert.deepEqual(h.ts, [1000, 2000]);
  assert.equal(h.interval, 1000);
  assert.deepEqual(h.series.map((d) => [d.id, d.unit, d.values]), [['x', 'bytes', [1, null]], ['y', '', [5, 6]]]);
});

test('fileName is safe and stamped', () => {
  assert.equal(fileName('host_disk{device="sda"}', 1700000000, 'csv'), 'host_disk_device_sda_-2023-11-14T221320Z.csv');
});
