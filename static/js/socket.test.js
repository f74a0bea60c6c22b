import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wsURL, sseURL, backoff, LiveSocket, CONNECTING, OPEN, RECONNECTING, CLOSED, WS, SSE } from './socket.js';

const loc = (href) => ({ href });

test('wsURL keeps the mount prefix and picks ws/wss', () => {
  assert.equal(wsURL(loc('http://h:8080/debug/dashboard/'), 'ws'), 'ws://h:8080/debug/dashboard/ws');
  assert.equal(wsURL(loc('https://h/debug/dashboard/'), 'ws'), 'wss://h/debug/dashboard/ws');
  assert.equal(wsURL(loc('http://h/'), 'ws'), 'ws://h/ws');
  // The page's query and fragment do not leak into the socket URL.
  assert.equal(wsURL(loc('http://h/d/?theme=x#host'), 'ws'), 'ws://h/d/ws');
  // Served at /d/index.html-like paths: relative to the directory.
  assert.equal(wsURL(loc('http://h/a/b/page'), 'ws'), 'ws://h/a/b/ws');
  assert.equal(wsURL(loc('http://h/d/'), ''), 'ws://h/d/ws');
});

test('wsURL adds since', () => {
  assert.equal(wsURL(loc('http://h/d/'), 'ws', 1732240002000), 'ws://h/d/ws?since=1732240002000');
  assert.equal(wsURL(loc('http://h/d/'), 'ws', null), 'ws://h/d/ws');
  assert.equal(wsURL(loc('http://h/d/'), 'ws?x=1', 5), 'ws://h/d/ws?x=1&since=5');
  assert.equal(wsURL(loc('http://h/d/'), 'ws?since=1', 5), 'ws://h/d/ws?since=5');
  assert.equal(wsURL(loc('http://h/d/'), 'ws', NaN), 'ws://h/d/ws');
});

test('backoff doubles from 0.5 s, caps at 5 s, with jitter in the upper half', () => {
  const lo = (a) => backoff(a, { random: () => 0 });
  const hi = (a) => backoff(a, { random: () => 1 });
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10, 1000].map(hi), [500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  assert.deepEqual([0, 1, 2, 3, 4].map(lo), [250, 500, 1000, 2000, 2500]);
  for (let a = 0; a < 12; a++) {
    const d = backoff(a);
    assert.ok(d >= lo(a) && d <= hi(a), `attempt ${a}: ${d}`);
  }
  assert.equal(backoff(0, { base: 100, cap: 300, random: () => 1 }), 100);
  assert.equal(backoff(9, { base: 100, cap: 300, random: () => 1 }), 300);
});

// A fake browser: WebSocket, timers and clock under the test's control.
function fakeEnv() {
  const env = { now: 0, sockets: [], timers: new Map(), nextId: 1 };
  class FakeWS {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = null;
      env.sockets.push(this);
    }
    send(s) {
      this.sent.push(JSON.parse(s));
    }
    close(code, reason) {
      this.closedWith = [code, reason];
      this.readyState = 3;
    }
    // test helpers
    open() {
      this.readyState = 1;
      this.onopen && this.onopen({});
    }
    recv(obj) {
      this.onmessage && this.onmessage({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
    }
    drop(code, reason = '') {
      this.readyState = 3;
      this.onclose && this.onclose({ code, reason });
    }
  }
  env.WebSocket = FakeWS;
  env.streams = [];
  // A fake EventSource: onopen, onmessage, onerror; close.
  class FakeES {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.closed = false;
      env.streams.push(this);
    }
    close() {
      this.closed = true;
      this.readyState = 2;
    }
    open() {
      this.readyState = 1;
      this.onopen && this.onopen({});
    }
    recv(obj) {
      this.onmessage && this.onmessage({ data: JSON.stringify(obj) });
    }
    fail() {
      this.onerror && this.onerror({});
    }
  }
  env.EventSource = FakeES;
  env.timerApi = {
    setTimeout: (f, ms) => {
      const id = env.nextId++;
      env.timers.set(id, { f, at: env.now + ms });
      return id;
    },
    clearTimeout: (id) => env.timers.delete(id),
    setInterval: (f, ms) => {
      const id = env.nextId++;
      env.timers.set(id, { f, at: env.now + ms, every: ms });
      return id;
    },
    clearInterval: (id) => env.timers.delete(id),
  };
  // advance runs the timers due within ms, in order.
  env.advance = (ms) => {
    const end = env.now + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of env.timers) if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
      if (!next) break;
      const [id, t] = next;
      env.now = t.at;
      if (t.every) t.at += t.every;
      else env.timers.delete(id);
      t.f();
    }
    env.now = end;
  };
  env.last = () => env.sockets[env.sockets.length - 1];
  env.stream = () => env.streams[env.streams.length - 1];
  return env;
}

