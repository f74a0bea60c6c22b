// Tests of urlstate.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseState, formatState } from './urlstate.js';

test('a view round-trips through the fragment', () => {
  const st = {
    window: 300,
    filter: 'disk write',
    collapsed: ['host', 'go'],
    theme: 'dark',
    paused: { min: 1700000000, max: 1700000060 },
    compare: { host_cpu: 3600, 'app:requests': 300 },
  };
  const h = formatState(st);
  assert.match(h, /^#/);
  assert.deepEqual(parseState(h), st);
  assert.deepEqual(parseState(h.slice(1)), st, 'without the #');
});

test('defaults are left out of the fragment', () => {
  assert.equal(formatState({}), '');
  assert.equal(formatState({ collapsed: [], theme: 'auto', filter: '' }), '');
  assert.equal(formatState({ window: 3600 }), '#w=1h');
});

test('malformed fields are ignored, not guessed', () => {
  assert.deepEqual(parseState('#w=soon&t=pink&p=20-10&c=,'), {});
  assert.deepEqual(parseState(''), {});
  assert.deepEqual(parseState(undefined), {});
  assert.deepEqual(parseState('#q=%3Cimg%20src%3Dx%3E'), { filter: '<img src=x>' }, 'a filter is kept as text');
});

test('compared charts: key and seconds ago, the key may hold colons', () => {
  assert.equal(formatState({ compare: { host_cpu: 3600 } }), '#k=host_cpu%3A3600');
  assert.deepEqual(parseState('#k=a:b:60,host_cpu:300'), { compare: { 'a:b': 60, host_cpu: 300 } });
  assert.deepEqual(parseState('#k=host_cpu:soon,:60,x:-5,y:0'), {});
  assert.equal(formatState({ compare: { host_cpu: 0 } }), '');
  // The window just before a dragged range: a fraction of a second kept.
  assert.deepEqual(parseState(formatState({ compare: { ramp: 9.4243118 } })), { compare: { ramp: 9.424 } });
});
