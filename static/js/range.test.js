// Tests of range.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseTier, baseRequest, zoomRequest, tailRequest, rangeURL, parseRange, mergeRange, columnsOf, transfers, RangeLoader, RETRY_MS } from './range.js';
import { Store } from './store.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
// The default tiers: the ring (1 s for 10 min), 10 s for 6 h, 1 min for 48 h.
const TIERS = [
  { step: S, span: 10 * M },
  { step: 10 * S, span: 6 * H },
  { step: M, span: 48 * H },
];
const NOW = 1732240000000;

test('chooseTier takes the finest tier reaching back, as the server does', () => {
  assert.equal(chooseTier(TIERS, NOW - 5 * M, NOW), 0);
  assert.equal(chooseTier(TIERS, NOW - 10 * M, NOW), 0, 'the span reaches exactly');
  assert.equal(chooseTier(TIERS, NOW - 15 * M, NOW), 1);
  assert.equal(chooseTier(TIERS, NOW - 6 * H, NOW), 1);
  assert.equal(chooseTier(TIERS, NOW - 24 * H, NOW), 2);
  assert.equal(chooseTier(TIERS, NOW - 96 * H, NOW), 2, 'beyond every span: the coarsest');
  assert.equal(chooseTier(TIERS, NOW - 5 * M, NOW, 5 * S), 1, 'steps at least minStep apart');
  assert.equal(chooseTier(TIERS, NOW - 5 * M, NOW, 20 * S), 2);
});

test('baseRequest: only the part the ring does not hold, in whole steps of the tier', () => {
  const first = NOW - 10 * M + S;
  assert.equal(baseRequest(TIERS, 300, NOW, first), null, '5 m: the ring holds it');
  assert.equal(baseRequest(TIERS, 600, NOW, NOW - 10 * M), null, 'the ring exactly');
  assert.deepEqual(baseRequest(TIERS, 900, NOW, first), { tier: 1, step: 10 * S, from: NOW - 15 * M + 10 * S, to: first + 9 * S });
  // 6 h: the span of tier 1, asked for so that the server, a tick ahead,
  // still picks it.
  const r6h = baseRequest(TIERS, 6 * 3600, NOW, first);
  assert.equal(r6h.tier, 1);
  assert.equal(chooseTier(TIERS, r6h.from, NOW + 2 * S), 1);
  const r6 = baseRequest(TIERS, 6 * 3600, NOW + 1234, first);
  assert.equal(r6.tier, 1);
  assert.equal(r6.from % (10 * S), 0);
  assert.ok(r6.from > NOW + 1234 - 6 * H && r6.from <= NOW + 1234 - 6 * H + 20 * S && r6.to >= first);
  const r48 = baseRequest(TIERS, 48 * 3600, NOW, first);
  assert.deepEqual([r48.tier, r48.step, (r48.to - r48.from) / M], [2, M, 48 * 60 - 9], 'the coarsest: from the window\'s start');
  assert.equal(baseRequest(TIERS.slice(0, 1), 900, NOW, first), null, 'no coarse tier');
  assert.equal(baseRequest(TIERS, 900, null, null), null, 'no data yet');
  assert.equal(baseRequest(TIERS, 900, NOW, null).to, NOW, 'an empty ring: up to the newest tick');
});

