import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store, GAP_TICKS, anyArray } from './store.js';

const T0 = 1732240000000;

function schema(series, extra = {}) {
  return {
    type: 'schema',
    version: 1,
    interval: 1000,
    historyLen: 600,
    series: series.map(([i, id, more]) => ({
      i,
      id,
      name: id,
      labels: {},
      title: id,
      unit: '',
      group: 'host',
      kind: 'gauge',
      chart: id,
      chartTitle: id,
      ...more,
    })),
    ...extra,
  };
}

function frame(k, i, v) {
  return { type: 'frame', t: T0 + k * 1000 + 3, ts: T0 + k * 1000, i, v };
}

// vals returns a column as a plain array with null for NaN, for deepEqual.
function vals(store, id) {
  return Array.from(store.values(id), (v) => (Number.isNaN(v) ? null : v));
}

function xs(store) {
  return Array.from(store.times(), (x) => Math.round((x * 1000 - T0) / 1000));
}

test('frames carry forward absent series, null is a gap', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a'], [1, 'b']]));
  assert.equal(s.applyFrame(frame(0, [0, 1], [1, 10])), true);
  s.applyFrame(frame(1, [0], [2]));
  s.applyFrame(frame(2, [1], [null]));
  s.applyFrame(frame(3, [], []));
  s.applyFrame(frame(4, [1], [40]));
  assert.deepEqual(vals(s, 'a'), [1, 2, 2, 2, 2]);
  assert.deepEqual(vals(s, 'b'), [10, 10, null, null, 40]);
  assert.deepEqual(xs(s), [0, 1, 2, 3, 4]);
  assert.equal(s.lastTs, T0 + 4000);
  assert.equal(s.lastX, (T0 + 4000) / 1000);
  assert.equal(s.latest('a'), 2);
  assert.ok(Number.isNaN(s.latest('nope')));
  assert.equal(s.values('nope'), null);
});

test('x column is in seconds', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  s.applyFrame(frame(0, [0], [1]));
  assert.equal(s.times()[0], T0 / 1000);
});

test('frames at or before lastTs are dropped', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  s.applyFrame(frame(1, [0], [1]));
  assert.equal(s.applyFrame(frame(1, [0], [99])), false);
  assert.equal(s.applyFrame(frame(0, [0], [99])), false);
  assert.equal(s.length, 1);
  assert.deepEqual(vals(s, 'a'), [1]);
});

test('unknown indices in frames and history are ignored', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  s.applyHistory({ type: 'history', ts: [T0], cols: [[1], [5], [6]] });
  s.applyFrame(frame(1, [7, 0], [3, 2]));
  assert.deepEqual(vals(s, 'a'), [1, 2]);
  assert.deepEqual([...s.cols.keys()], ['a']);
});

test('ring wraps around at capacity = historyLen', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']], { historyLen: 4 }));
  assert.equal(s.capacity, 4);
  for (let k = 0; k < 10; k++) s.applyFrame(frame(k, [0], [k * 10]));
  assert.equal(s.length, 4);
  assert.equal(s.total, 10);
  assert.deepEqual(vals(s, 'a'), [60, 70, 80, 90]);
  assert.deepEqual(xs(s), [6, 7, 8, 9]);
  assert.equal(s.latest('a'), 90);
  assert.equal(s.window, 4);
  assert.equal(s.firstX, (T0 + 6000) / 1000);
  assert.equal(s.lastX, (T0 + 9000) / 1000);
});

test('firstX is null on an empty store, then the oldest row', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  assert.equal(s.firstX, null);
  s.applyFrame(frame(3, [0], [1]));
  s.applyFrame(frame(4, [0], [1]));
  assert.equal(s.firstX, (T0 + 3000) / 1000);
});

