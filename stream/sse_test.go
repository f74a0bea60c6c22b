package stream

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/schedule"
)

// event is one Server-Sent Event as a client sees it.
type event struct {
	id   string
	data string
}

// readEvents reads events from an event stream into a channel until it
// ends; comments are counted in beats.
func readEvents(body *bufio.Reader, out chan<- event, beats *int) error {
	var ev event
	for {
		line, err := body.ReadString('\n')
		if err != nil {
			close(out)
			return err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.data != "" {
				out <- ev
			}
			ev = event{}
		case strings.HasPrefix(line, ":"):
			*beats++
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[6:]
		}
	}
}

func openEvents(t *testing.T, ctx context.Context, url string, header http.Header) (chan event, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	evs := make(chan event, 256)
	if resp.StatusCode != 200 {
		close(evs)
		return evs, resp
	}
	var beats int
	go func() {
		defer resp.Body.Close()
		readEvents(bufio.NewReader(resp.Body), evs, &beats)
	}()
	return evs, resp
}

func nextEvent(t *testing.T, evs chan event) event {
	t.Helper()
	select {
	case ev, ok := <-evs:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event for 10 s")
	}
	return event{}
}

// TestEventStream: schema, status, history and frames, each one event,
// frames and history with the tick as id; a reconnect with Last-Event-ID
// gets only the ticks it missed; Close ends the stream.
func TestEventStream(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: time.Minute})
	srv := httptest.NewServer(http.HandlerFunc(b.ServeEvents))
	defer srv.Close()
	t0 := time.Unix(1_700_000_000, 0)
	ticks(b, t0, 5, func(k int) float64 { return float64(k) })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, resp := openEvents(t, ctx, srv.URL, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	for _, want := range []string{"schema", "status", "history"} {
		ev := nextEvent(t, evs)
		if !strings.HasPrefix(ev.data, `{"type":"`+want+`"`) {
			t.Fatalf("got %.60s, want %s", ev.data, want)
		}
		if want == "history" && ev.id != strconv.FormatInt(t0.Add(4*time.Second).UnixMilli(), 10) {
			t.Fatalf("history id %q", ev.id)
		}
	}
	ticks(b, t0.Add(5*time.Second), 2, func(k int) float64 { return 10 })
	var last string
	for range 2 {
		ev := nextEvent(t, evs)
		if !strings.HasPrefix(ev.data, `{"type":"frame"`) || ev.id == "" {
			t.Fatalf("got %q %.60s, want a frame with an id", ev.id, ev.data)
		}
		last = ev.id
	}
	cancel()

	// The browser reconnects with the last id it got: the history holds
	// only the ticks after it.
	ticks(b, t0.Add(7*time.Second), 3, func(k int) float64 { return 20 })
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	evs2, _ := openEvents(t, ctx2, srv.URL, http.Header{"Last-Event-Id": {last}})
	nextEvent(t, evs2)
	nextEvent(t, evs2)
	h := nextEvent(t, evs2)
	want := `"ts":[` + strconv.FormatInt(t0.Add(7*time.Second).UnixMilli(), 10) + "," +
		strconv.FormatInt(t0.Add(8*time.Second).UnixMilli(), 10) + "," + strconv.FormatInt(t0.Add(9*time.Second).UnixMilli(), 10) + "]"
	if !strings.Contains(h.data, want) {
		t.Fatalf("history after reconnect %.200s, want %s", h.data, want)
	}
	b.Close()
	select {
	case _, ok := <-evs2:
		for ok {
			_, ok = <-evs2
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the stream")
	}
}

// TestEventStreamRefusals: a foreign origin gets 403 unless a pattern
// allows it, a bad since 400; streams whose client went away leave.
func TestEventStreamRefusals(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: time.Minute, OriginPatterns: []string{"*.example.com"}})
	srv := httptest.NewServer(http.HandlerFunc(b.ServeEvents))
	defer srv.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		origin, q string
		code      int
	}{
		{"https://evil.test", "", 403},
		{"https://dash.example.com", "", 200},
		{"", "?since=-4", 400},
		{srv.URL, "", 200},
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		cctx, cancel := context.WithCancel(ctx)
		_, resp := openEvents(t, cctx, srv.URL+tc.q, h)
		if resp.StatusCode != tc.code {
			t.Errorf("origin %q %s: %d, want %d", tc.origin, tc.q, resp.StatusCode, tc.code)
		}
		cancel()
	}
	waitFor(t, "streams to end", func() bool { return b.Subscribers() == 0 })
}

