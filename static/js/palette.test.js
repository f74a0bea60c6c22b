// Tests of palette.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seriesStyle, lineWidth, PALETTE } from './palette.js';

test('seriesStyle cycles the palette, then dashes', () => {
  assert.deepEqual(seriesStyle(0), { colour: PALETTE[0], dash: undefined });
  assert.equal(seriesStyle(PALETTE.length).colour, PALETTE[0]);
  assert.deepEqual(seriesStyle(PALETTE.length).dash, [6, 3]);
  assert.deepEqual(seriesStyle(2 * PALETTE.length + 1).dash, [2, 3]);
  assert.equal(new Set(PALETTE).size, PALETTE.length);
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
