// Tests of theme.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTheme, nextTheme, themeLabel, loadTheme, saveTheme, applyTheme } from './theme.js';

test('auto follows the system; a choice overrides it', () => {
  assert.equal(resolveTheme('auto', true), 'dark');
  assert.equal(resolveTheme('auto', false), 'light');
  assert.equal(resolveTheme('light', true), 'light');
  assert.equal(resolveTheme('dark', false), 'dark');
  assert.equal(resolveTheme('bogus', true), 'dark');
});

test('the toggle shows the other theme, then follows the system again', () => {
  for (const sys of [false, true]) {
    const seen = [];
    let pref = 'auto';
    for (let i = 0; i < 4; i++) {
      seen.push(resolveTheme(pref, sys));
      pref = nextTheme(pref, sys);
    }
    assert.deepEqual(seen, sys ? ['dark', 'light', 'dark', 'light'] : ['light', 'dark', 'light', 'dark']);
  }
  assert.equal(nextTheme('auto', false), 'dark');
  assert.equal(nextTheme('dark', false), 'auto');
});

test('themeLabel says what is shown and whether it follows the system', () => {
  assert.equal(themeLabel('auto', true), 'Theme: dark (system)');
  assert.equal(themeLabel('light', true), 'Theme: light');
});

test('the choice is stored, and a broken storage is survived', () => {
  const m = new Map();
  const storage = { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) };
  assert.equal(loadTheme(storage), 'auto');
  saveTheme(storage, 'dark');
  assert.equal(loadTheme(storage), 'dark');
  saveTheme(storage, 'auto');
  assert.equal(m.size, 0);
  m.set('livedash.theme', 'pink');
  assert.equal(loadTheme(storage), 'auto');
  const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => { throw new Error('denied'); } };
  assert.equal(loadTheme(broken), 'auto');
  saveTheme(broken, 'dark');
  assert.equal(loadTheme(undefined), 'auto');
});

test('applyTheme sets data-theme to the theme shown', () => {
  const root = { dataset: {} };
  assert.equal(applyTheme(root, 'auto', true), 'dark');
  assert.deepEqual(root.dataset, { theme: 'dark', themePref: 'auto' });
});
