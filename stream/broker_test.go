package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/schedule"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeConn records what the broker writes. When stall is set, Write blocks
// until the connection is closed.
type fakeConn struct {
	stall     bool
	countOnly bool // keep no messages (for allocation counts)

	mu      sync.Mutex
	msgs    [][]byte
	code    websocket.StatusCode
	reason  string
	written atomic.Int64
	done    chan struct{}
	once    sync.Once
	reads   chan []byte
	intr    chan struct{}
	intrOne sync.Once
}

func newFakeConn() *fakeConn {
	return &fakeConn{done: make(chan struct{}), reads: make(chan []byte, 8), intr: make(chan struct{})}
}

// timeoutErr is what a read interrupted by a past deadline returns.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func (c *fakeConn) interrupt() { c.intrOne.Do(func() { close(c.intr) }) }

func (c *fakeConn) Reader(ctx context.Context) (websocket.MessageType, io.Reader, error) {
	select {
	case m := <-c.reads:
		return websocket.MessageText, bytes.NewReader(m), nil
	case <-c.done:
		return 0, nil, net.ErrClosed
	case <-c.intr:
		return 0, nil, timeoutErr{}
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
}

func (c *fakeConn) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	if c.stall {
		<-c.done
		return net.ErrClosed
	}
	select {
	case <-c.done:
		return net.ErrClosed
	default:
	}
	if !c.countOnly {
		c.mu.Lock()
		c.msgs = append(c.msgs, p)
		c.mu.Unlock()
	}
	c.written.Add(1)
	return nil
}

func (c *fakeConn) Close(code websocket.StatusCode, reason string) error {
	c.mu.Lock()
	if c.code == 0 {
		c.code, c.reason = code, reason
	}
	c.mu.Unlock()
	c.once.Do(func() { close(c.done) })
	return nil
}

func (c *fakeConn) CloseNow() error { return c.Close(-1, "closed now") }

func (c *fakeConn) closeCode() websocket.StatusCode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.code
}

func (c *fakeConn) messages() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.msgs...)
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// newTestBroker returns a broker whose own ticker never fires during the
// test: the test calls tick itself.
func newTestBroker(t *testing.T, opts Options) *Broker {
	t.Helper()
	if opts.Interval == 0 {
		opts.Interval = time.Hour
	}
	if opts.History == 0 {
		opts.History = 10 * opts.Interval
	}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.manualTicks = true
	b := NewBroker(opts)
	t.Cleanup(func() { b.Close() })
	return b
}

// subscriberOf returns the subscriber whose connection is c.
func subscriberOf(b *Broker, c *fakeConn) *subscriber {
	b.subsMu.Lock()
	defer b.subsMu.Unlock()
	for s := range b.subs {
		if s.conn == c {
			return s
		}
	}
	return nil
}

func attach(t *testing.T, b *Broker, c *fakeConn) *subscriber {
	t.Helper()
	s := newSubscriber(b, c, nil, false, c.interrupt)
	if err := b.subscribe(s, math.MinInt64); err != nil {
		t.Fatal(err)
	}
	go b.serve(s) // counted by subscribe
	return s
}

var (
	gaugeA  = &collectors.Desc{Name: "test_a", Title: "a", Chart: "test_a", ChartTitle: "A", Group: "app"}
	gaugeB  = &collectors.Desc{Name: "test_b", Title: "b", Chart: "test_b", ChartTitle: "B", Group: "app"}
	counter = &collectors.Desc{Name: "test_c_total", Title: "c", Chart: "test_c", ChartTitle: "C", Group: "app", Kind: collectors.Counter}
)

type frameMsg struct {
	Type string     `json:"type"`
	T    int64      `json:"t"`
	TS   int64      `json:"ts"`
	I    []int      `json:"i"`
	V    []*float64 `json:"v"`
}

func decodeFrame(t *testing.T, b []byte) frameMsg {
	t.Helper()
	var f frameMsg
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("frame %s: %v", b, err)
	}
	if f.Type != "frame" || len(f.I) != len(f.V) {
		t.Fatalf("bad frame %s", b)
	}
	return f
}

