// Tests of changes.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stats, score, rankChanges } from './changes.js';

// A minute at 1 Hz: x = 0..59.
const xs = Array.from({ length: 60 }, (_, i) => i);
let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

test('stats skip gaps and rows outside the range', () => {
  const s = stats([0, 1, 2, 3], [1, null, 3, 100], 0, 3);
  assert.equal(s.n, 2);
  assert.equal(s.mean, 2);
  assert.equal(s.sd, 1);
  assert.equal(stats([0, 1], [NaN, null], 0, 2).n, 0);
});

test('score: a step far beyond the noise scores high, noise scores low', () => {
  assert.ok(score({ mean: 10, sd: 1 }, { mean: 20, sd: 1 }) > 5);
  assert.ok(score({ mean: 10, sd: 5 }, { mean: 11, sd: 5 }) < 0.5);
  assert.ok(Number.isFinite(score({ mean: 0, sd: 0 }, { mean: 1, sd: 0 })), 'a flat series that moves');
});

test('rankChanges puts a leak and a burst before the usual noise', () => {
  const cols = {
    // Goroutines: flat, then growing in the last 20 s (a leak).
    goroutines: xs.map((x) => (x < 40 ? 50 + (x % 2) : 50 + 3 * (x - 40))),
    // Disk writes: noisy around 1 MB/s, a burst to 30 MB/s at 45..50.
    disk: xs.map((x) => (x >= 45 && x < 50 ? 30e6 : 1e6 * (0.5 + rand()))),
    // CPU: noise around 20 % all along.
    cpu: xs.map(() => 0.2 + 0.05 * (rand() - 0.5)),
    // Heap: a sawtooth, the same in both windows.
    heap: xs.map((x) => 1e6 * (x % 10)),
    // A series with no data in the window before.
    fresh: xs.map((x) => (x >= 40 ? 5 : null)),
    flat: xs.map(() => 7),
  };
  const series = Object.keys(cols).map((id) => ({ id }));
  const ranked = rankChanges(xs, series, (id) => cols[id], { min: 40, max: 59 });
  const ids = ranked.map((r) => r.series.id);
  assert.deepEqual(ids.slice(0, 2).sort(), ['disk', 'goroutines']);
  assert.ok(!ids.includes('fresh'), 'no window before to compare with');
  assert.ok(!ids.includes('flat'), 'did not move');
  assert.ok(ids.indexOf('cpu') > 1 && ids.indexOf('heap') > 1);
  const g = ranked.find((r) => r.series.id === 'goroutines');
  assert.ok(Math.abs(g.before.mean - 50.5) < 0.1);
  assert.ok(g.after.mean > 70);
});

test('rankChanges keeps the top n and needs a window', () => {
  const cols = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`s${k}`, xs.map((x) => (x < 30 ? 0 : k + 1))]));
  const series = Object.keys(cols).map((id) => ({ id }));
  const r = rankChanges(xs, series, (id) => cols[id], { min: 30, max: 59 }, 5);
  assert.equal(r.length, 5);
  assert.deepEqual(rankChanges(xs, series, (id) => cols[id], { min: 30, max: 30 }), []);
});
