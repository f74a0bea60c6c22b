// The long history: a window longer than the ring (6 h, 48 h) shows the
// ring's full-rate rows and, before them, coarse buckets fetched from
// ./api/range (min, max and mean per bucket, see the stream package doc).
//
// The fetched data never enters the ring: it is a RangeData of its own,
// set on the store as store.range for the views to draw before the ring's
// rows (store.js, View), replaced when the window changes and dropped when
// the window fits in the ring again. A drag-zoom into the older part asks
// for the finer tier that reaches it, merged over the window's buckets
// until the zoom ends. While a long window stays open, the part the ring
// lets go of is fetched again now and then (a few buckets), so no hole
// opens between the buckets and the ring.
//
// The pure parts (chooseTier, baseRequest, zoomRequest, parseRange,
// mergeRange) are tested with node --test; RangeLoader takes its fetch and
// clock as options.

import { needsRange } from './timewindow.js';

// MAX_POINTS bounds the buckets a zoom asks for: a finer tier is taken only
// while the zoomed range holds at most this many of its steps.
export const MAX_POINTS = 4000;

// RETRY_MS is the wait after a failed request before the next one.
export const RETRY_MS = 10000;

// chooseTier returns the index of the finest tier (tiers: [{step, span}]
// in ms, finest first) whose step is at least minStep and whose span
// reaches back from last to from (unix ms); the coarsest when none does.
// It is the server's choice (history.Store.Choose), so asking with that
// tier's step gets that tier.
export function chooseTier(tiers, from, last, minStep = 0) {
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i];
    if (t.step < minStep) continue;
    if (last - t.span <= from) return i;
  }
  return tiers.length - 1;
}

// baseRequest returns the request for a window of win seconds ending at
// last (unix ms) when it reaches back before first (unix ms, the ring's
// oldest row): {tier, from, to, step}, from and to whole steps of the tier
// (so that other pages ask for the same window and the server's cache and
// ETag serve them), to covering first, from within a step or two of the
// window's start. null when the ring holds the window
// or the history has no coarse tier.
export function baseRequest(tiers, win, last, first) {
  if (!tiers || tiers.length < 2 || !(win > 0) || last == null) return null;
  if (first == null) first = last;
  const from = last - win * 1000;
  if (from >= first) return null;
  const tier = chooseTier(tiers, from, last);
  if (tier === 0) return null;
  const step = tiers[tier].step;
  // A window as long as a tier's span (6 h) is that tier's only if the
  // server, whose newest tick may be one ahead of the page's, agrees that
  // the tier reaches back to from: leave out the oldest step or two of the
  // window rather than get the next tier's coarser buckets. The coarsest
  // tier has nothing coarser after it.
  const start = tier < tiers.length - 1 ? ceilTo(from, step) + step : floorTo(from, step);
  return { tier, step, from: start, to: ceilTo(first, step) };
}

// zoomRequest returns the request for a zoom on [min, max] (seconds) in a
// window whose buckets come from tier base, when the zoom reaches back
// before first (unix ms) and a finer tier reaches back to it with at most
// MAX_POINTS steps in the zoom; else null. The request does not depend on
// where the ring starts (the views take the ring's rows over the range's
// where both have some), so a zoom is fetched once.
export function zoomRequest(tiers, base, r, last, first) {
  if (!tiers || !r || last == null) return null;
  const from = Math.floor(r.min * 1000);
  const end = Math.ceil(r.max * 1000);
  if (!(end > from) || from >= (first ?? last)) return null;
  const tier = chooseTier(tiers, from, last, (r.max - r.min) * 1000 / MAX_POINTS);
  if (tier === 0 || tier >= base) return null;
  const step = tiers[tier].step;
  return { tier, step, from: floorTo(from, step), to: ceilTo(end, step) };
}

// rangeURL builds the request's URL, relative to the page (like ./ws).
export function rangeURL(base, req) {
  const u = new URL('api/range', base);
  u.searchParams.set('from', String(req.from));
  u.searchParams.set('to', String(req.to));
  u.searchParams.set('step', String(req.step));
  return u.href;
}

let gens = 0;

