// Entry point: reads the config the page embeds (templ.JSONScript), wires
// socket → store → charts and keeps the header (connection status,
// collector errors, pause banner) up to date. Text only: every server
// string goes through textContent.

import { Store } from './store.js';
import { Charts } from './charts.js';
import { Find } from './find.js';
import { Timebar } from './timebar.js';
import { parseState, formatState } from './urlstate.js';
import { loadTheme, saveTheme, applyTheme, nextTheme, themeLabel } from './theme.js';
import { LiveSocket, wsURL, sseURL, OPEN, CONNECTING, RECONNECTING, SSE } from './socket.js';
import { pickWindow, needsRange } from './timewindow.js';
import { clock } from './format.js';

function readConfig() {
  const el = document.getElementById('livedash-config');
  try {
    return el ? JSON.parse(el.textContent) : {};
  } catch {
    return {};
  }
}

// lazy(load) memoizes a dynamic import, forgetting a failed one so that
// the next use tries again. What only some visits use (exports, the long
// windows) is loaded on first use: the page carries only what it shows.
function lazy(load) {
  let p = null;
  return () =>
    (p ??= load().catch((err) => {
      p = null;
      throw err;
    }));
}
const exportModule = lazy(() => import('./export.js'));
const whatChangedModule = lazy(() => import('./whatchanged.js'));
const rangeModule = lazy(() => import('./range.js'));

const config = readConfig();
const store = new Store();
const $ = (id) => document.getElementById(id);
const statusEl = $('status');
const statusText = $('status-text');
const errorsEl = $('errors');
const emptyEl = $('empty');
const windowsEl = $('windows');
const changesBtn = $('changes-btn');

if (config.interval > 0) store.interval = config.interval;

// The theme: the URL's, else the one chosen before (localStorage), else
// the system's.
const root = document.documentElement;
const system = window.matchMedia('(prefers-color-scheme: dark)');
let initial = parseState(location.hash);
let themePref = initial.theme || loadTheme(window.localStorage);
applyTheme(root, themePref, system.matches);

// The view lives in the URL's fragment; it is written back (without a
// history entry) whenever it changes.
let applyingURL = false;
function writeURL() {
  if (applyingURL) return;
  const h = formatState({
    window: charts.window !== pickWindow(charts.windows, NaN, store.window) ? charts.window : undefined,
    filter: charts.filter,
    collapsed: [...charts.collapsed],
    theme: themePref,
    paused: charts.paused,
    compare: charts.compares(),
  });
  if (h !== location.hash && !(h === '' && location.hash === '')) {
    history.replaceState(history.state, '', h || location.pathname + location.search);
  }
}

let find = null;
let timebar = null;
let ranges = null; // range.js's RangeLoader, once a long window is shown
let rangeRetryAt = 0; // when to load range.js again after a failure; -1 while loading
const charts = new Charts($('charts'), store, {
  uPlot: window.uPlot,
  onView: () => {
    find?.update();
    timebar?.update();
    updateChangesButton();
    updateRanges();
    writeURL();
  },
  onLayout: () => {
    find?.layout();
    timebar?.update();
  },
});
// The figures this OS does not report, as the page header lists them.
const notHere = document.querySelector('.facts li[data-fact="not available on this OS"] .fact-value');
charts.setUnavailable(notHere ? notHere.textContent.split(', ') : []);
find = new Find(charts, {
  filter: $('filter'),
  count: $('filter-count'),
  toc: $('toc'),
  nav: $('toc-nav'),
  alert: $('toc-alert'),
});
timebar = new Timebar(charts, {
  windows: $('windows'),
  live: $('live'),
  zoomOut: $('zoom-out'),
  paused: $('paused'),
  pausedText: $('paused-text'),
  resume: $('resume'),
});

// A window longer than the ring: its older part from ./api/range
// (range.js, loaded the first time such a window is shown).
function showRangeStatus(st) {
  windowsEl.setAttribute('aria-busy', String(st.loading));
  windowsEl.classList.toggle('loading', st.loading);
  windowsEl.title = st.error ? `Could not load the older data: ${st.error}` : st.loading ? 'Loading the older data…' : '';
}
function updateRanges() {
  if (ranges) {
    ranges.update();
    return;
  }
  if (!needsRange(store, charts.window) || rangeRetryAt < 0 || Date.now() < rangeRetryAt) return;
  rangeRetryAt = -1; // loading
  showRangeStatus({ loading: true, error: '' });
  rangeModule().then(
    (m) => {
      ranges = new m.RangeLoader({
        store,
        view: () => ({ window: charts.window, paused: charts.paused }),
        url: (req) => m.rangeURL(window.location.href, req),
        load: m.workerLoader(new URL('./rangeworker.js', import.meta.url)),
        onChange: () => charts.invalidate(),
        onStatus: showRangeStatus,
      });
      showRangeStatus(ranges.status);
      ranges.update();
    },
    (err) => {
      rangeRetryAt = Date.now() + 10000;
      showRangeStatus({ loading: false, error: `range.js: ${(err && err.message) || err}` });
    },
  );
}