func TestFrameCarriesOnlyChanges(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	t0 := time.Unix(1_700_000_000, 0)
	b.Publish(schedule.Batch{Collector: "x", Time: t0, Samples: []schedule.Sample{{Desc: gaugeA, Value: 1.5}, {Desc: gaugeB, Value: 2}}})
	b.mu.Lock()
	f := decodeFrame(t, payloadOf(b.frameLocked(t0)))
	b.mu.Unlock()
	if len(f.I) != 2 || *f.V[0] != 1.5 || *f.V[1] != 2 || f.TS != t0.UnixMilli() {
		t.Fatalf("first frame = %+v", f)
	}
	if f.T < time.Now().Add(-time.Minute).UnixMilli() {
		t.Fatalf("t = %d is not the send time", f.T)
	}

	// Same values: an empty frame.
	b.Publish(schedule.Batch{Collector: "x", Time: t0.Add(time.Second), Samples: []schedule.Sample{{Desc: gaugeA, Value: 1.5}, {Desc: gaugeB, Value: 2}}})
	b.mu.Lock()
	f = decodeFrame(t, payloadOf(b.frameLocked(t0.Add(time.Second))))
	b.mu.Unlock()
	if len(f.I) != 0 {
		t.Fatalf("unchanged values sent again: %+v", f)
	}

	// b not emitted: it becomes a gap (null), a changes.
	b.Publish(schedule.Batch{Collector: "x", Time: t0.Add(2 * time.Second), Samples: []schedule.Sample{{Desc: gaugeA, Value: 3}}})
	b.mu.Lock()
	f = decodeFrame(t, payloadOf(b.frameLocked(t0.Add(2*time.Second))))
	b.mu.Unlock()
	if len(f.I) != 2 || f.I[0] != 0 || *f.V[0] != 3 || f.I[1] != 1 || f.V[1] != nil {
		t.Fatalf("frame after drop = %+v", f)
	}
}

func TestCounterBecomesRate(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	t0 := time.Unix(1_700_000_000, 0)
	pub := func(at time.Duration, v float64) float64 {
		b.Publish(schedule.Batch{Collector: "x", Time: t0.Add(at), Samples: []schedule.Sample{{Desc: counter, Value: v}}})
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.byDesc[counter].cur
	}
	if r := pub(0, 100); !math.IsNaN(r) {
		t.Fatalf("first rate = %v, want none", r)
	}
	if r := pub(2*time.Second, 400); r != 150 {
		t.Fatalf("rate = %v, want 150", r)
	}
	if r := pub(3*time.Second, 10); !math.IsNaN(r) {
		t.Fatalf("rate after reset = %v, want none", r)
	}
	if r := pub(4*time.Second, 15); r != 5 {
		t.Fatalf("rate after reset = %v, want 5", r)
	}
}

func TestRingWrapAround(t *testing.T) {
	t.Parallel()
	r := newRing(10)
	for i := range 25 {
		r.push(int64(i*1000), []float64{float64(i), float64(-i)})
	}
	if r.n != 10 {
		t.Fatalf("n = %d", r.n)
	}
	for k := range 10 {
		ts, row := r.at(k)
		want := 15 + k
		if ts != int64(want*1000) || row[0] != float64(want) || row[1] != float64(-want) {
			t.Fatalf("row %d = %d %v, want %d", k, ts, row, want)
		}
	}
	if k := r.firstAfter(19_000); k != 5 {
		t.Fatalf("firstAfter(19000) = %d, want 5", k)
	}
	if k := r.firstAfter(0); k != 0 {
		t.Fatalf("firstAfter(0) = %d", k)
	}
	if k := r.firstAfter(24_000); k != 10 {
		t.Fatalf("firstAfter(last) = %d", k)
	}
	// A row wider than before (a new series) is stored whole; older rows
	// report NaN for it.
	r.push(25_000, []float64{1, 2, 3})
	if v := r.value(9, 2); v != 3 {
		t.Fatalf("new series value = %v", v)
	}
	if v := r.value(0, 2); !math.IsNaN(v) {
		t.Fatalf("old row, new series = %v, want NaN", v)
	}
}

type historyMsg struct {
	Type string         `json:"type"`
	TS   []int64        `json:"ts"`
	Cols [][]*float64   `json:"cols"`
	Rest map[string]any `json:"-"`
}