// columnsOf turns a "range" message (the server's JSON) into typed columns,
// the form a worker hands to the page without a copy (see rangeworker.js):
//
//	{tier, step (ms), from, to, ts: Float64Array (ms),
//	 cols: [null | {mean, min, max}]}  (by series index)
//
// every column a Float64Array with NaN for a gap; min and max are null at
// the full-rate tier (its columns are plain values, kept as mean).
export function columnsOf(msg) {
  const ts = Array.isArray(msg?.ts) ? msg.ts : [];
  const n = ts.length;
  const t = new Float64Array(n);
  for (let k = 0; k < n; k++) t[k] = typeof ts[k] === 'number' ? ts[k] : NaN;
  const raw = Array.isArray(msg?.cols) ? msg.cols : [];
  const cols = raw.map((c) => {
    if (Array.isArray(c)) return { mean: floats(c, n), min: null, max: null };
    if (c && Array.isArray(c.mean)) return { mean: floats(c.mean, n), min: floats(c.min, n), max: floats(c.max, n) };
    return null;
  });
  return { tier: msg?.tier ?? 0, step: msg?.step > 0 ? msg.step : 1000, from: msg?.from, to: msg?.to, ts: t, cols };
}

// transfers lists the buffers of columnsOf's result, for postMessage.
export function transfers(c) {
  const out = [c.ts.buffer];
  for (const col of c.cols) if (col) for (const a of [col.mean, col.min, col.max]) if (a) out.push(a.buffer);
  return out;
}

// floats copies a column of n values into a Float64Array, NaN for anything
// not a number.
function floats(a, n) {
  const out = new Float64Array(n);
  if (!Array.isArray(a)) return out.fill(NaN);
  for (let k = 0; k < n; k++) {
    const v = a[k];
    out[k] = typeof v === 'number' ? v : NaN;
  }
  return out;
}

// rangeData keys columnsOf's result by series id: a RangeData,
//
//	{gen, tier, step (ms), from, to, xs (seconds, bucket starts),
//	 cols: Map id → {mean, min, max}}
//
// byIndex maps the schema's series indices to ids. Columns that are null
// (no value in the window) or of an unknown index are left out.
export function rangeData(c, byIndex) {
  const xs = new Float64Array(c.ts.length);
  for (let k = 0; k < xs.length; k++) xs[k] = c.ts[k] / 1000;
  const cols = new Map();
  c.cols.forEach((col, i) => {
    const id = byIndex(i);
    if (col && id != null) cols.set(id, col);
  });
  return { gen: ++gens, tier: c.tier, step: c.step, from: c.from, to: c.to, xs, cols };
}

// parseRange is rangeData(columnsOf(msg), byIndex).
export function parseRange(msg, byIndex) {
  return rangeData(columnsOf(msg), byIndex);
}

// mergeRange returns a new RangeData: fine's rows, and base's rows before
// and after them (a row of base within fine's span, [first x, last x +
// step), is replaced), leaving out rows before minX (seconds). It merges a
// zoom's finer buckets into a window's, and appends a fetched tail. base
// may be null. The result has the coarser step of the two and fine's to
// when it reaches further.
export function mergeRange(base, fine, minX = -Infinity) {
  if (!base) base = { xs: new Float64Array(0), cols: new Map(), step: fine.step, tier: fine.tier, from: fine.from, to: fine.to };
  const fx = fine.xs;
  const lo = fx.length ? fx[0] : Infinity;
  const hi = fx.length ? fx[fx.length - 1] + fine.step / 1000 : -Infinity;
  // Rows of the result: [source, index].
  const rows = [];
  let b = 0;
  for (; b < base.xs.length && base.xs[b] < lo; b++) if (base.xs[b] >= minX) rows.push([base, b]);
  for (let k = 0; k < fx.length; k++) if (fx[k] >= minX) rows.push([fine, k]);
  for (; b < base.xs.length; b++) if (base.xs[b] >= hi && base.xs[b] >= minX) rows.push([base, b]);
  const ids = new Set([...base.cols.keys(), ...fine.cols.keys()]);
  const cols = new Map();
  const n = rows.length;
  for (const id of ids) {
    const bands = !!(base.cols.get(id)?.min || fine.cols.get(id)?.min);
    const c = { mean: new Float64Array(n), min: bands ? new Float64Array(n) : null, max: bands ? new Float64Array(n) : null };
    for (let r = 0; r < n; r++) {
      const [src, k] = rows[r];
      const sc = src.cols.get(id);
      c.mean[r] = sc ? sc.mean[k] : NaN;
      if (bands) {
        c.min[r] = sc?.min ? sc.min[k] : NaN;
        c.max[r] = sc?.max ? sc.max[k] : NaN;
      }
    }
    cols.set(id, c);
  }
  const xs = new Float64Array(n);
  for (let r = 0; r < n; r++) xs[r] = rows[r][0].xs[rows[r][1]];
  return {
    gen: ++gens,
    tier: Math.max(base.tier, fine.tier),
    step: Math.max(base.step, fine.step),
    from: Math.min(base.from ?? fine.from, fine.from),
    to: Math.max(base.to ?? fine.to, fine.to),
    xs,
    cols,
  };
}

