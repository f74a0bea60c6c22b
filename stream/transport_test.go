package stream

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/livedash/dashboard/internal/schedule"
)

// TestTransports: plain TCP, TLS and permessage-deflate take the same
// path: opening messages, frames, a resume answered, a bad message closed
// with its code, and the server's close with 1001.
func TestTransports(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tls      bool
		compress bool
	}{
		{"plain", false, false},
		{"tls", true, false},
		{"compressed", false, true},
		{"tls+compressed", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := NewBroker(Options{Interval: time.Hour, Compress: tc.compress, Logger: newTestLogger(t)})
			var srv *httptest.Server
			if tc.tls {
				srv = httptest.NewTLSServer(b)
			} else {
				srv = httptest.NewServer(b)
			}
			defer srv.Close()
			defer b.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			opts := &websocket.DialOptions{HTTPClient: srv.Client(), CompressionMode: websocket.CompressionDisabled}
			if tc.compress {
				opts.CompressionMode = websocket.CompressionNoContextTakeover
			}
			url := "ws" + strings.TrimPrefix(srv.URL, "http")
			c, resp, err := websocket.Dial(ctx, url, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			if ext := resp.Header.Get("Sec-WebSocket-Extensions"); tc.compress != (ext != "") {
				t.Fatalf("extensions %q with Compress %v", ext, tc.compress)
			}
			if tc.tls != strings.HasPrefix(url, "wss:") {
				t.Fatalf("url %s", url)
			}
			c.SetReadLimit(1 << 20)
			next := func() string {
				t.Helper()
				_, p, err := c.Read(ctx)
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				var m struct{ Type string }
				json.Unmarshal(p, &m)
				return m.Type
			}
			for _, want := range []string{"schema", "status", "history"} {
				if got := next(); got != want {
					t.Fatalf("got %q, want %q", got, want)
				}
			}
			now := time.Now()
			b.Publish(schedule.Batch{Collector: "test", Time: now, Samples: []schedule.Sample{{Desc: gaugeA, Value: 1}}})
			b.tick(now)
			for _, want := range []string{"schema", "frame"} {
				if got := next(); got != want {
					t.Fatalf("got %q, want %q", got, want)
				}
			}
			if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"resume","since":0}`)); err != nil {
				t.Fatal(err)
			}
			if got := next(); got != "history" {
				t.Fatalf("after resume: got %q", got)
			}
			// A ping frame is answered while the client reads.
			readErr := make(chan error, 1)
			go func() {
				var err error
				for err == nil {
					_, _, err = c.Read(ctx)
				}
				readErr <- err
			}()
			if err := c.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
			b.Close()
			err = <-readErr
			if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
				t.Fatalf("at Close: %v, want 1001", err)
			}

			// And a bad message on a new connection, to a new broker.
			b2 := NewBroker(Options{Interval: time.Hour, Compress: tc.compress, Logger: newTestLogger(t)})
			defer b2.Close()
			srv.Config.Handler = b2
			c2, _, err := websocket.Dial(ctx, url, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c2.CloseNow()
			c2.Write(ctx, websocket.MessageText, []byte(`{"type":"dance"}`))
			for err == nil {
				_, _, err = c2.Read(ctx)
			}
			if code := websocket.CloseStatus(err); code != websocket.StatusPolicyViolation {
				t.Fatalf("unknown message: %v, want 1008", err)
			}
		})
	}
}

// newTestLogger fails the test on a logged panic.
func newTestLogger(t testing.TB) *slog.Logger { return slog.New(failOnPanic{t: t}) }