test('zoomRequest asks for a finer tier only where one reaches and the zoom is older than the ring', () => {
  const first = NOW - 10 * M;
  const sec = (t) => t / 1000;
  // In a 48 h window (tier 2), a 1 h zoom 2 h ago: tier 1 reaches it.
  const z = zoomRequest(TIERS, 2, { min: sec(NOW - 3 * H), max: sec(NOW - 2 * H) }, NOW, first);
  assert.deepEqual(z, { tier: 1, step: 10 * S, from: NOW - 3 * H, to: NOW - 2 * H });
  // 30 h ago: only tier 2, which the window already has.
  assert.equal(zoomRequest(TIERS, 2, { min: sec(NOW - 31 * H), max: sec(NOW - 30 * H) }, NOW, first), null);
  // Inside the ring: nothing to fetch.
  assert.equal(zoomRequest(TIERS, 2, { min: sec(NOW - 5 * M), max: sec(NOW) }, NOW, first), null);
  // A zoom too wide for tier 1's steps (> MAX_POINTS): none.
  assert.equal(zoomRequest(TIERS, 2, { min: sec(NOW - 5.9 * H), max: sec(NOW - 5 * M) }, NOW, first).tier, 1);
  assert.equal(zoomRequest([TIERS[0], { step: S, span: 6 * H }, TIERS[2]].slice(0, 3), 2, { min: sec(NOW - 5.9 * H), max: sec(NOW) }, NOW, first), null);
  // Reaching into the ring: the request does not follow the ring's start.
  const a = zoomRequest(TIERS, 2, { min: sec(NOW - 20 * M), max: sec(NOW) }, NOW, first);
  const b = zoomRequest(TIERS, 2, { min: sec(NOW - 20 * M), max: sec(NOW) }, NOW + 5 * S, first + 5 * S);
  assert.deepEqual(a, b);
});

test('rangeURL is relative to the page, like the socket', () => {
  assert.equal(rangeURL('http://h/debug/dashboard/#w=6h', { from: 1, to: 2, step: 10 }), 'http://h/debug/dashboard/api/range?from=1&to=2&step=10');
});

const byIndex = (ids) => (i) => ids[i];

// arr turns a typed column into a plain array, null for NaN, for deepEqual.
const arr = (a) => (a == null ? null : Array.from(a, (v) => (Number.isNaN(v) ? null : v)));
const plain = (c) => c && { mean: arr(c.mean), min: arr(c.min), max: arr(c.max) };

test('parseRange keys columns by id, coarse tiers with min and max', () => {
  const msg = {
    type: 'range', tier: 1, step: 10000, from: NOW, to: NOW + 20000,
    ts: [NOW, NOW + 10000, NOW + 20000],
    cols: [{ min: [1, null, 3], max: [5, null, 7], mean: [2, null, 4] }, null, [9, 8, 'x']],
  };
  const r = parseRange(msg, byIndex(['a', 'b', 'c']));
  assert.equal(r.step, 10000);
  assert.equal(r.tier, 1);
  assert.deepEqual(arr(r.xs), [NOW / 1000, NOW / 1000 + 10, NOW / 1000 + 20]);
  assert.deepEqual(plain(r.cols.get('a')), { mean: [2, null, 4], min: [1, null, 3], max: [5, null, 7] });
  assert.equal(r.cols.has('b'), false, 'a series without values');
  assert.deepEqual(plain(r.cols.get('c')), { mean: [9, 8, null], min: null, max: null }, 'the full-rate tier');
  assert.ok(r.cols.get('a').mean instanceof Float64Array);
  assert.equal(parseRange(msg, byIndex([])).cols.size, 0, 'unknown indices');
  const r2 = parseRange(msg, byIndex(['a']));
  assert.ok(r2.gen > r.gen);
  assert.equal(parseRange({}, byIndex([])).xs.length, 0);
});

function rd(step, t0, means, { tier = 1, id = 'a', bands = true } = {}) {
  const xs = means.map((_, k) => (t0 + k * step) / 1000);
  const cols = new Map([[id, { mean: means, min: bands ? means.map((v) => (v == null ? null : v - 1)) : null, max: bands ? means.map((v) => (v == null ? null : v + 1)) : null }]]);
  return { gen: 1, tier, step, from: t0, to: t0 + means.length * step, xs, cols };
}