func TestHistorySince(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: 5 * time.Second})
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 8 {
		ts := t0.Add(time.Duration(i) * time.Second)
		smp := []schedule.Sample{{Desc: gaugeA, Value: float64(i)}}
		if i >= 6 {
			smp = append(smp, schedule.Sample{Desc: gaugeB, Value: 10})
		}
		b.Publish(schedule.Batch{Collector: "x", Time: ts, Samples: smp})
		b.mu.Lock()
		b.frameLocked(ts)
		b.mu.Unlock()
	}
	var h historyMsg
	b.mu.Lock()
	full := payloadOf(b.historyLocked(math.MinInt64))
	again := payloadOf(b.historyLocked(0))
	part := payloadOf(b.historyLocked(t0.Add(5 * time.Second).UnixMilli()))
	b.mu.Unlock()
	if &full[0] != &again[0] {
		t.Error("full history encoded twice in one tick")
	}
	if err := json.Unmarshal(full, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.TS) != 5 || h.TS[0] != t0.Add(3*time.Second).UnixMilli() || len(h.Cols) != 2 {
		t.Fatalf("history = %s", full)
	}
	if *h.Cols[0][0] != 3 || *h.Cols[0][4] != 7 || h.Cols[1][0] != nil || *h.Cols[1][4] != 10 {
		t.Fatalf("history = %s", full)
	}
	h = historyMsg{}
	if err := json.Unmarshal(part, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.TS) != 2 || h.TS[0] != t0.Add(6*time.Second).UnixMilli() || *h.Cols[0][1] != 7 {
		t.Fatalf("history since = %s", part)
	}
}

// TestEncodeOnce: every subscriber is handed the very same bytes, and the
// allocations of a tick do not grow with the number of subscribers.
func TestEncodeOnce(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	t0 := time.Unix(1_700_000_000, 0)
	b.Publish(schedule.Batch{Collector: "x", Time: t0, Samples: []schedule.Sample{{Desc: gaugeA, Value: 1}}})
	conns := make([]*fakeConn, 50)
	for i := range conns {
		conns[i] = newFakeConn()
		attach(t, b, conns[i])
	}
	b.tick(t0)
	for _, c := range conns {
		waitFor(t, "frame", func() bool { return c.written.Load() >= 4 })
	}
	first := conns[0].messages()
	for _, c := range conns {
		got := c.messages()
		if len(got) != 4 {
			t.Fatalf("got %d messages, want schema, status, history, frame", len(got))
		}
		for i := range got {
			if &got[i][0] != &first[i][0] {
				t.Fatalf("message %d: subscribers got different copies", i)
			}
		}
	}
}

func ticksAllocs(t *testing.T, subs int) float64 {
	b := newTestBroker(t, Options{QueueLen: 1000})
	conns := make([]*fakeConn, subs)
	for i := range conns {
		conns[i] = newFakeConn()
		conns[i].countOnly = true
		attach(t, b, conns[i])
	}
	ts := time.Unix(1_700_000_000, 0)
	want := int64(3)
	b.Publish(schedule.Batch{Collector: "x", Time: ts, Samples: []schedule.Sample{{Desc: gaugeA, Value: 1}}})
	b.tick(ts) // warm up: new schema, first frame, ring row
	want += 2
	wait := func() {
		for _, c := range conns {
			for c.written.Load() < want {
				time.Sleep(50 * time.Microsecond)
			}
		}
	}
	wait()
	return testing.AllocsPerRun(20, func() {
		ts = ts.Add(time.Second)
		b.Publish(schedule.Batch{Collector: "x", Time: ts, Samples: []schedule.Sample{{Desc: gaugeA, Value: float64(ts.Unix() % 7)}}})
		b.tick(ts)
		want++
		wait()
	})
}

func TestTickAllocationsConstantInSubscribers(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count with 1,000 subscribers")
	}
	one := ticksAllocs(t, 1)
	many := ticksAllocs(t, 1000)
	t.Logf("allocations per tick: 1 subscriber %.1f, 1000 subscribers %.1f", one, many)
	// Sleeping waiters may allocate a timer now and then; the per-tick work
	// must not grow with the number of subscribers.
	if many > one+3 {
		t.Fatalf("allocations grow with subscribers: %.1f with 1, %.1f with 1000", one, many)
	}
}

