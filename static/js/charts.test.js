// Tests of the pure helpers of charts.js (the rest needs a browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chartSpecs,
  statSpecs,
  sections,
  signature,
  yRange,
  shareRange,
  timeRange,
  liveWindow,
  legendWidths,
  timeLabels,
  seriesStyle,
  lonePoints,
  lineWidth,
  lineVertices,
  PALETTE,
  MIN_WINDOW,
  SHARE_FLOOR,
} from './charts.js';

const d = (id, chart, group, more = {}) => ({
  id,
  name: id,
  title: id,
  help: '',
  unit: '',
  kind: 'gauge',
  chart,
  chartTitle: chart + ' title',
  group,
  ...more,
});

test('chartSpecs groups series by chart key in order of first appearance', () => {
  const specs = chartSpecs([
    d('cpu_user', 'cpu', 'host', { unit: 'ratio', help: 'CPU time' }),
    d('mem_used', 'mem', 'host', { unit: 'bytes' }),
    d('cpu_system', 'cpu', 'host', { unit: 'ratio' }),
    d('rps', 'rps', 'app', { kind: 'counter' }),
  ]);
  assert.deepEqual(
    specs.map((s) => [s.key, s.title, s.group, s.unit, s.kind, s.series.map((x) => x.id)]),
    [
      ['cpu', 'cpu title', 'host', 'ratio', 'gauge', ['cpu_user', 'cpu_system']],
      ['mem', 'mem title', 'host', 'bytes', 'gauge', ['mem_used']],
      ['rps', 'rps title', 'app', '', 'counter', ['rps']],
    ],
  );
  assert.equal(specs[0].help, 'CPU time');
});

test('stat series get no chart; a chart of stats only disappears', () => {
  const series = [
    d('host_cpus', 'host_cpus', 'host', { stat: true, chartTitle: 'Logical CPUs', unit: 'count' }),
    d('load1', 'load', 'host'),
    d('fds', 'fds', 'process'),
    d('max_fds', 'fds', 'process', { stat: true, chartTitle: 'File descriptor limit' }),
    d('start', 'start', 'process', { stat: true, chartTitle: 'Started', unit: 'timestamp' }),
  ];
  const specs = chartSpecs(series);
  assert.deepEqual(
    specs.map((s) => [s.key, s.series.map((x) => x.id)]),
    [
      ['load', ['load1']],
      ['fds', ['fds']],
    ],
  );
  assert.deepEqual(statSpecs(series), [
    { id: 'host_cpus', group: 'host', label: 'Logical CPUs', help: '', unit: 'count', kind: 'gauge' },
    { id: 'max_fds', group: 'process', label: 'File descriptor limit', help: '', unit: '', kind: 'gauge' },
    { id: 'start', group: 'process', label: 'Started', help: '', unit: 'timestamp', kind: 'gauge' },
  ]);
});

test('statSpecs adds the series title when a chart key holds several stats', () => {
  const stats = statSpecs([
    d('soft', 'limits', 'process', { stat: true, title: 'soft', chartTitle: 'Limits' }),
    d('hard', 'limits', 'process', { stat: true, title: 'hard', chartTitle: 'Limits' }),
  ]);
  assert.deepEqual(
    stats.map((f) => f.label),
    ['Limits soft', 'Limits hard'],
  );
});

test('sections include groups that have only stats', () => {
  const series = [d('a', 'a', 'app'), d('up', 'up', 'host', { stat: true })];
  assert.deepEqual(sections([...chartSpecs(series), ...statSpecs(series)]), [
    ['host', 'Host'],
    ['app', 'App'],
  ]);
});

