import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bytes,
  count,
  percent,
  duration,
  timestamp,
  elapsed,
  since,
  figure,
  isShare,
  format,
  formatter,
  axisFormatter,
  unitLabel,
  trim,
  clock,
  BYTE_INCRS,
  DURATION_INCRS,
} from './format.js';

test('trim keeps about three significant digits', () => {
  assert.equal(trim(0), '0');
  assert.equal(trim(1), '1');
  assert.equal(trim(1.5), '1.5');
  assert.equal(trim(1.256), '1.26');
  assert.equal(trim(12.34), '12.3');
  assert.equal(trim(512.4), '512');
  assert.equal(trim(0.05), '0.05');
  assert.equal(trim(0.123456), '0.12');
  assert.equal(trim(-3.5), '-3.5');
  assert.equal(trim(-0.0001), '-0.0001');
});

test('bytes are 1024-based, like free -h', () => {
  assert.equal(bytes(0), '0 B');
  assert.equal(bytes(512), '512 B');
  assert.equal(bytes(1023), '1023 B');
  assert.equal(bytes(1024), '1 KiB');
  assert.equal(bytes(1536), '1.5 KiB');
  assert.equal(bytes(1024 * 1024 * 12.3), '12.3 MiB');
  assert.equal(bytes(3 * 1024 ** 3), '3 GiB');
  assert.equal(bytes(1.5 * 1024 ** 4), '1.5 TiB');
  assert.equal(bytes(-2048), '-2 KiB');
  // Rounds up into the next prefix rather than printing "1024 KiB".
  assert.equal(bytes(1024 * 1024 - 1), '1 MiB');
  assert.equal(bytes(null), '—');
  assert.equal(bytes(NaN), '—');
});

test('counts use k/M/G', () => {
  assert.equal(count(0), '0');
  assert.equal(count(7), '7');
  assert.equal(count(999), '999');
  assert.equal(count(1000), '1k');
  assert.equal(count(1500), '1.5k');
  assert.equal(count(2.5e6), '2.5M');
  assert.equal(count(4e9), '4G');
  assert.equal(count(0.25), '0.25');
  assert.equal(count(-1200), '-1.2k');
  assert.equal(count(undefined), '—');
});

test('ratios are percentages', () => {
  assert.equal(percent(0), '0%');
  assert.equal(percent(0.423), '42.3%');
  assert.equal(percent(1), '100%');
  assert.equal(percent(0.0325), '3.25%');
  assert.equal(percent(2.5), '250%');
  assert.equal(percent(0.00063), '0.06%');
  assert.equal(percent(0.005), '0.5%');
  assert.equal(percent(0.00001), '0%');
  assert.equal(percent(-0.00001), '0%');
});

test('durations pick ns/µs/ms/s', () => {
  assert.equal(duration(0), '0 s');
  assert.equal(duration(250e-9), '250 ns');
  assert.equal(duration(12.5e-6), '12.5 µs');
  assert.equal(duration(3.2e-3), '3.2 ms');
  assert.equal(duration(0.999999), '1 s');
  assert.equal(duration(1.5), '1.5 s');
  assert.equal(duration(90), '90 s');
  assert.equal(duration(150), '2.5 min');
  assert.equal(duration(7200), '2 h');
  assert.equal(duration(3 * 86400), '3 d');
  assert.equal(duration(NaN), '—');
});

test('formatter dispatches on unit and adds /s for counters', () => {
  assert.equal(format(1536, 'bytes', 'gauge'), '1.5 KiB');
  assert.equal(format(1536, 'bytes', 'counter'), '1.5 KiB/s');
  assert.equal(format(0.5, 'ratio', 'gauge'), '50%');
  assert.equal(format(0.5, 'ratio', 'counter'), '50%');
  assert.equal(format(0.002, 'seconds', 'gauge'), '2 ms');
  assert.equal(format(0.125, 'seconds', 'counter'), '12.5%');
  assert.equal(format(1500, 'count', 'counter'), '1.5k/s');
  assert.equal(format(1500, '', 'gauge'), '1.5k');
  assert.equal(format(3, 'requests', 'counter'), '3 requests/s');
  assert.equal(format(3, 'celsius', 'gauge'), '3 celsius');
  // Missing values never get a suffix.
  assert.equal(format(null, 'bytes', 'counter'), '—');
  assert.equal(format(NaN, 'requests', 'counter'), '—');
  const f = formatter('bytes', 'gauge');
  assert.equal(f(2048), '2 KiB');
});

test('axis ticks leave a unit word to the header', () => {
  assert.equal(axisFormatter('requests', 'counter')(150), '150/s');
  assert.equal(axisFormatter('celsius', 'gauge')(21.5), '21.5');
  assert.equal(axisFormatter('bytes', 'counter')(2048), '2 KiB/s');
  assert.equal(axisFormatter('seconds', 'counter')(0.05), '5%');
  assert.equal(axisFormatter('count', 'gauge')(1500), '1.5k');
  assert.equal(axisFormatter(undefined, 'gauge')(3), '3');
});

