// The live connection: a WebSocket, or Server-Sent Events where the
// WebSocket is refused; connects, dispatches the server's messages, pings
// (WebSocket), and reconnects with capped exponential backoff, resuming
// with ?since=<last tick held> so the server sends only what was missed.
//
// wsURL, sseURL and backoff are pure; LiveSocket takes its WebSocket and
// EventSource constructors, timers, clock and random source as options so
// it can be tested without a browser.

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

// Transports.
export const WS = 'ws';
export const SSE = 'sse';

// sseURL builds the URL of the Server-Sent Events fallback ("events"),
// relative to the page's directory like wsURL, with ?since= when not null.
export function sseURL(loc, path = 'events', since = null) {
  const u = new URL(path || 'events', loc.href);
  u.hash = '';
  if (since != null && Number.isFinite(since)) u.searchParams.set('since', String(Math.floor(since)));
  else u.searchParams.delete('since');
  return u.href;
}

// WS_FAILS is how many WebSocket attempts in a row must fail without a
// message before the page tries SSE, once the WebSocket has worked on this
// page (a server restarting refuses both; a proxy that refuses upgrades
// fails the very first attempt, which goes to SSE at once).
const WS_FAILS = 3;

const defaultTimers = {
  setTimeout: (f, ms) => globalThis.setTimeout(f, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id),
  setInterval: (f, ms) => globalThis.setInterval(f, ms),
  clearInterval: (id) => globalThis.clearInterval(id),
};

// LiveSocket keeps one connection open: a WebSocket, or, where a proxy
// refuses the upgrade, Server-Sent Events.
//
// Transport: the WebSocket first. With sseURL given, an attempt that
// ends without a message (the upgrade refused, or nothing within
// firstMessageMs) is followed at once by one over SSE (an EventSource on
// sseURL(since)), and a transport that delivered a message is the one
// reconnections use. While on SSE, a WebSocket is tried every probeMs in
// the background; when it delivers its first message the page switches to
// it and closes the event stream. Both resume with ?since=<last tick>, and
// the store drops what it already holds, so a switch leaves neither a
// duplicate nor a gap. The page sends nothing over SSE (no pings); the
// EventSource's own reconnection is not used: an error closes it, and the
// backoff below applies as for the WebSocket.
//
// Options:
//   url(since)     → the socket URL for a connection (since may be null)
//   sseURL(since)  → the event stream's URL; none: no fallback
//   since()        → the last tick time held, or null
//   onMessage(msg) → called with each parsed server message
//   onStatus(st)   → called on every status change with a status snapshot
//   pingMs         → the longest gap between two client pings (default
//                    5000, as the protocol asks); pings go every 4–5 s
//   stallMs        → with nothing received for this long, the connection is
//                    taken as dead and replaced (default 15000)
//   firstMessageMs → an open connection without a message for this long
//                    counts as failed (default 4000; with sseURL only)
//   probeMs        → while on SSE, the wait between WebSocket tries
//                    (default 60000)
//   base, cap      → backoff (default 500 ms → 5 s)
//   WebSocket, EventSource, timers, now, random → for tests
export class LiveSocket {
  constructor(opts) {
    this.opts = opts;
    this.WS = opts.WebSocket || globalThis.WebSocket;
    this.ES = opts.EventSource || globalThis.EventSource;
    this.timers = opts.timers || defaultTimers;
    this.now = opts.now || (() => Date.now());
    this.random = opts.random || Math.random;
    this.pingMs = opts.pingMs || 5000;
    this.stallMs = opts.stallMs || 15000;
    this.firstMessageMs = opts.firstMessageMs || 4000;
    this.probeMs = opts.probeMs || 60000;
    this.fallback = typeof opts.sseURL === 'function' && typeof this.ES === 'function';
    this.ws = null; // the WebSocket in use
    this.es = null; // or the EventSource
    this.probe = null; // a WebSocket tried while on SSE
    this.retryTimer = null;
    this.pingTimer = null;
    this.firstTimer = null;
    this.probeTimer = null;
    this.lastRecv = 0;
    this.lastPing = 0;
    this.gotMessage = false;
    this.stopped = false;
    this.preferred = WS; // the transport that last delivered a message
    this.next = WS; // the transport of the next attempt
    this.wsWorked = false; // a WebSocket delivered a message on this page
    this.wsFails = 0; // WebSocket attempts in a row without a message
    this.st = { state: CLOSED, attempt: 0, nextAt: null, code: null, reason: '', since: null, url: '', transport: WS };
  }

