package stream

import (
	"encoding/binary"
	"errors"
	"strconv"
	"time"

	"github.com/coder/websocket"
)

// Reading without a goroutine per browser.
//
// A browser sends the broker a ping every few seconds and little else, so
// a goroutine parked on each socket would cost a stack and a wake-up, two
// read calls and a trip through the scheduler per ping. Where the socket
// allows it (a plain TCP connection on a Unix system), the broker has one
// poller goroutine instead, which reads without waiting whatever a socket
// holds, parses the client frames itself and handles the messages. The
// sockets it reads are out of the runtime's network poller (see rawSock),
// so that a ping arriving wakes no goroutine of its own.
//
// On Linux the poller asks an epoll set of those sockets (readiness)
// which ones hold something, once per readGap, and reads only those: a
// steady flow of pings from thousands of browsers costs one wake-up per
// gap, with no browser connected it sleeps, and a close or a resume is
// answered within the gap (a quarter of a second). Elsewhere it reads every
// socket once per pollEvery (a read that finds nothing is one system
// call). Where the broker cannot read the socket itself (TLS, other
// systems, permessage-deflate, whose client frames may be compressed) a
// reader goroutine reads through coder/websocket (readLoop).

// readGap is the time between two rounds of the poller on Linux. Each
// round wakes the process, and the runtime's sysmon thread with it for a
// millisecond or so of short sleeps: at 50 ms apart that cost 0.3 % of a
// core at 2,000 browsers, more than the reads themselves.
const readGap = 250 * time.Millisecond

// pollEvery is how often the poller reads every socket where it cannot
// wait for readiness: a quarter of ClientTimeout, at most 2.5 s (then moved
// to half past a second, so 3 s apart at the default ClientTimeout of 10 s,
// during which a page pings at least once).
func (o *Options) pollEvery() time.Duration {
	return min(max(o.ClientTimeout/4, 50*time.Millisecond), 2500*time.Millisecond)
}

// WebSocket opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// inbound is a polled subscriber's read state: bytes of a frame not yet
// complete and the fragments of a message not yet finished. Both are nil
// between messages, which is nearly always: a ping arrives whole.
type inbound struct {
	sock    *rawSock
	partial []byte // start of a frame still arriving
	msg     []byte // payload of a fragmented message so far
	msgOp   byte   // its opcode, 0 when none is under way
}

// errClosed is what a read reports for a socket the peer closed.
var errClosed = errors.New("connection closed by peer")

// closeErr is a reason to close a subscriber, with its close code.
type closeErr struct {
	code   websocket.StatusCode
	reason string
}

// poller reads the polled subscribers: those whose sockets hold something
// where it can wait for readiness (pollReady), or else every one once per
// pollEvery, half a second past whole seconds, away from the ticks (which
// come shortly after whole seconds at the default interval) so that it
// does not delay their writes.
func (b *Broker) poller() {
	defer b.wg.Done()
	if b.rd != nil {
		b.pollReady()
		return
	}
	every := b.opts.pollEvery()
	next := func() time.Duration {
		if every < time.Second {
			return every
		}
		// About every later, at half past a second.
		now := time.Now()
		t := now.Add(every).Truncate(time.Second).Add(500 * time.Millisecond)
		if t.Sub(now) < every/2 {
			t = t.Add(time.Second)
		}
		return t.Sub(now)
	}
	t := time.NewTimer(next())
	defer t.Stop()
	buf := make([]byte, 4096)
	var subs []*subscriber
	for {
		select {
		case <-b.tickStop:
			return
		case <-t.C:
		}
		subs = b.polled(subs[:0])
		for i, s := range subs {
			b.poll(s, buf)
			subs[i] = nil
		}
		t.Reset(next())
	}
}

