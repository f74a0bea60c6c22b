// Tests of axes.js: y ranges and time labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yRange, shareRange, timeRange, timeLabels, SHARE_FLOOR } from './axes.js';

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
