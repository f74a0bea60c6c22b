//go:build unix

package stream

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestCloseCutsStuckWrite: a write waiting on a full socket whose peer
// never reads does not hold up the close handshake past its timeout, and
// ends with an error.
func TestCloseCutsStuckWrite(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	k := &rawSock{fd: fds[0]}
	s := &subscriber{conn: newFakeConn(), in: &inbound{sock: k}}
	wrote := make(chan error, 1)
	go func() { wrote <- k.writeFrame(make([]byte, 64<<20)) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-wrote:
		t.Fatalf("a 64 MB write to a peer that never reads returned: %v", err)
	default:
	}
	start := time.Now()
	s.closeRaw(StatusGoingAway, "bye")
	if took := time.Since(start); took > closeHandshakeTimeout+time.Second {
		t.Fatalf("close handshake took %v", took)
	}
	select {
	case err := <-wrote:
		if err == nil {
			t.Fatal("the cut write reported no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stuck write did not end")
	}
	if k.fd != -1 {
		t.Fatal("descriptor not closed")
	}
}
