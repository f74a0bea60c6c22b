package stream

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Close status codes the broker uses, re-exported for tests and clients.
const (
	StatusGoingAway       = websocket.StatusGoingAway
	StatusUnsupportedData = websocket.StatusUnsupportedData
	StatusInvalidPayload  = websocket.StatusInvalidFramePayloadData
	StatusPolicyViolation = websocket.StatusPolicyViolation
	StatusMessageTooBig   = websocket.StatusMessageTooBig
	StatusTryAgainLater   = websocket.StatusTryAgainLater
)

// subscriber is one browser. It owns no goroutine of its own for writing:
// its messages wait in a small fixed queue until one of the broker's
// writers takes it from the ready queue and writes them in order. Queued
// messages are shared, read-only slices, so a subscriber costs a few
// hundred bytes besides its socket and its reader goroutine.
type subscriber struct {
	b    *Broker
	conn wsConn
	// raw is the socket under conn, for writing prepared frames; nil when
	// the library must frame each message (permessage-deflate, tests).
	raw *sharedConn
	// in is the read state when the broker's poller reads the socket;
	// nil when a reader goroutine reads it through the library.
	in     *inbound
	readMu sync.Mutex // held by the poller, and by the close handshake

	lastRead   atomic.Int64 // unix ns of the last client message
	writeStart atomic.Int64 // unix ns when the write under way began, 0 when none

	mu        sync.Mutex
	q         [][]byte // ring of queued frames (see frameText), len = QueueLen
	head, n   int
	scheduled bool // in the ready queue or being written
	closed    bool
	shutOnce  sync.Once
}

// wsConn is the part of *websocket.Conn the broker uses.
type wsConn interface {
	Reader(ctx context.Context) (websocket.MessageType, io.Reader, error)
	Write(ctx context.Context, typ websocket.MessageType, p []byte) error
	Close(code websocket.StatusCode, reason string) error
	CloseNow() error
}

func newSubscriber(b *Broker, conn wsConn) *subscriber {
	s := &subscriber{b: b, conn: conn, q: make([][]byte, b.opts.QueueLen)}
	s.lastRead.Store(time.Now().UnixNano())
	return s
}

// enqueue queues the frame msg and, when the subscriber was idle, hands
// it to the writers. It reports false when the queue overflowed, in which
// case the subscriber is being closed.
func (s *subscriber) enqueue(msg []byte) bool {
	ok, wake := s.add(msg)
	if wake {
		s.b.ready.push(s)
	}
	return ok
}

// add queues msg; wake reports that the subscriber was idle and must be
// handed to the writers.
func (s *subscriber) add(msg []byte) (ok, wake bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return true, false
	}
	if s.n == len(s.q) {
		return false, false
	}
	s.q[(s.head+s.n)%len(s.q)] = msg
	s.n++
	wake = !s.scheduled
	s.scheduled = true
	return true, wake
}

// next takes the oldest queued message; ok is false when there is none or
// the subscriber is closed, and then the subscriber leaves the writers.
func (s *subscriber) next() (msg []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.n == 0 {
		s.scheduled = false
		return nil, false
	}
	msg = s.q[s.head]
	s.q[s.head] = nil
	s.head = (s.head + 1) % len(s.q)
	s.n--
	return msg, true
}

// shut closes the socket with code and reason, once; queued messages are
// dropped. It blocks for the close handshake, bounded by
// closeHandshakeTimeout (or by coder/websocket, when it reads the socket).
func (s *subscriber) shut(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	s.closed = true
	clear(s.q)
	s.n = 0
	s.mu.Unlock()
	s.shutOnce.Do(func() {
		switch {
		case s.in != nil && s.in.sock != nil && code == 0:
			s.in.sock.close()
			s.conn.CloseNow()
		case s.in != nil && s.in.sock != nil:
			s.closeRaw(code, reason)
		case code == 0:
			s.conn.CloseNow()
		default:
			s.conn.Close(code, reason)
		}
	})
}

// readyQueue hands subscribers with queued messages to the writers. Its
// backing array is kept between ticks, so a steady state allocates nothing.
type readyQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*subscriber
	head   int
	closed bool
}

func (q *readyQueue) init() { q.cond = sync.NewCond(&q.mu) }

func (q *readyQueue) push(s *subscriber) {
	q.mu.Lock()
	q.items = append(q.items, s)
	q.mu.Unlock()
	q.cond.Signal()
}

