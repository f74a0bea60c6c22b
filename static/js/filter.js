// The chart filter: what a query matches. Pure.
//
// A query is words separated by spaces; a chart matches when every word is
// found (case-insensitive, anywhere) in its text: the chart's title and
// key, its section's heading, its unit, and each series' title, name and
// label values, so "eth0", "gc", "p99" or "disk write" find their charts.

// terms splits a query into lower-case words.
export function terms(q) {
  return String(q ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
}

// haystack is the text a chart is searched in (see the top of the file),
// lower case, one string.
export function haystack(spec, heading = '') {
  const parts = [spec.title, spec.key, heading, spec.unit];
  for (const s of spec.series) {
    parts.push(s.title, s.name);
    for (const v of Object.values(s.labels || {})) parts.push(v);
  }
  return parts
    .filter((p) => typeof p === 'string' && p !== '')
    .join('\n')
    .toLowerCase();
}

// matches reports whether every word of words is in hay.
export function matches(hay, words) {
  for (const w of words) if (!hay.includes(w)) return false;
  return true;
}

// countText is what the count beside the filter says.
export function countText(shown, total, filtering) {
  if (!filtering) return total === 1 ? '1 chart' : `${total} charts`;
  return `${shown} of ${total}`;
}
