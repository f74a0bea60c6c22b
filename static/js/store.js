// The client-side store: one ring buffer per series, keyed by series id.
//
// Pure: no DOM, no timers. It applies the server's messages (see
// the stream package doc) and hands the charts their data.
//
// Layout: a shared x column (seconds, as uPlot wants) and one Float64Array
// per series id, all of the same capacity (schema.historyLen) and indexed by
// the same physical slot. NaN is a gap. Columns are keyed by id, never by the
// wire index: indices only hold for one server process, and after a
// reconnect to a restarted server the same series may have another index.
//
// Merging: rows are only ever appended with a tick time strictly greater
// than the last one held, so a reconnect with ?since=<lastTs> that replays
// part of what we have yields neither duplicates nor gaps. When the next
// tick time is more than GAP_TICKS intervals after the last one (the socket
// was down, the server restarted), a row of NaN is inserted between them so
// the charts show a hole instead of a straight line across it.
//
// Charts read through views (Store.view): uPlot needs null, not NaN, for a
// gap, and a contiguous array per series, so a view keeps plain arrays that
// it extends incrementally: syncing costs O(new rows × series), not
// O(history). See View.

const DEFAULT_CAPACITY = 600;
const DEFAULT_INTERVAL = 1000;
// A jump of more than GAP_TICKS intervals between two tick times is a gap.
export const GAP_TICKS = 2.5;

// Column is the ring of one series.
class Column {
  constructor(desc, capacity) {
    this.desc = desc;
    this.data = new Float64Array(capacity).fill(NaN);
    // last is the series' current value for carry-forward: a series absent
    // from a frame keeps it. Gap rows do not change it.
    this.last = NaN;
  }
}

export class Store {
  constructor(capacity = DEFAULT_CAPACITY) {
    this.capacity = capacity;
    this.interval = DEFAULT_INTERVAL;
    this.xs = new Float64Array(capacity);
    // Physical slot of the oldest row, and number of rows held.
    this.start = 0;
    this.length = 0;
    // total counts every row ever appended; views use it to know what they
    // have not seen yet.
    this.total = 0;
    // gen changes whenever rows are rewritten or columns come and go
    // (anything but an append); views then rebuild.
    this.gen = 0;
    // lastTs is the tick time (unix ms) of the newest real row, or null.
    // It is what the socket passes as ?since= on reconnect.
    this.lastTs = null;
    // id → Column, for every series held (including those the current
    // schema no longer lists, until their data has scrolled out).
    this.cols = new Map();
    // byIndex[i] is the Column of wire index i in the current schema.
    this.byIndex = [];
    // series: the current schema's descriptors, in schema order.
    this.series = [];
    this.schemaVersion = 0;
    // tiers are the history's resolutions from the schema, finest first:
    // [{step, span}] in ms, the ring's full rate first. Empty before a
    // schema that lists them.
    this.tiers = [];
    // range is the older data of a window longer than the ring, fetched
    // from ./api/range (range.js): not part of the ring, never merged into
    // it, replaced or dropped when the window changes. Views draw it before
    // the ring's rows. null when the window needs none.
    this.range = null;
  }