function newSocket(env, extra = {}) {
  const got = [];
  const states = [];
  let since = null;
  const s = new LiveSocket({
    url: (sn) => (sn == null ? 'ws://h/d/ws' : `ws://h/d/ws?since=${sn}`),
    since: () => since,
    onMessage: (m) => got.push(m),
    onStatus: (st) => states.push(st),
    WebSocket: env.WebSocket,
    timers: env.timerApi,
    now: () => env.now,
    random: () => 1,
    ...extra,
  });
  return { s, got, states, setSince: (v) => (since = v) };
}

test('LiveSocket dispatches messages', () => {
  const env = fakeEnv();
  const { s, got, states } = newSocket(env);
  s.start();
  assert.equal(s.status.state, CONNECTING);
  const ws = env.last();
  assert.equal(ws.url, 'ws://h/d/ws');
  ws.open();
  assert.equal(s.status.state, OPEN);
  ws.recv({ type: 'schema', series: [] });
  ws.recv('not json');
  ws.recv({ no: 'type' });
  ws.recv({ type: 'frame', ts: 1 });
  assert.deepEqual(got.map((m) => m.type), ['schema', 'frame']);
  assert.deepEqual(states.map((st) => st.state).slice(0, 2), [CONNECTING, OPEN]);
});

// pingTimes returns when each ping was sent.
function recordPings(env, ws) {
  const at = [];
  const send = ws.send.bind(ws);
  ws.send = (m) => {
    if (JSON.parse(m).type === 'ping') at.push(env.now);
    send(m);
  };
  return at;
}

test('LiveSocket pings 4–5 s apart', () => {
  const env = fakeEnv();
  const { s } = newSocket(env);
  s.start();
  const ws = env.last();
  const pings = recordPings(env, ws);
  ws.open();
  for (let k = 0; k < 30; k++) {
    env.advance(700);
    ws.recv({ type: 'frame', ts: k });
  }
  assert.ok(pings.length >= 4, `pings at ${pings}`);
  let prev = 0;
  for (const t of pings) {
    assert.ok(t - prev >= 4000 && t - prev <= 5000, `pings at ${pings}`);
    prev = t;
  }
  assert.ok(env.now - prev <= 5000);
  assert.deepEqual(ws.sent.filter((m) => m.type !== 'ping'), []);
});

test('LiveSocket pings from incoming messages when timers are throttled', () => {
  const env = fakeEnv();
  const { s } = newSocket(env);
  s.start();
  const ws = env.last();
  const pings = recordPings(env, ws);
  ws.open();
  // A background tab: timers do not fire, messages arrive every second.
  for (let k = 0; k < 20; k++) {
    env.now += 1000;
    ws.recv({ type: 'frame', ts: k });
  }
  assert.deepEqual(pings, [4000, 8000, 12000, 16000, 20000]);
  assert.equal(s.status.state, OPEN);
});

test('LiveSocket pings carry the last tick held, once there is one', () => {
  const env = fakeEnv();
  const { s, setSince } = newSocket(env);
  s.start();
  const ws = env.last();
  ws.open();
  env.advance(5000);
  setSince(1732240002000);
  env.advance(5000);
  const pings = ws.sent.filter((m) => m.type === 'ping');
  assert.ok(pings.length >= 2, JSON.stringify(ws.sent));
  assert.equal(pings[0].ts, undefined);
  assert.equal(pings.at(-1).ts, 1732240002000);
});

test('LiveSocket reconnects with backoff and ?since', () => {
  const env = fakeEnv();
  const { s, setSince } = newSocket(env);
  s.start();
  env.last().open();
  env.last().recv({ type: 'schema', series: [] });
  setSince(1732240002000);
  env.last().drop(1008, 'too slow');
  let st = s.status;
  assert.equal(st.state, RECONNECTING);
  assert.equal(st.code, 1008);
  assert.equal(st.reason, 'too slow');
  assert.equal(st.nextAt, 500);
  assert.equal(env.sockets.length, 1);
  env.advance(499);
  assert.equal(env.sockets.length, 1);
  env.advance(1);
  assert.equal(env.sockets.length, 2);
  assert.equal(env.last().url, 'ws://h/d/ws?since=1732240002000');
  assert.equal(s.status.state, CONNECTING);
  // Failing attempts back off: 1 s, 2 s, 4 s, 5 s, 5 s.
  const delays = [];
  for (let k = 0; k < 5; k++) {
    env.last().drop(1006);
    delays.push(s.status.nextAt - env.now);
    env.advance(s.status.nextAt - env.now);
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000]);
  // A connection that speaks resets the backoff.
  env.last().open();
  env.last().recv({ type: 'schema', series: [] });
  env.last().drop(1001, 'going away');
  assert.equal(s.status.nextAt - env.now, 500);
});

