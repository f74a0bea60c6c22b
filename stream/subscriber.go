package stream

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// subscriber is one browser. Its one goroutine, serve, reads what the
// browser sends (through coder/websocket, which also answers its pings and
// the close handshake) and ends the connection. Frames are written by the
// broker's writers: they wait in a small fixed queue of shared, read-only
// slices until a writer takes the subscriber from the ready queue.
type subscriber struct {
	b    *Broker
	conn wsConn
	// sock is the socket under conn (nil for test doubles): its deadlines
	// bound the close handshake, and closing it cuts the connection.
	sock *sharedConn
	// prepared: frames are written to sock as they were prepared, under
	// the lock the library's own writes take. Otherwise (with
	// permessage-deflate, which compresses per connection) the library
	// frames each message.
	prepared bool
	// interrupt makes a blocked read in serve return, so that serve sees
	// the subscriber is ending and runs the close handshake (for an
	// event stream: wakes its goroutine).
	interrupt func()
	// sse is set for a Server-Sent Events subscriber: its own goroutine
	// writes its messages, woken through sse.wake.
	sse *sseStream

	lastRead   atomic.Int64 // unix ns of the last client message
	writeStart atomic.Int64 // unix ns when the write under way began, 0 when none
	ending     atomic.Pointer[endReason]

	mu        sync.Mutex
	q         []qmsg // ring of queued messages
	head, n   int
	max       int  // QueueLen: q grows up to it
	scheduled bool // in the ready queue or being written
	closed    bool
}

// qmsg is a queued message: a frame built by frameText, shared and
// read-only, and its event id for an event stream (the tick time of a
// frame or of a history's last tick; 0 for none).
type qmsg struct {
	frame []byte
	id    int64
}

// wsConn is the part of *websocket.Conn the broker uses.
type wsConn interface {
	Reader(ctx context.Context) (websocket.MessageType, io.Reader, error)
	Write(ctx context.Context, typ websocket.MessageType, p []byte) error
	Close(code websocket.StatusCode, reason string) error
	CloseNow() error
}

func newSubscriber(b *Broker, conn wsConn, sock *sharedConn, prepared bool, interrupt func()) *subscriber {
	s := &subscriber{b: b, conn: conn, sock: sock, prepared: prepared, interrupt: interrupt,
		q: make([]qmsg, min(initialQueue, b.opts.QueueLen)), max: b.opts.QueueLen}
	s.lastRead.Store(time.Now().UnixNano())
	return s
}

// An endReason says why a connection ends and how: with a close handshake
// carrying code and text, or (code 0) cut at once.
type endReason struct {
	code websocket.StatusCode
	text string
}

// The reasons a connection ends. Every ending goes through subscriber.end
// with one of these (or one built by a helper below), so that each has one
// close code and one place where it is decided.
var (
	// The peer closed (the library echoed its close frame) or went away.
	endPeerGone = &endReason{0, "peer closed the connection"}
	// The broker is closing.
	endShutdown = &endReason{websocket.StatusGoingAway, "server shutting down"}
	// The subscriber's queue overflowed: it does not take its frames.
	endSlow = &endReason{websocket.StatusPolicyViolation, "client too slow: send queue full"}
	// A write to the socket failed.
	endWriteFailed = &endReason{0, "write failed"}
	// A write has taken longer than WriteTimeout: the connection is cut,
	// since the stuck write holds the socket a close frame would need.
	endWriteStuck = &endReason{0, "write timed out"}
	// Serving the connection panicked (logged with its stack).
	endInternal = &endReason{websocket.StatusInternalError, "internal error"}
	// A binary message.
	endBinary = &endReason{websocket.StatusUnsupportedData, "binary messages are not accepted"}
	// A text message that is not UTF-8.
	endNotUTF8 = &endReason{websocket.StatusInvalidFramePayloadData, "text message is not valid UTF-8"}
)