test('schema in display order, not index order: values follow the index', () => {
  const s = new Store();
  s.applySchema(schema([[2, 'c'], [0, 'a'], [1, 'b']]));
  assert.deepEqual(
    s.series.map((d) => d.id),
    ['c', 'a', 'b'],
  );
  s.applyHistory({ type: 'history', ts: [T0], cols: [[1], [2], [3]] });
  s.applyFrame(frame(1, [2, 0], [30, 10]));
  assert.deepEqual(vals(s, 'a'), [1, 10]);
  assert.deepEqual(vals(s, 'b'), [2, 2]);
  assert.deepEqual(vals(s, 'c'), [3, 30]);
});

test('default capacity is 600', () => {
  const s = new Store();
  s.applySchema({ type: 'schema', series: [{ i: 0, id: 'a' }] });
  assert.equal(s.capacity, 600);
  assert.equal(s.interval, 1000);
});

test('history: dense columns, null column = no value in window', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a'], [1, 'b'], [2, 'c']]));
  const n = s.applyHistory({
    type: 'history',
    ts: [T0, T0 + 1000, T0 + 2000],
    cols: [[0.5, 0.6, null], null, [1, 2, 3]],
  });
  assert.equal(n, 3);
  assert.deepEqual(vals(s, 'a'), [0.5, 0.6, null]);
  assert.deepEqual(vals(s, 'b'), [null, null, null]);
  assert.deepEqual(vals(s, 'c'), [1, 2, 3]);
  // The history's last row is what frames carry forward from.
  s.applyFrame(frame(3, [1], [7]));
  assert.deepEqual(vals(s, 'a'), [0.5, 0.6, null, null]);
  assert.deepEqual(vals(s, 'b'), [null, null, null, 7]);
  assert.deepEqual(vals(s, 'c'), [1, 2, 3, 3]);
});

test('resume: history overlapping what we hold adds no duplicates and no gaps', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  for (let k = 0; k < 5; k++) s.applyFrame(frame(k, [0], [k]));
  // Reconnect with ?since=lastTs; a server may still resend some old rows.
  s.applySchema(schema([[0, 'a']]));
  const ts = [2, 3, 4, 5, 6, 7].map((k) => T0 + k * 1000);
  const n = s.applyHistory({ type: 'history', ts, cols: [[2, 3, 4, 5, 6, 7]] });
  assert.equal(n, 3);
  assert.deepEqual(xs(s), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(vals(s, 'a'), [0, 1, 2, 3, 4, 5, 6, 7]);
  // An empty history (nothing missed) changes nothing.
  assert.equal(s.applyHistory({ type: 'history', ts: [], cols: [] }), 0);
  s.applyFrame(frame(8, [], []));
  assert.deepEqual(vals(s, 'a').slice(-2), [7, 7]);
});

test('a hole in tick times becomes one gap row', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  s.applyFrame(frame(0, [0], [1]));
  s.applyFrame(frame(1, [], []));
  // Within GAP_TICKS intervals: no gap (a late tick is not a hole).
  s.applyFrame(frame(1 + Math.floor(GAP_TICKS), [], []));
  assert.equal(s.length, 3);
  // Far after: a NaN row one interval after the last tick, then the row.
  s.applyHistory({ type: 'history', ts: [T0 + 30000, T0 + 31000], cols: [[5, 6]] });
  assert.deepEqual(xs(s), [0, 1, 3, 4, 30, 31]);
  assert.deepEqual(vals(s, 'a'), [1, 1, 1, null, 5, 6]);
  // lastTs is the last real tick, not the gap row.
  assert.equal(s.lastTs, T0 + 31000);
  // The gap row does not break carry-forward of frames.
  s.applyFrame(frame(40, [], []));
  assert.deepEqual(vals(s, 'a').slice(-2), [null, 6]);
});

test('schema change adds a series mid-stream', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  s.applyFrame(frame(0, [0], [1]));
  s.applyFrame(frame(1, [0], [2]));
  const gen = s.gen;
  const r = s.applySchema(schema([[0, 'a'], [1, 'b']]));
  assert.deepEqual(r, { added: ['b'], removed: [] });
  assert.notEqual(s.gen, gen);
  s.applyFrame(frame(2, [1], [9]));
  assert.deepEqual(vals(s, 'a'), [1, 2, 2]);
  assert.deepEqual(vals(s, 'b'), [null, null, 9]);
  assert.deepEqual(s.series.map((d) => d.id), ['a', 'b']);
});

