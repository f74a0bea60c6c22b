package stream

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// clientFrame builds a masked client frame, as a browser sends it.
func clientFrame(fin bool, op byte, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	mask := []byte{0x12, 0x34, 0x56, 0x78}
	f = append(f, mask...)
	for i, c := range payload {
		f = append(f, c^mask[i&3])
	}
	return f
}

// polledSubscriber registers a subscriber that the test feeds by hand, as
// the poller would.
func polledSubscriber(t *testing.T, b *Broker, c *fakeConn) *subscriber {
	t.Helper()
	s := newSubscriber(b, c)
	s.in = &inbound{}
	if err := b.subscribe(s, math.MinInt64); err != nil {
		t.Fatal(err)
	}
	return s
}

func feedLocked(b *Broker, s *subscriber, p []byte) *closeErr {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	return b.feed(s, p)
}

// TestFeedReassembles: a message split across reads, byte by byte, and a
// message fragmented into frames, with a control frame between the
// fragments, each arrive whole.
func TestFeedReassembles(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{})
	fiveTicks(b)
	c := newFakeConn()
	s := polledSubscriber(t, b, c)
	waitFor(t, "opening messages", func() bool { return c.written.Load() == 3 })

	resume := clientFrame(true, opText, []byte(`{"type":"resume","since":1700000002000}`))
	for i := range resume {
		if ce := feedLocked(b, s, resume[i:i+1]); ce != nil {
			t.Fatalf("byte %d: %+v", i, ce)
		}
		if i < len(resume)-1 && s.in.partial == nil {
			t.Fatalf("byte %d: partial frame not kept", i)
		}
	}
	if s.in.partial != nil {
		t.Fatalf("partial = %q after a whole frame", s.in.partial)
	}
	waitFor(t, "resume history", func() bool { return c.written.Load() == 4 })

	var frag []byte
	frag = append(frag, clientFrame(false, opText, []byte(`{"type":"res`))...)
	frag = append(frag, clientFrame(true, opPong, nil)...)
	frag = append(frag, clientFrame(false, opContinuation, []byte(`ume","since":`))...)
	frag = append(frag, clientFrame(true, opContinuation, []byte(`1700000003000}`))...)
	if ce := feedLocked(b, s, frag); ce != nil {
		t.Fatalf("fragmented: %+v", ce)
	}
	waitFor(t, "second resume history", func() bool { return c.written.Load() == 5 })
	var h historyMsg
	if err := json.Unmarshal(c.messages()[4], &h); err != nil {
		t.Fatal(err)
	}
	if h.Type != "history" || len(h.TS) != 1 || h.TS[0] != 1700000004000 {
		t.Fatalf("history after the fragmented resume = %s", c.messages()[4])
	}
	if s.in.msg != nil || s.in.msgOp != 0 {
		t.Fatal("message state kept after the message ended")
	}
}

// TestFeedRejects: each protocol error closes with its code, and a frame
// over the read limit is refused from its header, before its payload.
func TestFeedRejects(t *testing.T) {
	t.Parallel()
	unmasked := clientFrame(true, opText, []byte("{}"))
	unmasked[1] &^= 0x80
	rsv := clientFrame(true, opText, []byte("{}"))
	rsv[0] |= 0x40
	for _, tc := range []struct {
		name string
		in   []byte
		want websocket.StatusCode
	}{
		{"unmasked", unmasked, websocket.StatusProtocolError},
		{"reserved bits", rsv, websocket.StatusProtocolError},
		{"over the limit, header only", clientFrame(true, opText, make([]byte, 5000))[:8], StatusMessageTooBig},
		{"fragments over the limit", append(clientFrame(false, opText, make([]byte, 3000)), clientFrame(true, opContinuation, make([]byte, 3000))...), StatusMessageTooBig},
		{"long control frame", clientFrame(true, opPing, make([]byte, 126)), websocket.StatusProtocolError},
		{"fragmented control frame", clientFrame(false, opPong, nil), websocket.StatusProtocolError},
		{"stray continuation", clientFrame(true, opContinuation, []byte("x")), websocket.StatusProtocolError},
		{"interleaved message", append(clientFrame(false, opText, []byte("{")), clientFrame(true, opText, []byte("{}"))...), websocket.StatusProtocolError},
		{"unknown opcode", clientFrame(true, 0x3, nil), websocket.StatusProtocolError},
		{"client closes", clientFrame(true, opClose, []byte{0x03, 0xe8}), websocket.StatusNormalClosure},
		{"client closes with 1005", clientFrame(true, opClose, []byte{0x03, 0xed}), websocket.StatusProtocolError},
		{"client closes with a 1-byte payload", clientFrame(true, opClose, []byte{0x03}), websocket.StatusProtocolError},
		{"client closes without a code", clientFrame(true, opClose, nil), websocket.StatusNormalClosure},
		{"client closes going away", clientFrame(true, opClose, []byte{0x03, 0xe9}), websocket.StatusGoingAway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBroker(t, Options{ReadLimit: 4096})
			s := polledSubscriber(t, b, newFakeConn())
			ce := feedLocked(b, s, tc.in)
			if ce == nil || ce.code != tc.want {
				t.Fatalf("got %+v, want close %d", ce, tc.want)
			}
		})
	}
}