  // applySchema applies a "schema" message. It returns the ids added and
  // removed, compared with the previous schema.
  applySchema(msg) {
    const cap = msg.historyLen > 0 ? Math.floor(msg.historyLen) : DEFAULT_CAPACITY;
    if (msg.interval > 0) this.interval = msg.interval;
    if (cap !== this.capacity) this.#resize(cap);
    this.tiers = tiersOf(msg.tiers);

    const before = new Set(this.series.map((s) => s.id));
    const seen = new Set();
    const series = [];
    const byIndex = [];
    const added = [];
    for (const raw of msg.series || []) {
      if (raw == null || typeof raw.id !== 'string' || seen.has(raw.id)) continue;
      seen.add(raw.id);
      const desc = describe(raw);
      series.push(desc);
      let col = this.cols.get(desc.id);
      if (col) {
        col.desc = desc;
      } else {
        col = new Column(desc, this.capacity);
        this.cols.set(desc.id, col);
        this.gen++;
      }
      if (Number.isInteger(desc.i) && desc.i >= 0) byIndex[desc.i] = col;
      if (!before.has(desc.id)) added.push(desc.id);
    }
    const removed = [...before].filter((id) => !seen.has(id));
    // Series the schema no longer lists stop carrying forward. Their
    // columns stay while they still hold data (a restarted server may list
    // them again a moment later) and are dropped once empty.
    for (const [id, col] of this.cols) {
      if (seen.has(id)) continue;
      col.last = NaN;
      if (!hasData(col.data)) {
        this.cols.delete(id);
        this.gen++;
      }
    }
    this.series = series;
    this.byIndex = byIndex;
    this.schemaVersion++;
    return { added, removed };
  }

  // applyHistory applies a "history" message: dense columns aligned with
  // ts. Rows at or before lastTs are dropped. It returns the number of rows
  // appended.
  applyHistory(msg) {
    const ts = msg.ts || [];
    const cols = msg.cols || [];
    let n = 0;
    for (let r = 0; r < ts.length; r++) {
      const t = ts[r];
      if (typeof t !== 'number' || (this.lastTs != null && t <= this.lastTs)) continue;
      this.#gapBefore(t);
      const slot = this.#slot(t);
      // History is dense: every listed series has a value (or null) here;
      // series without a column have none in the whole window.
      for (const col of this.cols.values()) col.last = NaN;
      for (let i = 0; i < cols.length; i++) {
        const col = this.byIndex[i];
        const c = cols[i];
        if (col && c) col.last = num(c[r]);
      }
      for (const col of this.cols.values()) col.data[slot] = col.last;
      this.lastTs = t;
      n++;
    }
    return n;
  }

  // applyFrame applies a "frame" message. Series not listed keep their
  // previous value at the new tick; null is a gap. It returns false when the
  // frame was dropped (not newer than lastTs).
  applyFrame(msg) {
    const t = msg.ts;
    if (typeof t !== 'number' || (this.lastTs != null && t <= this.lastTs)) return false;
    this.#gapBefore(t);
    const idx = msg.i || [];
    const vals = msg.v || [];
    for (let k = 0; k < idx.length; k++) {
      const col = this.byIndex[idx[k]];
      if (col) col.last = num(vals[k]);
    }
    const slot = this.#slot(t);
    for (const col of this.cols.values()) col.data[slot] = col.last;
    this.lastTs = t;
    return true;
  }

  // lastX is the x (seconds) of the newest row, or null.
  get lastX() {
    return this.lastTs == null ? null : this.lastTs / 1000;
  }

  // firstX is the x (seconds) of the oldest row held, or null.
  get firstX() {
    return this.length === 0 ? null : this.xs[this.start];
  }

  // window is the time span the ring covers when full, in seconds.
  get window() {
    return (this.capacity * this.interval) / 1000;
  }

  // times returns the x column in order, oldest first (a copy).
  times() {
    return this.#ordered(this.xs);
  }

  // values returns the series' column in order, oldest first (a copy), or
  // null for an unknown id.
  values(id) {
    const col = this.cols.get(id);
    return col ? this.#ordered(col.data) : null;
  }

  // latest returns the series' value in the newest row (NaN for a gap or
  // an unknown id).
  latest(id) {
    const col = this.cols.get(id);
    if (!col || this.length === 0) return NaN;
    return col.data[(this.start + this.length - 1) % this.capacity];
  }

  // view returns a View over the given series ids, for one chart.
  view(ids) {
    return new View(this, ids);
  }

  // slotOf returns the physical slot of the row with sequence number seq
  // (0 = first row ever appended); the row must still be held.
  slotOf(seq) {
    return (this.start + (seq - (this.total - this.length))) % this.capacity;
  }

