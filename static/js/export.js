// Export: a chart's data as CSV, the whole history as JSON, a chart as
// PNG. The text formats are pure functions; download and the PNG need a
// document.

// csvField quotes a field when it holds a comma, a quote or a line break.
function csvField(s) {
  s = String(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// toCSV writes a chart's rows whose time is within range ({min, max} in
// seconds; all rows without one): a "time" column (ISO 8601, UTC), then
// one column per series, named by its id; gaps are empty fields.
export function toCSV(ids, data, range) {
  const lines = [['time', ...ids].map(csvField).join(',')];
  const xs = data[0];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (range && (x < range.min || x > range.max)) continue;
    const row = [new Date(x * 1000).toISOString()];
    for (let k = 1; k < data.length; k++) {
      const v = data[k][i];
      row.push(v == null || Number.isNaN(v) ? '' : String(v));
    }
    lines.push(row.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

// historyJSON is the whole history the page holds: the series' schema,
// the tick times (unix ms) and one column per series (null for a gap).
export function historyJSON(store) {
  const ts = Array.from(store.times(), (x) => Math.round(x * 1000));
  const series = store.series.map((d) => ({
    id: d.id,
    name: d.name,
    labels: d.labels,
    title: d.title,
    chart: d.chart,
    chartTitle: d.chartTitle,
    unit: d.unit,
    kind: d.kind,
    group: d.group,
    values: Array.from(store.values(d.id) || [], (v) => (Number.isNaN(v) ? null : v)),
  }));
  return JSON.stringify({ interval: store.interval, ts, series });
}

// fileName makes a file name from a chart key and a time (unix s).
export function fileName(base, t, ext) {
  const stamp = new Date(t * 1000).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '');
  return `${String(base).replace(/[^A-Za-z0-9_.-]+/g, '_')}-${stamp}.${ext}`;
}

// download saves blob under name through a temporary link.
export function download(doc, name, blob) {
  const a = doc.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// chartPNG draws a chart's canvas (plot and axes) on the card's background
// with its title, and returns a promise of the PNG blob.
export function chartPNG(doc, u, title, theme) {
  const src = u.ctx.canvas;
  const dpr = src.width / Math.max(1, u.width);
  const head = Math.round(22 * dpr);
  const c = doc.createElement('canvas');
  c.width = src.width;
  c.height = src.height + head;
  const ctx = c.getContext('2d');
  ctx.fillStyle = theme.card;
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.fillStyle = theme.fg;
  ctx.font = `600 ${Math.round(13 * dpr)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(String(title), Math.round(8 * dpr), head / 2);
  ctx.drawImage(src, 0, head);
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
}
