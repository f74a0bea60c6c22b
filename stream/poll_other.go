//go:build !unix

package stream

import (
	"net"
	"syscall"
)

// pollable: elsewhere than Unix, sockets are read by a goroutine each.
func pollable(net.Conn) syscall.RawConn { return nil }

func readNow(syscall.RawConn, []byte) (int, error) { return 0, syscall.EINVAL }
