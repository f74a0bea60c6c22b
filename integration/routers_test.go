package integration

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/labstack/echo/v4"

	"github.com/livedash/dashboard"
)

const prefix = "/debug/dashboard"

// routers mounts d under prefix in each router, as its README snippet does.
func routers(d *dashboard.Dashboard) map[string]http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+prefix+"/", http.StripPrefix(prefix, d))

	r := chi.NewRouter()
	r.Mount(prefix, d)

	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	g.Any(prefix+"/*path", gin.WrapH(http.StripPrefix(prefix, d)))

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Any(prefix, echo.WrapHandler(http.StripPrefix(prefix, d)))
	e.Any(prefix+"/*", echo.WrapHandler(http.StripPrefix(prefix, d)))

	return map[string]http.Handler{"ServeMux": mux, "chi": r, "gin": g, "echo": e}
}

// TestRouters opens the page, the snapshot, the metrics and the real
// WebSocket under each router, and waits for frames.
func TestRouters(t *testing.T) {
	d, err := dashboard.New(dashboard.Options{
		Interval: 100 * time.Millisecond, DisableHost: true,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() }) // after the parallel subtests
	for name, h := range routers(d) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(h)
			defer srv.Close()
			base := srv.URL + prefix

			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noRedirect.Get(base)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc, err := resp.Location(); resp.StatusCode/100 != 3 || err != nil || loc.Path != prefix+"/" {
				t.Errorf("GET %s: %d to %v, want a redirect to %s/", prefix, resp.StatusCode, loc, prefix)
			}

			for path, want := range map[string]string{
				"/":                           "<html",
				"/api/snapshot?history=false": `"series"`,
				"/metrics":                    "# TYPE go_goroutines gauge",
			} {
				// The collectors publish their first samples within an
				// interval of New: until then /metrics may lack a series.
				deadline := time.Now().Add(15 * time.Second)
				for {
					resp, err := http.Get(base + path)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 && strings.Contains(string(body), want) {
						break
					}
					if time.Now().After(deadline) {
						t.Errorf("GET %s: %d %.120q", path, resp.StatusCode, body)
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}

			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
			if err != nil {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Fatalf("WebSocket under %s: %v (status %d)", name, err, status)
			}
			defer c.CloseNow()
			c.SetReadLimit(16 << 20)
			var types []string
			for frames := 0; frames < 2; {
				_, data, err := c.Read(ctx)
				if err != nil {
					t.Fatalf("read after %v: %v", types, err)
				}
				var m struct {
					Type string `json:"type"`
				}
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
				types = append(types, m.Type)
				if m.Type == "frame" {
					frames++
				}
			}
			if len(types) < 5 || types[0] != "schema" || types[1] != "status" || types[2] != "history" {
				t.Errorf("messages %v, want schema, status, history, then frames", types)
			}
			c.Close(websocket.StatusNormalClosure, "")
		})
	}
}