  // status returns a snapshot of the connection status:
  // {state, attempt, nextAt (unix ms of the next attempt, when
  // reconnecting), code and reason (of the last close), since, url,
  // transport ("ws" or "sse", of the connection in use or being tried)}.
  get status() {
    return { ...this.st };
  }

  // start connects. Calling it again while running does nothing.
  start() {
    if (this.ws || this.es || this.retryTimer != null) return;
    this.stopped = false;
    this.#connect();
  }

  // close closes the connection for good.
  close(code = 1000, reason = 'page closed') {
    this.stopped = true;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.#stopTimers();
    this.#dropProbe();
    const { ws, es } = this;
    this.ws = this.es = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
    if (es) {
      detach(es);
      es.close();
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

  // send sends a small JSON message if a WebSocket is open (nothing goes
  // over SSE).
  send(msg) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  #connect() {
    this.retryTimer = null;
    const transport = this.fallback ? this.next : WS;
    const since = this.opts.since ? this.opts.since() : null;
    const url = transport === SSE ? this.opts.sseURL(since) : this.opts.url(since);
    this.gotMessage = false;
    this.#set({ state: CONNECTING, nextAt: null, since, url, transport });
    let conn;
    try {
      conn = transport === SSE ? new this.ES(url) : new this.WS(url);
    } catch (err) {
      this.#closed(1006, String((err && err.message) || err));
      return;
    }
    if (transport === SSE) this.es = conn;
    else this.ws = conn;
    conn.onopen = () => {
      this.lastRecv = this.now();
      this.#set({ state: OPEN, code: null, reason: '' });
      this.#startTimers();
      if (this.fallback && !this.gotMessage) {
        this.firstTimer = this.timers.setTimeout(() => this.#fail(conn, 4001, 'no message from server'), this.firstMessageMs);
      }
    };
    conn.onmessage = (ev) => this.#received(ev, conn, transport);
    if (transport === SSE) {
      // An EventSource reports every failure as an error, and would
      // reconnect by itself: close it and go through the backoff.
      conn.onerror = () => {
        if (this.es !== conn) return;
        conn.close();
        this.#closed(1006, 'event stream failed');
      };
    } else {
      conn.onclose = (ev) => {
        if (this.ws !== conn) return;
        this.#closed(ev.code, ev.reason || '');
      };
      conn.onerror = () => {
        // A close event follows; nothing to do here.
      };
    }
  }

  // #received handles a message of the connection in use.
  #received(ev, conn, transport) {
    if (conn !== this.ws && conn !== this.es) return;
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
      // backoff from the beginning again, on this transport.
      this.gotMessage = true;
      this.timers.clearTimeout(this.firstTimer);
      this.firstTimer = null;
      this.preferred = this.next = transport;
      if (transport === WS) {
        this.wsWorked = true;
        this.wsFails = 0;
      }
      this.#set({ attempt: 0 });
      if (transport === SSE) this.#scheduleProbe();
    }
    this.opts.onMessage && this.opts.onMessage(msg);
    if (this.pingTimer != null && transport === WS) this.#pingIfDue();
  }