// TestEventStreamNotSilent: the sweep does not close an event stream for
// sending nothing (its client cannot send).
func TestEventStreamNotSilent(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: time.Minute})
	srv := httptest.NewServer(http.HandlerFunc(b.ServeEvents))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, _ := openEvents(t, ctx, srv.URL, nil)
	for range 3 {
		nextEvent(t, evs)
	}
	b.sweep(time.Now().Add(time.Hour))
	now := time.Now()
	b.Publish(schedule.Batch{Collector: "test", Time: now, Samples: []schedule.Sample{{Desc: gaugeA, Value: 1}}})
	b.tick(now)
	nextEvent(t, evs) // the new schema
	if ev := nextEvent(t, evs); !strings.HasPrefix(ev.data, `{"type":"frame"`) {
		t.Fatalf("after a sweep: %.60s", ev.data)
	}
}

// gzipMiddleware compresses responses as a host's middleware would: its
// writer buffers until flushed, and passes Flush on.
func gzipMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		next.ServeHTTP(&gzipWriter{ResponseWriter: w, zw: zw}, r)
	})
}

type gzipWriter struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g *gzipWriter) Write(p []byte) (int, error) { return g.zw.Write(p) }
func (g *gzipWriter) Flush() {
	g.zw.Flush()
	http.NewResponseController(g.ResponseWriter).Flush()
}

// TestEventStreamThroughCompression: behind a compressing middleware each
// event still arrives as it is sent (it is flushed), not when the stream
// ends.
func TestEventStreamThroughCompression(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: time.Minute})
	srv := httptest.NewServer(gzipMiddleware(http.HandlerFunc(b.ServeEvents)))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip") // set by hand: the client leaves the body compressed
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	evs := make(chan event, 64)
	var beats int
	go readEvents(bufio.NewReader(zr), evs, &beats)
	for range 3 {
		nextEvent(t, evs) // schema, status, history: while the stream is open
	}
	ticks(b, time.Unix(1_700_000_000, 0), 1, func(int) float64 { return 1 })
	nextEvent(t, evs) // the new schema
	if ev := nextEvent(t, evs); !strings.HasPrefix(ev.data, `{"type":"frame"`) {
		t.Fatalf("got %.60s, want a frame", ev.data)
	}
}

// TestEventStreamStalledClientEvicted: a client that stops reading is cut
// (its write times out, or its queue overflows) and leaves; the others go
// on.
func TestEventStreamStalledClientEvicted(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: time.Minute, WriteTimeout: 200 * time.Millisecond, QueueLen: 4})
	srv := httptest.NewServer(http.HandlerFunc(b.ServeEvents))
	defer srv.Close()
	// A client with a tiny receive buffer that never reads.
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, "the stalled client to subscribe", func() bool { return b.Subscribers() == 1 })
	// And one that reads.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, _ := openEvents(t, ctx, srv.URL, nil)
	waitFor(t, "the reader to subscribe", func() bool { return b.Subscribers() == 2 })

	descs := make([]*collectors.Desc, 400)
	for i := range descs {
		descs[i] = &collectors.Desc{Name: "stall_" + strconv.Itoa(i), Group: "app"}
	}
	samples := make([]schedule.Sample, len(descs))
	t0 := time.Unix(1_700_000_000, 0)
	go func() {
		for range evs { // the reader keeps reading
		}
	}()
	for k := 0; b.Subscribers() > 1; k++ {
		if k > 2000 {
			t.Fatal("the stalled client was never evicted")
		}
		ts := t0.Add(time.Duration(k) * time.Second)
		for i, d := range descs {
			samples[i] = schedule.Sample{Desc: d, Value: float64(k*1000 + i)}
		}
		b.Publish(schedule.Batch{Collector: "stall", Time: ts, Samples: samples})
		b.tick(ts)
		time.Sleep(time.Millisecond)
	}
	if b.Subscribers() != 1 {
		t.Fatalf("%d subscribers left, want the reader", b.Subscribers())
	}
}
