//go:build !linux

package main

import (
	"errors"
	"net"
	"sync/atomic"
)

// rxWrap would turn on the kernel's receive timestamps, which this tool
// reads on Linux only: elsewhere every arrival is taken when it is read.
func rxWrap(c net.Conn) (net.Conn, *atomic.Int64, error) {
	return c, nil, errors.New("receive timestamps are read on Linux only")
}