  // #fail ends the connection conn as failed with code and reason.
  #fail(conn, code, reason) {
    if (conn !== this.ws && conn !== this.es) return;
    this.#closed(code, reason);
    try {
      conn.close(code, reason);
    } catch {
      // ignore
    }
  }

  #closed(code, reason) {
    this.#stopTimers();
    this.#dropProbe();
    const transport = this.st.transport;
    if (this.ws) detach(this.ws);
    if (this.es) detach(this.es);
    this.ws = this.es = null;
    if (this.stopped) {
      this.#set({ state: CLOSED, code, reason, nextAt: null });
      return;
    }
    if (transport === WS && !this.gotMessage) this.wsFails++;
    // A WebSocket refused (or silent) where the WebSocket has not worked,
    // or no longer works: try SSE at once.
    if (this.fallback && transport === WS && !this.gotMessage && (!this.wsWorked || this.wsFails >= WS_FAILS)) {
      this.next = SSE;
      this.#set({ state: RECONNECTING, code, reason, nextAt: this.now() });
      this.retryTimer = this.timers.setTimeout(() => this.#connect(), 0);
      return;
    }
    this.next = this.preferred;
    const delay = backoff(this.st.attempt, { base: this.opts.base, cap: this.opts.cap, random: this.random });
    this.#set({ state: RECONNECTING, code, reason, attempt: this.st.attempt + 1, nextAt: this.now() + delay });
    this.retryTimer = this.timers.setTimeout(() => this.#connect(), delay);
  }

  // While on SSE, a WebSocket is tried every probeMs; the first message it
  // delivers makes it the connection in use.
  #scheduleProbe() {
    this.timers.clearTimeout(this.probeTimer);
    this.probeTimer = this.timers.setTimeout(() => this.#startProbe(), this.probeMs);
  }

  #startProbe() {
    this.probeTimer = null;
    if (this.stopped || !this.es || this.probe) return;
    const since = this.opts.since ? this.opts.since() : null;
    const url = this.opts.url(since);
    let ws;
    try {
      ws = new this.WS(url);
    } catch {
      this.#scheduleProbe();
      return;
    }
    this.probe = ws;
    const give = () => {
      if (this.probe !== ws) return;
      this.#dropProbe();
      try {
        ws.close(1000, 'probe');
      } catch {
        // ignore
      }
      if (this.es) this.#scheduleProbe();
    };
    const timer = (this.probeGive = this.timers.setTimeout(give, this.firstMessageMs));
    ws.onopen = () => {};
    ws.onerror = () => {};
    ws.onclose = () => {
      this.timers.clearTimeout(timer);
      if (this.probe !== ws) return;
      this.#dropProbe();
      if (this.es) this.#scheduleProbe();
    };
    ws.onmessage = (ev) => {
      if (this.probe !== ws) return;
      this.timers.clearTimeout(timer);
      // The WebSocket works again: it replaces the event stream.
      this.probe = null;
      const es = this.es;
      this.es = null;
      if (es) {
        detach(es);
        es.close();
      }
      this.#stopTimers();
      this.ws = ws;
      this.gotMessage = false;
      this.#set({ state: OPEN, transport: WS, url, since, code: null, reason: '' });
      this.#startTimers();
      ws.onmessage = (e) => this.#received(e, ws, WS);
      ws.onclose = (e) => {
        if (this.ws !== ws) return;
        this.#closed(e.code, e.reason || '');
      };
      this.#received(ev, ws, WS);
    };
  }

  #dropProbe() {
    this.timers.clearTimeout(this.probeTimer);
    this.timers.clearTimeout(this.probeGive);
    this.probeTimer = this.probeGive = null;
    const p = this.probe;
    this.probe = null;
    if (p) {
      detach(p);
      try {
        p.close(1000, 'probe');
      } catch {
        // ignore
      }
    }
  }

  // While open, a timer ticks every second: it replaces a connection
  // silent for stallMs and, on a WebSocket, sends a ping when one is due.
  // Messages also send a due ping, so pings stay at most pingMs apart even
  // when the browser throttles a background tab's timers (socket messages
  // still arrive).
  #startTimers() {
    this.#stopTimers();
    this.lastPing = this.now();
    this.pingTimer = this.timers.setInterval(() => {
      if (this.now() - this.lastRecv > this.stallMs) {
        // Silent for too long (a laptop woke up, a proxy dropped the
        // connection): do not wait for TCP to notice.
        this.#fail(this.ws || this.es, 4000, 'no data from server');
        return;
      }
      if (this.ws) this.#pingIfDue();
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

  #stopTimers() {
    if (this.pingTimer != null) this.timers.clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.timers.clearTimeout(this.firstTimer);
    this.firstTimer = null;
  }

  #set(patch) {
    Object.assign(this.st, patch);
    this.opts.onStatus && this.opts.onStatus(this.status);
  }
}

function detach(c) {
  c.onopen = c.onmessage = c.onclose = c.onerror = null;
}
