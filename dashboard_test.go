package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"
	"go.uber.org/goleak"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/appmetrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.DiscardHandler)

// newDash starts a dashboard with a short interval and closes it with the
// test.
func newDash(t *testing.T, opts Options) *Dashboard {
	t.Helper()
	if opts.Interval == 0 {
		opts.Interval = 100 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

// mounts serves d at the root, under http.StripPrefix and under chi's Mount.
func mounts(d http.Handler) map[string]struct {
	handler http.Handler
	prefix  string
} {
	mux := http.NewServeMux()
	mux.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
	// Go 1.22 patterns: a method, and the prefix given with its slash.
	methods := http.NewServeMux()
	methods.Handle("GET /debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
	slash := http.NewServeMux()
	slash.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard/", d))
	r := chi.NewRouter()
	r.Mount("/ops/live", d)
	return map[string]struct {
		handler http.Handler
		prefix  string
	}{
		"root":                 {d, ""},
		"StripPrefix":          {mux, "/debug/dashboard"},
		"ServeMux GET pattern": {methods, "/debug/dashboard"},
		"StripPrefix with /":   {slash, "/debug/dashboard"},
		"chi.Mount":            {r, "/ops/live"},
	}
}

func get(t *testing.T, c *http.Client, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// wsMsg is any server message, decoded loosely.
type wsMsg struct {
	Type     string            `json:"type"`
	Version  int               `json:"version"`
	Interval int64             `json:"interval"`
	Series   []json.RawMessage `json:"series"`
	TS       json.RawMessage   `json:"ts"`
	T        int64             `json:"t"`
	I        []int             `json:"i"`
	V        []*float64        `json:"v"`
	Cols     []json.RawMessage `json:"cols"`
	Errors   []map[string]any  `json:"errors"`
}

func dial(t *testing.T, ctx context.Context, url string, hdr http.Header) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	// A browser takes messages of any size; the schema and history of the
	// built-in collectors are above the library's default limit of 32 KiB.
	c.SetReadLimit(16 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func read(t *testing.T, ctx context.Context, c *websocket.Conn) wsMsg {
	t.Helper()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type %v", typ)
	}
	var m wsMsg
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("message %s: %v", data, err)
	}
	return m
}

// TestEndToEnd mounts the dashboard three ways and checks, under each, the
// redirect to the trailing slash, the page and its relative asset URLs,
// the assets, the snapshot, the metrics and the socket's message order.
func TestEndToEnd(t *testing.T) {
	// A deep queue: a test reading slowly on a busy machine is not what
	// this test is about.
	d := newDash(t, Options{QueueLen: 256})
	for name, m := range mounts(d) {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(m.handler)
			defer srv.Close()
			base := srv.URL + m.prefix

			if m.prefix != "" {
				// ServeMux redirects itself (307); the dashboard does under chi.
				resp, _ := get(t, noRedirect, base)
				if resp.StatusCode != http.StatusMovedPermanently && resp.StatusCode != http.StatusTemporaryRedirect {
					t.Fatalf("GET %s: %d, want a redirect", m.prefix, resp.StatusCode)
				}
				loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
				if err != nil || loc.Path != m.prefix+"/" {
					t.Fatalf("redirect to %q, want %q", resp.Header.Get("Location"), m.prefix+"/")
				}
			}

			resp, page := get(t, http.DefaultClient, base+"/")
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Fatalf("CSP = %q", csp)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatal("no nosniff")
			}
			if bytes.Contains(page, []byte(`src="/`)) || bytes.Contains(page, []byte(`href="/`)) {
				t.Fatalf("page has absolute URLs:\n%s", page)
			}
			js := regexp.MustCompile(`src="(static/[0-9a-f]+/js/app\.js)"`).FindSubmatch(page)
			if js == nil {
				t.Fatalf("page does not load static/<version>/js/app.js:\n%s", page)
			}
			if !bytes.Contains(page, []byte(`id="livedash-config"`)) {
				t.Fatal("page has no config")
			}

			resp, body := get(t, http.DefaultClient, base+"/"+string(js[1]))
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
				!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || len(body) == 0 {
				t.Fatalf("app.js: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
			}
			// The ETag validates; no Last-Modified rides on every asset.
			etag := resp.Header.Get("ETag")
			if etag == "" || resp.Header.Get("Last-Modified") != "" {
				t.Fatalf("app.js: ETag %q, Last-Modified %q", etag, resp.Header.Get("Last-Modified"))
			}
			req, _ := http.NewRequest("GET", base+"/"+string(js[1]), nil)
			req.Header.Set("If-None-Match", etag)
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
				t.Fatalf("app.js with If-None-Match %s: %v %v", etag, resp, err)
			} else {
				resp.Body.Close()
			}

			resp, body = get(t, http.DefaultClient, base+"/api/snapshot?history=false")
			var snap struct {
				Interval int64             `json:"interval"`
				Series   []json.RawMessage `json:"series"`
			}
			if resp.StatusCode != 200 || json.Unmarshal(body, &snap) != nil || snap.Interval != 100 {
				t.Fatalf("snapshot: %d %.200s", resp.StatusCode, body)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c := dial(t, ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
			if m := read(t, ctx, c); m.Type != "schema" || m.Version != 1 || m.Interval != 100 {
				t.Fatalf("first message %+v, want schema", m)
			}
			if m := read(t, ctx, c); m.Type != "status" {
				t.Fatalf("second message %q, want status", m.Type)
			}
			if m := read(t, ctx, c); m.Type != "history" {
				t.Fatalf("third message %q, want history", m.Type)
			}
			frames := 0
			for frames < 3 {
				m := read(t, ctx, c)
				switch m.Type {
				case "schema", "status":
					continue
				case "frame":
				default:
					t.Fatalf("message %q after history", m.Type)
				}
				if now := time.Now().UnixMilli(); m.T > now || m.T < now-5000 {
					t.Fatalf("frame t = %d, now %d", m.T, now)
				}
				frames++
			}
			c.Close(websocket.StatusNormalClosure, "")
		})
	}
}

// TestHistoryAndSnapshot lets a few ticks pass and checks that a new
// socket's history and the snapshot carry them, with the host's series.
func TestHistoryAndSnapshot(t *testing.T) {
	d := newDash(t, Options{})
	srv := httptest.NewServer(d)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// A first socket sees five frames go by; a second one then gets
	// them in its history.
	first := dial(t, ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	for frames := 0; frames < 5; {
		if read(t, ctx, first).Type == "frame" {
			frames++
		}
	}
	first.Close(websocket.StatusNormalClosure, "")
	c := dial(t, ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	schema := read(t, ctx, c)
	read(t, ctx, c)
	h := read(t, ctx, c)
	var ts []int64
	if err := json.Unmarshal(h.TS, &ts); err != nil {
		t.Fatal(err)
	}
	if len(ts) < 5 {
		t.Fatalf("history holds %d ticks after five frames", len(ts))
	}
	// Ticks fall on the interval's boundaries; a machine too busy to
	// keep time may skip one, never repeat or reorder one.
	for i := 1; i < len(ts); i++ {
		if ts[i] <= ts[i-1] || ts[i]%100 != 0 {
			t.Fatalf("history ticks not on ascending 100 ms boundaries: %v", ts)
		}
	}
	if len(h.Cols) != len(schema.Series) {
		t.Fatalf("history has %d columns for %d series", len(h.Cols), len(schema.Series))
	}
	c.Close(websocket.StatusNormalClosure, "")

	resp, body := get(t, http.DefaultClient, srv.URL+"/api/snapshot", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var snap struct {
		Series []struct {
			ID    string   `json:"id"`
			Group string   `json:"group"`
			Kind  string   `json:"kind"`
			Value *float64 `json:"value"`
		} `json:"series"`
		History struct {
			TS []int64 `json:"ts"`
		} `json:"history"`
	}
	if err := json.Unmarshal(body, &snap); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	groups := map[string]int{}
	byID := map[string]*float64{}
	for _, s := range snap.Series {
		groups[s.Group]++
		byID[s.ID] = s.Value
	}
	for _, g := range []string{"host", "process", "go"} {
		if groups[g] == 0 {
			t.Errorf("no %s series in snapshot", g)
		}
	}
	for _, id := range []string{"host_memory_total_bytes", "process_resident_memory_bytes", "go_goroutines"} {
		if v := byID[id]; v == nil || *v <= 0 {
			t.Errorf("%s = %v", id, v)
		}
	}
	if len(snap.History.TS) < 5 {
		t.Errorf("snapshot history holds %d ticks", len(snap.History.TS))
	}

	resp, body = get(t, http.DefaultClient, srv.URL+"/metrics")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics content type %q", resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"# TYPE go_goroutines gauge\ngo_goroutines ", "# TYPE process_cpu_seconds_total counter\n"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestAppMetricsReachOpenBrowsers registers metrics while a socket is open:
// a new schema arrives and then frames carry the values.
func TestAppMetricsReachOpenBrowsers(t *testing.T) {
	d := newDash(t, Options{DisableHost: true, DisableProcess: true, DisableRuntime: true})
	srv := httptest.NewServer(d)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	for range 3 {
		read(t, ctx, c)
	}
	var mu sync.Mutex
	total := 0.0
	if err := d.Gauge("app_queue_depth", "", func() float64 { return 42 }); err != nil {
		t.Fatal(err)
	}
	if err := d.Counter("app_jobs_total", "jobs", func() float64 { mu.Lock(); defer mu.Unlock(); total += 5; return total }); err != nil {
		t.Fatal(err)
	}
	if err := d.Gauge("app_queue_depth", "", func() float64 { return 1 }); err == nil {
		t.Fatal("duplicate metric accepted")
	}
	idx := map[string]int{}
	for {
		m := read(t, ctx, c)
		if m.Type == "schema" {
			for _, raw := range m.Series {
				var s struct {
					I  int    `json:"i"`
					ID string `json:"id"`
				}
				json.Unmarshal(raw, &s)
				idx[s.ID] = s.I
			}
			continue
		}
		if m.Type != "frame" || len(idx) < 2 {
			continue
		}
		vals := map[int]float64{}
		for k, i := range m.I {
			if m.V[k] != nil {
				vals[i] = *m.V[k]
			}
		}
		rate, ok := vals[idx["app_jobs_total"]]
		if !ok {
			continue
		}
		// 5 per run at 10 runs a second; timer jitter moves it a little.
		if math.Abs(rate-50) > 15 {
			t.Fatalf("counter rate = %v, want about 50/s", rate)
		}
		break
	}
}

// TestBadRequests: every bad request gets a clear status and the server
// keeps serving.
func TestBadRequests(t *testing.T) {
	d := newDash(t, Options{DisableHost: true, DisableProcess: true})
	srv := httptest.NewServer(d)
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		hdr          []string
		want         int
	}{
		{"GET", "/ws", nil, http.StatusUpgradeRequired},
		{"GET", "/ws", []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Origin", "http://evil.example"}, http.StatusForbidden},
		{"GET", "/ws?since=yesterday", nil, http.StatusBadRequest},
		{"POST", "/", nil, http.StatusMethodNotAllowed},
		{"DELETE", "/ws", nil, http.StatusMethodNotAllowed},
		{"PUT", "/api/snapshot", nil, http.StatusMethodNotAllowed},
		{"POST", "/metrics", nil, http.StatusMethodNotAllowed},
		{"GET", "/nope", nil, http.StatusNotFound},
		{"GET", "/static/0/js/nope.js", nil, http.StatusNotFound},
		{"GET", "/api/snapshot?history=maybe", nil, http.StatusBadRequest},
		{"GET", "/?" + strings.Repeat("q", 100_000), nil, http.StatusOK},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		for i := 0; i+1 < len(tc.hdr); i += 2 {
			req.Header.Set(tc.hdr[i], tc.hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %.40s: %d %q, want %d", tc.method, tc.path, resp.StatusCode, body, tc.want)
		}
		if resp.StatusCode >= 400 && len(bytes.TrimSpace(body)) == 0 {
			t.Errorf("%s %.40s: %d with no explanation", tc.method, tc.path, resp.StatusCode)
		}
	}
}

// TestBadClientMessagesOverTheWire: each bad message closes only its own
// socket, with the documented status.
func TestBadClientMessagesOverTheWire(t *testing.T) {
	d := newDash(t, Options{DisableHost: true, DisableProcess: true})
	srv := httptest.NewServer(d)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bystander := dial(t, ctx, url, nil)
	for _, tc := range []struct {
		name string
		typ  websocket.MessageType
		msg  []byte
		want websocket.StatusCode
	}{
		{"oversized", websocket.MessageText, bytes.Repeat([]byte(" "), 5000), websocket.StatusMessageTooBig},
		{"binary", websocket.MessageBinary, []byte{1, 2, 3}, websocket.StatusUnsupportedData},
		{"malformed", websocket.MessageText, []byte(`{"type":"ping"`), websocket.StatusInvalidFramePayloadData},
		{"unknown type", websocket.MessageText, []byte(`{"type":"sudo"}`), websocket.StatusPolicyViolation},
	} {
		c := dial(t, ctx, url, nil)
		if err := c.Write(ctx, tc.typ, tc.msg); err != nil {
			t.Fatalf("%s: write: %v", tc.name, err)
		}
		var err error
		for err == nil {
			_, _, err = c.Read(ctx)
		}
		if got := websocket.CloseStatus(err); got != tc.want {
			t.Errorf("%s: closed with %d (%v), want %d", tc.name, got, err, tc.want)
		}
	}
	// The bystander still gets frames.
	for {
		if m := read(t, ctx, bystander); m.Type == "frame" {
			break
		}
	}
}

func TestAuthorizeAndOrigins(t *testing.T) {
	d := newDash(t, Options{
		DisableHost: true, DisableProcess: true,
		Authorize:      func(r *http.Request) bool { return r.Header.Get("X-Token") == "s3cret" },
		OriginPatterns: []string{"dash.example.com"},
	})
	srv := httptest.NewServer(d)
	defer srv.Close()
	if resp, _ := get(t, http.DefaultClient, srv.URL+"/"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unauthorized page: %d", resp.StatusCode)
	}
	if resp, _ := get(t, http.DefaultClient, srv.URL+"/", "X-Token", "s3cret"); resp.StatusCode != http.StatusOK {
		t.Fatalf("authorized page: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	c := dial(t, ctx, url, http.Header{"X-Token": {"s3cret"}, "Origin": {"https://dash.example.com"}})
	if m := read(t, ctx, c); m.Type != "schema" {
		t.Fatalf("allowed origin: %q", m.Type)
	}
	_, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"X-Token": {"s3cret"}, "Origin": {"https://other.example.com"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v", err)
	}
}

// TestCloseClosesSocketsWithGoingAway: Close under open sockets sends 1001
// to each, is safe twice, and (TestMain's goleak) leaves no goroutine.
func TestCloseClosesSocketsWithGoingAway(t *testing.T) {
	// These clients never ping: the client timeout must outlast opening
	// them all, which takes a while under the race detector.
	d, err := New(Options{Interval: 100 * time.Millisecond, Logger: quiet, DisableHost: true, ClientTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	n := 1000
	if testing.Short() {
		n = 50
	}
	conns := make([]*websocket.Conn, n)
	for i := range conns {
		conns[i] = dial(t, ctx, url, nil)
		read(t, ctx, conns[i])
	}
	codes := make(chan websocket.StatusCode, len(conns))
	for _, c := range conns {
		go func() {
			var err error
			for err == nil {
				_, _, err = c.Read(ctx)
			}
			codes <- websocket.CloseStatus(err)
		}()
	}
	start := time.Now()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Close with %d sockets took %v", len(conns), time.Since(start))
	if err := d.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	for range conns {
		if code := <-codes; code != websocket.StatusGoingAway {
			t.Fatalf("socket closed with %d, want 1001", code)
		}
	}
}

func TestNewValidatesOptions(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Interval: time.Millisecond}, "interval"},
		{Options{Interval: time.Second, History: time.Millisecond}, "history"},
		{Options{Interval: 100 * time.Millisecond, History: 1000 * time.Hour}, "history"},
		{Options{ClientTimeout: 3 * time.Second}, "ping period of 5s"},
		{Options{ClientTimeout: 5 * time.Second}, "ping period of 5s"},
		{Options{WriteTimeout: -time.Second}, "negative"},
		{Options{OriginPatterns: []string{"dash.example.com", "[a-"}}, `OriginPatterns entry "[a-"`},
		{Options{OriginPatterns: []string{""}}, "empty entry in OriginPatterns"},
		{Options{Collectors: []collectors.Collector{nil}}, "Collectors[0] is nil"},
		{Options{DisableHost: true, Collectors: []collectors.Collector{collectors.Runtime()}}, `collector "runtime" is already added`},
	} {
		tc.o.Logger = quiet
		d, err := New(tc.o)
		if err == nil {
			d.Close()
			t.Errorf("New(%+v) accepted", tc.o)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v): %v, want it to say %q", tc.o, err, tc.want)
		}
	}
}

// TestRegistrationErrors: every misuse of the registration methods is a
// clear error, never a panic, and the built-in series stay intact.
func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	d, err := New(Options{Interval: 100 * time.Millisecond, Logger: quiet, DisableHost: true})
	if err != nil {
		t.Fatal(err)
	}
	one := func() float64 { return 1 }
	// Taken by the runtime collector: reserved from its start, and emitted
	// by it soon after.
	if err := d.Gauge("go_goroutines", "", one); !errors.Is(err, collectors.ErrReserved) || !strings.Contains(err.Error(), "gauge go_goroutines") {
		t.Errorf(`Gauge("go_goroutines"): %v`, err)
	}
	if err := d.Counter("process_cpu_seconds_total", "", one); err == nil {
		t.Error(`Counter("process_cpu_seconds_total") accepted`)
	}
	if err := d.AddCollector(nil); err == nil || !strings.Contains(err.Error(), "nil collector") {
		t.Errorf("AddCollector(nil): %v", err)
	}
	var nilApp *appmetrics.App
	if err := d.AddCollector(nilApp); err == nil {
		t.Error("AddCollector((*appmetrics.App)(nil)) accepted")
	}
	if err := d.Gauge("app_ok", "", one, "shard", "1"); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Gauge("app_late", "", one); err == nil || !strings.Contains(err.Error(), "app_late: used after Close") {
		t.Errorf("Gauge after Close: %v", err)
	}
	if err := d.Counter("app_late_total", "", one); err == nil {
		t.Error("Counter after Close accepted")
	}
	if h, err := d.Histogram("app_late_seconds", "seconds", nil); err == nil || h != nil {
		t.Error("Histogram after Close accepted")
	}
	if err := d.AddCollector(collectors.Runtime()); err == nil || !strings.Contains(err.Error(), "used after Close") {
		t.Errorf("AddCollector after Close: %v", err)
	}
}

// TestStuckAppMetricIsIsolated: an app gauge whose function never returns
// leaves the other app metrics live, and the page's errors name it.
func TestStuckAppMetricIsIsolated(t *testing.T) {
	t.Parallel()
	d := newDash(t, Options{DisableHost: true, DisableProcess: true, DisableRuntime: true})
	release := make(chan struct{})
	// Registered first, released before Close (the cleanup runs after).
	t.Cleanup(func() { close(release) })
	if err := d.Gauge("app_stuck", "", func() float64 { <-release; return 0 }); err != nil {
		t.Fatal(err)
	}
	if err := d.Gauge("app_live", "", func() float64 { return 7 }); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	var snap struct {
		Series []struct {
			ID    string   `json:"id"`
			Value *float64 `json:"value"`
		} `json:"series"`
		Errors []struct{ Collector, Error string } `json:"errors"`
	}
	waitFor(t, "the stuck metric's error and the live one's value", func() bool {
		_, body := get(t, http.DefaultClient, srv.URL+"/api/snapshot?history=false")
		snap.Series, snap.Errors = nil, nil
		if err := json.Unmarshal(body, &snap); err != nil {
			t.Fatal(err)
		}
		live := false
		for _, s := range snap.Series {
			live = live || (s.ID == "app_live" && s.Value != nil && *s.Value == 7)
		}
		return live && len(snap.Errors) == 1
	})
	if e := snap.Errors[0]; e.Collector != "app" || !strings.Contains(e.Error, "metric app_stuck") || strings.Contains(e.Error, "app_live") {
		t.Errorf("error %+v, want app_stuck named alone", e)
	}
}

// TestTLS serves the dashboard over TLS: the page, and the WebSocket over
// wss: with its frames.
func TestTLS(t *testing.T) {
	t.Parallel()
	d := newDash(t, Options{DisableHost: true})
	srv := httptest.NewTLSServer(d)
	defer srv.Close()
	if resp, _ := get(t, srv.Client(), srv.URL+"/"); resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("page over TLS: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(srv.URL, "https")+"/ws", &websocket.DialOptions{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(16 << 20)
	for _, want := range []string{"schema", "status", "history"} {
		if m := read(t, ctx, c); m.Type != want {
			t.Fatalf("got %q, want %q", m.Type, want)
		}
	}
	for {
		if m := read(t, ctx, c); m.Type == "frame" {
			break
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// FuzzQueryParameters: whatever the query string, every route answers with
// one of its documented statuses and never panics.
func FuzzQueryParameters(f *testing.F) {
	for _, q := range []string{"", "history=false", "history=1", "history=maybe", "since=0", "since=-1",
		"since=1700000000000", "since=abc&since=1", "%zz", "history", strings.Repeat("a=b&", 200)} {
		f.Add("/api/snapshot", q)
		f.Add("/ws", q)
		f.Add("/", q)
	}
	d, err := New(Options{Interval: 100 * time.Millisecond, Logger: quiet, DisableHost: true, DisableProcess: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	allowed := map[string][]int{
		"/api/snapshot": {200, 400},
		"/ws":           {400, 426},
		"/":             {200},
		"/metrics":      {200},
	}
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		want, ok := allowed[path]
		if !ok {
			path = "/metrics"
			want = allowed[path]
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = path
		req.URL.RawQuery = rawQuery
		req.RequestURI = req.URL.RequestURI()
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, req)
		for _, code := range want {
			if rec.Code == code {
				return
			}
		}
		t.Fatalf("GET %s?%q: %d %q", path, rawQuery, rec.Code, rec.Body.String())
	})
}

// TestFaultyCollectorsAreIsolated: a collector that panics, one that hangs
// past its deadline and one that errors do not stop the others; their
// errors show in /api/snapshot and their own series only go missing.
func TestFaultyCollectorsAreIsolated(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	d := newDash(t, Options{
		DisableHost: true, DisableProcess: true,
		Collectors: []collectors.Collector{
			collectors.CollectorFunc{CollectorName: "panics", Func: func(ctx context.Context, emit collectors.Emit) error {
				panic("collector bug")
			}},
			collectors.CollectorFunc{CollectorName: "hangs", Func: func(ctx context.Context, emit collectors.Emit) error {
				select { // honours its context, but far too slow
				case <-hang:
				case <-ctx.Done():
				}
				return ctx.Err()
			}},
			collectors.CollectorFunc{CollectorName: "fails", Func: func(ctx context.Context, emit collectors.Emit) error {
				emit(collectors.Desc{Name: "app_partial", Group: "app"}, 1)
				return errors.New("device gone")
			}},
		},
	})
	srv := httptest.NewServer(d)
	defer srv.Close()
	type snap struct {
		Series []struct {
			ID    string   `json:"id"`
			Value *float64 `json:"value"`
		} `json:"series"`
		Errors []struct{ Collector, Error string } `json:"errors"`
	}
	var s snap
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := get(t, http.DefaultClient, srv.URL+"/api/snapshot?history=false")
		s = snap{}
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		if len(s.Errors) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := map[string]string{"fails": "device gone", "hangs": "timed out", "panics": "panicked: collector bug"}
	if len(s.Errors) != 3 {
		t.Fatalf("errors = %+v, want one per faulty collector", s.Errors)
	}
	for _, e := range s.Errors {
		if !strings.Contains(e.Error, want[e.Collector]) {
			t.Errorf("%s error = %q, want %q", e.Collector, e.Error, want[e.Collector])
		}
	}
	vals := map[string]*float64{}
	for _, se := range s.Series {
		vals[se.ID] = se.Value
	}
	if v := vals["go_goroutines"]; v == nil || *v <= 0 {
		t.Errorf("runtime collector stopped: go_goroutines = %v", v)
	}
	if v := vals["app_partial"]; v == nil || *v != 1 {
		t.Errorf("value emitted before the error lost: %v", v)
	}
}

// TestSlowlorisBoundedByHostTimeouts: a client that trickles its
// handshake is cut off by the host server's ReadHeaderTimeout, which the
// README asks hosts to set (the dashboard cannot: the request reaches it
// only once its headers are complete), while other clients are served.
func TestSlowlorisBoundedByHostTimeouts(t *testing.T) {
	d := newDash(t, Options{DisableHost: true, DisableProcess: true})
	srv := httptest.NewUnstartedServer(d)
	srv.Config.ReadHeaderTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"); err != nil {
		t.Fatal(err)
	}
	// Meanwhile a normal client is served.
	if resp, _ := get(t, http.DefaultClient, srv.URL+"/metrics"); resp.StatusCode != 200 {
		t.Fatalf("other client: %d", resp.StatusCode)
	}
	begin := time.Now()
	for {
		if _, err := io.WriteString(conn, "X-Slow: 1\r\n"); err != nil {
			break // the server hung up
		}
		buf := make([]byte, 512)
		conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := conn.Read(buf)
		if n > 0 || (err != nil && !errors.Is(err, os.ErrDeadlineExceeded)) {
			break // a 408 or EOF: the server gave up on us
		}
		if time.Since(begin) > 30*time.Second {
			t.Fatal("slow handshake never cut off")
		}
	}
}

// TestCompressionOption: with Compress, permessage-deflate is negotiated
// and messages arrive intact; without it, it is not.
func TestCompressionOption(t *testing.T) {
	for _, on := range []bool{false, true} {
		d := newDash(t, Options{DisableHost: true, DisableProcess: true, Compress: on})
		srv := httptest.NewServer(d)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws",
			&websocket.DialOptions{CompressionMode: websocket.CompressionNoContextTakeover})
		if err != nil {
			t.Fatal(err)
		}
		ext := resp.Header.Get("Sec-WebSocket-Extensions")
		if strings.Contains(ext, "permessage-deflate") != on {
			t.Errorf("Compress=%v: extensions %q", on, ext)
		}
		for _, want := range []string{"schema", "status", "history"} {
			if m := read(t, ctx, c); m.Type != want {
				t.Fatalf("Compress=%v: got %q, want %q", on, m.Type, want)
			}
		}
		c.Close(websocket.StatusNormalClosure, "")
		cancel()
		srv.Close()
	}
}

// TestPolicyOnDocumentsAndWorkers: the Content-Security-Policy goes with
// the page and the worker script, where it applies, and not with every
// static asset, where it is only weight.
func TestPolicyOnDocumentsAndWorkers(t *testing.T) {
	t.Parallel()
	d := newDash(t, Options{})
	srv := httptest.NewServer(d)
	defer srv.Close()
	resp, page := get(t, http.DefaultClient, srv.URL+"/")
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("page without the policy: %q", resp.Header.Get("Content-Security-Policy"))
	}
	m := regexp.MustCompile(`src="(static/[0-9a-f]+/js/)app\.js"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no app.js in the page")
	}
	for file, want := range map[string]bool{"app.js": false, "rangeworker.js": true} {
		resp, _ := get(t, http.DefaultClient, srv.URL+"/"+string(m[1])+file)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", file, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Security-Policy") != ""; got != want {
			t.Errorf("%s: policy %v, want %v", file, got, want)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", file)
		}
	}
}