// pushAll hands over a tick's subscribers at once: one lock and one
// wake-up of the writers, not one per subscriber.
func (q *readyQueue) pushAll(ss []*subscriber) {
	if len(ss) == 0 {
		return
	}
	q.mu.Lock()
	q.items = append(q.items, ss...)
	q.mu.Unlock()
	if len(ss) == 1 {
		q.cond.Signal()
	} else {
		q.cond.Broadcast()
	}
}

// pop waits for a subscriber; nil means the queue is closed.
func (q *readyQueue) pop() *subscriber {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil
	}
	s := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return s
}

func (q *readyQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// writer is one of the broker's writer goroutines: it takes a subscriber
// and writes everything queued for it, one write per frame. Writes carry
// no deadline (that would cost a timer per write); instead each write
// records its start and sweep cuts off a connection whose write has taken
// longer than WriteTimeout, which ends the write. A stalled peer so holds
// one writer for at most WriteTimeout plus one sweep period, and the
// other writers go on with the other subscribers.
func (b *Broker) writer() {
	defer b.wg.Done()
	for {
		s := b.ready.pop()
		if s == nil {
			return
		}
		for {
			msg, ok := s.next()
			if !ok {
				break
			}
			s.writeStart.Store(time.Now().UnixNano())
			var err error
			switch {
			case s.in != nil && s.in.sock != nil:
				err = s.in.sock.writeFrame(msg)
			case s.raw != nil:
				err = s.raw.writeFrame(msg)
			default:
				err = s.conn.Write(context.Background(), websocket.MessageText, payloadOf(msg))
			}
			s.writeStart.Store(0)
			if err != nil {
				b.drop(s, 0, "")
				break
			}
		}
	}
}

// broadcast queues the frame msg for every subscriber and wakes the
// writers once; subscribers whose queue is full are closed with 1008 so
// they reconnect and backfill.
func (b *Broker) broadcast(msg []byte) {
	b.subsMu.Lock()
	var slow []*subscriber
	wake := b.wake[:0]
	for s := range b.subs {
		ok, w := s.add(msg)
		if !ok {
			slow = append(slow, s)
		} else if w {
			wake = append(wake, s)
		}
	}
	b.ready.pushAll(wake)
	clear(wake)
	b.wake = wake[:0]
	b.subsMu.Unlock()
	for _, s := range slow {
		b.drop(s, StatusPolicyViolation, "client too slow: send queue full")
	}
}

// sweep cuts off subscribers whose write is stuck past WriteTimeout and
// closes those that sent nothing for ClientTimeout.
func (b *Broker) sweep(now time.Time) {
	silentBefore := now.Add(-b.opts.ClientTimeout).UnixNano()
	stuckBefore := now.Add(-b.opts.WriteTimeout).UnixNano()
	var silent, stuck []*subscriber
	b.subsMu.Lock()
	for s := range b.subs {
		if ws := s.writeStart.Load(); ws != 0 && ws < stuckBefore {
			stuck = append(stuck, s)
		} else if s.lastRead.Load() < silentBefore {
			silent = append(silent, s)
		}
	}
	b.subsMu.Unlock()
	for _, s := range stuck {
		// The write holds the connection's write lock, so no close frame
		// can be sent: cut the connection.
		b.drop(s, 0, "")
	}
	for _, s := range silent {
		b.drop(s, StatusPolicyViolation, "no message from client within "+b.opts.ClientTimeout.String())
	}
}

// drop removes s and closes its socket in the background (code 0: at once,
// without a handshake). The goroutine is counted in the broker's WaitGroup.
func (b *Broker) drop(s *subscriber, code websocket.StatusCode, reason string) {
	b.subsMu.Lock()
	_, ok := b.subs[s]
	delete(b.subs, s)
	if ok && !b.closed {
		// Counted before Close can reach its Wait.
		b.wg.Add(1)
	}
	closed := b.closed
	b.subsMu.Unlock()
	if !ok || closed {
		return
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	if code != 0 {
		b.opts.Logger.Debug("livedash: closing subscriber", "code", int(code), "reason", reason)
	}
	go func() {
		defer b.wg.Done()
		s.shut(code, reason)
	}()
}

// Subscribers returns the number of connected subscribers.
func (b *Broker) Subscribers() int {
	b.subsMu.Lock()
	defer b.subsMu.Unlock()
	return len(b.subs)
}