  #ordered(a) {
    const out = new Float64Array(this.length);
    for (let k = 0; k < this.length; k++) out[k] = a[(this.start + k) % this.capacity];
    return out;
  }

  // #slot appends a row at tick time t (ms) and returns its slot. The
  // caller fills every column at that slot.
  #slot(t) {
    let slot;
    if (this.length < this.capacity) {
      slot = (this.start + this.length) % this.capacity;
      this.length++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.xs[slot] = t / 1000;
    this.total++;
    return slot;
  }

  // #gapBefore inserts a NaN row one interval after lastTs when t is too
  // far after it.
  #gapBefore(t) {
    if (this.lastTs == null || t - this.lastTs <= GAP_TICKS * this.interval) return;
    const slot = this.#slot(this.lastTs + this.interval);
    for (const col of this.cols.values()) col.data[slot] = NaN;
  }

  #resize(cap) {
    const keep = Math.min(this.length, cap);
    const from = this.length - keep;
    const move = (a) => {
      const b = new Float64Array(cap).fill(NaN);
      for (let k = 0; k < keep; k++) b[k] = a[(this.start + from + k) % this.capacity];
      return b;
    };
    this.xs = move(this.xs);
    for (const col of this.cols.values()) col.data = move(col.data);
    this.start = 0;
    this.length = keep;
    this.capacity = cap;
    this.gen++;
  }
}

// View is the data of one chart in uPlot's form, [xs, ys1, ys2, …]: plain
// arrays, null for a gap, oldest first. sync() brings it up to date with
// the store by appending the rows it has not seen (O(new rows)); it
// rebuilds from the ring (O(rows held)) only after a schema or capacity
// change, when the store's range changed, or when it fell more than a ring
// behind, e.g. a chart that was off screen for a long time.
//
// With a range (store.range, a window longer than the ring, see range.js)
// the view starts with the range's rows older than the ring's first (pre
// rows: the buckets' means, then a row of gaps when the two do not meet),
// and lo / hi hold, per series, the buckets' min and max for those rows
// (Float64Arrays, NaN for a gap; null for a series without them): the band
// drawn around the mean.
//
// To stay O(1) per row the arrays are not trimmed on every append: they
// grow to twice the capacity and are then cut back to the capacity in one
// splice (amortized O(1)). The rows older than the store's window that
// this leaves at the front are outside the x range the charts set, and
// uPlot only draws and scans the indices inside that range. With a range
// the rows the ring let go of are kept (they are inside the window) until
// the range covers them again, and at most three rings of them.
export class View {
  constructor(store, ids) {
    this.store = store;
    this.ids = ids.slice();
    this.data = [[], ...this.ids.map(() => anyArray())];
    this.gen = -1;
    this.rangeGen = 0;
    this.seen = 0;
    this.pre = 0;
    this.lo = [];
    this.hi = [];
  }

  // stale is true when the store's range changed since the last sync: a
  // paused chart syncs then, although it does not take live rows.
  get stale() {
    return (this.store.range?.gen ?? 0) !== this.rangeGen;
  }

  // sync updates data and reports whether it changed.
  sync() {
    const s = this.store;
    if (this.gen !== s.gen || this.stale || s.total - this.seen > s.length) {
      this.#rebuild();
      return true;
    }
    if (this.seen === s.total) return false;
    const cols = this.ids.map((id) => s.cols.get(id));
    const d = this.data;
    for (let seq = this.seen; seq < s.total; seq++) {
      const slot = s.slotOf(seq);
      d[0].push(s.xs[slot]);
      for (let k = 0; k < cols.length; k++) d[k + 1].push(cols[k] ? nul(cols[k].data[slot]) : null);
    }
    this.seen = s.total;
    const live = d[0].length - this.pre;
    if (this.pre > 0) {
      if (live > 3 * s.capacity) this.#rebuild();
    } else if (live > 2 * s.capacity) {
      const cut = live - s.capacity;
      for (const a of d) a.splice(0, cut);
    }
    return true;
  }

