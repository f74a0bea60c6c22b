//go:build unix

package stream

import (
	"net"
	"syscall"
)

// pollable returns the raw socket of c when the poller can read it: a
// plain socket, not TLS or anything else wrapped around one.
func pollable(c net.Conn) syscall.RawConn {
	sc, ok := c.(interface {
		net.Conn
		SyscallConn() (syscall.RawConn, error)
	})
	if !ok {
		return nil
	}
	switch sc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// readNow reads what the socket holds without waiting: syscall.EAGAIN when
// it holds nothing, errClosed at the end of the stream.
func readNow(rc syscall.RawConn, buf []byte) (int, error) {
	var n int
	var err error
	if rerr := rc.Read(func(fd uintptr) bool {
		for {
			n, err = syscall.Read(int(fd), buf)
			if err != syscall.EINTR {
				return true
			}
		}
	}); rerr != nil {
		return 0, rerr
	}
	if err == nil && n == 0 {
		return 0, errClosed
	}
	if n < 0 {
		n = 0
	}
	return n, err
}
