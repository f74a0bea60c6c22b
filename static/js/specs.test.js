// Tests of specs.js: schema series → sections, charts and figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSpecs, statSpecs, sections, signature, legendWidths, failingFor, coreHeatmap } from './specs.js';

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

test('failingFor matches a collector to the charts it feeds', () => {
  const disk = { key: 'host_disk_bytes', group: 'host', series: [{ name: 'host_disk_read_bytes_total' }] };
  const gc = { key: 'go_gc_pauses', group: 'go', series: [{ name: 'go_gc_pause_seconds' }] };
  const app = { key: 'queue', group: 'app', series: [{ name: 'myapp_queue_depth' }] };
  const errs = [
    { collector: 'host_disk', error: 'no /proc/diskstats' },
    { collector: 'runtime', error: 'boom' },
    { collector: 'myapp', error: 'db down' },
  ];
  assert.equal(failingFor(disk, errs)?.error, 'no /proc/diskstats');
  assert.equal(failingFor(gc, errs)?.error, 'boom');
  assert.equal(failingFor(app, errs)?.error, 'db down', 'by series name');
  assert.equal(failingFor({ key: 'host_diskette', group: 'host', series: [] }, errs), null, 'a whole word of the key');
  assert.equal(failingFor(disk, []), null);
  assert.equal(failingFor(disk, null), null);
  assert.equal(failingFor(disk, [{ error: 'nameless' }]), null);
});

test('coreHeatmap: many per-core charts become one heatmap of idle series, in core order', () => {
  const core = (n) => ({
    key: `host_cpu_core_${n}`,
    group: 'host',
    heatmap: false,
    series: ['user', 'idle'].map((mode) => ({ id: `c${n}_${mode}`, labels: { cpu: String(n), mode } })),
  });
  const load = { key: 'host_load', group: 'host', series: [] };
  const few = [load, core(0), core(1)];
  assert.equal(coreHeatmap(few), few, 'two cores: a chart each');
  const many = [load, ...[10, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9].map(core)];
  const out = coreHeatmap(many);
  assert.deepEqual(
    out.map((c) => c.key),
    ['host_load', 'host_cpu_cores'],
  );
  const heat = out[1];
  assert.equal(heat.heatmap, 'cores');
  assert.deepEqual(
    heat.series.map((d) => d.id),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `c${n}_idle`),
  );
  assert.equal(coreHeatmap(many, 20), many, 'under the threshold given');
});
