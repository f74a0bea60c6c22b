// The range worker: fetches ./api/range and turns its JSON into typed
// columns off the page's thread (see workerLoader in range.js). Messages
// in: {id, url} to load, {id, abort: true} to give up; out: {id, ok,
// data} or {id, ok: false, error}.

import { columnsOf, transfers } from './range.js';

const running = new Map();

self.onmessage = async (e) => {
  const { id, url, abort } = e.data || {};
  if (abort) {
    running.get(id)?.abort();
    running.delete(id);
    return;
  }
  const ctl = new AbortController();
  running.set(id, ctl);
  try {
    const resp = await fetch(url, { signal: ctl.signal });
    if (!resp.ok) throw new Error(`${resp.status} ${resp.statusText || ''}`.trim());
    const data = columnsOf(await resp.json());
    if (running.delete(id)) self.postMessage({ id, ok: true, data }, transfers(data));
  } catch (err) {
    if (running.delete(id)) self.postMessage({ id, ok: false, error: String((err && err.message) || err) });
  }
};