// tailRequest returns the request that brings a window's buckets (base)
// up to the ring's oldest row (first, unix ms) once the ring has let go of
// more than lag ms after them: from the start of base's last bucket (which
// may have been partial) to first. null while nothing is due.
export function tailRequest(base, first, lag) {
  if (!base || first == null || !(first - base.to > lag)) return null;
  const last = base.xs.length ? Math.round(base.xs[base.xs.length - 1] * 1000) : base.to;
  const from = Math.min(last, base.to);
  return { tier: base.tier, step: base.step, from, to: ceilTo(first, base.step), tail: true };
}

function floorTo(t, step) {
  return Math.floor(t / step) * step;
}

function ceilTo(t, step) {
  return Math.ceil(t / step) * step;
}

// fetchColumns returns a loader that fetches and parses on this thread.
export function fetchColumns(fetch) {
  return async (url, signal) => {
    const resp = await fetch(url, signal ? { signal } : undefined);
    if (!resp.ok) throw new Error(`${resp.status} ${resp.statusText || ''}`.trim());
    return columnsOf(await resp.json());
  };
}

// workerLoader returns a loader that fetches and parses in a worker
// (rangeworker.js, at workerURL): 48 hours of 170 series are about 8 MB
// of JSON, and parsing them on the page's thread took a task of several
// hundred milliseconds; the worker hands over typed columns without a
// copy. null when the browser has no module workers or one cannot start
// (a policy): the caller then loads on this thread.
export function workerLoader(workerURL) {
  if (typeof Worker !== 'function') return null;
  let w;
  try {
    w = new Worker(workerURL, { type: 'module' });
  } catch {
    return null;
  }
  let next = 0;
  const waiting = new Map();
  w.onmessage = (e) => {
    const m = e.data;
    const p = waiting.get(m.id);
    if (!p) return;
    waiting.delete(m.id);
    if (m.ok) p.resolve(m.data);
    else p.reject(new Error(m.error));
  };
  w.onerror = (e) => {
    // The worker itself failed (it did not load): fail what waits.
    for (const p of waiting.values()) p.reject(new Error(e.message || 'range worker failed'));
    waiting.clear();
  };
  return (url, signal) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      signal?.addEventListener('abort', () => {
        if (!waiting.delete(id)) return;
        w.postMessage({ id, abort: true });
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      });
      w.postMessage({ id, url });
    });
}

// RangeLoader keeps store.range in step with the view shown: the window's
// buckets while a window longer than the ring is shown, merged with a
// zoom's finer ones while a drag-zoom reaches into them, and nothing
// otherwise. One request at a time; a request made stale by a change of
// view is aborted.
//
// Options:
//   store        the Store (tiers, firstX, lastTs, byIndex; store.range is set)
//   view()       → {window (seconds), paused ({min, max} seconds or null)}
//   url(req)     → the URL of a request (rangeURL)
//   load(url, signal) → a promise of columnsOf's result (default: in a
//                worker, see workerLoader; fetch: the same on this thread)
//   fetch        for load on this thread (default globalThis.fetch)
//   onChange()   called when store.range changed (redraw)
//   onStatus(st) called with {loading, error} when that changes
//   now          clock (unix ms), for the retry wait
export class RangeLoader {
  constructor(opts) {
    this.opts = opts;
    this.store = opts.store;
    this.load = opts.load || fetchColumns(opts.fetch || ((...a) => globalThis.fetch(...a)));
    this.now = opts.now || (() => Date.now());
    this.key = ''; // the window the data is for: window seconds, or ''
    this.base = null; // the window's buckets
    this.zoomKey = ''; // the zoom merged in, or ''
    this.zoom = null; // base merged with the zoom's finer buckets
    this.busy = null; // {key, ctl} of the request under way
    this.retryAt = 0;
    this.st = { loading: false, error: '' };
    this.requests = 0; // requests made, for tests
  }