// endSilent is the reason for a client that sent nothing for d.
func endSilent(d time.Duration) *endReason {
	return &endReason{websocket.StatusPolicyViolation, "no message from client within " + d.String()}
}

// end ends s for reason r: the first reason wins and later calls do
// nothing. s leaves the broker at once (no frame is queued for it any
// more); its goroutine then closes the socket, with the close handshake
// when r has a code. end never blocks on the network, so any goroutine may
// call it.
func (s *subscriber) end(r *endReason) {
	if !s.ending.CompareAndSwap(nil, r) {
		return
	}
	s.b.remove(s)
	s.mu.Lock()
	s.closed = true
	clear(s.q)
	s.n = 0
	s.mu.Unlock()
	if r.code != 0 {
		s.b.opts.Logger.Debug("livedash: closing browser connection", "code", int(r.code), "reason", r.text)
	}
	if r.code == 0 && s.sock != nil {
		// Cut now: this also ends a write stuck on a full socket.
		s.sock.Close()
	}
	s.interrupt()
}

// finish runs on s's goroutine once it stops reading: it closes the
// connection as its end reason says. The close handshake (the close frame,
// then the peer's answer) is bounded by closeHandshakeTimeout, also when a
// write of the broker's is stuck on a full socket.
func (s *subscriber) finish() {
	if s.sse != nil {
		return // the handler returns, which ends the response
	}
	r := s.ending.Load()
	if r == nil || r.code == 0 {
		s.conn.CloseNow()
		return
	}
	if s.sock != nil {
		s.sock.SetDeadline(time.Now().Add(closeHandshakeTimeout))
	}
	s.conn.Close(r.code, r.text)
}

// closeHandshakeTimeout bounds a close handshake the server starts.
const closeHandshakeTimeout = time.Second

// enqueue queues the frame msg and, when the subscriber was idle, hands
// it to the writers. It reports false when the queue is full.
func (s *subscriber) enqueue(msg []byte, id int64) bool {
	ok, wake := s.add(msg, id)
	if wake {
		s.wake()
	}
	return ok
}

// wake hands s, which has messages queued, to whoever writes them.
func (s *subscriber) wake() {
	if s.sse != nil {
		s.sse.notify()
		return
	}
	s.b.ready.push(s)
}

// add queues msg; wake reports that the subscriber was idle and must be
// handed to the writers. A subscriber that is ending takes (and drops)
// anything.
func (s *subscriber) add(msg []byte, id int64) (ok, wake bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return true, false
	}
	if s.n == len(s.q) {
		if s.n == s.max {
			return false, false
		}
		s.grow()
	}
	s.q[(s.head+s.n)%len(s.q)] = qmsg{msg, id}
	s.n++
	wake = !s.scheduled
	s.scheduled = true
	return true, wake
}

// initialQueue is the queue's length to start with: the opening messages
// and a frame. A browser that reads keeps one or two frames queued at
// most, so most queues never grow.
const initialQueue = 4

// grow doubles the queue, up to max. The caller holds mu.
func (s *subscriber) grow() {
	q := make([]qmsg, min(2*len(s.q), s.max))
	for i := range s.n {
		q[i] = s.q[(s.head+i)%len(s.q)]
	}
	s.q, s.head = q, 0
}

// next takes the oldest queued message; ok is false when there is none or
// the subscriber is ending, and then the subscriber leaves the writers.
func (s *subscriber) next() (msg qmsg, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.n == 0 {
		s.scheduled = false
		return qmsg{}, false
	}
	msg = s.q[s.head]
	s.q[s.head] = qmsg{}
	s.head = (s.head + 1) % len(s.q)
	s.n--
	return msg, true
}

// write writes one queued frame to the browser.
func (s *subscriber) write(msg []byte) error {
	if s.prepared {
		return s.sock.writeFrame(msg)
	}
	return s.conn.Write(context.Background(), websocket.MessageText, payloadOf(msg))
}