test('LiveSocket replaces a silent connection', () => {
  const env = fakeEnv();
  const { s } = newSocket(env, { stallMs: 15000 });
  s.start();
  const ws = env.last();
  ws.open();
  ws.recv({ type: 'schema', series: [] });
  env.advance(15000);
  assert.equal(s.status.state, OPEN);
  env.advance(1000);
  assert.equal(s.status.state, RECONNECTING);
  assert.equal(s.status.code, 4000);
  assert.deepEqual(ws.closedWith, [4000, 'no data from server']);
  env.advance(500);
  assert.equal(env.sockets.length, 2);
});

test('LiveSocket close stops for good; retryNow skips the wait', () => {
  const env = fakeEnv();
  const { s } = newSocket(env);
  s.start();
  env.last().drop(1006);
  assert.equal(s.status.state, RECONNECTING);
  s.retryNow();
  assert.equal(env.sockets.length, 2);
  assert.equal(s.status.state, CONNECTING);
  env.last().open();
  s.close();
  assert.equal(s.status.state, CLOSED);
  assert.deepEqual(env.last().closedWith, [1000, 'page closed']);
  env.advance(60000);
  assert.equal(env.sockets.length, 2);
  assert.equal(env.timers.size, 0, 'no timers left');
  assert.equal(s.send({ type: 'ping' }), false);
});

test('sseURL keeps the mount prefix and adds since', () => {
  assert.equal(sseURL(loc('http://h/debug/dashboard/#w=6h'), 'events'), 'http://h/debug/dashboard/events');
  assert.equal(sseURL(loc('https://h/d/'), 'events', 1732240002000), 'https://h/d/events?since=1732240002000');
  assert.equal(sseURL(loc('http://h/d/'), '', null), 'http://h/d/events');
});

// newFallback is newSocket with the SSE fallback.
function newFallback(env, extra = {}) {
  return newSocket(env, {
    sseURL: (sn) => (sn == null ? 'http://h/d/events' : `http://h/d/events?since=${sn}`),
    EventSource: env.EventSource,
    ...extra,
  });
}

test('a refused upgrade falls back to SSE at once, with since; nothing is sent over SSE', () => {
  const env = fakeEnv();
  const { s, got, setSince } = newFallback(env);
  setSince(1732240002000);
  s.start();
  assert.equal(s.status.transport, WS);
  env.last().drop(1006);
  assert.equal(env.streams.length, 0);
  env.advance(0);
  assert.equal(env.streams.length, 1, 'SSE tried at once');
  const es = env.stream();
  assert.equal(es.url, 'http://h/d/events?since=1732240002000');
  assert.equal(s.status.transport, SSE);
  assert.equal(s.status.state, CONNECTING);
  es.open();
  es.recv({ type: 'schema', series: [] });
  es.recv({ type: 'frame', ts: 1 });
  assert.equal(s.status.state, OPEN);
  assert.equal(s.status.attempt, 0);
  assert.deepEqual(got.map((m) => m.type), ['schema', 'frame']);
  assert.equal(s.send({ type: 'ping' }), false, 'nothing to send on');
  for (let k = 0; k < 20; k++) {
    env.advance(1000);
    es.recv({ type: 'frame', ts: k + 2 });
  }
  assert.equal(env.sockets.length, 1, 'no WebSocket before the probe is due');
  assert.equal(s.status.state, OPEN);
});

test('a WebSocket that stays silent falls back to SSE', () => {
  const env = fakeEnv();
  const { s } = newFallback(env, { firstMessageMs: 4000 });
  s.start();
  const ws = env.last();
  ws.open();
  env.advance(3999);
  assert.equal(s.status.state, OPEN);
  env.advance(1);
  assert.deepEqual(ws.closedWith, [4001, 'no message from server']);
  env.advance(0);
  assert.equal(env.streams.length, 1);
  assert.equal(s.status.transport, SSE);
});

