package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/livedash/dashboard/internal/schedule"
)

// Clients that misbehave, over a real socket to the real endpoint: each
// gets the close code RFC 6455 asks for, and a well-behaved browser
// connected all along keeps getting its frames.

// failOnPanic is a slog handler that fails the test on a logged panic: the
// broker recovers panics so that the host process lives, and a test must
// not let that hide a bug.
// Under a fuzzer, which has no test to fail outside its function, the
// panics are counted in panics and the fuzz function checks them.
type failOnPanic struct {
	t      testing.TB
	panics *atomic.Int64
}

func (h failOnPanic) Enabled(context.Context, slog.Level) bool { return true }
func (h failOnPanic) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "panic") {
		return nil
	}
	if h.panics != nil {
		h.panics.Add(1)
		log.Print(r.Message)
		r.Attrs(func(a slog.Attr) bool { log.Print(a.Key, ": ", a.Value); return true })
		return nil
	}
	h.t.Errorf("logged: %s", r.Message)
	r.Attrs(func(a slog.Attr) bool { h.t.Log(a.Key, a.Value); return true })
	return nil
}
func (h failOnPanic) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h failOnPanic) WithGroup(string) slog.Handler      { return h }

// servedBroker is a broker ticking every interval behind a test server,
// with one series whose value changes every tick.
func servedBroker(t testing.TB, opts Options) (*Broker, *httptest.Server) {
	t.Helper()
	if opts.Interval == 0 {
		opts.Interval = 50 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(failOnPanic{t: t})
	}
	b := NewBroker(opts)
	srv := httptest.NewServer(b)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(opts.Interval / 2)
		defer tk.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case now := <-tk.C:
				b.Publish(schedule.Batch{Collector: "test", Time: now,
					Samples: []schedule.Sample{{Desc: gaugeA, Value: float64(i)}}})
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		wg.Wait()
		b.Close()
		srv.Close()
	})
	return b, srv
}

// browser is a well-behaved client, as the page is: it reads every
// message and pings with the ts of its last frame.
type browser struct {
	frames chan int64 // ts of each frame received
	done   chan error
	cancel context.CancelFunc
}

