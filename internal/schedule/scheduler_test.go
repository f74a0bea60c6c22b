package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/livedash/dashboard/collectors"
)

// recSink records every batch it is handed, copying the samples.
type recSink struct {
	mu      sync.Mutex
	batches map[string][]Batch
}

func (s *recSink) Publish(b Batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.batches == nil {
		s.batches = map[string][]Batch{}
	}
	b.Samples = append([]Sample(nil), b.Samples...)
	s.batches[b.Collector] = append(s.batches[b.Collector], b)
}

func (s *recSink) get(name string) []Batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Batch(nil), s.batches[name]...)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func fn(name string, f func(ctx context.Context, emit collectors.Emit) error) collectors.Collector {
	return collectors.CollectorFunc{CollectorName: name, Func: f}
}

// TestSchedulerIsolatesFaults runs a healthy collector beside one that
// panics, one that hangs until its deadline, one that ignores its context
// for several intervals and one whose error changes every run. The healthy
// one keeps its rhythm; each fault is reported; logs are rate-limited.
func TestSchedulerIsolatesFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := &recSink{}
		var logs lockedBuffer
		s := NewScheduler(sink, SchedulerOptions{
			Interval: time.Second,
			Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
		})
		n := 0
		good := collectors.Desc{Name: "good_value", Group: "app"}
		runs := 0
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.Add(fn("good", func(ctx context.Context, emit collectors.Emit) error {
			n++
			emit(good, float64(n))
			return nil
		})))
		must(s.Add(fn("panicky", func(ctx context.Context, emit collectors.Emit) error {
			emit(collectors.Desc{Name: "panicky_value"}, 1)
			panic("boom")
		})))
		must(s.Add(fn("hangs", func(ctx context.Context, emit collectors.Emit) error {
			<-ctx.Done()
			return ctx.Err()
		})))
		must(s.Add(fn("stubborn", func(ctx context.Context, emit collectors.Emit) error {
			time.Sleep(3500 * time.Millisecond) // ignores ctx
			return nil
		})))
		must(s.Add(fn("storm", func(ctx context.Context, emit collectors.Emit) error {
			runs++
			return fmt.Errorf("error number %d", runs)
		})))
		if err := s.Add(fn("good", nil)); err == nil {
			t.Error("duplicate name accepted")
		}

		time.Sleep(10*time.Second + 500*time.Millisecond)
		synctest.Wait()
		if err := s.Close(5 * time.Second); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(time.Second); err != nil {
			t.Fatal("second Close:", err)
		}

		gb := sink.get("good")
		if len(gb) != 11 {
			t.Errorf("good ran %d times in 10.5 intervals, want 11", len(gb))
		}
		for i, b := range gb {
			if b.Err != nil || len(b.Samples) != 1 || b.Samples[0].Value != float64(i+1) {
				t.Fatalf("good batch %d = %+v", i, b)
			}
			if i > 0 && b.Time.Sub(gb[i-1].Time) != time.Second {
				t.Errorf("good batch %d came %v after the previous one", i, b.Time.Sub(gb[i-1].Time))
			}
		}
		if d := gb[0].Samples[0].Desc; d.Title != "good_value" || d.Chart != "good_value" {
			t.Errorf("descriptor not normalized: %+v", d)
		}
		if gb[1].Samples[0].Desc != gb[0].Samples[0].Desc {
			t.Error("descriptor of the same series not shared between runs")
		}

		pb := sink.get("panicky")
		if len(pb) != 11 {
			t.Errorf("panicky ran %d times, want 11", len(pb))
		}
		for _, b := range pb {
			if b.Err == nil || !strings.Contains(b.Err.Error(), "panicked: boom") {
				t.Fatalf("panicky error = %v", b.Err)
			}
			if len(b.Samples) != 1 {
				t.Fatalf("samples emitted before the panic lost: %+v", b.Samples)
			}
		}

		for _, b := range sink.get("hangs") {
			if !errors.Is(b.Err, errTimeout) {
				t.Fatalf("hanging collector error = %v", b.Err)
			}
		}
		if len(sink.get("hangs")) < 9 {
			t.Errorf("hanging collector ran %d times", len(sink.get("hangs")))
		}

		// Runs at 0, 4, 8 (each 3.5 s, so late), the last cut short by
		// Close; the ticks in between (1–3, 5–7, 9–10) are reported as
		// still running.
		var done, stillRunning int
		for _, b := range sink.get("stubborn") {
			if !errors.Is(b.Err, errTimeout) {
				t.Errorf("stubborn batch error %v, want a timeout", b.Err)
			}
			if strings.Contains(b.Err.Error(), "still running") {
				stillRunning++
			} else {
				done++
			}
		}
		if done != 2 || stillRunning != 8 {
			t.Errorf("stubborn published %d late runs and %d still-running reports, want 2 and 8", done, stillRunning)
		}

		out := logs.String()
		if c := strings.Count(out, "collector=storm"); c != 1 {
			t.Errorf("changing error logged %d times in 10 s, want 1 (rate-limited):\n%s", c, out)
		}
		if c := strings.Count(out, "collector=panicky"); c != 1 {
			t.Errorf("repeated panic logged %d times, want 1", c)
		}
		if !strings.Contains(out, "collector=stubborn") || !strings.Contains(out, "still running") {
			t.Errorf("stubborn collector not reported:\n%s", out)
		}
	})
}

func TestSchedulerCloseReportsStuckCollector(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		s := NewScheduler(&recSink{}, SchedulerOptions{Logger: slog.New(slog.DiscardHandler)})
		if err := s.Add(fn("stuck", func(ctx context.Context, emit collectors.Emit) error {
			<-release // ignores ctx entirely
			return nil
		})); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		err := s.Close(2 * time.Second)
		if err == nil || !strings.Contains(err.Error(), "stuck") {
			t.Fatalf("Close = %v, want an error naming the stuck collector", err)
		}
		close(release)
		synctest.Wait()
		if err := s.Add(fn("late", func(ctx context.Context, emit collectors.Emit) error { return nil })); err == nil {
			t.Fatal("Add after Close accepted")
		}
	})
}
