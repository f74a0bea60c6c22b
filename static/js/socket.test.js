import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wsURL, backoff, LiveSocket, CONNECTING, OPEN, RECONNECTING, CLOSED } from './socket.js';

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
