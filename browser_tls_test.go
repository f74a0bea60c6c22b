package dashboard

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livedash/dashboard/internal/headless"
)

// TestBrowserOverTLS opens the page over https: in real Chromium: the page
// builds its socket URL from its own location, so it talks wss:, and the
// charts go live.
func TestBrowserOverTLS(t *testing.T) {
	browser := findBrowser(t)
	d := newDash(t, Options{Interval: 250 * time.Millisecond, DisableHost: true})
	srv := httptest.NewTLSServer(d)
	t.Cleanup(srv.Close)

	// The test server's certificate is its own: tell this browser to
	// accept it.
	opts := append(headless.Options(browser, t.TempDir()), chromedp.Flag("ignore-certificate-errors", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	con := &consoleLog{}
	if err := chromedp.Listen(ctx, con.listen); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("server at %s", srv.URL)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	st := waitState(t, ctx, 45*time.Second, "live over TLS", liveJS+` && s.drawn >= 1`)
	checkLive(t, st)
	if want := "wss://" + strings.TrimPrefix(srv.URL, "https://") + "/ws"; st.URL != want {
		t.Fatalf("socket URL %q, want %q", st.URL, want)
	}
	waitState(t, ctx, 30*time.Second, "frames arriving over wss:", liveJS+` && s.frames > 2`)
	con.check(t, nil)
}