test('sections: host, process, go, app, then others in order of appearance', () => {
  const specs = chartSpecs([
    d('a', 'a', 'app'),
    d('z', 'z', 'zeta'),
    d('g', 'g', 'go'),
    d('h', 'h', 'host'),
    d('b', 'b', 'billing'),
    d('p', 'p', 'process'),
    d('z2', 'z2', 'zeta'),
  ]);
  assert.deepEqual(sections(specs), [
    ['host', 'Host'],
    ['process', 'Process'],
    ['go', 'Go runtime'],
    ['app', 'App'],
    ['zeta', 'Zeta'],
    ['billing', 'Billing'],
  ]);
  assert.deepEqual(sections([]), []);
});

test('signature changes when a chart gains a series or a title', () => {
  const one = chartSpecs([d('a', 'c', 'host')])[0];
  const same = chartSpecs([d('a', 'c', 'host')])[0];
  const two = chartSpecs([d('a', 'c', 'host'), d('b', 'c', 'host')])[0];
  const renamed = chartSpecs([d('a', 'c', 'host', { title: 'A' })])[0];
  assert.equal(signature(one), signature(same));
  assert.notEqual(signature(one), signature(two));
  assert.notEqual(signature(one), signature(renamed));
});

test('yRange is zero-based with headroom', () => {
  assert.deepEqual(yRange(Infinity, -Infinity), [0, 1]);
  assert.deepEqual(yRange(null, null), [0, 1]);
  assert.deepEqual(yRange(0, 0), [0, 1]);
  assert.deepEqual(yRange(10, 100), [0, 105]);
  assert.deepEqual(yRange(-10, -5), [-10.5, 0]);
  assert.deepEqual(yRange(-10, 10), [-11, 11]);
  assert.deepEqual(yRange(5, 5), [0, 5.25]);
});

test('shareRange starts at zero, has a floor and no 100 % cap', () => {
  assert.deepEqual(shareRange(Infinity, -Infinity), [0, SHARE_FLOOR]);
  assert.deepEqual(shareRange(0, 0), [0, SHARE_FLOOR], 'idle reads as idle');
  assert.deepEqual(shareRange(0, 0.02), [0, SHARE_FLOOR]);
  assert.deepEqual(shareRange(0, 0.5), [0, 0.525]);
  assert.deepEqual(shareRange(0.5, 2), [0, 2.1], 'two cores busy: past 100 %');
});

test('liveWindow spans the data held, at least a minute, at most the ring', () => {
  assert.equal(MIN_WINDOW, 60);
  assert.equal(liveWindow(0, 600), 60);
  assert.equal(liveWindow(5, 600), 60, 'a fresh server');
  assert.equal(liveWindow(90, 600), 90, 'grows with the data');
  assert.equal(liveWindow(599, 600), 599);
  assert.equal(liveWindow(3600, 600), 600, 'rows from before a long gap');
  assert.equal(liveWindow(5, 30), 30, 'a ring shorter than a minute');
  assert.equal(liveWindow(NaN, 600), 60, 'no data');
});

test('legendWidths: widest title, widest value of the units', () => {
  const cpu = ['user', 'system', 'iowait', 'steal', 'idle'].map((t) => ({ title: t, unit: 'ratio', kind: 'gauge' }));
  assert.deepEqual(legendWidths(cpu), { label: 6, value: 5 }, '"system", "99.9%"');
  assert.deepEqual(legendWidths([{ title: 'eth0 rx', unit: 'bytes', kind: 'counter' }]), { label: 7, value: 10 }, '"1023 MiB/s"');
  assert.deepEqual(legendWidths([{ title: 'cpu', unit: 'seconds', kind: 'counter' }]), { label: 3, value: 5 }, '"999%"');
  assert.deepEqual(legendWidths([{ title: 'p99', unit: 'seconds', kind: 'gauge' }]), { label: 3, value: 8 }, '"16.6 min"');
  assert.equal(legendWidths([{ title: 'x'.repeat(80), unit: '', kind: 'gauge' }]).label, 22, 'capped');
  assert.deepEqual(legendWidths([]), { label: 1, value: 1 });
  assert.equal(legendWidths([{ title: 'GOMAXPROCS', unit: 'count', kind: 'gauge' }]).label, 12, 'capitals are wider');
});

