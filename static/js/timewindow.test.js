// Tests of timewindow.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveWindow, MIN_WINDOW, WINDOWS, windowsFor, windowsForTiers, windowLabel, parseWindow, formatWindow, pickWindow, zoomOut, pan } from './timewindow.js';

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

test('windowsFor offers the windows the history fills, then the history itself', () => {
  assert.deepEqual(windowsFor(600), [60, 300, 600], 'ten minutes');
  assert.deepEqual(windowsFor(900), [60, 300, 900], 'fifteen minutes: no duplicate');
  assert.deepEqual(windowsFor(48 * 3600), WINDOWS, 'a tiered history offers every window');
  assert.deepEqual(windowsFor(30), [30], 'shorter than a minute');
  assert.deepEqual(windowsFor(0), []);
  assert.deepEqual(windowsFor(NaN), []);
});

test('window labels and their URL form round-trip', () => {
  assert.deepEqual(
    [60, 300, 600, 900, 3600, 5400, 6 * 3600, 30, 90].map(windowLabel),
    ['1 m', '5 m', '10 m', '15 m', '1 h', '1.5 h', '6 h', '30 s', '90 s'],
  );
  for (const w of [30, 60, 90, 300, 600, 3600, 5400, 86400, 172800]) assert.equal(parseWindow(formatWindow(w)), w);
  assert.equal(parseWindow('5m'), 300);
  assert.equal(parseWindow('1h'), 3600);
  assert.equal(parseWindow('2d'), 172800);
  assert.equal(parseWindow('600'), 600);
  assert.ok(Number.isNaN(parseWindow('five')));
  assert.ok(Number.isNaN(parseWindow('')));
  assert.ok(Number.isNaN(parseWindow(null)));
});

test('pickWindow takes the closest window offered, else the longest', () => {
  assert.equal(pickWindow([60, 300, 600], 300), 300);
  assert.equal(pickWindow([60, 300, 600], 3600), 600, 'a link to 1 h on a 10-minute history');
  assert.equal(pickWindow([60, 300, 600], 70), 60);
  assert.equal(pickWindow([60, 300, 600], NaN), 600);
  assert.ok(Number.isNaN(pickWindow([], 60)));
});

test('zoomOut doubles the range around its centre, inside the data, then goes live', () => {
  const bounds = { min: 0, max: 600 };
  assert.deepEqual(zoomOut({ min: 200, max: 300 }, bounds, 600), { min: 150, max: 350 });
  assert.deepEqual(zoomOut({ min: 10, max: 60 }, bounds, 600), { min: 0, max: 100 }, 'shifted, not cut, at the oldest end');
  assert.deepEqual(zoomOut({ min: 800, max: 950 }, { min: 0, max: 1000 }, 900), { min: 700, max: 1000 }, 'shifted at the newest end, narrower than the window: still paused');
  assert.equal(zoomOut({ min: 500, max: 590 }, bounds, 180), null, 'as wide as the window at the newest end: live');
  assert.equal(zoomOut({ min: 0, max: 600 }, bounds, 600), null, 'all the data: live');
  assert.deepEqual(zoomOut({ min: 100, max: 200 }, bounds, 150), { min: 75, max: 225 }, 'never wider than the window');
});

test('pan moves a paused range by a share of its width, within the data', () => {
  const bounds = { min: 0, max: 600 };
  assert.deepEqual(pan({ min: 200, max: 300 }, -0.25, bounds), { min: 175, max: 275 });
  assert.deepEqual(pan({ min: 200, max: 300 }, 0.5, bounds), { min: 250, max: 350 });
  assert.deepEqual(pan({ min: 20, max: 120 }, -0.5, bounds), { min: 0, max: 100 }, 'stops at the oldest data');
  assert.deepEqual(pan({ min: 480, max: 580 }, 0.5, bounds), { min: 500, max: 600 }, 'stops at the newest');
});

test('windowsForTiers offers the ring\'s windows, then those the longest tier reaches', () => {
  const tiers = [
    { step: 1000, span: 600000 },
    { step: 10000, span: 21600000 },
    { step: 60000, span: 172800000 },
  ];
  assert.deepEqual(windowsForTiers(tiers, 600), [60, 300, 600, 900, 3600, 6 * 3600, 24 * 3600, 48 * 3600]);
  assert.deepEqual(windowsForTiers(tiers.slice(0, 2), 600), [60, 300, 600, 900, 3600, 6 * 3600]);
  assert.deepEqual(windowsForTiers(tiers.slice(0, 1), 600), [60, 300, 600], 'the ring only');
  assert.deepEqual(windowsForTiers([], 600), [60, 300, 600], 'an older server: no tiers');
  assert.deepEqual(windowsForTiers(undefined, 120), [60, 120]);
  // Scaled down: a 10 s ring, tiers of 1 and 10 minutes.
  assert.deepEqual(windowsForTiers([{ step: 100, span: 10000 }, { step: 1000, span: 60000 }, { step: 5000, span: 600000 }], 10), [10, 60, 300, 600]);
  assert.deepEqual(windowsForTiers([{ step: 1000, span: 600000 }, { step: 10000, span: 7200000 }], 600), [60, 300, 600, 900, 3600, 7200], 'the longest span itself');
});

test('pickWindow falls back to the ring, liveWindow shows a long window whole', () => {
  const offered = [60, 300, 600, 900, 3600];
  assert.equal(pickWindow(offered, NaN, 600), 600, 'the default: the ring');
  assert.equal(pickWindow(offered, NaN), 3600, 'no fallback: the longest');
  assert.equal(pickWindow(offered, NaN, 1200), 3600, 'a fallback not offered');
  assert.equal(pickWindow(offered, 3600, 600), 3600);
  assert.equal(liveWindow(30, 3600, 600), 3600, 'longer than the ring: whole, however little is held');
  assert.equal(liveWindow(30, 600, 600), 60, 'the ring: grows with the data');
});