test('restart: new indices map to the same ids', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a'], [1, 'b']]));
  s.applyHistory({ type: 'history', ts: [T0, T0 + 1000], cols: [[1, 2], [10, 20]] });
  // The restarted server knows the series under other indices, plus a new one.
  const r = s.applySchema(schema([[0, 'c'], [1, 'b'], [2, 'a']]));
  assert.deepEqual(r, { added: ['c'], removed: [] });
  s.applyHistory({ type: 'history', ts: [T0 + 2000], cols: [[100], [30], [3]] });
  s.applyFrame(frame(3, [2, 1], [4, 40]));
  assert.deepEqual(vals(s, 'a'), [1, 2, 3, 4]);
  assert.deepEqual(vals(s, 'b'), [10, 20, 30, 40]);
  assert.deepEqual(vals(s, 'c'), [null, null, 100, 100]);
});

test('series dropped from the schema stop carrying forward and go once empty', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a'], [1, 'b']], { historyLen: 3 }));
  s.applyFrame(frame(0, [0, 1], [1, 2]));
  const r = s.applySchema(schema([[0, 'a']], { historyLen: 3 }));
  assert.deepEqual(r, { added: [], removed: ['b'] });
  assert.ok(s.cols.has('b'), 'kept while it has data');
  s.applyFrame(frame(1, [], []));
  assert.deepEqual(vals(s, 'b'), [2, null]);
  s.applyFrame(frame(2, [], []));
  s.applyFrame(frame(3, [], []));
  s.applySchema(schema([[0, 'a']], { historyLen: 3 }));
  assert.equal(s.cols.has('b'), false);
  assert.deepEqual(s.series.map((d) => d.id), ['a']);
});

test('schema descriptors get defaults and duplicates are ignored', () => {
  const s = new Store();
  s.applySchema({
    type: 'schema',
    series: [
      { i: 0, id: 'x', name: 'x' },
      { i: 1, id: 'x', name: 'dup' },
      { i: 2, name: 'no id' },
      null,
    ],
  });
  assert.equal(s.series.length, 1);
  const d = s.series[0];
  assert.equal(d.title, 'x');
  assert.equal(d.chart, 'x');
  assert.equal(d.chartTitle, 'x');
  assert.equal(d.kind, 'gauge');
  assert.equal(d.unit, '');
  assert.equal(d.stat, false);
});

test('schema descriptors keep the stat flag only when it is true', () => {
  const s = new Store();
  s.applySchema({
    type: 'schema',
    series: [
      { i: 0, id: 'cpus', stat: true },
      { i: 1, id: 'odd', stat: 'yes' },
    ],
  });
  assert.deepEqual(
    s.series.map((d) => d.stat),
    [true, false],
  );
});

test('historyLen change keeps the newest rows', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']], { historyLen: 5 }));
  for (let k = 0; k < 7; k++) s.applyFrame(frame(k, [0], [k]));
  s.applySchema(schema([[0, 'a']], { historyLen: 3 }));
  assert.equal(s.capacity, 3);
  assert.deepEqual(vals(s, 'a'), [4, 5, 6]);
  s.applyFrame(frame(7, [0], [7]));
  assert.deepEqual(vals(s, 'a'), [5, 6, 7]);
  s.applySchema(schema([[0, 'a']], { historyLen: 6 }));
  s.applyFrame(frame(8, [], []));
  assert.deepEqual(vals(s, 'a'), [5, 6, 7, 7]);
  assert.deepEqual(xs(s), [5, 6, 7, 8]);
});

// expected returns what a view over ids must hold: the store's rows in
// order, null for NaN.
function expected(s, ids) {
  const n = (v) => (Number.isNaN(v) ? null : v);
  return [Array.from(s.times()), ...ids.map((id) => (s.values(id) ? Array.from(s.values(id), n) : new Array(s.length).fill(null)))];
}