  // update looks at the view and the store and starts the request due, if
  // any. Cheap when nothing is: it runs on every frame.
  update() {
    const s = this.store;
    const v = this.opts.view();
    const last = s.lastTs;
    const first = s.firstX == null ? null : Math.round(s.firstX * 1000);
    const win = v.window;
    const key = needsRange(s, win) ? String(win) : '';
    if (key !== this.key) {
      // Another window: drop what the last one fetched.
      this.key = key;
      this.base = this.zoom = null;
      this.zoomKey = '';
      this.retryAt = 0;
      this.#abort();
      this.#publish();
    }
    if (!key) return;
    if (this.busy || this.now() < this.retryAt) return;
    if (!this.base) {
      const req = baseRequest(s.tiers, win, last, first);
      if (req) this.#get(req, 'base', key);
      return;
    }
    const zr = v.paused ? zoomRequest(s.tiers, this.base.tier, v.paused, last, first) : null;
    const zkey = zr ? `${zr.tier}:${zr.from}-${zr.to}` : '';
    if (zkey !== this.zoomKey) {
      if (!zr) {
        this.zoomKey = '';
        this.zoom = null;
        this.#publish();
      } else {
        this.#get(zr, 'zoom', zkey);
        return;
      }
    }
    // While the window is followed live, fetch what the ring let go of
    // since, once that is more than a quarter of the ring (at least a
    // bucket): the views keep the rows the ring dropped until then.
    if (!v.paused) {
      const tr = tailRequest(this.base, first, Math.max(this.base.step, (s.window * 1000) / 4));
      if (tr) this.#get(tr, 'tail', key);
    }
  }

  // status is {loading, error}.
  get status() {
    return { ...this.st };
  }

  #get(req, kind, key) {
    const ctl = typeof AbortController === 'function' ? new AbortController() : null;
    const busy = (this.busy = { key, kind, ctl });
    this.requests++;
    this.#status({ loading: true });
    const win = this.key;
    const done = (err) => {
      if (this.busy !== busy) return;
      this.busy = null;
      if (err) this.retryAt = this.now() + RETRY_MS;
      this.#status({ loading: false, error: err || '' });
      this.update();
    };
    Promise.resolve()
      .then(() => this.load(this.opts.url(req), ctl?.signal))
      .then((c) => {
        if (this.busy !== busy || this.key !== win) return;
        const rd = rangeData(c, (i) => this.store.byIndex[i]?.desc.id);
        const minX = (this.store.lastTs - Number(win) * 1000) / 1000 - rd.step / 1000;
        if (kind === 'base') {
          this.base = rd;
        } else if (kind === 'tail') {
          this.base = mergeRange(this.base, rd, minX);
          if (this.zoom) this.zoomKey = ''; // merge the zoom again over the new base
        } else {
          this.zoomKey = key;
          this.zoom = mergeRange(this.base, rd);
        }
        this.#publish();
        done(null);
      })
      .catch((err) => {
        if (err && err.name === 'AbortError') return;
        done(String((err && err.message) || err || 'failed'));
      });
  }

  #abort() {
    const b = this.busy;
    this.busy = null;
    if (b) {
      b.ctl?.abort();
      this.#status({ loading: false });
    }
  }

  #publish() {
    const next = this.zoom || this.base || null;
    if (this.store.range === next) return;
    this.store.range = next;
    this.opts.onChange && this.opts.onChange();
  }

  #status(patch) {
    const before = JSON.stringify(this.st);
    Object.assign(this.st, patch);
    if (JSON.stringify(this.st) !== before) this.opts.onStatus && this.opts.onStatus(this.status);
  }
}
