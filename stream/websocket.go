package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// ClientMessage is a message a browser may send.
type ClientMessage struct {
	// Type is "ping" or "resume".
	Type string `json:"type"`
	// Since is, for "resume", the last tick time (unix ms) the client holds.
	Since *int64 `json:"since,omitempty"`
	// TS is, for "ping", the tick time (unix ms) of the last frame the
	// client received, if it has one. A client whose TS lags more than
	// ClientTimeout behind the broker is not reading and is closed.
	TS *int64 `json:"ts,omitempty"`
}

// ParseClientMessage decodes and validates one client message.
func ParseClientMessage(data []byte) (ClientMessage, error) {
	var m ClientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("malformed message: %w", err)
	}
	switch m.Type {
	case "ping":
		if m.TS != nil && *m.TS < 0 {
			return m, errors.New(`ping "ts" must be a non-negative unix time in ms`)
		}
	case "resume":
		if m.Since == nil || *m.Since < 0 {
			return m, errors.New(`resume needs "since": a non-negative unix time in ms`)
		}
	case "":
		return m, errors.New(`message has no "type"`)
	default:
		return m, fmt.Errorf("unknown message type %q", m.Type)
	}
	return m, nil
}

// ParseSince reads the since query parameter: absent means everything,
// otherwise a non-negative integer in unix ms.
func ParseSince(q string) (int64, error) {
	if q == "" {
		return math.MinInt64, nil
	}
	v, err := strconv.ParseInt(q, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("invalid since %s: want a non-negative unix time in ms", quoteShort(q, 40))
	}
	return v, nil
}

