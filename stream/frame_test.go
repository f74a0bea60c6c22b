package stream

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestPreparedFramesOverTheWire writes prepared frames of every header
// size to a real socket, interleaved with the library's own control
// frames, and reads them back with a WebSocket client, which checks the
// framing.
func TestPreparedFramesOverTheWire(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 4096, 65535, 65536, 300_000}
	payloads := make([][]byte, len(sizes))
	for i, n := range sizes {
		payloads[i] = bytes.Repeat([]byte{'a' + byte(i)}, n)
	}
	afterClose := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj := &hijacker{ResponseWriter: w, writeBuffer: connWriteBuffer}
		c, err := websocket.Accept(hj, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		// The library answers pings while the broker's frames go out.
		go func() { c.Reader(context.Background()) }()
		for _, p := range payloads {
			f := frameText(p)
			if got := payloadOf(f); !bytes.Equal(got, p) {
				t.Errorf("payloadOf(frameText(%d bytes)) = %d bytes", len(p), len(got))
			}
			if err := hj.conn.writeFrame(f); err != nil {
				t.Error(err)
			}
		}
		c.Close(websocket.StatusGoingAway, "done")
		afterClose <- hj.conn.writeFrame(frameText([]byte("late")))
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	for i, want := range payloads {
		if i == 2 {
			// A ping in the middle: its pong shares the socket with
			// the prepared frames.
			go c.Ping(ctx)
		}
		typ, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("message %d (%d bytes): %v", i, len(want), err)
		}
		if typ != websocket.MessageText || !bytes.Equal(got, want) {
			t.Fatalf("message %d: type %v, %d bytes, want text of %d", i, typ, len(got), len(want))
		}
	}
	_, _, err = c.Read(ctx)
	if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
		t.Fatalf("after the frames: %v, want close 1001", err)
	}
	if err := <-afterClose; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("a frame after the close frame: %v, want net.ErrClosed", err)
	}
}