// TestPollerOverTheWire: through a real socket read by the poller, a
// client's ping is answered with a pong, its pings keep it open past the
// client timeout, and its close is answered with its own code; both with
// the poller waiting for readable sockets (Linux) and reading every socket
// in turn (elsewhere).
func TestPollerOverTheWire(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"readiness", "every socket"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			var rd *readiness // nil: the poller reads every socket
			if mode == "readiness" {
				if rd = newReadiness(); rd == nil {
					t.Skip("the poller reads every socket on this system")
				}
			}
			pollerOverTheWire(t, newBroker(Options{Interval: 100 * time.Millisecond, History: time.Second, ClientTimeout: 2 * time.Second}, rd))
		})
	}
}

func pollerOverTheWire(t *testing.T, b *Broker) {
	defer b.Close()
	srv := httptest.NewServer(b)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	waitFor(t, "subscribed", func() bool { return b.Subscribers() == 1 })
	b.subsMu.Lock()
	for s := range b.subs {
		if s.in == nil || s.raw == nil {
			t.Error("a plain TCP socket is not read by the poller")
		}
	}
	b.subsMu.Unlock()
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
		}
	}()
	// 3 s of pings: the poller must read them or the 2 s client
	// timeout closes the socket.
	for range 6 {
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
	defer pcancel()
	if err := c.Ping(pctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if b.Subscribers() != 1 {
		t.Fatal("a pinging client was closed")
	}
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("close handshake: %v", err)
	}
	<-reading
	waitFor(t, "subscriber gone", func() bool { return b.Subscribers() == 0 })
}

// openFDs counts this process's open descriptors (Linux), or -1.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestSocketsLeaveNoDescriptors: sockets that end every way — the client
// closes, the client goes away, a bad message, the broker's Close — leave
// no descriptor open, and their peers see the close codes.
func TestSocketsLeaveNoDescriptors(t *testing.T) {
	before := openFDs()
	if before < 0 {
		t.Skip("no /proc/self/fd here")
	}
	b := NewBroker(Options{Interval: 100 * time.Millisecond, History: time.Second, ClientTimeout: 400 * time.Millisecond})
	srv := httptest.NewServer(b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	dial := func() *websocket.Conn {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadLimit(1 << 20)
		return c
	}
	readUntilClosed := func(c *websocket.Conn) websocket.StatusCode {
		var err error
		for err == nil {
			_, _, err = c.Read(ctx)
		}
		return websocket.CloseStatus(err)
	}
	// The client closes.
	c1 := dial()
	if err := c1.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Errorf("client close: %v", err)
	}
	// The client disappears without a close.
	dial().CloseNow()
	// A bad message.
	c3 := dial()
	c3.Write(ctx, websocket.MessageBinary, []byte{1})
	if code := readUntilClosed(c3); code != StatusUnsupportedData {
		t.Errorf("binary message: closed with %d", code)
	}
	// Silent: closed after the client timeout.
	c4 := dial()
	if code := readUntilClosed(c4); code != StatusPolicyViolation {
		t.Errorf("silent client: closed with %d", code)
	}
	// Open at Close.
	c5 := dial()
	c6 := dial()
	waitFor(t, "two subscribers", func() bool { return b.Subscribers() == 2 })
	done := make(chan websocket.StatusCode, 2)
	go func() { done <- readUntilClosed(c5) }()
	go func() { done <- readUntilClosed(c6) }()
	b.Close()
	for range 2 {
		if code := <-done; code != StatusGoingAway {
			t.Errorf("at Close: closed with %d", code)
		}
	}
	for _, c := range []*websocket.Conn{c1, c3, c4, c5, c6} {
		c.CloseNow()
	}
	srv.Close()
	waitFor(t, "descriptors back to where they were", func() bool { return openFDs() <= before })
}