// quoteShort quotes s for an error message, cut to about n bytes: a
// client's input is echoed, but never at length.
func quoteShort(s string, n int) string {
	q := strconv.Quote(truncate(s, n))
	if len(q) > n {
		return q[:n] + "…"
	}
	return q
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ServeHTTP is the WebSocket endpoint. It upgrades the request (same
// origin only unless Options.OriginPatterns allow more), queues schema,
// status and the history after ?since=, registers the subscriber and
// returns: frames are written by the broker's writers, and client messages
// read by its poller (or, where it cannot, a reader goroutine).
func (b *Broker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	since, err := ParseSince(r.URL.Query().Get("since"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	compression := websocket.CompressionDisabled
	hj := &hijacker{ResponseWriter: w, writeBuffer: connWriteBuffer}
	if b.opts.Compress {
		compression = websocket.CompressionNoContextTakeover
		hj.writeBuffer = connWriteBufferCompressed
	}
	conn, err := websocket.Accept(hj, r, &websocket.AcceptOptions{
		OriginPatterns:  b.opts.OriginPatterns,
		CompressionMode: compression,
	})
	if err != nil {
		// Accept has written the status: 403 foreign origin, 426 not an
		// upgrade, 400 bad handshake.
		return
	}
	conn.SetReadLimit(b.opts.ReadLimit)
	s := newSubscriber(b, conn)
	if !b.opts.Compress || w.Header().Get("Sec-WebSocket-Extensions") == "" {
		// Not compressing: the broker writes its prepared frames to the
		// socket itself, and reads it too where the poller can.
		s.raw = hj.conn
		if k := detach(hj.conn.Conn); k != nil {
			s.in = &inbound{sock: k}
		}
	}
	if err := b.subscribe(s, since); err != nil {
		s.shut(StatusGoingAway, "server shutting down")
		return
	}
	if s.in == nil {
		go b.readLoop(s) // counted by subscribe
		return
	}
	if len(hj.early) > 0 {
		s.readMu.Lock()
		ce := b.feed(s, hj.early)
		s.readMu.Unlock()
		if ce != nil {
			if ce.code >= 0 {
				b.drop(s, ce.code, ce.reason)
			}
			return
		}
	}
	if b.rd != nil && !b.rd.watch(s) {
		b.drop(s, StatusTryAgainLater, "server cannot watch more sockets")
	}
}

// subscribe queues the opening messages and registers s in one step under
// the broker's lock, so that no frame is missed or sent twice.
func (b *Broker) subscribe(s *subscriber, since int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Subscribers already connected get a pending schema first, as the
	// next tick would have sent it.
	b.sendSchemaIfDueLocked()
	b.subsMu.Lock()
	defer b.subsMu.Unlock()
	if b.closed {
		return ErrClosed
	}
	s.enqueue(b.schemaLocked())
	s.enqueue(b.status)
	s.enqueue(b.historyLocked(since))
	b.subs[s] = struct{}{}
	if s.in == nil {
		// Counted before Close can see the subscriber, for its reader.
		b.wg.Add(1)
	}
	return nil
}

// readLoop is the subscriber's only goroutine: it reads client messages
// (and with them pings, pongs and the close handshake) until the socket
// closes. It reads without a context deadline or cancellation (which would
// cost a callback registered on a shared context per read): the broker
// ends it by closing the socket, in drop, sweep or Close.
func (b *Broker) readLoop(s *subscriber) {
	defer b.wg.Done()
	for {
		typ, r, err := s.conn.Reader(context.Background())
		if err != nil {
			// Peer gone, read limit (closed with 1009 by the library) or
			// broker closing.
			b.drop(s, 0, "")
			return
		}
		bp := msgBufs.Get().(*[]byte)
		data, err := readAll(r, (*bp)[:0])
		if err != nil {
			msgBufs.Put(bp)
			b.drop(s, 0, "")
			return
		}
		ok := b.handle(s, typ, data)
		*bp = data[:0]
		msgBufs.Put(bp)
		if !ok {
			return
		}
	}
}

// msgBufs holds buffers for client messages: a ping is read, handled and
// forgotten without leaving garbage behind.
var msgBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// readAll reads r to its end into buf, growing it if needed (the read limit
// bounds it).
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

var (
	pingPlain  = []byte(`{"type":"ping"}`)
	pingPrefix = []byte(`{"type":"ping","ts":`)
)

// parsePing recognises the page's own pings, {"type":"ping"} and
// {"type":"ping","ts":<digits>}, without a JSON decoder; anything else goes
// through ParseClientMessage.
func parsePing(data []byte) (ts int64, hasTS, ok bool) {
	if bytes.Equal(data, pingPlain) {
		return 0, false, true
	}
	rest, found := bytes.CutPrefix(data, pingPrefix)
	if !found || len(rest) < 2 || len(rest) > 17 || rest[len(rest)-1] != '}' {
		return 0, false, false
	}
	digits := rest[:len(rest)-1]
	if len(digits) > 1 && digits[0] == '0' { // not JSON
		return 0, false, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		ts = ts*10 + int64(c-'0')
	}
	return ts, true, true
}

// handle acts on one client message; false means the subscriber was
// dropped.
func (b *Broker) handle(s *subscriber, typ websocket.MessageType, data []byte) bool {
	s.lastRead.Store(time.Now().UnixNano())
	if typ != websocket.MessageText {
		b.drop(s, StatusUnsupportedData, "binary messages are not accepted")
		return false
	}
	if ts, hasTS, ok := parsePing(data); ok {
		return !hasTS || b.checkLag(s, ts)
	}
	m, err := ParseClientMessage(data)
	if err != nil {
		code := StatusPolicyViolation
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) {
			code = StatusInvalidPayload
		}
		b.drop(s, code, strings.ToValidUTF8(truncate(err.Error(), 120), ""))
		return false
	}
	switch m.Type {
	case "ping":
		return m.TS == nil || b.checkLag(s, *m.TS)
	case "resume":
		// Queued under b.mu, so that no newer frame can come before it.
		b.mu.Lock()
		ok := s.enqueue(b.historyLocked(*m.Since))
		b.mu.Unlock()
		if !ok {
			b.drop(s, StatusPolicyViolation, "client too slow: send queue full")
			return false
		}
	}
	return true
}

// checkLag drops a client whose ping reports a last frame more than
// ClientTimeout behind the broker: it has stopped reading.
func (b *Broker) checkLag(s *subscriber, ts int64) bool {
	if lag := b.lastTickMs.Load() - ts; lag > b.lagLimitMs {
		b.drop(s, StatusPolicyViolation, "client not reading: its last frame is "+time.Duration(lag*1e6).String()+" old")
		return false
	}
	return true
}
