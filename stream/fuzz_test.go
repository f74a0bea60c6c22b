package stream

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// FuzzParseClientMessage: any input either parses into a valid message or
// gives an error; never a panic, never an invalid message accepted.
func FuzzParseClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"ping"}`, `{"type":"ping","ts":1700000000000}`, `{"type":"resume","since":0}`,
		`{"type":"resume","since":1700000000000}`, `{"type":"resume"}`, `{"type":"ping","ts":-1}`,
		`{"type":"x"}`, `{}`, `[]`, `null`, `{"type":`, `{"type":"ping","ts":1e400}`, "\xff\xfe",
		`{"type":"resume","since":"1"}`, `{"type":"ping","type":"resume"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseClientMessage(data)
		// The fast path for pings must agree with the decoder.
		if ts, hasTS, ok := parsePing(data); ok {
			if err != nil || m.Type != "ping" || hasTS != (m.TS != nil) || (hasTS && ts != *m.TS) {
				t.Fatalf("parsePing(%q) = %d %v, decoder: %+v %v", data, ts, hasTS, m, err)
			}
		}
		if err != nil {
			return
		}
		switch m.Type {
		case "ping":
			if m.TS != nil && *m.TS < 0 {
				t.Fatalf("negative ts accepted: %q", data)
			}
		case "resume":
			if m.Since == nil || *m.Since < 0 {
				t.Fatalf("resume without valid since accepted: %q", data)
			}
		default:
			t.Fatalf("type %q accepted: %q", m.Type, data)
		}
	})
}

// FuzzParseSince: the since query parameter is a non-negative integer or
// absent; anything else is an error that quotes at most a bounded prefix.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"", "0", "1700000000000", "-1", "1e3", "abc", "９", "99999999999999999999", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := parseSince(q)
		if err != nil {
			if len(err.Error()) > 150 {
				t.Fatalf("error too long for %q: %d bytes", q, len(err.Error()))
			}
			return
		}
		if q == "" {
			return
		}
		if want, perr := strconv.ParseInt(q, 10, 64); perr != nil || want != v || v < 0 {
			t.Fatalf("ParseSince(%q) = %d", q, v)
		}
	})
}

// FuzzClientBytes sends arbitrary bytes after a real handshake to the real
// endpoint, then ends its side of the connection: the server must close
// the connection (never panic, never hang on it), and a new browser must
// still be served.
func FuzzClientBytes(f *testing.F) {
	seeds := [][]byte{
		text(`{"type":"ping"}`).bytes(),
		text(`{"type":"resume","since":0}`).bytes(),
		closeWith(1000, "").bytes(),
		closeWith(999, "").bytes(),
		frame{fin: true, op: opPing, payload: []byte("x")}.bytes(),
		append(frame{op: opText, payload: []byte(`{"type":`)}.bytes(), frame{fin: true, op: opContinuation, payload: []byte(`"ping"}`)}.bytes()...),
		append(frame{op: opText, payload: []byte(`0123456789`)}.bytes(), frame{fin: true, op: opContinuation, length: u64(1<<64 - 6)}.bytes()...),
		frame{fin: true, op: opText, length: u64(1 << 63)}.bytes(),
		frame{fin: true, op: opText, length: u64(1 << 30)}.bytes(),
		frame{fin: true, op: opText, payload: []byte(`{}`), unmasked: true}.bytes(),
		frame{fin: true, rsv: 0x70, op: 0xF, payload: []byte(`x`)}.bytes(),
		{0x81},
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	var panics atomic.Int64
	_, srv := servedBroker(f, Options{
		Interval: 100 * time.Millisecond,
		Logger:   slog.New(failOnPanic{t: f, panics: &panics}),
	})
	// Over a Unix socket, so that tens of thousands of connections leave
	// no ports in TIME_WAIT behind.
	sock := filepath.Join(f.TempDir(), "ws")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		f.Skipf("no Unix sockets: %v", err)
	}
	hs := &http.Server{Handler: srv.Config.Handler}
	go hs.Serve(ln)
	f.Cleanup(func() { hs.Close() })
	url := "unix://" + sock
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := tryDialRaw(url, "/")
		if err != nil {
			t.Fatal(err)
		}
		defer c.conn.Close()
		c.message(t, "history", 10*time.Second)
		c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.conn.Write(data); err != nil && !isReset(err) {
			t.Fatalf("the server did not read: %v", err)
		}
		c.conn.(*net.UnixConn).CloseWrite()
		// The server ends the connection: read to its end.
		c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c.br); err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
			t.Fatalf("the server did not close the connection: %v", err)
		}
		if n := panics.Load(); n > 0 {
			t.Fatalf("%d panics while serving %q", n, data)
		}
		d := dialRaw(t, url, "/")
		if h := d.message(t, "history", 10*time.Second); !bytes.Contains(h, []byte(`"cols"`)) {
			t.Fatalf("a new browser got %q", h)
		}
	})
}

// isReset reports a connection reset by the peer (it closed with unread
// bytes).
func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !ne.Timeout()
}
