package main

import (
	"net"
	"testing"
	"time"
)

func TestRxWrap(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	wrapped := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		// Data queued before the option is set carries no stamp, and the
		// kernel turns stamping on a moment after the first socket asks.
		<-wrapped
		for range 100 {
			if _, err := c.Write([]byte("hello")); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	rc, last, err := rxWrap(c)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	close(wrapped)
	rc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	for last.Load() == 0 {
		if _, err := rc.Read(buf); err != nil {
			t.Fatalf("no receive stamp before %v", err)
		}
	}
	if d := time.Since(time.Unix(0, last.Load())); d < 0 || d > 5*time.Second {
		t.Errorf("receive stamp is %v old", d)
	}
}