test('on SSE, a WebSocket is tried every minute and taken once it speaks', () => {
  const env = fakeEnv();
  const { s, got, setSince } = newFallback(env, { probeMs: 60000 });
  s.start();
  env.last().drop(1006);
  env.advance(0);
  const es = env.stream();
  es.open();
  es.recv({ type: 'schema', series: [] });
  setSince(1000);
  // Keep the stream alive with frames; the first probe fails (refused).
  const tick = (ms) => {
    for (let t = 0; t < ms; t += 1000) {
      env.advance(1000);
      if (!es.closed) es.recv({ type: 'frame', ts: env.now });
    }
  };
  tick(60000);
  assert.equal(env.sockets.length, 2, 'a probe after a minute');
  assert.equal(env.last().url, 'ws://h/d/ws?since=1000');
  env.last().drop(1006);
  assert.equal(s.status.transport, SSE, 'a failed probe changes nothing');
  assert.equal(s.status.state, OPEN);
  tick(60000);
  assert.equal(env.sockets.length, 3, 'the next probe a minute later');
  const probe = env.last();
  probe.open();
  assert.equal(s.status.transport, SSE, 'open is not enough');
  const before = got.length;
  probe.recv({ type: 'schema', series: [] });
  assert.equal(s.status.transport, WS);
  assert.equal(s.status.state, OPEN);
  assert.equal(es.closed, true, 'the event stream closed');
  assert.equal(got[before].type, 'schema', 'the probe\'s first message dispatched');
  es.recv({ type: 'frame', ts: 1 });
  assert.equal(got.length, before + 1, 'nothing more from the closed stream');
  probe.recv({ type: 'history', ts: [], cols: [] });
  assert.equal(got.length, before + 2);
  // Pings again, on the WebSocket.
  for (let k = 0; k < 6; k++) {
    env.advance(1000);
    probe.recv({ type: 'frame', ts: k });
  }
  assert.ok(probe.sent.some((m) => m.type === 'ping'));
  // It is now the connection: a drop reconnects over the WebSocket.
  probe.drop(1001);
  env.advance(s.status.nextAt - env.now);
  assert.equal(env.sockets.length, 4);
  assert.equal(env.streams.length, 1);
});

test('a probe that opens but stays silent is given up', () => {
  const env = fakeEnv();
  const { s } = newFallback(env, { probeMs: 10000, firstMessageMs: 3000, stallMs: 600000 });
  s.start();
  env.last().drop(1006);
  env.advance(0);
  env.stream().open();
  env.stream().recv({ type: 'schema', series: [] });
  env.advance(10000);
  const probe = env.last();
  assert.equal(env.sockets.length, 2);
  probe.open();
  env.advance(3000);
  assert.deepEqual(probe.closedWith, [1000, 'probe']);
  assert.equal(s.status.transport, SSE);
  env.advance(10000);
  assert.equal(env.sockets.length, 3, 'tried again later');
});

test('a dropped event stream reconnects over SSE with backoff and since', () => {
  const env = fakeEnv();
  const { s, setSince } = newFallback(env);
  s.start();
  env.last().drop(1006);
  env.advance(0);
  env.stream().open();
  env.stream().recv({ type: 'schema', series: [] });
  setSince(1732240002000);
  const es = env.stream();
  es.fail();
  assert.equal(es.closed, true, 'the EventSource does not reconnect by itself');
  assert.equal(s.status.state, RECONNECTING);
  assert.equal(s.status.nextAt - env.now, 500);
  env.advance(500);
  assert.equal(env.streams.length, 2);
  assert.equal(env.sockets.length, 1, 'no WebSocket in between');
  assert.equal(env.stream().url, 'http://h/d/events?since=1732240002000');
});

test('a WebSocket that worked is retried before SSE; nothing works: both, with backoff', () => {
  const env = fakeEnv();
  const { s } = newFallback(env);
  s.start();
  env.last().open();
  env.last().recv({ type: 'schema', series: [] });
  env.last().drop(1001, 'going away');
  // A restart: refused twice over the WebSocket, backing off.
  for (let k = 0; k < 2; k++) {
    env.advance(s.status.nextAt - env.now);
    assert.equal(s.status.transport, WS);
    env.last().drop(1006);
  }
  assert.equal(env.streams.length, 0);
  env.advance(s.status.nextAt - env.now);
  env.last().drop(1006);
  env.advance(0);
  assert.equal(env.streams.length, 1, 'SSE after three refusals');
  env.stream().fail();
  assert.equal(s.status.state, RECONNECTING);
  assert.ok(s.status.nextAt > env.now, 'then a wait');
  env.advance(s.status.nextAt - env.now);
  assert.equal(s.status.transport, WS, 'the WebSocket first again');
});

test('close ends the stream, the probe and every timer', () => {
  const env = fakeEnv();
  const { s } = newFallback(env, { probeMs: 1000 });
  s.start();
  env.last().drop(1006);
  env.advance(0);
  const es = env.stream();
  es.open();
  es.recv({ type: 'schema', series: [] });
  env.advance(1000);
  const probe = env.last();
  assert.equal(env.sockets.length, 2);
  s.close();
  assert.equal(es.closed, true);
  assert.deepEqual(probe.closedWith, [1000, 'probe']);
  assert.equal(env.timers.size, 0);
  assert.equal(s.status.state, CLOSED);
});
