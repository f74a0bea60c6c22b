//go:build !unix

package stream

import (
	"net"
	"time"
)

// rawSock: elsewhere than Unix, the broker leaves sockets in the Go
// runtime's poller, and a reader goroutine reads each.
type rawSock struct{}

func detach(net.Conn) *rawSock { return nil }

func (*rawSock) read([]byte) (int, bool, error) { return 0, false, net.ErrClosed }
func (*rawSock) writeFrame([]byte) error        { return net.ErrClosed }
func (*rawSock) tryPong([]byte)                 {}
func (*rawSock) sendClose([]byte, time.Time)    {}
func (*rawSock) cut()                           {}
func (*rawSock) close()                         {}
func (*rawSock) drain(time.Time)                {}
func (*rawSock) unwatch()                       {}

// errAgain is never returned here.
var errAgain error