func TestSlowSubscriberClosedOthersKeepReceiving(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{QueueLen: 4})
	slow := newFakeConn()
	slow.stall = true
	attach(t, b, slow)
	fast := []*fakeConn{newFakeConn(), newFakeConn()}
	for _, c := range fast {
		attach(t, b, c)
	}
	ts := time.Unix(1_700_000_000, 0)
	want := int64(3) // schema, status, history
	for _, c := range fast {
		waitFor(t, "opening messages", func() bool { return c.written.Load() == want })
	}
	for i := range 10 {
		b.Publish(schedule.Batch{Collector: "x", Time: ts, Samples: []schedule.Sample{{Desc: gaugeA, Value: float64(i)}}})
		b.tick(ts)
		want++
		if i == 0 {
			want++ // a new schema for test_a
		}
		ts = ts.Add(time.Second)
		// Ticks come an interval apart: the fast ones keep up.
		for _, c := range fast {
			waitFor(t, "frame", func() bool { return c.written.Load() == want })
		}
	}
	waitFor(t, "slow subscriber closed", func() bool { return slow.closeCode() != 0 })
	if code := slow.closeCode(); code != websocket.StatusPolicyViolation {
		t.Fatalf("slow subscriber closed with %d, want 1008", code)
	}
	for _, c := range fast {
		if c.closeCode() != 0 {
			t.Fatal("fast subscriber closed")
		}
	}
	if n := b.Subscribers(); n != 2 {
		t.Fatalf("subscribers = %d, want 2", n)
	}
}

func TestSweepCutsStuckWritesAndSilentClients(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{WriteTimeout: 5 * time.Second, ClientTimeout: 15 * time.Second})
	stuck := newFakeConn()
	stuck.stall = true
	attach(t, b, stuck)
	silent := newFakeConn()
	attach(t, b, silent)
	talker := newFakeConn()
	ts := attach(t, b, talker)
	st := subscriberOf(b, stuck)
	waitFor(t, "stuck write", func() bool {
		return b.Subscribers() == 3 && silent.written.Load() == 3 && st.writeStart.Load() != 0
	})

	now := time.Now()
	b.sweep(now.Add(6 * time.Second))
	waitFor(t, "stuck connection cut", func() bool { return stuck.closeCode() == -1 })
	if silent.closeCode() != 0 {
		t.Fatal("silent client closed before ClientTimeout")
	}

	talker.reads <- []byte(`{"type":"ping"}`)
	waitFor(t, "ping read", func() bool { return ts.lastRead.Load() > now.UnixNano() })
	ts.lastRead.Store(now.Add(10 * time.Second).UnixNano())
	b.sweep(now.Add(16 * time.Second))
	waitFor(t, "silent client closed", func() bool { return silent.closeCode() != 0 })
	if silent.closeCode() != websocket.StatusPolicyViolation {
		t.Fatalf("silent client closed with %d", silent.closeCode())
	}
	if talker.closeCode() != 0 {
		t.Fatal("talking client closed")
	}
}

func TestBadClientMessages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		msg  string
		code websocket.StatusCode
	}{
		{`{"type":`, websocket.StatusInvalidFramePayloadData},
		{`[1,2]`, websocket.StatusInvalidFramePayloadData},
		{`{"type":"dance"}`, websocket.StatusPolicyViolation},
		{`{}`, websocket.StatusPolicyViolation},
		{`{"type":"resume"}`, websocket.StatusPolicyViolation},
		{`{"type":"resume","since":-4}`, websocket.StatusPolicyViolation},
	} {
		b := newTestBroker(t, Options{})
		bad, good := newFakeConn(), newFakeConn()
		attach(t, b, bad)
		attach(t, b, good)
		bad.reads <- []byte(tc.msg)
		waitFor(t, "close", func() bool { return bad.closeCode() != 0 })
		if bad.closeCode() != tc.code {
			t.Errorf("%s: closed with %d (%s), want %d", tc.msg, bad.closeCode(), bad.reason, tc.code)
		}
		b.tick(time.Unix(1_700_000_000, 0))
		waitFor(t, "frame to the other client", func() bool { return good.written.Load() == 4 })
		if good.closeCode() != 0 {
			t.Errorf("%s: other client closed too", tc.msg)
		}
	}
}

// fiveTicks publishes gaugeA = 0…4 at ticks 1700000000000…1700000004000.
func fiveTicks(b *Broker) {
	ts := time.Unix(1_700_000_000, 0)
	for i := range 5 {
		b.Publish(schedule.Batch{Collector: "x", Time: ts, Samples: []schedule.Sample{{Desc: gaugeA, Value: float64(i)}}})
		b.tick(ts)
		ts = ts.Add(time.Second)
	}
}