func openBrowser(t testing.TB, srvURL string) *browser {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srvURL, "http"), nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c.SetReadLimit(16 << 20)
	br := &browser{frames: make(chan int64, 4096), done: make(chan error, 1), cancel: cancel}
	var last int64
	var mu sync.Mutex
	go func() {
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				mu.Lock()
				ts := last
				mu.Unlock()
				c.Write(ctx, websocket.MessageText, []byte(`{"type":"ping","ts":`+strconv.FormatInt(ts, 10)+`}`))
			}
		}
	}()
	go func() {
		defer c.CloseNow()
		for {
			_, p, err := c.Read(ctx)
			if err != nil {
				br.done <- err
				return
			}
			var m struct {
				Type string `json:"type"`
				TS   int64  `json:"ts"`
			}
			json.Unmarshal(p, &m)
			if m.Type == "frame" {
				mu.Lock()
				last = m.TS
				mu.Unlock()
				select {
				case br.frames <- m.TS:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-br.done
	})
	return br
}

// served checks the browser is still open and gets new frames.
func (br *browser) served(t testing.TB) {
	t.Helper()
	for len(br.frames) > 0 {
		<-br.frames
	}
	for range 2 {
		select {
		case <-br.frames:
		case err := <-br.done:
			t.Fatalf("the well-behaved browser was closed: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("the well-behaved browser got no frame for 10 s")
		}
	}
}

func u64(v uint64) *uint64 { return &v }

func TestHostileClients(t *testing.T) {
	t.Parallel()
	_, srv := servedBroker(t, Options{})
	good := openBrowser(t, srv.URL)

	ping := frame{fin: true, op: opPing, payload: []byte("hi")}
	cases := []struct {
		name   string
		frames []frame
		want   []int // any of these close codes
	}{
		{"64-bit length with the top bit set", []frame{{fin: true, op: opText, length: u64(1 << 63)}}, []int{1002, 1009}},
		{"continuation declaring near 2^64 after a 10-byte fragment", []frame{
			{op: opText, payload: []byte(`{"type":"p`)},
			{fin: true, op: opContinuation, length: u64(1<<64 - 6)},
		}, []int{1002, 1009}},
		{"message over the read limit", []frame{text(`{"type":"ping","pad":"` + strings.Repeat("x", 5000) + `"}`)}, []int{1009}},
		{"fragments over the read limit together", []frame{
			{op: opText, payload: bytes.Repeat([]byte("x"), 3000)},
			{fin: true, op: opContinuation, payload: bytes.Repeat([]byte("x"), 3000)},
		}, []int{1009}},
		{"unmasked frame", []frame{{fin: true, op: opText, payload: []byte(`{"type":"ping"}`), unmasked: true}}, []int{1002}},
		{"RSV1 without an extension", []frame{{fin: true, rsv: 0x40, op: opText, payload: []byte(`{"type":"ping"}`)}}, []int{1002}},
		{"RSV2", []frame{{fin: true, rsv: 0x20, op: opText, payload: []byte(`{"type":"ping"}`)}}, []int{1002}},
		{"reserved data opcode", []frame{{fin: true, op: 0x3, payload: []byte("x")}}, []int{1002}},
		{"reserved control opcode", []frame{{fin: true, op: 0xB, payload: []byte("x")}}, []int{1002}},
		{"fragmented control frame", []frame{{op: opPing, payload: []byte("x")}}, []int{1002}},
		{"control frame over 125 bytes", []frame{{fin: true, op: opPing, payload: bytes.Repeat([]byte("x"), 126)}}, []int{1002}},
		{"continuation with nothing to continue", []frame{{fin: true, op: opContinuation, payload: []byte("x")}}, []int{1002}},
		{"new data frame inside a fragmented one", []frame{
			{op: opText, payload: []byte(`{"type":`)},
			text(`{"type":"ping"}`),
		}, []int{1002}},
		{"close with code 999", []frame{closeWith(999, "")}, []int{1002}},
		{"close with code 1005", []frame{closeWith(1005, "")}, []int{1002}},
		{"close with code 1006", []frame{closeWith(1006, "")}, []int{1002}},
		{"close with a 1-byte payload", []frame{{fin: true, op: opClose, payload: []byte{3}}}, []int{1002}},
		{"close with code 1000", []frame{closeWith(1000, "bye")}, []int{1000}},
		{"close with code 1001", []frame{closeWith(1001, "")}, []int{1001}},
		{"close with code 1012", []frame{closeWith(1012, "")}, []int{1012}},
		{"close with code 3000", []frame{closeWith(3000, "")}, []int{3000}},
		{"close with code 4000", []frame{closeWith(4000, "")}, []int{4000}},
		{"text that is not UTF-8", []frame{text("{\"type\":\"ping\xff\"}")}, []int{1007}},
		{"binary message", []frame{{fin: true, op: opBinary, payload: []byte(`{"type":"ping"}`)}}, []int{1003}},
		{"malformed JSON", []frame{text(`{"type":`)}, []int{1007}},
		{"not an object", []frame{text(`[1,2]`)}, []int{1007}},
		{"unknown type", []frame{text(`{"type":"dance"}`)}, []int{1008}},
		{"resume without since", []frame{text(`{"type":"resume"}`)}, []int{1008}},
		{"ping with a negative ts", []frame{text(`{"type":"ping","ts":-5}`)}, []int{1008}},
		{"control frames are fine, then a bad message", []frame{ping, ping, text(`{"type":"dance"}`)}, []int{1008}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, srv.URL, "/")
			c.message(t, "history", 10*time.Second)
			c.send(t, tc.frames...)
			code, reason := c.closeCode(t, 10*time.Second)
			ok := false
			for _, w := range tc.want {
				ok = ok || code == w
			}
			if !ok {
				t.Fatalf("closed with %d %q, want %v", code, reason, tc.want)
			}
			good.served(t)
		})
	}
}

// TestClientCloseAnsweredAtOnce: a close from the client is echoed at
// once (not on some later round), and the subscriber leaves.
func TestClientCloseAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	b, srv := servedBroker(t, Options{Interval: time.Hour})
	c := dialRaw(t, srv.URL, "/")
	c.message(t, "history", 10*time.Second)
	start := time.Now()
	c.send(t, closeWith(1000, ""))
	if code, _ := c.closeCode(t, 10*time.Second); code != 1000 {
		t.Fatalf("close echoed with %d", code)
	}
	// The server closes the TCP connection after the handshake.
	if _, err := c.next(10 * time.Second); err != io.EOF {
		t.Fatalf("after the close handshake: %v, want EOF", err)
	}
	t.Logf("close answered and connection closed in %v", time.Since(start))
	waitFor(t, "the subscriber to leave", func() bool { return b.Subscribers() == 0 })
}

