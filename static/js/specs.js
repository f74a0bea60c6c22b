// Chart specs: how the schema's series become page sections, charts and
// section figures. Pure: no DOM.

import { formatter, isShare } from './format.js';

// Known page sections, in page order; other groups follow in order of
// first appearance.
export const GROUPS = [
  ['host', 'Host'],
  ['process', 'Process'],
  ['go', 'Go runtime'],
  ['app', 'App'],
];

// chartSpecs groups schema series into charts by their "chart" key, in
// order of first appearance. The chart's unit, kind and group are those of
// its first series. Stat series are left out (see statSpecs): a chart of
// stats only has no spec. A series with "limitOf" is a limit of another
// chart: it is listed in that chart's limits (drawn as a line), not as a
// series. A chart whose series have "heatmap" is drawn as a heatmap; its
// series (a histogram's buckets) are sorted by their "le".
export function chartSpecs(series) {
  const byKey = new Map();
  for (const d of series) {
    if (d.stat || d.limitOf) continue;
    let c = byKey.get(d.chart);
    if (!c) {
      c = { key: d.chart, title: d.chartTitle, group: d.group, unit: d.unit, kind: d.kind, help: '', series: [], limits: [], heatmap: !!d.heatmap };
      byKey.set(d.chart, c);
    }
    if (!c.help && d.help) c.help = d.help;
    c.series.push(d);
  }
  for (const d of series) {
    const c = d.limitOf && byKey.get(d.limitOf);
    if (c) c.limits.push(d);
  }
  for (const c of byKey.values()) {
    if (c.heatmap) c.series.sort((a, b) => le(a) - le(b));
  }
  return coreHeatmap([...byKey.values()]);
}

// CORE_HEATMAP_MIN is the number of logical CPUs from which the per-core
// charts become one heatmap: a chart a core is readable for a few cores,
// a wall for 64.
export const CORE_HEATMAP_MIN = 9;

// coreHeatmap replaces the per-core CPU charts (host_cpu_core_<n>), when
// there are at least CORE_HEATMAP_MIN of them, with one heatmap in the
// place of the first: a row a core, coloured by its busy share (1 − idle).
// Its series are the cores' idle series, in core order.
export function coreHeatmap(specs, min = CORE_HEATMAP_MIN) {
  const cores = specs.filter((c) => c.key.startsWith('host_cpu_core_') && !c.heatmap);
  if (cores.length < min) return specs;
  const idle = cores.map((c) => c.series.find((d) => d.labels?.mode === 'idle')).filter(Boolean);
  if (idle.length < min) return specs;
  const cpu = (d) => Number(d.labels?.cpu);
  idle.sort((a, b) => cpu(a) - cpu(b));
  const heat = {
    key: 'host_cpu_cores',
    title: 'CPU per core',
    group: cores[0].group,
    unit: 'ratio',
    kind: 'gauge',
    help: 'The share of time each logical CPU was busy (not idle), a row a core.',
    series: idle,
    limits: [],
    heatmap: 'cores',
  };
  const out = [];
  for (const c of specs) {
    if (c === cores[0]) out.push(heat);
    else if (!cores.includes(c)) out.push(c);
  }
  return out;
}

// le is the upper bound of a histogram bucket series ("+Inf" → Infinity).
export function le(d) {
  const v = d.labels?.le;
  return v === '+Inf' ? Infinity : Number(v);
}

// statSpecs lists the stat series as figures, in schema order: the label
// is the chart title ("Logical CPUs"), followed by the series title when
// one chart key holds several stats ("Limits soft", "Limits hard").
export function statSpecs(series) {
  const stats = series.filter((d) => d.stat);
  const perChart = new Map();
  for (const d of stats) perChart.set(d.chart, (perChart.get(d.chart) || 0) + 1);
  return stats.map((d) => ({
    id: d.id,
    group: d.group,
    label: perChart.get(d.chart) > 1 ? `${d.chartTitle} ${d.title}` : d.chartTitle,
    help: d.help,
    unit: d.unit,
    kind: d.kind,
  }));
}

