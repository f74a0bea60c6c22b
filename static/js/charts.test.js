// Tests of the pure helpers of charts.js (the rest needs a browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSpecs, sections, signature, yRange, timeRange, timeLabels, seriesStyle, lonePoints, PALETTE } from './charts.js';

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