// pollReady reads the subscribers whose sockets hold something, once per
// readGap while any socket is watched; with none, it sleeps until one is.
func (b *Broker) pollReady() {
	buf := make([]byte, 4096)
	round := time.NewTicker(readGap)
	defer round.Stop()
	var subs []*subscriber
	for {
		if b.rd.watching() == 0 {
			round.Stop()
			select {
			case <-b.tickStop:
				return
			case <-b.rd.added:
			}
			round.Reset(readGap)
		}
		select {
		case <-b.tickStop:
			return
		case <-round.C:
		}
		var err error
		subs, err = b.rd.ready(subs[:0])
		if err != nil {
			b.opts.Logger.Error("livedash: reading client sockets", "err", err)
		}
		for i, s := range subs {
			b.poll(s, buf)
			subs[i] = nil
		}
	}
}

// polled appends the subscribers the poller reads.
func (b *Broker) polled(dst []*subscriber) []*subscriber {
	b.subsMu.Lock()
	defer b.subsMu.Unlock()
	for s := range b.subs {
		if s.in != nil {
			dst = append(dst, s)
		}
	}
	return dst
}

// poll reads what s's socket holds, without waiting, and acts on every
// complete client frame.
func (b *Broker) poll(s *subscriber, buf []byte) {
	if !s.readMu.TryLock() {
		return // being closed
	}
	defer s.readMu.Unlock()
	for {
		n, busy, err := s.in.sock.read(buf)
		switch {
		case busy || err == errAgain:
			return
		case err != nil:
			// Peer gone (end of stream, reset) or socket closed by the
			// broker.
			b.drop(s, 0, "")
			return
		}
		if ce := b.feed(s, buf[:n]); ce != nil {
			if ce.code >= 0 {
				b.drop(s, ce.code, ce.reason)
			}
			return
		}
		if n < len(buf) {
			return
		}
	}
}

// feed parses client frames from p, handling each complete one. A non-nil
// result ends the subscriber: with its close code, or a negative code when
// it was dropped already.
func (b *Broker) feed(s *subscriber, p []byte) *closeErr {
	in := s.in
	if len(in.partial) > 0 {
		in.partial = append(in.partial, p...)
		p = in.partial
	}
	for len(p) > 0 {
		n, ce := b.frame(s, p)
		if ce != nil {
			in.partial = nil
			return ce
		}
		if n == 0 {
			break // incomplete
		}
		p = p[n:]
	}
	if len(p) == 0 {
		in.partial = nil
	} else if len(in.partial) == 0 || &p[0] != &in.partial[0] {
		in.partial = append([]byte(nil), p...)
	}
	return nil
}