func TestResumeSendsOnlyMissedTicks(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	fiveTicks(b)
	c := newFakeConn()
	attach(t, b, c)
	c.reads <- []byte(`{"type":"resume","since":1700000002000}`)
	waitFor(t, "resume history", func() bool { return c.written.Load() == 4 })
	var h historyMsg
	if err := json.Unmarshal(c.messages()[3], &h); err != nil {
		t.Fatal(err)
	}
	if h.Type != "history" || len(h.TS) != 2 || h.TS[0] != 1700000003000 || *h.Cols[0][1] != 4 {
		t.Fatalf("resume history = %s", c.messages()[3])
	}
}

func TestCollectorErrorsInStatus(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	c := newFakeConn()
	attach(t, b, c)
	b.Publish(schedule.Batch{Collector: "disk", Time: time.Now(), Err: errors.New("boom")})
	b.Publish(schedule.Batch{Collector: "disk", Time: time.Now(), Err: errors.New("boom")})
	waitFor(t, "status", func() bool { return c.written.Load() == 4 })
	var st statusJSON
	if err := json.Unmarshal(c.messages()[3], &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Errors) != 1 || st.Errors[0].Collector != "disk" || st.Errors[0].Error != "boom" {
		t.Fatalf("status = %s", c.messages()[3])
	}
	b.Publish(schedule.Batch{Collector: "disk", Time: time.Now()})
	waitFor(t, "recovery status", func() bool { return c.written.Load() == 5 })
	if got := string(c.messages()[4]); got != `{"type":"status","errors":[]}` {
		t.Fatalf("recovery status = %s", got)
	}
	if len(b.Errors()) != 0 {
		t.Fatal("error kept after recovery")
	}
}

func TestCloseGoingAway(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	conns := []*fakeConn{newFakeConn(), newFakeConn()}
	for _, c := range conns {
		attach(t, b, c)
	}
	b.Close()
	b.Close()
	for _, c := range conns {
		if c.closeCode() != websocket.StatusGoingAway {
			t.Fatalf("closed with %d, want 1001", c.closeCode())
		}
	}
	if err := b.subscribe(newSubscriber(b, newFakeConn(), nil, false, func() {}), 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after close: %v", err)
	}
}

// TestPingLagClosesNonReadingClient: a ping reporting a last frame far
// behind the broker's means the client stopped reading.
func TestPingLagClosesNonReadingClient(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{ClientTimeout: 10 * time.Second})
	// The lag allowed is at least two intervals; the test ticks by hand
	// at a 1 s pace (the broker's own ticker, an hour away, never fires).
	b.lagLimitMs = 10_000
	ts := time.Unix(1_700_000_100, 0)
	b.tick(ts)
	reader, laggard := newFakeConn(), newFakeConn()
	attach(t, b, reader)
	attach(t, b, laggard)
	reader.reads <- []byte(`{"type":"ping","ts":1700000095000}`)  // 5 s behind: fine
	laggard.reads <- []byte(`{"type":"ping","ts":1700000080000}`) // 20 s behind
	waitFor(t, "laggard closed", func() bool { return laggard.closeCode() != 0 })
	if laggard.closeCode() != websocket.StatusPolicyViolation || !strings.Contains(laggard.reason, "not reading") {
		t.Fatalf("laggard closed with %d %q", laggard.closeCode(), laggard.reason)
	}
	reader.reads <- []byte(`{"type":"ping"}`)
	b.tick(ts.Add(time.Second))
	waitFor(t, "frame to the reader", func() bool { return reader.written.Load() == 4 })
	if reader.closeCode() != 0 {
		t.Fatal("reading client closed")
	}
}

func TestWireValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-3, "-3"}, {12.5, "12.5"}, {0.0496436, "0.04964"}, {766509056, "7665e5"},
		{24000, "24e3"}, {1500, "1500"}, {-0.000123456, "-0.0001235"}, {3.99997, "4"}, {1.06749e+06, "1067e3"},
		{6.02e23, "6.02e+23"}, {math.NaN(), "null"}, {math.Inf(1), "null"},
	} {
		if got := string(appendValue(nil, roundSig(tc.v, wireDigits))); got != tc.want {
			t.Errorf("wire(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
	// Timestamps are exact.
	b := newTestBroker(t, Options{})
	ts := &collectors.Desc{Name: "test_start_time_seconds", Unit: collectors.UnitTimestamp, Group: "app"}
	b.Publish(schedule.Batch{Collector: "x", Time: time.Unix(1_700_000_000, 0), Samples: []schedule.Sample{{Desc: ts, Value: 1795311234.5}}})
	b.mu.Lock()
	f := decodeFrame(t, payloadOf(b.frameLocked(time.Unix(1_700_000_000, 0))))
	b.mu.Unlock()
	if *f.V[0] != 1795311234.5 {
		t.Fatalf("timestamp sent as %v", *f.V[0])
	}
}

// TestJitterBelowWirePrecisionIsNotResent: a value that moves only in its
// fifth significant digit is not sent again.
func TestJitterBelowWirePrecisionIsNotResent(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	t0 := time.Unix(1_700_000_000, 0)
	for k, v := range []float64{16.0002, 16.0004, 15.9998} {
		ts := t0.Add(time.Duration(k) * time.Second)
		b.Publish(schedule.Batch{Collector: "x", Time: ts, Samples: []schedule.Sample{{Desc: gaugeA, Value: v}}})
		b.mu.Lock()
		f := decodeFrame(t, payloadOf(b.frameLocked(ts)))
		b.mu.Unlock()
		if (k == 0) != (len(f.I) == 1) {
			t.Fatalf("tick %d: frame %+v", k, f)
		}
	}
}

// TestNewSeriesReachOpenSubscribersWhenAnotherJoins: a subscriber joining
// between a new series and the next tick must not swallow the schema
// update the open ones are owed.
func TestNewSeriesReachOpenSubscribersWhenAnotherJoins(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	open := newFakeConn()
	attach(t, b, open)
	ts := time.Unix(1_700_000_000, 0)
	b.Publish(schedule.Batch{Collector: "x", Time: ts, Samples: []schedule.Sample{{Desc: gaugeA, Value: 1}}})
	attach(t, b, newFakeConn()) // joins before the tick
	b.tick(ts)
	waitFor(t, "schema and frame", func() bool { return open.written.Load() == 5 })
	msgs := open.messages()
	if !bytes.Contains(msgs[3], []byte(`"type":"schema"`)) || !bytes.Contains(msgs[3], []byte(`"test_a"`)) {
		t.Fatalf("open subscriber got %s, want the new schema before the frame", msgs[3])
	}
	if !bytes.Contains(msgs[4], []byte(`"type":"frame"`)) {
		t.Fatalf("then %s, want the frame", msgs[4])
	}
}

// TestQueueGrowsInOrder: a subscriber's queue starts small, grows up to
// QueueLen keeping its order, and refuses one more.
func TestQueueGrowsInOrder(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{QueueLen: 11})
	s := newSubscriber(b, newFakeConn(), nil, false, func() {})
	msgs := make([][]byte, 11)
	for i := range msgs {
		msgs[i] = []byte{byte(i)}
	}
	// Interleave takes and adds so that the ring wraps before it grows.
	s.add(msgs[0], 0)
	s.add(msgs[1], 0)
	if m, _ := s.next(); m.frame[0] != 0 {
		t.Fatalf("first message %v", m)
	}
	for _, m := range msgs[2:] {
		if ok, _ := s.add(m, 0); !ok {
			t.Fatalf("message %d refused with %d queued", m[0], s.n)
		}
	}
	if ok, _ := s.add([]byte{99}, 0); !ok {
		t.Fatal("the 11th queued message was refused")
	}
	if ok, _ := s.add([]byte{100}, 0); ok {
		t.Fatal("a 12th queued message was taken with QueueLen 11")
	}
	for want := 1; want <= 10; want++ {
		if m, ok := s.next(); !ok || m.frame[0] != byte(want) {
			t.Fatalf("message %d: got %v %v", want, m, ok)
		}
	}
	if m, ok := s.next(); !ok || m.frame[0] != 99 {
		t.Fatalf("last message: got %v %v", m, ok)
	}
	if len(s.q) != 11 {
		t.Fatalf("queue of %d slots, want QueueLen", len(s.q))
	}
}
