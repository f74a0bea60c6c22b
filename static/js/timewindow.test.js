// Tests of timewindow.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveWindow, MIN_WINDOW } from './timewindow.js';

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