// "What changed?": the button works while a range is selected (paused);
// the panel (whatchanged.js) is loaded on its first click.
let changes = null;
function updateChangesButton() {
  changesBtn.disabled = charts.paused == null;
  changesBtn.title = charts.paused ? 'Rank the series by how they changed from the window before' : 'Select a window (drag on a chart, or pause) first';
}
updateChangesButton();
changesBtn.addEventListener('click', async () => {
  try {
    const { WhatChanged } = await whatChangedModule();
    changes ??= new WhatChanged(
      charts,
      store,
      { panel: $('changes'), title: $('changes-title'), list: $('changes-list'), close: $('changes-close') },
      (key) => find.jump(key),
    );
    changes.show();
  } catch (err) {
    changesBtn.title = `Could not load the ranking: ${(err && err.message) || err}`;
  }
});

// Export: a chart's rows in the range shown as CSV, the chart as PNG
// (card buttons), the whole history as JSON (header button). What is
// exported is taken at the click; export.js is loaded on the first one.
async function exporting(btn, run) {
  try {
    await run(await exportModule());
    if (btn.title.startsWith('Export failed')) btn.title = '';
  } catch (err) {
    btn.title = `Export failed: ${(err && err.message) || err}`;
  }
}
$('charts').addEventListener('click', (e) => {
  const btn = e.target.closest('button[data-export]');
  const card = btn?.closest('.card');
  const c = card && charts.get(card.dataset.chart);
  if (!c) return;
  const r = charts.range();
  const t = r ? r.max : Date.now() / 1000;
  if (btn.dataset.export === 'csv') {
    c.view.sync();
    const ids = c.spec.series.map((s) => s.id);
    const data = c.view.data.map((col) => col.slice());
    exporting(btn, ({ toCSV, fileName, download }) => {
      download(document, fileName(c.spec.key, t, 'csv'), new Blob([toCSV(ids, data, r)], { type: 'text/csv' }));
    });
  } else if (btn.dataset.export === 'png' && c.u) {
    exporting(btn, async ({ chartPNG, fileName, download }) => {
      const png = await chartPNG(document, c.u, c.spec.title, charts.theme);
      if (png) download(document, fileName(c.spec.key, t, 'png'), png);
    });
  }
});
const exportJSON = $('export-json');
exportJSON.addEventListener('click', () => {
  const t = store.lastX ?? Date.now() / 1000;
  exporting(exportJSON, ({ historyJSON, fileName, download }) => {
    download(document, fileName('livedash-history', t, 'json'), new Blob([historyJSON(store)], { type: 'application/json' }));
  });
});

// applyURL shows the view a link describes.
function applyURL(st) {
  applyingURL = true;
  try {
    charts.wantWindow = st.window ?? NaN;
    charts.setWindow(charts.wantWindow);
    charts.setFilter(st.filter || '');
    charts.setCollapsedAll(st.collapsed || []);
    if (st.paused) charts.pause(st.paused.min, st.paused.max);
    charts.setCompares(st.compare);
    if (st.theme && st.theme !== themePref) setTheme(st.theme, false);
  } finally {
    applyingURL = false;
  }
  find.update();
  timebar.update();
}
applyURL(initial);
window.addEventListener('hashchange', () => applyURL(parseState(location.hash)));

const themeBtn = $('theme');
function setTheme(pref, save) {
  themePref = pref;
  if (save) saveTheme(window.localStorage, pref);
  applyTheme(root, pref, system.matches);
  charts.themeChanged();
  showTheme();
  writeURL();
}
function showTheme() {
  themeBtn.textContent = themeLabel(themePref, system.matches);
}
showTheme();
themeBtn.addEventListener('click', () => setTheme(nextTheme(themePref, system.matches), true));
system.addEventListener('change', () => {
  applyTheme(root, themePref, system.matches);
  charts.themeChanged();
  showTheme();
});