// frame parses and handles the client frame at the start of p; n is 0 when
// the frame is not complete yet.
func (b *Broker) frame(s *subscriber, p []byte) (n int, ce *closeErr) {
	if len(p) < 2 {
		return 0, nil
	}
	fin, rsv, op := p[0]&0x80 != 0, p[0]&0x70, p[0]&0x0f
	masked, size := p[1]&0x80 != 0, uint64(p[1]&0x7f)
	h := 2
	switch size {
	case 126:
		if len(p) < 4 {
			return 0, nil
		}
		size, h = uint64(binary.BigEndian.Uint16(p[2:])), 4
	case 127:
		if len(p) < 10 {
			return 0, nil
		}
		size, h = binary.BigEndian.Uint64(p[2:]), 10
	}
	switch {
	case rsv != 0:
		return 0, &closeErr{websocket.StatusProtocolError, "reserved bits set without an extension"}
	case !masked:
		return 0, &closeErr{websocket.StatusProtocolError, "client frames must be masked"}
	case op >= opClose && (!fin || size > 125):
		return 0, &closeErr{websocket.StatusProtocolError, "control frames must be whole and at most 125 bytes"}
	case op < opClose && size+uint64(len(s.in.msg)) > uint64(b.opts.ReadLimit):
		return 0, &closeErr{StatusMessageTooBig, "message over the read limit of " + strconv.FormatInt(b.opts.ReadLimit, 10) + " bytes"}
	}
	end := h + 4 + int(size)
	if len(p) < end {
		return 0, nil
	}
	payload := p[h+4 : end]
	mask := p[h : h+4]
	for i := range payload {
		payload[i] ^= mask[i&3]
	}
	s.lastRead.Store(time.Now().UnixNano())
	switch op {
	case opPing:
		if s.in.sock != nil {
			s.in.sock.tryPong(payload)
		}
		return end, nil
	case opPong:
		return end, nil
	case opClose:
		code := websocket.StatusNormalClosure
		switch {
		case len(payload) == 1:
			return 0, &closeErr{websocket.StatusProtocolError, "close frame with a 1-byte payload"}
		case len(payload) >= 2:
			code = websocket.StatusCode(binary.BigEndian.Uint16(payload))
			if !validCloseCode(code) {
				return 0, &closeErr{websocket.StatusProtocolError, "invalid close code " + strconv.Itoa(int(code))}
			}
		}
		// The client closes: answer with its code, as RFC 6455 asks.
		return end, &closeErr{code, ""}
	case opText, opBinary:
		if s.in.msgOp != 0 {
			return 0, &closeErr{websocket.StatusProtocolError, "new message before the last one ended"}
		}
		if !fin {
			s.in.msgOp = op
			s.in.msg = append(s.in.msg, payload...)
			return end, nil
		}
		return end, b.deliver(s, op, payload)
	case opContinuation:
		if s.in.msgOp == 0 {
			return 0, &closeErr{websocket.StatusProtocolError, "continuation without a message"}
		}
		s.in.msg = append(s.in.msg, payload...)
		if !fin {
			return end, nil
		}
		op, msg := s.in.msgOp, s.in.msg
		s.in.msgOp, s.in.msg = 0, nil
		return end, b.deliver(s, op, msg)
	default:
		return 0, &closeErr{websocket.StatusProtocolError, "unknown opcode " + strconv.Itoa(int(op))}
	}
}

// deliver handles one whole client message.
func (b *Broker) deliver(s *subscriber, op byte, data []byte) *closeErr {
	typ := websocket.MessageText
	if op == opBinary {
		typ = websocket.MessageBinary
	}
	if !b.handle(s, typ, data) {
		return &closeErr{code: -1}
	}
	return nil
}

// validCloseCode reports whether a peer may send code (RFC 6455 §7.4).
func validCloseCode(code websocket.StatusCode) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1011:
		return true
	default:
		return code >= 3000 && code <= 4999
	}
}

// controlFrame returns an unmasked control frame; payload is at most 125
// bytes.
func controlFrame(op byte, payload []byte) []byte {
	f := make([]byte, 0, 2+len(payload))
	f = append(f, 0x80|op, byte(len(payload)))
	return append(f, payload...)
}

// closeFrame returns a close frame with code and reason, the reason cut to
// fit the 125 bytes of a control frame.
func closeFrame(code websocket.StatusCode, reason string) []byte {
	if code == websocket.StatusNoStatusRcvd {
		return controlFrame(opClose, nil)
	}
	if len(reason) > 123 {
		reason = reason[:123]
	}
	p := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), uint16(code))
	return controlFrame(opClose, append(p, reason...))
}

// closeRaw is the close handshake of a subscriber whose socket the broker
// writes and reads itself: the close frame, then the end of sending, then
// whatever the client still sends until it closes too, each step bounded.
func (s *subscriber) closeRaw(code websocket.StatusCode, reason string) {
	k := s.in.sock
	deadline := time.Now().Add(closeHandshakeTimeout)
	// A write stuck on a full socket holds it: past the deadline, cut the
	// socket, which ends that write (and this handshake).
	stop := time.AfterFunc(closeHandshakeTimeout, k.cut)
	defer stop.Stop()
	k.unwatch() // read by drain from now on
	k.sendClose(closeFrame(code, reason), deadline)
	s.readMu.Lock()
	k.drain(deadline)
	s.readMu.Unlock()
	k.close()
	s.conn.CloseNow()
}

// closeHandshakeTimeout bounds a close handshake.
const closeHandshakeTimeout = time.Second
