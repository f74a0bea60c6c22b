// The WebSocket client: connects, dispatches the server's messages, pings,
// and reconnects with capped exponential backoff, resuming with
// ?since=<last tick held> so the server sends only what was missed.
//
// wsURL and backoff are pure; LiveSocket takes its WebSocket constructor,
// timers, clock and random source as options so it can be tested without a
// browser.

// Status states.
export const CONNECTING = 'connecting';
export const OPEN = 'open';
export const RECONNECTING = 'reconnecting';
export const CLOSED = 'closed';

// wsURL builds the socket URL from the page's location and the configured
// relative path ("ws"), relative to the page's directory so the mount prefix
// (/debug/dashboard/) is kept: ws: on http, wss: on https. since (unix ms)
// is added as ?since= when not null.
export function wsURL(loc, wsPath = 'ws', since = null) {
  const u = new URL(wsPath || 'ws', loc.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.hash = '';
  if (since != null && Number.isFinite(since)) u.searchParams.set('since', String(Math.floor(since)));
  else u.searchParams.delete('since');
  return u.href;
}

// backoff returns the delay in ms before reconnect attempt number attempt
// (0 for the first): base·2^attempt capped at cap, with "equal jitter" (a
// random point in the upper half) so that many browsers dropped by one
// server restart do not all come back in the same millisecond.
export function backoff(attempt, { base = 500, cap = 5000, random = Math.random } = {}) {
  const d = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(d / 2 + (random() * d) / 2);
}

// TICK_MS is the period of the connection's housekeeping timer.
const TICK_MS = 1000;

const defaultTimers = {
  setTimeout: (f, ms) => globalThis.setTimeout(f, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id),
  setInterval: (f, ms) => globalThis.setInterval(f, ms),
  clearInterval: (id) => globalThis.clearInterval(id),
};

// LiveSocket keeps one connection open.
//
// Options:
//   url(since)     → the socket URL for a connection (since may be null)
//   since()        → the last tick time held, or null
//   onMessage(msg) → called with each parsed server message
//   onStatus(st)   → called on every status change with a status snapshot
//   pingMs         → the longest gap between two client pings (default
//                    5000, as the protocol asks); pings go every 4–5 s
//   stallMs        → with nothing received for this long, the connection is
//                    taken as dead and replaced (default 15000)
//   base, cap      → backoff (default 500 ms → 5 s)
//   WebSocket, timers, now, random → for tests
export class LiveSocket {
  constructor(opts) {
    this.opts = opts;
    this.WS = opts.WebSocket || globalThis.WebSocket;
    this.timers = opts.timers || defaultTimers;
    this.now = opts.now || (() => Date.now());
    this.random = opts.random || Math.random;
    this.pingMs = opts.pingMs || 5000;
    this.stallMs = opts.stallMs || 15000;
    this.ws = null;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastRecv = 0;
    this.lastPing = 0;
    this.gotMessage = false;
    this.stopped = false;
    this.st = { state: CLOSED, attempt: 0, nextAt: null, code: null, reason: '', since: null, url: '' };
  }

  // status returns a snapshot of the connection status:
  // {state, attempt, nextAt (unix ms of the next attempt, when
  // reconnecting), code and reason (of the last close), since, url}.
  get status() {
    return { ...this.st };
  }

  // start connects. Calling it again while running does nothing.
  start() {
    if (this.ws || this.retryTimer != null) return;
    this.stopped = false;
    this.#connect();
  }

  // close closes the connection for good.
  close(code = 1000, reason = 'page closed') {
    this.stopped = true;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.#stopPing();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
    this.#set({ state: CLOSED, nextAt: null });
  }

  // retryNow skips the wait before the next attempt (the browser came back
  // online, the tab became visible).
  retryNow() {
    if (this.stopped || this.st.state !== RECONNECTING) return;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.#connect();
  }

  // send sends a small JSON message if the socket is open.
  send(msg) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  #connect() {
    this.retryTimer = null;
    const since = this.opts.since ? this.opts.since() : null;
    const url = this.opts.url(since);
    this.gotMessage = false;
    this.#set({ state: CONNECTING, nextAt: null, since, url });
    let ws;
    try {
      ws = new this.WS(url);
    } catch (err) {
      this.#closed(1006, String((err && err.message) || err));
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastRecv = this.now();
      this.#set({ state: OPEN, code: null, reason: '' });
      this.#startPing();
    };
    ws.onmessage = (ev) => {
      this.lastRecv = this.now();
      if (typeof ev.data !== 'string') return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!msg || typeof msg.type !== 'string') return;
      if (!this.gotMessage) {
        // The server accepted us and spoke: the next failure starts the
        // backoff from the beginning again.
        this.gotMessage = true;
        this.#set({ attempt: 0 });
      }
      this.opts.onMessage && this.opts.onMessage(msg);
      if (this.pingTimer != null) this.#pingIfDue();
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.#closed(ev.code, ev.reason || '');
    };
    ws.onerror = () => {
      // A close event follows; nothing to do here.
    };
  }

  #closed(code, reason) {
    this.#stopPing();
    if (this.ws) detach(this.ws);
    this.ws = null;
    if (this.stopped) {
      this.#set({ state: CLOSED, code, reason, nextAt: null });
      return;
    }
    const delay = backoff(this.st.attempt, { base: this.opts.base, cap: this.opts.cap, random: this.random });
    this.#set({ state: RECONNECTING, code, reason, attempt: this.st.attempt + 1, nextAt: this.now() + delay });
    this.retryTimer = this.timers.setTimeout(() => this.#connect(), delay);
  }

  // While open, a timer ticks every second: it replaces a connection
  // silent for stallMs and sends a ping when one is due. Messages also send
  // a due ping, so pings stay at most pingMs apart even when the browser
  // throttles a background tab's timers (socket messages still arrive).
  #startPing() {
    this.#stopPing();
    this.lastPing = this.now();
    this.pingTimer = this.timers.setInterval(() => {
      if (this.now() - this.lastRecv > this.stallMs) {
        // Silent for too long (a laptop woke up, a proxy dropped the
        // connection): do not wait for TCP to notice.
        const ws = this.ws;
        this.#closed(4000, 'no data from server');
        if (ws) {
          try {
            ws.close(4000, 'no data from server');
          } catch {
            // ignore
          }
        }
        return;
      }
      this.#pingIfDue();
    }, TICK_MS);
  }

  #pingIfDue() {
    const now = this.now();
    if (now - this.lastPing < this.pingMs - TICK_MS) return;
    // The ping carries the tick of the last frame received, so the server
    // can tell a client that stopped reading from one that is merely quiet.
    const ts = this.opts.since ? this.opts.since() : null;
    const msg = Number.isFinite(ts) && ts > 0 ? { type: 'ping', ts } : { type: 'ping' };
    if (this.send(msg)) this.lastPing = now;
  }

  #stopPing() {
    if (this.pingTimer != null) this.timers.clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  #set(patch) {
    Object.assign(this.st, patch);
    this.opts.onStatus && this.opts.onStatus(this.status);
  }
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}