  #rebuild() {
    const s = this.store;
    const cols = this.ids.map((id) => s.cols.get(id));
    const d = (this.data = [[], ...cols.map(() => anyArray())]);
    this.pre = 0;
    this.lo = [];
    this.hi = [];
    const r = s.range;
    if (r && r.xs.length) {
      // The range's rows before the ring's first.
      const limit = s.length ? s.xs[s.start] : Infinity;
      let n = 0;
      while (n < r.xs.length && r.xs[n] < limit) n++;
      if (n > 0) {
        const rc = this.ids.map((id) => r.cols.get(id));
        for (let k = 0; k < n; k++) d[0].push(r.xs[k]);
        for (let c = 0; c < rc.length; c++) {
          const y = d[c + 1];
          const m = rc[c]?.mean;
          for (let k = 0; k < n; k++) y.push(m ? nul(m[k]) : null);
          this.lo.push(rc[c]?.min ? rc[c].min.subarray(0, n) : null);
          this.hi.push(rc[c]?.max ? rc[c].max.subarray(0, n) : null);
        }
        // A hole (a restart, a long gap) between the range and the ring.
        const stepX = r.step / 1000;
        if (s.length && limit - r.xs[n - 1] > GAP_TICKS * stepX + s.interval / 1000) {
          d[0].push(r.xs[n - 1] + stepX);
          for (let c = 0; c < rc.length; c++) d[c + 1].push(null);
          n++;
        }
        this.pre = n;
      }
    }
    for (let k = 0; k < s.length; k++) {
      const slot = (s.start + k) % s.capacity;
      d[0].push(s.xs[slot]);
      for (let c = 0; c < cols.length; c++) d[c + 1].push(cols[c] ? nul(cols[c].data[slot]) : null);
    }
    this.gen = s.gen;
    this.rangeGen = r?.gen ?? 0;
    this.seen = s.total;
  }
}

// describe copies the fields the client uses from a schema series, with
// the same defaults as the server's Desc.Normalize.
function describe(raw) {
  const str = (v, d) => (typeof v === 'string' && v !== '' ? v : d);
  const id = raw.id;
  const name = str(raw.name, id);
  const title = str(raw.title, name);
  const chart = str(raw.chart, name);
  return {
    i: raw.i,
    id,
    name,
    labels: raw.labels && typeof raw.labels === 'object' ? raw.labels : {},
    title,
    help: str(raw.help, ''),
    unit: str(raw.unit, ''),
    group: str(raw.group, 'app'),
    kind: str(raw.kind, 'gauge'),
    chart,
    chartTitle: str(raw.chartTitle, title),
    stat: raw.stat === true,
    collector: str(raw.collector, ''),
    limitOf: str(raw.limitOf, ''),
    heatmap: raw.heatmap === true,
  };
}

// tiersOf keeps the well-formed tiers of a schema, finest first.
function tiersOf(raw) {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((t) => t && t.step > 0 && t.span > 0)
    .map((t) => ({ step: Number(t.step), span: Number(t.span) }))
    .sort((a, b) => a.step - b.step);
}

function num(v) {
  return typeof v === 'number' ? v : NaN;
}

// anyArray returns an empty array that holds any value. V8 compiles the
// loops that read the y columns (uPlot's, the path builder's) for the
// element kinds they see: an array filled with small integers, one with
// doubles and one with nulls are three kinds, and a loop over many
// columns slows down several times. Columns made this way (and appended
// to with push, never created with a length, which would make them holey)
// all have one kind.
export function anyArray() {
  const a = [null];
  a.pop();
  return a;
}

function nul(v) {
  return Number.isNaN(v) ? null : v;
}

function hasData(a) {
  for (let k = 0; k < a.length; k++) if (!Number.isNaN(a[k])) return true;
  return false;
}
