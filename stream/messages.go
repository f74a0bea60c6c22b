package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Client messages: what a browser sends, read by its subscriber's
// goroutine through coder/websocket, which also checks the framing,
// answers pings and runs the close handshake.

// serve is a subscriber's one goroutine: it reads the client's messages
// until the connection ends, then closes it as the end reason says. It
// reads without a context deadline or cancellation (which would register
// a callback on a shared context for every message): whoever ends the
// subscriber interrupts the read (subscriber.end). A panic while serving
// is logged once with its stack and ends this connection only.
func (b *Broker) serve(s *subscriber) {
	defer b.wg.Done()
	defer s.finish()
	defer func() {
		if p := recover(); p != nil {
			b.logPanic(p)
			s.end(endInternal)
		}
	}()
	for s.ending.Load() == nil {
		typ, r, err := s.conn.Reader(context.Background())
		if err != nil {
			s.end(readEnd(err))
			return
		}
		if r := b.readMessage(s, typ, r); r != nil {
			s.end(r)
			return
		}
	}
}

// readMessage reads one client message into a buffer borrowed for the
// time it takes (a browser waiting for its next message holds none) and
// handles it.
func (b *Broker) readMessage(s *subscriber, typ websocket.MessageType, r io.Reader) *endReason {
	bp := msgBufs.Get().(*[]byte)
	defer msgBufs.Put(bp)
	buf, err := readAll(r, (*bp)[:0])
	if cap(buf) <= maxPooledBuf {
		*bp = buf[:0]
	}
	if err != nil {
		return readEnd(err)
	}
	return b.handle(s, typ, buf)
}

// msgBufs holds buffers for client messages; one that grew past
// maxPooledBuf for a rare large message is not kept.
var msgBufs = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}

const maxPooledBuf = 1024

// logPanic logs a panic while serving one browser, with its stack.
func (b *Broker) logPanic(p any) {
	b.opts.Logger.Error("livedash: panic serving a browser; closing its connection",
		"panic", p, "stack", string(debug.Stack()))
}

// readEnd is the end reason for a read that failed with err. The library
// has already answered what it recognises: the peer's close frame (echoed
// with its code), a message over the read limit (1009) and most protocol
// errors (1002). Its other framing errors (an unmasked frame, a negative
// length) get a 1002 here; a close frame is never sent twice.
func readEnd(err error) *endReason {
	var ne net.Error
	switch {
	case websocket.CloseStatus(err) != -1,
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return endPeerGone
	case errors.Is(err, websocket.ErrMessageTooBig):
		return &endReason{websocket.StatusMessageTooBig, "message over the read limit"}
	case errors.As(err, &ne):
		// Reset, timeout (the read was interrupted by an ending): the
		// connection is gone or being closed.
		return endPeerGone
	default:
		return &endReason{websocket.StatusProtocolError, "protocol error: " + truncate(err.Error(), 100)}
	}
}

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

// handle acts on one client message; a non-nil result ends the subscriber.
func (b *Broker) handle(s *subscriber, typ websocket.MessageType, data []byte) *endReason {
	s.lastRead.Store(time.Now().UnixNano())
	if b.testHookMessage != nil {
		b.testHookMessage(data)
	}
	if typ != websocket.MessageText {
		return endBinary
	}
	if ts, hasTS, ok := parsePing(data); ok {
		if hasTS {
			return b.checkLag(ts)
		}
		return nil
	}
	if !utf8.Valid(data) {
		return endNotUTF8
	}
	m, err := parseClientMessage(data)
	if err != nil {
		code := websocket.StatusPolicyViolation
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) {
			code = websocket.StatusInvalidFramePayloadData
		}
		return &endReason{code, truncate(err.Error(), 120)}
	}
	switch m.Type {
	case "ping":
		if m.TS != nil {
			return b.checkLag(*m.TS)
		}
	case "resume":
		// Queued under b.mu, so that no newer frame can come before it.
		b.mu.Lock()
		ok := s.enqueue(b.historyLocked(*m.Since), b.historyIDLocked())
		b.mu.Unlock()
		if !ok {
			return endSlow
		}
	}
	return nil
}

// checkLag ends a client whose ping reports a last frame more than
// ClientTimeout behind the broker: it has stopped reading.
func (b *Broker) checkLag(ts int64) *endReason {
	if lag := b.lastTickMs.Load() - ts; lag > b.lagLimitMs {
		return &endReason{websocket.StatusPolicyViolation,
			"client not reading: its last frame is " + time.Duration(lag*1e6).String() + " old"}
	}
	return nil
}

// clientMessage is a message a browser may send.
type clientMessage struct {
	// Type is "ping" or "resume".
	Type string `json:"type"`
	// Since is, for "resume", the last tick time (unix ms) the client holds.
	Since *int64 `json:"since,omitempty"`
	// TS is, for "ping", the tick time (unix ms) of the last frame the
	// client received, if it has one.
	TS *int64 `json:"ts,omitempty"`
}

// parseClientMessage decodes and validates one client message.
func parseClientMessage(data []byte) (clientMessage, error) {
	var m clientMessage
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
		return m, fmt.Errorf("unknown message type %s", quoteShort(m.Type, 40))
	}
	return m, nil
}

var (
	pingPlain  = []byte(`{"type":"ping"}`)
	pingPrefix = []byte(`{"type":"ping","ts":`)
)

// parsePing recognises the page's own pings, {"type":"ping"} and
// {"type":"ping","ts":<digits>}, without a JSON decoder; anything else goes
// through parseClientMessage.
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

// parseSince reads the since query parameter: absent means everything,
// otherwise a non-negative integer in unix ms.
func parseSince(q string) (int64, error) {
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

// truncate cuts s to at most n bytes plus an ellipsis, on a rune
// boundary, and makes it valid UTF-8 (a close reason must be).
func truncate(s string, n int) string {
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "")
}
