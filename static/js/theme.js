// The theme: "auto" follows the system (prefers-color-scheme), "light"
// and "dark" are the user's choice, kept in localStorage. The page's
// colours are CSS light-dark() pairs; the theme only sets the root's
// color-scheme through data-theme. Pure except applyTheme and the storage
// helpers, which take the objects they touch.

export const THEMES = ['auto', 'light', 'dark'];
const KEY = 'livedash.theme';

// resolveTheme is the theme shown: pref, or the system's for "auto".
export function resolveTheme(pref, systemDark) {
  if (pref === 'light' || pref === 'dark') return pref;
  return systemDark ? 'dark' : 'light';
}

// nextTheme is the choice after pref when the toggle is clicked: the
// other one than shown, then back to following the system when that is
// what is shown anyway, so two clicks always show both themes.
export function nextTheme(pref, systemDark) {
  const shown = resolveTheme(pref, systemDark);
  if (pref === 'auto' || !THEMES.includes(pref)) return shown === 'dark' ? 'light' : 'dark';
  return 'auto';
}

// themeLabel is the toggle's text and accessible name.
export function themeLabel(pref, systemDark) {
  const shown = resolveTheme(pref, systemDark);
  return pref === 'auto' || !THEMES.includes(pref) ? `Theme: ${shown} (system)` : `Theme: ${shown}`;
}

// loadTheme returns the stored choice ("auto" when none or storage is off).
export function loadTheme(storage) {
  try {
    const v = storage?.getItem(KEY);
    return THEMES.includes(v) ? v : 'auto';
  } catch {
    return 'auto';
  }
}

// saveTheme stores the choice ("auto" removes it).
export function saveTheme(storage, pref) {
  try {
    if (pref === 'auto') storage?.removeItem(KEY);
    else storage?.setItem(KEY, pref);
  } catch {
    // Storage may be off (private mode, a sandboxed frame): the choice
    // then lasts as long as the page.
  }
}

// applyTheme sets the root element's data-theme ("light" or "dark", the
// theme shown) and returns it.
export function applyTheme(root, pref, systemDark) {
  const shown = resolveTheme(pref, systemDark);
  root.dataset.theme = shown;
  root.dataset.themePref = THEMES.includes(pref) ? pref : 'auto';
  return shown;
}