// sections returns [group, heading] for the groups used by specs (charts
// or stats): the known ones in page order, then the others in order of
// first appearance.
export function sections(specs) {
  const used = new Set(specs.map((s) => s.group));
  const out = GROUPS.filter(([g]) => used.has(g));
  const known = new Set(GROUPS.map(([g]) => g));
  for (const s of specs) {
    if (known.has(s.group)) continue;
    known.add(s.group);
    out.push([s.group, s.group.charAt(0).toUpperCase() + s.group.slice(1)]);
  }
  return out;
}

// signature is what, when it changes, makes a chart be built again.
export function signature(spec) {
  return JSON.stringify([spec.title, spec.unit, spec.kind, spec.series.map((s) => [s.id, s.title, s.unit, s.kind]), (spec.limits || []).map((s) => s.id), !!spec.heatmap]);
}

// wideValues are values whose formatting is the widest a legend shows
// for a unit and kind: the largest three- and four-digit mantissas of each
// prefix, within the unit's usual range.
const WIDE_VALUES = [0.000999, 0.00999, 0.0999, 0.999, 9.99, 99.9, 999, 1023];
for (let k = 1; k <= 4; k++) WIDE_VALUES.push(999 * 1000 ** k, 1023 * 1024 ** k);
const WIDE_RATIOS = [0.00123, 0.00999, 0.0999, 0.999, 1];
const WIDE_SHARES = [...WIDE_RATIOS, 9.99];
const WIDE_SECONDS = WIDE_VALUES.filter((v) => v < 86400);

function wideValues(unit, kind) {
  if (unit === 'ratio') return WIDE_RATIOS;
  if (isShare(unit, kind)) return WIDE_SHARES;
  if (unit === 'seconds') return WIDE_SECONDS;
  if (unit === 'timestamp') return [1e9];
  return WIDE_VALUES;
}

const MAX_LABEL_CH = 22;

// textCh estimates the width of a label in ch (the width of "0"): capitals
// are wider than digits in proportional fonts, lower case about as wide.
function textCh(s) {
  let n = 0;
  for (const c of String(s)) n += c >= 'A' && c <= 'Z' ? 1.2 : 1;
  return Math.ceil(n);
}

// legendWidths sizes a chart's legend cells in ch from its series
// ({title, unit, kind}): the widest title (capped at MAX_LABEL_CH; longer
// ones end in an ellipsis) and the widest value the series' units print,
// so entries line up in columns and values do not jump as they change.
export function legendWidths(series) {
  let label = 1;
  let value = 1;
  for (const d of series) {
    label = Math.max(label, textCh(d.title));
    const fmt = formatter(d.unit, d.kind);
    for (const v of wideValues(d.unit, d.kind)) value = Math.max(value, fmt(v).length);
  }
  return { label: Math.min(label, MAX_LABEL_CH), value };
}

// COLLECTOR_GROUPS are the built-in collectors whose series are one whole
// page section.
const COLLECTOR_GROUPS = new Map([
  ['runtime', 'go'],
  ['process', 'process'],
]);

// failingFor returns the collector error ({collector, error, since}) that
// explains why a chart may hold no data, or null. The schema does not say
// which collector emits a series, so a collector is matched by name: the
// built-in host collectors name the start of their charts' keys
// ("host_disk" → host_disk_bytes, host_disk_ops), the runtime and process
// collectors their whole section, and any other collector the charts
// whose key or series names start with its name.
export function failingFor(spec, errors) {
  for (const e of errors || []) {
    const name = typeof e?.collector === 'string' ? e.collector : '';
    if (name === '') continue;
    if (COLLECTOR_GROUPS.get(name) === spec.group) return e;
    const prefix = (k) => k === name || k.startsWith(name + '_');
    if (prefix(spec.key) || spec.series.some((s) => prefix(s.name))) return e;
  }
  return null;
}