// TestPingsAnsweredInsideAMessage: ping frames get pongs with the same
// payload, also between two fragments of a message, which still counts.
func TestPingsAnsweredInsideAMessage(t *testing.T) {
	t.Parallel()
	_, srv := servedBroker(t, Options{Interval: time.Hour})
	c := dialRaw(t, srv.URL, "/")
	c.message(t, "history", 10*time.Second)

	c.send(t, frame{fin: true, op: opPing, payload: []byte("first")})
	if p := c.pong(t, 10*time.Second); string(p) != "first" {
		t.Fatalf("pong %q, want %q", p, "first")
	}
	c.send(t,
		frame{op: opText, payload: []byte(`{"type":"resume",`)},
		frame{fin: true, op: opPing, payload: []byte("between")},
	)
	if p := c.pong(t, 10*time.Second); string(p) != "between" {
		t.Fatalf("pong %q, want %q", p, "between")
	}
	c.send(t, frame{fin: true, op: opContinuation, payload: []byte(`"since":0}`)})
	c.message(t, "history", 10*time.Second)
}

// TestMessageIn64Fragments: a message may come in many fragments.
func TestMessageIn64Fragments(t *testing.T) {
	t.Parallel()
	_, srv := servedBroker(t, Options{Interval: time.Hour})
	c := dialRaw(t, srv.URL, "/")
	c.message(t, "history", 10*time.Second)
	msg := []byte(`{"type":"resume","since":0,"pad":"` + strings.Repeat("p", 64*8) + `"}`)
	var fs []frame
	step := (len(msg) + 63) / 64
	for i := 0; i < 64; i++ {
		part := msg[min(i*step, len(msg)):min((i+1)*step, len(msg))]
		op := byte(opContinuation)
		if i == 0 {
			op = opText
		}
		fs = append(fs, frame{fin: i == 63, op: op, payload: part})
	}
	c.send(t, fs...)
	c.message(t, "history", 10*time.Second)
}

// TestDribbledFrame: a frame arriving a byte every 200 ms is read whole,
// and the others are served meanwhile.
func TestDribbledFrame(t *testing.T) {
	t.Parallel()
	_, srv := servedBroker(t, Options{})
	good := openBrowser(t, srv.URL)
	c := dialRaw(t, srv.URL, "/")
	c.message(t, "history", 10*time.Second)
	// A ping with a ts far ahead is also fine: it can't lag.
	f := text(`{"type":"resume","since":1}`).bytes()
	for i, by := range f {
		if _, err := c.conn.Write([]byte{by}); err != nil {
			t.Fatal(err)
		}
		if i == len(f)/2 {
			good.served(t)
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.message(t, "history", 10*time.Second)
	good.served(t)
}

// TestDeclaredButNeverSent: a frame that declares 1 GiB and sends nothing
// more costs nothing: the library reads a payload as it arrives, and the
// read limit closes the connection (1009) once the bytes pass it. Sent
// nothing more, the client is silent and is closed after ClientTimeout.
func TestDeclaredButNeverSent(t *testing.T) {
	t.Parallel()
	_, srv := servedBroker(t, Options{ClientTimeout: 4 * time.Second})
	good := openBrowser(t, srv.URL)
	before := heapAllocated()

	silent := dialRaw(t, srv.URL, "/")
	silent.message(t, "history", 10*time.Second)
	silent.send(t, frame{fin: true, op: opText, length: u64(1 << 30)})

	sender := dialRaw(t, srv.URL, "/")
	sender.message(t, "history", 10*time.Second)
	sender.send(t, frame{fin: true, op: opText, length: u64(1 << 30)})
	// The masking key went with the header; now 8 KiB of the payload.
	sender.conn.Write(bytes.Repeat([]byte("x"), 8<<10))
	if code, reason := sender.closeCode(t, 10*time.Second); code != 1009 {
		t.Fatalf("1 GiB frame sent: closed with %d %q, want 1009", code, reason)
	}
	if code, reason := silent.closeCode(t, 10*time.Second); code != 1008 {
		t.Fatalf("1 GiB frame declared, never sent: closed with %d %q, want 1008", code, reason)
	}
	if grew := heapAllocated() - before; grew > 64<<20 {
		t.Fatalf("the heap grew by %d MiB", grew>>20)
	}
	good.served(t)
}

// heapAllocated is the total of bytes ever allocated on the heap.
func heapAllocated() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func TestCloseReasonValidUTF8(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 100)
	for _, n := range []int{0, 1, 2, 3, 50, 120} {
		got := truncate(long, n)
		if len(got) > n+len("…") || !strings.HasSuffix(got, "…") && n < len(long) {
			t.Fatalf("truncate(_, %d) = %q", n, got)
		}
		if !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
			t.Fatalf("truncate(_, %d) = %q: not a prefix", n, got)
		}
	}
	if got := truncate("ok\xff", 10); got != "ok" {
		t.Fatalf("invalid UTF-8 kept: %q", got)
	}
}
