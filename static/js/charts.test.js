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