const socket = new LiveSocket({
  url: (since) => wsURL(window.location, config.wsPath || 'ws', since),
  // Where a proxy refuses the WebSocket: Server-Sent Events.
  sseURL: (since) => sseURL(window.location, 'events', since),
  since: () => store.lastTs,
  onMessage,
  onStatus: showStatus,
});

function onMessage(msg) {
  switch (msg.type) {
    case 'schema':
      store.applySchema(msg);
      charts.applySchema();
      if (emptyEl) {
        emptyEl.hidden = charts.size + charts.stats > 0;
        emptyEl.textContent = 'No metrics yet.';
      }
      break;
    case 'history':
      if (store.applyHistory(msg) > 0) charts.invalidate();
      updateRanges();
      break;
    case 'frame':
      if (store.applyFrame(msg)) charts.invalidate();
      updateRanges();
      break;
    case 'status': {
      const errors = Array.isArray(msg.errors) ? msg.errors : [];
      showErrors(errors);
      charts.setErrors(errors);
      break;
    }
    default:
    // Unknown types are for newer clients.
  }
}

// The transport in use, by the status: "WS" or "SSE", its full name as
// its accessible name and tooltip.
const transportEl = document.createElement('span');
transportEl.id = 'transport';
transportEl.className = 'transport';
statusEl?.append(transportEl);
function showTransport(st) {
  const sse = st.transport === SSE;
  const name = sse ? 'Server-Sent Events' : 'WebSocket';
  const text = sse ? 'SSE' : 'WS';
  if (transportEl.textContent === text) return;
  transportEl.textContent = text;
  transportEl.dataset.transport = st.transport;
  transportEl.title = sse ? 'Live data over Server-Sent Events: the WebSocket is refused on the way; it is tried again every minute' : 'Live data over a WebSocket';
  transportEl.setAttribute('aria-label', `Transport: ${name}`);
}

// Connection status in the header: "live", "connecting…",
// "reconnecting in 3 s", "offline". A one-second timer runs only while a
// countdown is shown.
let countdown = null;
function showStatus(st) {
  if (!statusEl) return;
  showTransport(st);
  clearInterval(countdown);
  countdown = null;
  const render = () => {
    let state = st.state;
    let text;
    if (!navigator.onLine && st.state !== OPEN) {
      state = 'offline';
      text = 'offline';
    } else if (st.state === OPEN) {
      text = 'live';
    } else if (st.state === CONNECTING) {
      text = st.attempt > 0 ? 'reconnecting…' : 'connecting…';
    } else if (st.state === RECONNECTING) {
      const s = Math.max(0, Math.ceil((st.nextAt - Date.now()) / 1000));
      text = s > 0 ? `reconnecting in ${s} s` : 'reconnecting…';
    } else {
      state = 'offline';
      text = 'offline';
    }
    statusEl.dataset.state = state;
    statusText.textContent = text;
    statusEl.title = st.code ? `last close: ${st.code}${st.reason ? ' ' + st.reason : ''}` : '';
  };
  render();
  if (st.state === RECONNECTING) countdown = setInterval(render, 1000);
}

// Collector errors from "status" messages.
function showErrors(errors) {
  if (!errorsEl) return;
  const items = errors.map((e) => {
    const li = document.createElement('li');
    const who = document.createElement('strong');
    who.textContent = String(e.collector ?? '?');
    const what = document.createElement('span');
    what.textContent = ' ' + String(e.error ?? '');
    li.append(who, what);
    if (e.since) {
      const when = document.createElement('time');
      when.dateTime = new Date(e.since).toISOString();
      when.textContent = ` since ${clock(e.since)}`;
      li.append(when);
    }
    return li;
  });
  errorsEl.replaceChildren(...items);
  errorsEl.hidden = items.length === 0;
}

// A hidden tab's timers may be throttled to one a minute: retry at once
// when the tab comes back or the network does.
window.addEventListener('online', () => socket.retryNow());
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) socket.retryNow();
});
window.addEventListener('offline', () => showStatus(socket.status));
// Leave the back/forward cache usable: no open socket on a hidden page.
window.addEventListener('pagehide', () => socket.close(1001, 'page hidden'));
window.addEventListener('pageshow', (e) => {
  if (e.persisted) socket.start();
});

if (!window.uPlot) {
  if (emptyEl) emptyEl.textContent = 'The chart library did not load.';
} else {
  socket.start();
}

// A read-only handle for debugging and browser tests.
window.livedash = Object.freeze({
  store,
  charts,
  // The long-window loader, null until a window longer than the ring.
  get ranges() {
    return ranges;
  },
  get status() {
    return socket.status;
  },
});