test('mergeRange puts a zoom\'s finer buckets over the window\'s', () => {
  const base = rd(60 * S, NOW, [1, 2, 3, 4]); // 0, 60, 120, 180 s
  const fine = rd(10 * S, NOW + 60 * S, [10, 11, 12, 13, 14, 15], { tier: 0, bands: false }); // 60 … 110 s
  const m = mergeRange(base, fine);
  assert.deepEqual(arr(m.xs).map((x) => x - NOW / 1000), [0, 60, 70, 80, 90, 100, 110, 120, 180]);
  const c = plain(m.cols.get('a'));
  assert.deepEqual(c.mean, [1, 10, 11, 12, 13, 14, 15, 3, 4]);
  assert.deepEqual(c.max, [2, null, null, null, null, null, null, 4, 5], 'bands only where the tier has them');
  assert.equal(m.step, 60 * S);
  assert.ok(m.gen !== base.gen);
  // The base is left as it was.
  assert.deepEqual(base.cols.get('a').mean, [1, 2, 3, 4]);
});

test('mergeRange appends a tail, replacing the partial last bucket, and trims', () => {
  const base = rd(10 * S, NOW, [1, 2, 3]);
  const tail = rd(10 * S, NOW + 20 * S, [30, 4, 5]);
  const m = mergeRange(base, tail, NOW / 1000 + 10);
  assert.deepEqual(arr(m.xs).map((x) => x - NOW / 1000), [10, 20, 30, 40]);
  assert.deepEqual(arr(m.cols.get('a').mean), [2, 30, 4, 5]);
  assert.equal(m.to, tail.to);
  // A series only in one of them.
  const other = rd(10 * S, NOW + 50 * S, [7], { id: 'b' });
  const m2 = mergeRange(m, other);
  assert.deepEqual(arr(m2.cols.get('b').mean), [null, null, null, null, 7]);
  assert.deepEqual(arr(m2.cols.get('a').mean), [2, 30, 4, 5, null]);
  assert.deepEqual(arr(mergeRange(null, other).xs), other.xs);
});

test('tailRequest is due once the ring let go of more than lag after the buckets', () => {
  const base = rd(10 * S, NOW, [1, 2, 3]); // to = NOW + 30 s, last bucket at 20 s
  assert.equal(tailRequest(base, NOW + 30 * S, 10 * S), null);
  assert.equal(tailRequest(base, NOW + 40 * S, 10 * S), null);
  assert.deepEqual(tailRequest(base, NOW + 41 * S, 10 * S), { tier: 1, step: 10 * S, from: NOW + 20 * S, to: NOW + 50 * S, tail: true });
  assert.equal(tailRequest(null, NOW, 1), null);
});

// A store holding a ring of 1 s rows ending at NOW, with the default tiers.
function storeAt(rows = 600) {
  const s = new Store();
  s.applySchema({ type: 'schema', interval: 1000, historyLen: 600, tiers: TIERS, series: [{ i: 0, id: 'a' }, { i: 1, id: 'b' }] });
  const ts = [];
  const a = [];
  for (let k = rows - 1; k >= 0; k--) {
    ts.push(NOW - k * S);
    a.push(k);
  }
  s.applyHistory({ type: 'history', ts, cols: [a, null] });
  return s;
}