test('timeRange pads timestamps by at least a minute', () => {
  assert.deepEqual(timeRange(1000, 1000), [940, 1060]);
  assert.deepEqual(timeRange(0, 6000), [-600, 6600]);
  assert.deepEqual(timeRange(Infinity, -Infinity), [0, 1]);
});

test('timeLabels use HH:MM, or HH:MM:SS for steps under a minute', () => {
  const t = new Date(2024, 0, 1, 12, 3, 4).getTime() / 1000;
  assert.deepEqual(timeLabels([t, t + 60]), ['12:03', '12:04']);
  assert.deepEqual(timeLabels([t, t + 15]), ['12:03:04', '12:03:19']);
  assert.deepEqual(timeLabels([null]), ['']);
});

test('seriesStyle cycles the palette, then dashes', () => {
  assert.deepEqual(seriesStyle(0), { colour: PALETTE[0], dash: undefined });
  assert.equal(seriesStyle(PALETTE.length).colour, PALETTE[0]);
  assert.deepEqual(seriesStyle(PALETTE.length).dash, [6, 3]);
  assert.deepEqual(seriesStyle(2 * PALETTE.length + 1).dash, [2, 3]);
  assert.equal(new Set(PALETTE).size, PALETTE.length);
});

test('lonePoints finds values with gaps on both sides, in the shown range', () => {
  const u = (ys, idxs) => ({ data: [ys.map((_, i) => i), ys], series: [{ idxs }, {}] });
  assert.deepEqual(lonePoints(u([1, null, 2, null, 3, 4, null, 5], [0, 7]), 1, false), [0, 2, 7]);
  assert.deepEqual(lonePoints(u([1, null, 2, null, 3, 4, null, 5], [1, 6]), 1, false), [2]);
  assert.equal(lonePoints(u([1, 2, 3], [0, 2]), 1, false), null);
  assert.equal(lonePoints(u([1, null, 3], [0, 2]), 1, true), null, 'uPlot already shows all points');
  assert.equal(lonePoints(u([], [null, null]), 1, false), null);
});

test('lineWidth: one device pixel on a standard screen, 1.5 px on a dense one', () => {
  assert.equal(lineWidth(1), 1);
  assert.equal(lineWidth(1.25), 1);
  assert.equal(lineWidth(2), 1.5);
  assert.equal(lineWidth(3), 1.5);
});

// The line path builder.

// vertices runs lineVertices with x and y in pixels as given (identity
// transform) and returns the segments as arrays of [x, y].
function vertices(xs, ys, i0 = 0, i1 = xs.length - 1) {
  const { out, n } = lineVertices(xs, ys, i0, i1, 0, 1, 0, 1, new Float64Array(4));
  const segs = [];
  let cur = null;
  for (let k = 0; k < n; k += 2) {
    if (Number.isNaN(out[k])) {
      assert.ok(cur && cur.length > 0, 'a break ends a segment that has vertices');
      segs.push(cur);
      cur = null;
      continue;
    }
    (cur ||= []).push([out[k], out[k + 1]]);
  }
  assert.equal(cur, null, 'the last segment is ended');
  return segs;
}

// extent returns the lowest and highest y the polyline reaches within the
// pixel column [c, c+1).
function extent(seg, c) {
  let lo = Infinity;
  let hi = -Infinity;
  const at = (x, y) => {
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  };
  for (let k = 0; k < seg.length; k++) {
    const [x0, y0] = seg[k];
    if (x0 >= c && x0 < c + 1) at(x0, y0);
    if (k === 0) continue;
    const [xa, ya] = seg[k - 1];
    // Where the segment from the previous vertex crosses the column's
    // edges.
    for (const e of [c, c + 1 - 1e-9]) {
      if (x0 > xa && e > xa && e < x0) at(e, ya + ((y0 - ya) * (e - xa)) / (x0 - xa));
    }
  }
  return [lo, hi];
}