test('unit labels', () => {
  assert.equal(unitLabel('bytes', 'counter'), 'bytes/s');
  assert.equal(unitLabel('bytes', 'gauge'), 'bytes');
  assert.equal(unitLabel('ratio', 'gauge'), '%');
  assert.equal(unitLabel('', 'gauge'), '');
  assert.equal(unitLabel('', 'counter'), 'per second');
  assert.equal(unitLabel('requests', 'counter'), 'requests/s');
  assert.equal(unitLabel('seconds', 'gauge'), 'seconds');
  assert.equal(unitLabel('seconds', 'counter'), '%');
});

test('counters of seconds are shares: percentages, past 100 % too', () => {
  assert.equal(isShare('seconds', 'counter'), true);
  assert.equal(isShare('seconds', 'gauge'), false);
  assert.equal(isShare('ratio', 'counter'), false);
  const f = formatter('seconds', 'counter');
  assert.equal(f(0.036), '3.6%');
  assert.equal(f(0), '0%');
  assert.equal(f(2.5), '250%', 'two and a half cores');
  assert.equal(f(null), '—');
});

test('elapsed reads like an uptime, rounding down', () => {
  assert.equal(elapsed(0), '0 s');
  assert.equal(elapsed(45.9), '45 s');
  assert.equal(elapsed(60), '1 min');
  assert.equal(elapsed(12 * 60 + 59), '12 min');
  assert.equal(elapsed(3600), '1 h');
  assert.equal(elapsed(5 * 3600 + 12 * 60 + 7), '5 h 12 min');
  assert.equal(elapsed(3 * 86400), '3 d');
  assert.equal(elapsed(3 * 86400 + 4 * 3600 + 59 * 60), '3 d 4 h');
  assert.equal(elapsed(-5), '0 s');
  assert.equal(elapsed(NaN), '—');
});

test('since shows the clock on the same day, the date before it', () => {
  const now = new Date(2024, 0, 2, 1, 34, 5).getTime() / 1000;
  const today = new Date(2024, 0, 2, 1, 22, 5).getTime() / 1000;
  const before = new Date(2023, 11, 29, 21, 0, 0).getTime() / 1000;
  assert.equal(since(today, now), '01:22:05 (12 min ago)');
  assert.equal(since(now, now), '01:34:05 (0 s ago)');
  assert.equal(since(before, now), '2023-12-29 21:00:00 (3 d 4 h ago)');
  assert.equal(since(now + 10, now), '01:34:15', 'a clock ahead of the server: no "ago"');
  assert.equal(since(today, null), '2024-01-02 01:22:05');
  assert.equal(since(null, now), '—');
});

test('figure formats stat values', () => {
  const now = new Date(2024, 0, 2, 1, 34, 5).getTime() / 1000;
  assert.equal(figure(2, 'count', 'gauge', now), '2');
  assert.equal(figure(20000, 'count', 'gauge', now), '20k');
  assert.equal(figure(3 * 86400 + 4 * 3600, 'seconds', 'gauge', now), '3 d 4 h');
  assert.equal(figure(now - 12 * 60, 'timestamp', 'gauge', now), '01:22:05 (12 min ago)');
  assert.equal(figure(1536, 'bytes', 'gauge', now), '1.5 KiB');
  assert.equal(figure(NaN, 'count', 'gauge', now), '—');
});

test('timestamps are local date and time', () => {
  const t = new Date(2024, 0, 2, 3, 4, 5).getTime() / 1000;
  assert.equal(timestamp(t), '2024-01-02 03:04:05');
  assert.equal(format(t, 'timestamp', 'gauge'), '2024-01-02 03:04:05');
  assert.equal(unitLabel('timestamp', 'gauge'), 'time');
  assert.equal(timestamp(null), '—');
});

test('clock is HH:MM:SS', () => {
  assert.match(clock(Date.UTC(2024, 0, 1, 12, 3, 4)), /^\d\d:03:04$/);
  assert.equal(clock(null), '—');
});

test('duration axis increments ascend and read well', () => {
  for (let k = 1; k < DURATION_INCRS.length; k++) assert.ok(DURATION_INCRS[k] > DURATION_INCRS[k - 1], `at ${k}`);
  assert.ok(DURATION_INCRS.includes(0.005));
  assert.ok(DURATION_INCRS.includes(300));
  // Every step is a round label.
  for (const v of DURATION_INCRS) assert.match(duration(v), /^\d+ (ns|µs|ms|s|min|h|d)$/, String(v));
});

test('byte axis increments are powers of two', () => {
  assert.equal(BYTE_INCRS[0], 1 / 1024);
  assert.ok(BYTE_INCRS.includes(1));
  assert.ok(BYTE_INCRS.includes(512 * 1024 * 1024));
  for (let k = 1; k < BYTE_INCRS.length; k++) assert.equal(BYTE_INCRS[k], 2 * BYTE_INCRS[k - 1]);
});
