// Unit formatting for axes, legends and the header. Pure functions, no DOM.
//
// Units come from the schema ("bytes", "seconds", "ratio", "count",
// "timestamp", "" or any other string, shown as is). For kind "counter" the
// values on the wire are already rates, so a "/s" suffix is added, except
// for counters of seconds: seconds per second are a share of one core or of
// the time (process CPU, disk busy time), shown as a percentage.

const MISSING = '—';

// Binary prefixes, as `free -h` prints them (1024-based).
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
// Decimal prefixes for plain counts.
const COUNT_UNITS = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

// trim formats n with about three significant digits and drops trailing
// zeros: 1.5, 12.3, 512, 1.25, 0.05.
export function trim(n) {
  const a = Math.abs(n);
  let s;
  if (a === 0) return '0';
  if (a >= 100) s = n.toFixed(0);
  else if (a >= 10) s = n.toFixed(1);
  else if (a >= 1) s = n.toFixed(2);
  else s = n.toPrecision(2);
  if (s.includes('.') && !s.includes('e')) s = s.replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

function missing(v) {
  return v == null || Number.isNaN(v);
}

// scaled divides v by step until it is below step and returns the scaled
// number and the index of the prefix. Values that would round up to step
// (1023.9 KiB) move to the next prefix.
function scaled(v, step, max) {
  let a = Math.abs(v);
  let i = 0;
  while (i < max && Number(trim(a)) >= step) {
    a /= step;
    i++;
  }
  return [v < 0 ? -a : a, i];
}

// bytes formats a number of bytes with 1024-based prefixes: "512 B",
// "1.5 KiB", "12.3 MiB", "3 GiB".
export function bytes(v) {
  if (missing(v)) return MISSING;
  if (!Number.isFinite(v)) return String(v);
  const [n, i] = scaled(v, 1024, BYTE_UNITS.length - 1);
  return `${trim(n)} ${BYTE_UNITS[i]}`;
}

// count formats a plain number with 1000-based prefixes: "999", "1.5k",
// "12.3M", "0.25".
export function count(v) {
  if (missing(v)) return MISSING;
  if (!Number.isFinite(v)) return String(v);
  const [n, i] = scaled(v, 1000, COUNT_UNITS.length - 1);
  return trim(n) + COUNT_UNITS[i];
}

// percent formats a ratio (0..1) as a percentage: 0.423 → "42.3%". Below
// 1 % two decimals are enough (0.00063 → "0.06%"): a hundredth of a percent
// is noise on a dashboard, and the value keeps a legend's width.
export function percent(v) {
  if (missing(v)) return MISSING;
  const p = v * 100;
  if (Math.abs(p) >= 1) return trim(p) + '%';
  const s = p.toFixed(2).replace(/\.?0+$/, '');
  return (s === '-0' ? '0' : s) + '%';
}

// duration formats seconds with the unit that fits: "250 ns", "12.5 µs",
// "3.2 ms", "1.5 s", "2.5 min", "3 h", "2.1 d".
export function duration(v) {
  if (missing(v)) return MISSING;
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0 s';
  // Each unit applies from its threshold, compared after rounding so that
  // 999.99 µs reads "1 ms", not "1000 µs".
  const steps = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'min'],
    [1, 's'],
    [1e-3, 'ms'],
    [1e-6, 'µs'],
  ];
  for (const [size, unit] of steps) {
    if (Number(trim(a / size)) >= 1) {
      // Minutes and hours only from 100 s and 100 min: "90 s" reads better
      // than "1.5 min" on a latency chart.
      if ((unit === 'min' && a < 100) || (unit === 'h' && a < 6000)) continue;
      return `${trim(v / size)} ${unit}`;
    }
  }
  return `${trim(v * 1e9)} ns`;
}