// A fake fetch: records the requests; the test answers them.
function fakeFetch() {
  const calls = [];
  const f = (url, init) =>
    new Promise((resolve, reject) => {
      const call = { url: new URL(url), init, resolve, reject };
      init?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      calls.push(call);
    });
  f.calls = calls;
  f.answer = (k, msg, status = 200) => calls[k].resolve({ ok: status === 200, status, statusText: '', json: async () => msg });
  return f;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

// rangeMsg answers a request with one bucket per step, series 0 at v.
function rangeMsg(call, v = 5) {
  const p = call.url.searchParams;
  const from = Number(p.get('from'));
  const to = Number(p.get('to'));
  const step = Number(p.get('step'));
  const ts = [];
  for (let t = from; t <= to; t += step) ts.push(t);
  const tier = TIERS.findIndex((t) => t.step === step);
  return { type: 'range', tier, step, from, to, ts, cols: [{ min: ts.map(() => v - 1), max: ts.map(() => v + 1), mean: ts.map(() => v) }, null] };
}

test('RangeLoader fetches a long window once, drops it with the window, aborts a stale request', async () => {
  const s = storeAt();
  const f = fakeFetch();
  const view = { window: 600, paused: null };
  let changes = 0;
  const statuses = [];
  const l = new RangeLoader({ store: s, view: () => view, fetch: f, url: (r) => rangeURL('http://h/d/', r), onChange: () => changes++, onStatus: (st) => statuses.push(st), now: () => NOW });
  l.update();
  assert.equal(f.calls.length, 0, 'the ring holds 10 m');
  view.window = 6 * 3600;
  l.update();
  l.update();
  await flush();
  assert.equal(f.calls.length, 1, 'one request');
  assert.equal(f.calls[0].url.pathname, '/d/api/range');
  assert.equal(f.calls[0].url.searchParams.get('step'), '10000');
  assert.deepEqual(statuses.at(-1), { loading: true, error: '' });
  f.answer(0, rangeMsg(f.calls[0]));
  await flush();
  assert.ok(s.range, 'store.range set');
  assert.equal(s.range.cols.get('a').mean[0], 5);
  assert.equal(changes, 1);
  assert.deepEqual(statuses.at(-1), { loading: false, error: '' });
  // The view draws the range before the ring's rows, with bands.
  const v = s.view(['a', 'b']);
  v.sync();
  assert.ok(v.pre > 2000, `${v.pre} rows of range`);
  assert.equal(v.data[0].length, v.pre + 600);
  assert.ok(v.data[0][v.pre - 1] < s.firstX);
  assert.equal(v.hi[0][0], 6);
  assert.equal(v.lo[1], null, 'b has no values in the range');
  for (let k = 1; k < v.data[0].length; k++) assert.ok(v.data[0][k] > v.data[0][k - 1]);

  // Another window: the data is dropped at once and fetched again.
  view.window = 48 * 3600;
  l.update();
  assert.equal(s.range, null);
  await flush();
  assert.equal(f.calls.length, 2);
  assert.equal(f.calls[1].url.searchParams.get('step'), '60000');
  // …and again before it arrives: the first is aborted, its answer ignored.
  view.window = 3600;
  l.update();
  await flush();
  assert.equal(f.calls.length, 3);
  f.answer(1, rangeMsg(f.calls[1], 99));
  await flush();
  assert.equal(s.range, null, 'a stale answer is ignored');
  f.answer(2, rangeMsg(f.calls[2], 7));
  await flush();
  assert.equal(s.range.cols.get('a').mean[0], 7);
  // Back to a window the ring holds: nothing kept.
  view.window = 300;
  l.update();
  assert.equal(s.range, null);
  assert.equal(v.stale, true);
});

test('RangeLoader retries a failed request after a wait, and says why it failed', async () => {
  const s = storeAt();
  const f = fakeFetch();
  let now = NOW;
  const statuses = [];
  const l = new RangeLoader({ store: s, view: () => ({ window: 3600, paused: null }), fetch: f, url: (r) => rangeURL('http://h/', r), onStatus: (st) => statuses.push(st), now: () => now });
  l.update();
  await flush();
  f.answer(0, null, 500);
  await flush();
  assert.match(statuses.at(-1).error, /500/);
  l.update();
  await flush();
  assert.equal(f.calls.length, 1, 'no retry at once');
  now += RETRY_MS + 1;
  l.update();
  await flush();
  assert.equal(f.calls.length, 2);
  f.answer(1, rangeMsg(f.calls[1]));
  await flush();
  assert.ok(s.range);
  assert.equal(l.status.error, '');
});

test('RangeLoader: a zoom into the old part gets the finer tier, dropped on resume', async () => {
  const s = storeAt();
  const f = fakeFetch();
  const view = { window: 48 * 3600, paused: null };
  const l = new RangeLoader({ store: s, view: () => view, fetch: f, url: (r) => rangeURL('http://h/', r), now: () => NOW });
  l.update();
  await flush();
  f.answer(0, rangeMsg(f.calls[0], 1));
  await flush();
  const base = s.range;
  assert.equal(base.step, M);
  view.paused = { min: (NOW - 3 * H) / 1000, max: (NOW - 2 * H) / 1000 };
  l.update();
  await flush();
  assert.equal(f.calls.length, 2);
  assert.equal(f.calls[1].url.searchParams.get('step'), '10000');
  f.answer(1, rangeMsg(f.calls[1], 2));
  await flush();
  assert.notEqual(s.range, base);
  const xs = arr(s.range.xs);
  const inZoom = xs.filter((x) => x >= view.paused.min && x < view.paused.max).length;
  assert.equal(inZoom, 360, '10 s buckets in the zoom');
  l.update();
  await flush();
  assert.equal(f.calls.length, 2, 'the same zoom is not fetched again');
  // A zoom inside the ring: nothing to fetch, the window's buckets back.
  view.paused = { min: (NOW - 60 * S) / 1000, max: NOW / 1000 };
  l.update();
  assert.equal(s.range, base);
  view.paused = null;
  l.update();
  assert.equal(s.range, base);
});

test('RangeLoader fetches the tail the ring let go of while the window is live', async () => {
  const s = storeAt();
  const f = fakeFetch();
  const l = new RangeLoader({ store: s, view: () => ({ window: 3600, paused: null }), fetch: f, url: (r) => rangeURL('http://h/', r), now: () => NOW });
  l.update();
  await flush();
  f.answer(0, rangeMsg(f.calls[0], 1));
  await flush();
  const to = s.range.to;
  const rows = s.range.xs.length;
  // Three minutes of frames: the ring lets go of 180 rows, under a quarter
  // of it (150 s) … then over.
  let k = 1;
  for (; k <= 140; k++) s.applyFrame({ type: 'frame', ts: NOW + k * S, i: [0], v: [k] });
  l.update();
  assert.equal(f.calls.length, 1);
  for (; k <= 180; k++) s.applyFrame({ type: 'frame', ts: NOW + k * S, i: [0], v: [k] });
  l.update();
  await flush();
  assert.equal(f.calls.length, 2);
  const p = f.calls[1].url.searchParams;
  assert.ok(Number(p.get('from')) <= to && Number(p.get('to')) >= s.firstX * 1000, `${p}`);
  f.answer(1, rangeMsg(f.calls[1], 3));
  await flush();
  assert.ok(s.range.to >= s.firstX * 1000);
  assert.ok(s.range.xs.length > rows);
  const v = s.view(['a']);
  v.sync();
  // No hole between the buckets and the ring.
  assert.ok(s.firstX - v.data[0][v.pre - 1] <= 10);
});

test('columnsOf gives typed columns and their buffers to transfer', () => {
  const c = columnsOf({ tier: 2, step: 60000, from: 0, to: 60000, ts: [0, 60000], cols: [{ min: [1, null], max: [2, null], mean: [1.5, null] }, null, [3, 'x']] });
  assert.deepEqual(arr(c.ts), [0, 60000]);
  assert.deepEqual(plain(c.cols[0]), { mean: [1.5, null], min: [1, null], max: [2, null] });
  assert.equal(c.cols[1], null);
  assert.deepEqual(plain(c.cols[2]), { mean: [3, null], min: null, max: null });
  assert.equal(transfers(c).length, 1 + 3 + 1);
  // A malformed message gives an empty range, not an exception.
  assert.equal(columnsOf(null).ts.length, 0);
  assert.deepEqual(plain(columnsOf({ ts: [1], cols: [{ mean: [1] }] }).cols[0]), { mean: [1], min: [null], max: [null] });
});