test('a flat run is one segment', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i * 3.7);
  const ys = xs.map(() => 42);
  assert.deepEqual(vertices(xs, ys), [[[0, 42], [99 * 3.7, 42]]]);
});

test('a step keeps its corners', () => {
  const xs = [0, 10, 20, 30, 40, 50];
  const ys = [1, 1, 1, 5, 5, 5];
  assert.deepEqual(vertices(xs, ys), [[[0, 1], [20, 1], [30, 5], [50, 5]]]);
});

test('points one per column are all kept', () => {
  const xs = [0, 2, 4, 6, 8];
  const ys = [3, 9, 1, 7, 2];
  assert.deepEqual(vertices(xs, ys), [xs.map((x, i) => [x, ys[i]])]);
});

test('many points in one column keep the lowest and highest', () => {
  // 10 points per pixel column, a spike in the middle of the second one.
  const xs = Array.from({ length: 30 }, (_, i) => i / 10);
  const ys = xs.map((_, i) => (i === 15 ? 100 : i === 16 ? -50 : 10));
  const [seg] = vertices(xs, ys);
  assert.ok(seg.length < 10, `${seg.length} vertices for 30 points`);
  const [lo, hi] = extent(seg, 1);
  assert.equal(lo, -50);
  assert.equal(hi, 100);
});

test('a gap ends a segment; a lone point is a segment of one vertex', () => {
  const xs = [0, 1, 2, 3, 4, 5, 6];
  const ys = [1, 2, null, 3, null, 4, 5];
  assert.deepEqual(vertices(xs, ys), [
    [[0, 1], [1, 2]],
    [[3, 3]],
    [[5, 4], [6, 5]],
  ]);
  assert.deepEqual(vertices(xs, [null, null, 1, 2, null, null, null]), [[[2, 1], [3, 2]]]);
  assert.deepEqual(vertices(xs, xs.map(() => null)), []);
});

test('undefined is skipped and spanned, as uPlot does', () => {
  assert.deepEqual(vertices([0, 1, 2], [1, undefined, 3]), [[[0, 1], [2, 3]]]);
});

test('only the points from i0 to i1 are drawn', () => {
  assert.deepEqual(vertices([0, 1, 2, 3, 4], [9, 1, 2, 3, 9], 1, 3), [[[1, 1], [2, 2], [3, 3]]]);
});

test('the transform maps values to pixels', () => {
  const { out, n } = lineVertices([10, 20], [1, 2], 0, 1, 5, 2, 100, -10, new Float64Array(0));
  assert.deepEqual([...out.subarray(0, n)], [25, 90, 45, 80, NaN, NaN]);
});

test('random data: every point is within the line drawn in its pixel column, with fewer vertices', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const perPixel of [0.3, 1.6, 4, 20]) {
    const n = 600;
    const xs = Array.from({ length: n }, (_, i) => i / perPixel + 0.25);
    let v = 50;
    const ys = xs.map(() => {
      const r = rand();
      if (r < 0.02) return null;
      if (r < 0.5) return v; // flat stretches
      v += (rand() - 0.5) * 20;
      return Math.round(v * 4) / 4;
    });
    const segs = vertices(xs, ys);
    let count = 0;
    for (const seg of segs) count += seg.length;
    assert.ok(count <= n, `${perPixel} points per pixel: ${count} vertices for ${n} points`);
    for (let i = 0; i < n; i++) {
      if (ys[i] == null) continue;
      const c = Math.floor(xs[i]);
      const ok = segs.some((seg) => {
        const [lo, hi] = extent(seg, c);
        return ys[i] >= lo - 1e-9 && ys[i] <= hi + 1e-9;
      });
      assert.ok(ok, `${perPixel} points per pixel: point ${i} (${xs[i]}, ${ys[i]}) is off the line`);
    }
  }
});