// tail keeps the last n entries of each array.
function tail(d, n) {
  return d.map((a) => a.slice(a.length - n));
}

test('view: incremental sync matches a rebuild across wrap-around', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a'], [1, 'b']], { historyLen: 5 }));
  const v = s.view(['b', 'a', 'missing']);
  assert.equal(v.sync(), true);
  assert.deepEqual(v.data, [[], [], [], []]);
  for (let k = 0; k < 23; k++) {
    s.applyFrame(frame(k, k % 3 ? [0] : [0, 1], [k, k % 4 ? k * 2 : null]));
    if (k % 2 === 0) {
      assert.equal(v.sync(), true);
      // The view may keep older rows at the front (up to 2× capacity);
      // its last s.length rows are exactly the store's.
      assert.ok(v.data[0].length <= 2 * s.capacity);
      assert.deepEqual(tail(v.data, s.length), expected(s, ['b', 'a', 'missing']));
      // x stays ascending, as uPlot requires.
      for (let j = 1; j < v.data[0].length; j++) assert.ok(v.data[0][j] > v.data[0][j - 1]);
    }
  }
  s.applyFrame(frame(23, [], []));
  assert.equal(v.sync(), true);
  assert.equal(v.sync(), false, 'nothing new');
  // Gaps are null, never NaN ('missing' has no column at all).
  assert.ok(v.data[3].every((x) => x === null));
  assert.ok(!v.data.flat().some((x) => Number.isNaN(x)));
});

test('view: falling more than a ring behind rebuilds', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']], { historyLen: 4 }));
  const v = s.view(['a']);
  s.applyFrame(frame(0, [0], [0]));
  v.sync();
  for (let k = 1; k < 12; k++) s.applyFrame(frame(k, [0], [k]));
  v.sync();
  assert.deepEqual(v.data, expected(s, ['a']));
  assert.deepEqual(v.data[1], [8, 9, 10, 11]);
});

test('view: a schema change (new series) rebuilds with the new column', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  const v = s.view(['a', 'b']);
  s.applyFrame(frame(0, [0], [1]));
  v.sync();
  assert.deepEqual(v.data[2], [null]);
  s.applySchema(schema([[0, 'a'], [1, 'b']]));
  s.applyFrame(frame(1, [1], [5]));
  assert.equal(v.sync(), true);
  assert.deepEqual(v.data, [[T0 / 1000, T0 / 1000 + 1], [1, 1], [null, 5]]);
});

test('view: gap rows appear as null in every series', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']]));
  const v = s.view(['a']);
  s.applyFrame(frame(0, [0], [1]));
  v.sync();
  s.applyFrame(frame(10, [], []));
  v.sync();
  assert.deepEqual(v.data[1], [1, null, 1]);
  assert.deepEqual(v.data[0], [T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 10]);
});

test('anyArray is an empty array that takes numbers and null', () => {
  const a = anyArray();
  assert.deepEqual(a, []);
  a.push(1, 2.5, null);
  assert.deepEqual(a, [1, 2.5, null]);
});

test('a view rebuilt and a view appended to hold the same data', () => {
  const s = new Store(4);
  s.applySchema({ historyLen: 4, interval: 1000, series: [{ id: 'a', i: 0 }, { id: 'b', i: 1 }] });
  const live = s.view(['a', 'b']);
  live.sync();
  for (let t = 1; t <= 6; t++) {
    s.applyFrame({ ts: t * 1000, i: [0, 1], v: [t, t % 2 ? null : t / 2] });
    live.sync();
  }
  const fresh = s.view(['a', 'b']);
  fresh.sync();
  const tail = (a) => a.slice(-4);
  assert.deepEqual(live.data.map(tail), fresh.data);
  assert.deepEqual(fresh.data, [[3, 4, 5, 6], [3, 4, 5, 6], [null, 2, null, 3]]);
});

