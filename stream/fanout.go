package stream

import (
	"runtime/debug"
	"sync"
	"time"
)

// Fan-out: one encoding per tick, the same bytes queued for every
// subscriber, written by a small pool of writers.

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
	for b.writeSome() {
	}
}

// writeSome serves subscribers until the ready queue closes (false) or
// writing to one panicked (true: the writer goes on with the others).
func (b *Broker) writeSome() (more bool) {
	var s *subscriber
	defer func() {
		if p := recover(); p != nil {
			b.opts.Logger.Error("livedash: panic writing to a browser; closing its connection",
				"panic", p, "stack", string(debug.Stack()))
			if s != nil {
				s.end(endInternal)
			}
			more = true
		}
	}()
	for {
		s = b.ready.pop()
		if s == nil {
			return false
		}
		for {
			msg, ok := s.next()
			if !ok {
				break
			}
			s.writeStart.Store(time.Now().UnixNano())
			err := s.write(msg.frame)
			s.writeStart.Store(0)
			if err != nil {
				s.end(endWriteFailed)
				break
			}
		}
	}
}

// broadcast queues the frame msg (with its event id) for every subscriber and wakes the
// writers once; subscribers whose queue is full are closed with 1008 so
// they reconnect and backfill.
func (b *Broker) broadcast(msg []byte, id int64) {
	b.subsMu.Lock()
	var slow []*subscriber
	wake := b.wake[:0]
	for s := range b.subs {
		ok, w := s.add(msg, id)
		switch {
		case !ok:
			slow = append(slow, s)
		case w && s.sse != nil:
			s.sse.notify()
		case w:
			wake = append(wake, s)
		}
	}
	b.ready.pushAll(wake)
	clear(wake)
	b.wake = wake[:0]
	b.subsMu.Unlock()
	for _, s := range slow {
		s.end(endSlow)
	}
}
