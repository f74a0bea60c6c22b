package main

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// rxConn is a TCP connection that reads with recvmsg and keeps the
// kernel's receive time (SO_TIMESTAMPNS) of the last data it read. On
// loopback that is when the server's write reached this socket, whatever
// delay this tool then takes to get to the message: the server's fan-out
// measured without the load tool's own scheduling in it.
type rxConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	oob  []byte
	last atomic.Int64 // unix ns, 0 before the first stamped read
}

// rxWrap turns on receive timestamps on c and returns the connection to
// use instead, with the receive time of its last read.
func rxWrap(c net.Conn) (net.Conn, *atomic.Int64, error) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil, errors.New("not a TCP connection")
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c, nil, err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return c, nil, err
	}
	if serr != nil {
		return c, nil, serr
	}
	rc := &rxConn{TCPConn: tc, raw: raw, oob: make([]byte, syscall.CmsgSpace(int(unsafe.Sizeof(syscall.Timespec{}))))}
	return rc, &rc.last, nil
}

// Read reads like net.TCPConn's (deadlines and Close apply through the
// runtime's poller) and records the receive time the kernel attached.
func (c *rxConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n, oobn int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		for {
			n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), p, c.oob, 0)
			if rerr != syscall.EINTR {
				return rerr != syscall.EAGAIN
			}
		}
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	if n == 0 {
		return 0, io.EOF
	}
	if msgs, err := syscall.ParseSocketControlMessage(c.oob[:oobn]); err == nil {
		for _, m := range msgs {
			if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
				ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
				c.last.Store(ts.Nano())
			}
		}
	}
	return n, nil
}