test('the schema\'s tiers are kept, finest first; malformed ones left out', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a']], { tiers: [{ step: 60000, span: 172800000 }, { step: 1000, span: 600000 }, { step: 0, span: 5 }, null] }));
  assert.deepEqual(s.tiers, [{ step: 1000, span: 600000 }, { step: 60000, span: 172800000 }]);
  s.applySchema(schema([[0, 'a']]));
  assert.deepEqual(s.tiers, []);
  assert.equal(s.range, null);
});

test('a view draws the range before the ring, with bands, a gap row where they do not meet', () => {
  const s = new Store();
  s.applySchema(schema([[0, 'a'], [1, 'b']]));
  for (let k = 100; k < 110; k++) s.applyFrame(frame(k, [0, 1], [k, -k]));
  const v = s.view(['a', 'b']);
  v.sync();
  assert.equal(v.pre, 0);
  assert.equal(v.stale, false);
  // Buckets of 10 s from 0 to 90 s: they meet the ring (100 s).
  const range = (t0, n) => ({
    gen: 7, tier: 1, step: 10000, from: T0 + t0 * 1000, to: T0 + (t0 + 10 * n) * 1000,
    xs: Array.from({ length: n }, (_, k) => (T0 + (t0 + 10 * k) * 1000) / 1000),
    cols: new Map([['a', { mean: new Float64Array(n).fill(1), min: new Float64Array(n).fill(0), max: new Float64Array(n).fill(2) }]]),
  });
  s.range = range(0, 12); // 0 … 110 s: the rows at 100 and 110 s are the ring's
  assert.equal(v.stale, true);
  assert.equal(v.sync(), true);
  assert.equal(v.pre, 10);
  assert.deepEqual(v.data[0].slice(8, 12).map((x) => Math.round(x * 1000 - T0) / 1000), [80, 90, 100, 101]);
  assert.deepEqual(v.data[1].slice(8, 12), [1, 1, 100, 101]);
  assert.deepEqual(v.data[2].slice(8, 12), [null, null, -100, -101], 'a series the range lacks');
  assert.deepEqual(v.hi[0].length, 10);
  assert.equal(v.lo[1], null);
  // Live rows append after the ring's.
  s.applyFrame(frame(110, [0], [110]));
  v.sync();
  assert.equal(v.data[0].length, 10 + 11);
  // A range that stops well before the ring: a gap row between.
  s.range = { ...range(0, 5), gen: 8 };
  v.sync();
  assert.equal(v.pre, 6);
  assert.equal(v.data[0][5], (T0 + 50000) / 1000);
  assert.equal(v.data[1][5], null);
  // The range dropped: the ring alone.
  s.range = null;
  v.sync();
  assert.equal(v.pre, 0);
  assert.equal(v.data[0].length, 11);
});

test('with a range, a view keeps the rows the ring let go of, up to three rings', () => {
  const s = new Store(10);
  s.applySchema(schema([[0, 'a']], { historyLen: 10 }));
  s.applyFrame(frame(100, [0], [1]));
  s.range = { gen: 9, tier: 1, step: 10000, xs: [(T0 + 50000) / 1000, (T0 + 60000) / 1000], cols: new Map([['a', { mean: new Float64Array([5, 6]), min: new Float64Array([4, 5]), max: new Float64Array([6, 7]) }]]) };
  const v = s.view(['a']);
  v.sync();
  assert.equal(v.pre, 3, 'two buckets and a gap row');
  for (let k = 101; k < 125; k++) {
    s.applyFrame(frame(k, [0], [k]));
    v.sync();
  }
  assert.equal(v.data[0].length, 3 + 25, 'every live row kept');
  for (let k = 125; k < 140; k++) {
    s.applyFrame(frame(k, [0], [k]));
    v.sync();
  }
  assert.ok(v.data[0].length - v.pre <= 30, 'at most three rings');
  assert.equal(v.data[1][0], 5, 'the range kept');
});
