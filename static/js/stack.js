// Stacked areas: charts whose series are parts of a whole (the CPU's
// modes, the host's memory, the Go runtime's CPU and metadata classes)
// are drawn as areas stacked on one another, so the top of the stack is
// the whole. Pure: no DOM.

// STACKS names those charts by key (a key ending in "_" names a family:
// host_cpu_core_0, host_cpu_core_1, …) and, by series title, the parts,
// bottom first. A series of the chart that is not a part is drawn as a
// line over the areas; a part in hidden starts hidden (idle time: the
// stack is then the busy share, and clicking idle fills it to 100 %).
export const STACKS = [
  { key: 'host_cpu', parts: ['user', 'system', 'iowait', 'steal', 'idle'], hidden: ['idle'] },
  { key: 'host_cpu_core_', parts: ['user', 'system', 'iowait', 'steal', 'idle'], hidden: ['idle'] },
  {
    key: 'go_cpu_classes',
    parts: ['user', 'GC assist', 'GC dedicated', 'GC idle', 'GC pause', 'scavenger assist', 'scavenger', 'idle'],
    hidden: ['idle'],
  },
  // Free memory starts hidden too: the stack is then what is in use, under
  // the total's line, rather than a block the height of the total.
  { key: 'host_memory', parts: ['used', 'buff/cache', 'free'], hidden: ['free'] },
  { key: 'go_memory_runtime', parts: null, hidden: [] }, // every series a part
];

// stackPlan returns how to draw spec as a stack, or null:
// {order, parts, hidden}. order lists indexes into spec.series in the
// order the plot draws them, the top of the stack first (uPlot draws in
// series order; each area is filled down to zero and hides those under
// it), then the lines; parts is how many of order are parts; hidden the
// indexes that start hidden.
export function stackPlan(spec) {
  if (spec.heatmap || !spec.series?.length) return null;
  const def = STACKS.find((s) => (s.key.endsWith('_') ? spec.key.startsWith(s.key) : spec.key === s.key));
  if (!def) return null;
  const titles = spec.series.map((d) => d.title);
  const names = def.parts || titles;
  const bottomUp = [];
  for (const name of names) {
    const i = titles.indexOf(name);
    if (i >= 0 && !bottomUp.includes(i)) bottomUp.push(i);
  }
  if (bottomUp.length < 2) return null;
  const lines = spec.series.map((d, i) => i).filter((i) => !bottomUp.includes(i));
  const hidden = bottomUp.filter((i) => def.hidden.includes(titles[i]));
  return { order: [...bottomUp.reverse(), ...lines], parts: bottomUp.length, hidden };
}

// stackColumns fills out (one array per entry of order, reused between
// calls) with what the plot draws: for a part, the sum of it and every
// part under it that is shown (show[j] for order[j]); for a line, its own
// values. cols are the series' columns in spec order. A missing value
// (null) is a gap in its own area and adds nothing to those above.
export function stackColumns(cols, plan, show, out = []) {
  const { order, parts } = plan;
  const n = cols[order[0]]?.length ?? 0;
  for (let j = 0; j < order.length; j++) {
    const o = (out[j] ||= []);
    o.length = n;
  }
  const acc = new Float64Array(n);
  // Bottom up: the last part in order is the bottom.
  for (let j = parts - 1; j >= 0; j--) {
    const src = cols[order[j]];
    const o = out[j];
    const on = show[j] !== false;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (v == null) {
        o[i] = null;
        continue;
      }
      // A hidden part is not drawn; its column is where it would be.
      if (on) acc[i] += v;
      o[i] = on ? acc[i] : acc[i] + v;
    }
  }
  for (let j = parts; j < order.length; j++) {
    const src = cols[order[j]];
    const o = out[j];
    for (let i = 0; i < n; i++) o[i] = src[i] ?? null;
  }
  out.length = order.length;
  return out;
}
