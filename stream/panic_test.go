package stream

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livedash/dashboard/internal/schedule"
)

// recordLog keeps the log records' messages and attributes.
type recordLog struct {
	mu   sync.Mutex
	msgs []string
}

func (h *recordLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordLog) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool { line += " " + a.Key + "=" + a.Value.String(); return true })
	h.mu.Lock()
	h.msgs = append(h.msgs, line)
	h.mu.Unlock()
	return nil
}
func (h *recordLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordLog) WithGroup(string) slog.Handler      { return h }

func (h *recordLog) matching(sub string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.msgs {
		if strings.Contains(m, sub) {
			out = append(out, m)
		}
	}
	return out
}

// TestPanicServingOneConnection: a panic while handling one browser's
// message is logged once with its stack and closes that connection only
// (1011); the process and the other browsers go on.
func TestPanicServingOneConnection(t *testing.T) {
	t.Parallel()
	rec := &recordLog{}
	b, srv := servedBroker(t, Options{Logger: slog.New(rec)})
	b.testHookMessage = func(p []byte) {
		if string(p) == `{"type":"boom"}` {
			panic("handler bug")
		}
	}
	good := openBrowser(t, srv.URL)
	c := dialRaw(t, srv.URL, "/")
	c.message(t, "history", 10*time.Second)
	c.send(t, text(`{"type":"boom"}`))
	if code, reason := c.closeCode(t, 10*time.Second); code != 1011 {
		t.Fatalf("closed with %d %q, want 1011", code, reason)
	}
	good.served(t)
	logged := rec.matching("panic serving a browser")
	if len(logged) != 1 || !strings.Contains(logged[0], "handler bug") || !strings.Contains(logged[0], "stream.(*Broker).handle") {
		t.Fatalf("logged %q, want the panic once with its stack", logged)
	}
}

// TestPanicBuildingATick: a sample the broker cannot take (here one
// without a descriptor, from a custom collector) is reported, not
// fatal, and a panic in a tick is contained: later ticks go on.
func TestBadSampleAndPanicInATick(t *testing.T) {
	t.Parallel()
	rec := &recordLog{}
	b := NewBroker(Options{Interval: time.Hour, Logger: slog.New(rec)})
	defer b.Close()
	now := time.Now()
	b.Publish(schedule.Batch{Collector: "custom", Time: now, Samples: []schedule.Sample{{Desc: nil, Value: 1}, {Desc: gaugeA, Value: 2}}})
	if errs := b.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Error, "without a descriptor") {
		t.Fatalf("errors %+v", errs)
	}
	// A series whose state makes the frame's encoding panic: the tick
	// is skipped and logged, the next one goes on.
	b.mu.Lock()
	b.all = append(b.all, nil)
	b.mu.Unlock()
	b.tick(now)
	b.mu.Lock()
	b.all = b.all[:len(b.all)-1]
	b.mu.Unlock()
	b.tick(now.Add(time.Second))
	if got := rec.matching("panic building a frame"); len(got) != 1 {
		t.Fatalf("logged %q", got)
	}
	if b.lastTickMs.Load() != now.Add(time.Second).UnixMilli() {
		t.Fatal("the tick after the panic did not run")
	}
}
