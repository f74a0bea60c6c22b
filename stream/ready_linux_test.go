//go:build linux

package stream

import (
	"testing"

	"golang.org/x/sys/unix"
)

// socketPair returns a subscriber reading one end of a socket pair, as the
// poller's, and the other end's descriptor.
func socketPair(t *testing.T) (*subscriber, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	s := &subscriber{in: &inbound{sock: &rawSock{fd: fds[0]}}}
	t.Cleanup(func() {
		s.in.sock.close()
		unix.Close(fds[1])
	})
	return s, fds[1]
}

// TestReadinessReportsReadableSockets: the set reports exactly the watched
// sockets that hold something, again until they are read, none once
// unwatched or closed.
func TestReadinessReportsReadableSockets(t *testing.T) {
	r := newReadiness()
	if r == nil {
		t.Fatal("no epoll set")
	}
	a, peerA := socketPair(t)
	b, peerB := socketPair(t)
	c, peerC := socketPair(t)
	for _, s := range []*subscriber{a, b, c} {
		if !r.watch(s) {
			t.Fatal("watch refused")
		}
	}
	if r.watching() != 3 {
		t.Fatalf("watching %d, want 3", r.watching())
	}
	if got, err := r.ready(nil); len(got) != 0 || err != nil {
		t.Fatalf("nothing sent: %v, %v", got, err)
	}
	unix.Write(peerB, []byte("x"))
	got, _ := r.ready(nil)
	if len(got) != 1 || got[0] != b {
		t.Fatalf("after a write to b: %v, want b alone", got)
	}
	// Level-triggered: unread, it is reported again.
	got, _ = r.ready(nil)
	if len(got) != 1 || got[0] != b {
		t.Fatalf("b unread: %v, want b again", got)
	}
	var buf [16]byte
	if n, _, err := b.in.sock.read(buf[:]); n != 1 || err != nil {
		t.Fatalf("read b: %d, %v", n, err)
	}
	// a unwatched and c closed: what their peers send is not reported.
	a.in.sock.unwatch()
	unix.Write(peerA, []byte("y"))
	c.in.sock.close()
	unix.Write(peerC, []byte("z"))
	unix.Write(peerB, []byte("w"))
	got, _ = r.ready(nil)
	if len(got) != 1 || got[0] != b {
		t.Fatalf("a unwatched, c closed, b written: %v, want b alone", got)
	}
	if r.watching() != 1 {
		t.Fatalf("watching %d, want 1 (b)", r.watching())
	}
	r.close()
	if r.watch(a) {
		t.Fatal("watch accepted by a closed set")
	}
}
