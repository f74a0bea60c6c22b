// Tests of filter.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terms, haystack, matches, countText } from './filter.js';

const net = {
  key: 'host_network_bytes',
  title: 'Network throughput',
  unit: 'bytes',
  series: [
    { title: 'eth0 rx', name: 'host_network_receive_bytes_total', labels: { interface: 'eth0' } },
    { title: 'wlan0 rx', name: 'host_network_receive_bytes_total', labels: { interface: 'wlan0' } },
  ],
};
const gc = {
  key: 'go_gc_pauses',
  title: 'GC pauses',
  unit: 'seconds',
  series: [{ title: 'p99', name: 'go_gc_pause_seconds', labels: { quantile: '0.99' } }],
};
const find = (q) => [net, gc].filter((s) => matches(haystack(s, s === gc ? 'Go runtime' : 'Host'), terms(q))).map((s) => s.key);

test('terms are the lower-case words of a query', () => {
  assert.deepEqual(terms('  Disk   Write '), ['disk', 'write']);
  assert.deepEqual(terms(''), []);
  assert.deepEqual(terms(null), []);
});

test('a query finds charts by title, series, label value, name and section', () => {
  assert.deepEqual(find('eth0'), ['host_network_bytes'], 'label value');
  assert.deepEqual(find('wlan0 rx'), ['host_network_bytes'], 'series title, every word');
  assert.deepEqual(find('p99'), ['go_gc_pauses'], 'series title');
  assert.deepEqual(find('GC'), ['go_gc_pauses'], 'title, any case');
  assert.deepEqual(find('0.99'), ['go_gc_pauses'], 'label value');
  assert.deepEqual(find('receive_bytes'), ['host_network_bytes'], 'metric name');
  assert.deepEqual(find('runtime'), ['go_gc_pauses'], 'section heading');
  assert.deepEqual(find(''), ['host_network_bytes', 'go_gc_pauses'], 'no query: everything');
  assert.deepEqual(find('eth0 p99'), [], 'every word must match');
  assert.deepEqual(find('<img'), []);
});

test('countText', () => {
  assert.equal(countText(62, 62, false), '62 charts');
  assert.equal(countText(1, 1, false), '1 chart');
  assert.equal(countText(3, 62, true), '3 of 62');
});
