package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestShutsDownCleanlyOnSignal builds the example, serves a page and a
// socket, then sends SIGINT or SIGTERM: the binary must exit 0 after
// closing the socket with 1001.
func TestShutsDownCleanlyOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example binary")
	}
	bin := buildExample(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-prefix", "/debug/dashboard")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stderr)
			var url string
			for lines.Scan() {
				if m := regexp.MustCompile(`url=(\S+)`).FindStringSubmatch(lines.Text()); m != nil {
					url = m[1]
					break
				}
			}
			if url == "" {
				t.Fatal("the example never said where it listens")
			}
			rest := make(chan string)
			go func() { b, _ := io.ReadAll(stderr); rest <- string(b) }()

			if !strings.HasSuffix(url, "/debug/dashboard/") {
				t.Errorf("url %q does not end in the prefix", url)
			}
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("page: %d", resp.StatusCode)
			}

			ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"ws", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.CloseNow()
			ws.SetReadLimit(16 << 20) // the schema is above the default 32 KiB
			// Subscribed once the schema arrives: only then is the socket
			// the dashboard's to close.
			if _, _, err := ws.Read(ctx); err != nil {
				t.Fatal(err)
			}
			closed := make(chan websocket.StatusCode, 1)
			go func() {
				var err error
				for err == nil {
					_, _, err = ws.Read(ctx)
				}
				closed <- websocket.CloseStatus(err)
			}()

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := <-closed; code != websocket.StatusGoingAway {
				t.Errorf("socket closed with %d, want 1001", code)
			}
			// All of stderr first (it ends when the process exits), then
			// Wait, which closes the pipe.
			out := <-rest
			err = cmd.Wait()
			if err != nil {
				t.Fatalf("exit after %v: %v\n%s", sig, err, out)
			}
			if !strings.Contains(out, "shutting down") {
				t.Errorf("no shutdown message:\n%s", out)
			}
		})
	}
}

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// buildExample builds the example binary once for all the tests that run
// it.
func buildExample(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "livedash-example"); buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "example")
		if out, err := exec.Command("go", "build", "-o", buildBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func TestRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-prefix", "nope"}, {"-interval", "1ms"}, {"-bogus"}} {
		if err := run(args); err == nil {
			t.Errorf("run(%q) accepted", args)
		}
	}
}
