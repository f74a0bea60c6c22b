// Tests of changes.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stats, score, deviation, scaleOf, isShareUnit, rankChanges } from './changes.js';

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
  assert.ok(deviation({ mean: 10, sd: 1 }, { mean: 20, sd: 1 }, 20).z > 5);
  assert.ok(deviation({ mean: 10, sd: 5 }, { mean: 11, sd: 5 }, 11).z < 0.5);
  assert.ok(score({ mean: 10, sd: 1 }, { mean: 20, sd: 1 }) > 10 * score({ mean: 10, sd: 5 }, { mean: 11, sd: 5 }));
  assert.ok(Number.isFinite(score({ mean: 0, sd: 0 }, { mean: 1, sd: 0 })), 'a flat series that moves');
});

test('deviation: a share flat at zero that moves by its last digit is not a change', () => {
  // go_mutex_wait on a busy runtime: 0 % for a while, then 0.01 %.
  const d = deviation({ mean: 0, sd: 0 }, { mean: 0.0001, sd: 0.00005 }, 0.0001, true);
  assert.ok(d.z < 0.1, `z ${d.z}`);
  // A few KiB/s written on a disk that held a burst of 1 MB/s: within 2 %
  // of the series' scale, so within its floor.
  const e = deviation({ mean: 0, sd: 0 }, { mean: 4096, sd: 0 }, 1e6);
  assert.ok(e.z < 1 && e.rel < 0.01, JSON.stringify(e));
  assert.ok(e.score < 0.001);
});

test('scaleOf is the largest magnitude held up to the window end', () => {
  assert.equal(scaleOf([0, 1, 2, 3], [1, -5, null, 100], 3), 5);
  assert.equal(scaleOf([0, 1], [NaN, null], 2), 0);
});

test('isShareUnit: ratios and counters of seconds', () => {
  assert.ok(isShareUnit('ratio', 'gauge'));
  assert.ok(isShareUnit('seconds', 'counter'));
  assert.ok(!isShareUnit('seconds', 'gauge'));
  assert.ok(!isShareUnit('bytes', 'counter'));
});

test('rankChanges: a step in an app series ranks above a busy runtime', () => {
  // What the page held when a browser test failed: the stepped series
  // (40 → 400 for part of the window), a mutex wait from 0 % to 0.02 %,
  // and runtime series wobbling as a busy process makes them.
  const cols = {
    incident_workers: xs.map((x) => (x < 44 ? 40 : 400)),
    incident_noise: xs.map((x) => 100 + (x % 7)),
    go_mutex_wait: xs.map((x) => (x < 40 ? 0 : x % 3 === 0 ? 0.0004 : 0.0001)),
    go_cpu_scavenger: xs.map((x) => (x < 40 ? 0.0036 : 0.002) + 0.001 * rand()),
    go_mspan_free: xs.map((x) => (x < 40 ? 6080 : 9270) + 300 * rand()),
    go_heap_objects: xs.map((x) => (x < 40 ? 18500 : 20100) + 1000 * rand()),
    go_cpu_user: xs.map((x) => (x < 40 ? 0.0535 : 0.018) + 0.02 * rand()),
    go_threads: xs.map((x) => (x < 40 ? 6 + (x % 3 === 0) : 7)),
    go_gc_cycles: xs.map((x) => (x % 9 === 0 ? 4 : 0)),
  };
  const units = {
    go_mutex_wait: ['seconds', 'counter'],
    go_cpu_scavenger: ['seconds', 'counter'],
    go_cpu_user: ['seconds', 'counter'],
    go_mspan_free: ['bytes', 'gauge'],
    go_gc_cycles: ['count', 'counter'],
  };
  const series = Object.keys(cols).map((id) => ({ id, unit: units[id]?.[0] ?? 'count', kind: units[id]?.[1] ?? 'gauge' }));
  const ranked = rankChanges(xs, series, (id) => cols[id], { min: 40, max: 59 });
  const ids = ranked.map((r) => r.series.id);
  assert.equal(ids[0], 'incident_workers', JSON.stringify(ranked.map((r) => [r.series.id, r.z, r.rel])));
  assert.ok(ids.indexOf('go_mutex_wait') === -1 || ids.indexOf('go_mutex_wait') > 3, ids.join());
  assert.equal(ranked[0].before.mean, 40);
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