// timestamp formats seconds since the Unix epoch as a local date and time:
// "2024-01-01 12:03:04".
export function timestamp(v) {
  if (missing(v)) return MISSING;
  if (!Number.isFinite(v)) return String(v);
  const d = new Date(v * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock(v * 1000)}`;
}

// isShare reports whether values of this unit and kind are a share shown
// as a percentage that may exceed 100 %: a counter of seconds, whose rate
// is seconds per second (2.5 = two and a half cores busy).
export function isShare(unit, kind) {
  return unit === 'seconds' && kind === 'counter';
}

// formatter returns a function formatting one value of the given unit and
// kind. Counters are rates: their values get a "/s" suffix, except counters
// of seconds, which are percentages (see isShare).
export function formatter(unit, kind) {
  if (isShare(unit, kind)) return percent;
  const rate = kind === 'counter';
  switch (unit) {
    case 'bytes':
      return rate ? (v) => suffix(bytes(v), '/s') : bytes;
    case 'ratio':
      // A ratio that is a rate (seconds of CPU per second) is still a ratio.
      return percent;
    case 'seconds':
      return duration;
    case 'timestamp':
      return timestamp;
    case '':
    case 'count':
    case undefined:
    case null:
      return rate ? (v) => suffix(count(v), '/s') : count;
    default:
      return rate
        ? (v) => suffix(count(v), ` ${unit}/s`)
        : (v) => suffix(count(v), ` ${unit}`);
  }
}

// axisFormatter formats axis ticks: as formatter does, but a unit word
// ("requests") is left to the chart's header, so ticks read "150/s", not
// "150 requests/s" on every line.
export function axisFormatter(unit, kind) {
  switch (unit) {
    case 'bytes':
    case 'ratio':
    case 'seconds':
    case 'timestamp':
    case 'count':
    case '':
      return formatter(unit, kind);
    default:
      return formatter('', kind);
  }
}

function suffix(s, sfx) {
  return s === MISSING ? s : s + sfx;
}

// format formats one value: format(1536, 'bytes') → "1.5 KiB".
export function format(v, unit, kind) {
  return formatter(unit, kind)(v);
}

// unitLabel is the unit shown next to a chart's title: "bytes/s", "%", "s".
export function unitLabel(unit, kind) {
  if (isShare(unit, kind)) return '%';
  const rate = kind === 'counter';
  switch (unit) {
    case 'ratio':
      return '%';
    case 'bytes':
      return rate ? 'bytes/s' : 'bytes';
    case 'seconds':
      return 'seconds';
    case 'timestamp':
      return 'time';
    case '':
    case 'count':
    case undefined:
    case null:
      return rate ? 'per second' : '';
    default:
      return rate ? `${unit}/s` : unit;
  }
}

// elapsed formats a length of time the way one says it, to the unit that
// matters: "45 s", "12 min", "5 h 12 min", "3 d 4 h". It rounds down, so
// an uptime never reads longer than it is.
export function elapsed(v) {
  if (missing(v)) return MISSING;
  if (!Number.isFinite(v)) return String(v);
  const s = Math.max(0, Math.floor(v));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

// since formats a past moment (unix seconds) against now (unix seconds):
// "01:22:05 (12 min ago)" on the same local day, "2024-01-02 03:04:05
// (3 d 4 h ago)" before it.
export function since(v, now) {
  if (missing(v)) return MISSING;
  if (!Number.isFinite(v)) return String(v);
  if (missing(now) || !Number.isFinite(now)) return timestamp(v);
  const a = new Date(v * 1000);
  const b = new Date(now * 1000);
  const sameDay = a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  const when = sameDay ? clock(v * 1000) : timestamp(v);
  return now >= v ? `${when} (${elapsed(now - v)} ago)` : when;
}

// figure formats the value of a stat series (a figure in a section's
// summary) at now (unix seconds): lengths of time as "3 d 4 h", moments as
// "01:22:05 (12 min ago)", anything else as its chart would.
export function figure(v, unit, kind, now) {
  if (unit === 'seconds' && kind !== 'counter') return elapsed(v);
  if (unit === 'timestamp') return since(v, now);
  return format(v, unit, kind);
}

function pad2(n) {
  return n < 10 ? '0' + n : String(n);
}

// clock formats unix milliseconds as local HH:MM:SS.
export function clock(ms) {
  if (missing(ms)) return MISSING;
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

// BYTE_INCRS are axis tick steps for byte charts: powers of two in every
// binary prefix, so ticks read 256 MiB, 512 MiB, 1 GiB.
export const BYTE_INCRS = (() => {
  const out = [];
  for (let p = -10; p < 60; p++) out.push(2 ** p);
  return out;
})();

// DURATION_INCRS are axis tick steps for charts in seconds: 1-2-5 below a
// second, then steps that read well on a clock (15 s, 5 min, 6 h, 7 d).
export const DURATION_INCRS = (() => {
  const out = [];
  for (let e = -9; e < 0; e++) for (const m of [1, 2, 5]) out.push(Number((m * 10 ** e).toPrecision(1)));
  const m = 60;
  const h = 3600;
  const d = 86400;
  out.push(1, 2, 5, 10, 15, 30, m, 2 * m, 5 * m, 10 * m, 15 * m, 30 * m, h, 2 * h, 3 * h, 6 * h, 12 * h, d, 2 * d, 7 * d, 14 * d, 30 * d, 90 * d);
  for (const y of [1, 2, 5, 10, 20, 50, 100, 200, 500]) out.push(y * 365 * d);
  return out;
})();
