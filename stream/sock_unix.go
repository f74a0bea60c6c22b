//go:build unix

package stream

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// rawSock is a subscriber's socket once the broker has taken it from the
// Go runtime's network poller: a plain descriptor, written and read with
// direct system calls. A socket in the poller wakes the runtime for every
// packet that arrives, a browser's ping included, even with no goroutine
// waiting on it; out of it, a ping waits in the kernel until the broker's
// poller reads it. Only a write that finds the socket full waits, in
// poll(2), bounded by the write deadline.
type rawSock struct {
	mu        sync.Mutex // serializes writes: one whole frame at a time
	closeSent bool       // a close frame went out: no data may follow

	life    sync.RWMutex              // read-held while fd is used, held to close it
	fd      int                       // -1 once closed
	watched atomic.Pointer[readiness] // the set fd is in, if any
}

// detach takes c's socket out of the runtime's poller: it duplicates the
// descriptor and closes c, which removes c's own from the poller. The
// duplicate shares the socket and its non-blocking mode. It returns nil
// (and leaves c alone) when c is not a plain TCP or Unix socket.
func detach(c net.Conn) *rawSock {
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nil
	}
	sc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return nil
	}
	fd := -1
	var derr error
	if err := sc.Control(func(orig uintptr) {
		fd, derr = unix.FcntlInt(orig, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil || derr != nil {
		return nil
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil
	}
	c.Close()
	return &rawSock{fd: fd}
}

// errAgain is what read returns for a socket that holds nothing.
var errAgain error = unix.EAGAIN

// read reads what the socket holds without waiting: errAgain when it holds
// nothing, errClosed at the end of the stream. busy reports that the
// socket is being closed and was not read.
func (k *rawSock) read(buf []byte) (n int, busy bool, err error) {
	if !k.life.TryRLock() {
		return 0, true, nil
	}
	defer k.life.RUnlock()
	if k.fd < 0 {
		return 0, false, net.ErrClosed
	}
	for {
		n, err = unix.Read(k.fd, buf)
		if err != unix.EINTR {
			break
		}
	}
	if err == nil && n == 0 {
		return 0, false, errClosed
	}
	return max(n, 0), false, err
}

// writeFrame writes a whole frame, unless the close handshake has begun.
// It waits for room only when the socket is full; the broker's sweep cuts
// a write stuck past WriteTimeout by shutting the socket down.
func (k *rawSock) writeFrame(f []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closeSent {
		return net.ErrClosed
	}
	return k.writeLocked(f, time.Time{})
}

// writeLocked writes p whole, waiting for room until deadline (none when
// zero). The caller holds mu.
func (k *rawSock) writeLocked(p []byte, deadline time.Time) error {
	k.life.RLock()
	defer k.life.RUnlock()
	if k.fd < 0 {
		return net.ErrClosed
	}
	for len(p) > 0 {
		n, err := unix.Write(k.fd, p)
		if n > 0 {
			p = p[n:]
		}
		switch {
		case err == nil, err == unix.EINTR:
		case err == unix.EAGAIN:
			if err := k.waitWritable(deadline); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// errWriteTimeout: a write found no room before its deadline.
var errWriteTimeout = errors.New("write timed out")

// waitWritable waits in poll(2) until the socket has room, is shut down or
// deadline passes.
func (k *rawSock) waitWritable(deadline time.Time) error {
	for {
		ms := -1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return errWriteTimeout
			}
			ms = int(left.Milliseconds()) + 1
		}
		fds := []unix.PollFd{{Fd: int32(k.fd), Events: unix.POLLOUT}}
		n, err := unix.Poll(fds, ms)
		switch {
		case err == unix.EINTR || n == 0:
			continue
		case err != nil:
			return err
		case fds[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0:
			return net.ErrClosed
		default:
			return nil
		}
	}
}

// tryPong answers a client's ping if no frame is being written right now
// and the socket has room: the poller never waits on a socket.
func (k *rawSock) tryPong(payload []byte) {
	if !k.mu.TryLock() {
		return
	}
	defer k.mu.Unlock()
	if k.closeSent || !k.life.TryRLock() {
		return
	}
	defer k.life.RUnlock()
	if k.fd >= 0 {
		unix.Write(k.fd, controlFrame(opPong, payload))
	}
}

// sendClose writes the close frame (waiting for a write under way, and for
// room, until deadline), then ends the sending side.
func (k *rawSock) sendClose(frame []byte, deadline time.Time) {
	k.mu.Lock()
	if !k.closeSent {
		k.closeSent = true
		k.writeLocked(frame, deadline)
	}
	k.mu.Unlock()
	k.shutdown(unix.SHUT_WR)
}

// cut shuts the socket down both ways: a write waiting for room returns,
// and the peer sees the connection end. The descriptor stays open until
// close.
func (k *rawSock) cut() { k.shutdown(unix.SHUT_RDWR) }

func (k *rawSock) shutdown(how int) {
	k.life.RLock()
	defer k.life.RUnlock()
	if k.fd >= 0 {
		unix.Shutdown(k.fd, how)
	}
}

// close closes the descriptor, once no call uses it.
func (k *rawSock) close() {
	k.cut()
	k.life.Lock()
	defer k.life.Unlock()
	if k.fd >= 0 {
		k.unwatchLocked()
		unix.Close(k.fd)
		k.fd = -1
	}
}

// unwatch takes the socket out of the poller's readiness set: its reads
// are then the caller's (the close handshake's drain). A write under way
// does not hold it up.
func (k *rawSock) unwatch() {
	k.life.RLock()
	defer k.life.RUnlock()
	if k.fd >= 0 {
		k.unwatchLocked()
	}
}

// unwatchLocked is unwatch for a caller that holds life (either way).
func (k *rawSock) unwatchLocked() {
	if r := k.watched.Swap(nil); r != nil {
		r.unwatch(k.fd)
	}
}

// drain reads and discards what the peer still sends until it closes,
// for at most until deadline: the end of a close handshake.
func (k *rawSock) drain(deadline time.Time) {
	var buf [512]byte
	for time.Now().Before(deadline) {
		_, busy, err := k.read(buf[:])
		switch {
		case busy || err == errAgain:
			time.Sleep(20 * time.Millisecond)
		case err != nil:
			return
		}
	}
}
