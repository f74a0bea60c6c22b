package schedule_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/appmetrics"
	"github.com/livedash/dashboard/internal/schedule"
)

var quietLogger = slog.New(slog.DiscardHandler)

// chanSink hands every batch to a channel.
type chanSink chan schedule.Batch

func (c chanSink) Publish(b schedule.Batch) {
	b.Samples = append([]schedule.Sample(nil), b.Samples...)
	select {
	case c <- b:
	default: // the test has what it wanted
	}
}

// nextBatch returns the next batch of collector name.
func nextBatch(t *testing.T, c chanSink, name string) schedule.Batch {
	t.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case b := <-c:
			if b.Collector == name {
				return b
			}
		case <-timeout.C:
			t.Fatalf("no batch from %s", name)
		}
	}
}

func fn(name string, f func(ctx context.Context, emit collectors.Emit) error) collectors.Collector {
	return collectors.CollectorFunc{CollectorName: name, Func: f}
}

func TestSchedulerRefusesBadSeries(t *testing.T) {
	t.Parallel()
	sink := make(chanSink, 64)
	s := schedule.NewScheduler(sink, schedule.SchedulerOptions{Interval: 100 * time.Millisecond, Logger: quietLogger})
	defer s.Close(5 * time.Second)
	if err := s.Add(collectors.Runtime()); err != nil {
		t.Fatal(err)
	}
	app := appmetrics.NewApp()
	if err := s.Add(app); err != nil {
		t.Fatal(err)
	}
	if err := app.Gauge("app_owned", "", func() float64 { return 1 }); err != nil {
		t.Fatal(err)
	}
	if err := app.Gauge("go_goroutines", "", func() float64 { return 1 }); !errors.Is(err, collectors.ErrReserved) || !strings.Contains(err.Error(), "go_goroutines") {
		t.Errorf("gauge go_goroutines beside the runtime collector: %v", err)
	}
	if err := s.Add(nil); err == nil {
		t.Error("nil collector accepted")
	}
	var nilFunc *appmetrics.App
	if err := s.Add(nilFunc); err == nil {
		t.Error("nil *App accepted")
	}
	bad := fn("bad", func(ctx context.Context, emit collectors.Emit) error {
		emit(collectors.Desc{Name: "bad name"}, 1)
		emit(collectors.Desc{Name: "app_labelled", Labels: collectors.L("bad-label", "x")}, 1)
		emit(collectors.Desc{Name: "app_summary", Labels: collectors.L("quantile", "0.5")}, 1)
		emit(collectors.Desc{Name: "app_owned"}, 1)
		emit(collectors.Desc{Name: "go_goroutines"}, 1)
		emit(collectors.Desc{Name: "app_fine"}, 2)
		emit(collectors.Desc{Name: "app_fine", Labels: collectors.L("x", "1"), Kind: collectors.Counter}, 2)
		return nil
	})
	if err := s.Add(bad); err != nil {
		t.Fatal(err)
	}
	b := nextBatch(t, sink, "bad")
	if len(b.Samples) != 1 || b.Samples[0].Desc.ID() != "app_fine" {
		t.Errorf("kept %d samples, want app_fine alone", len(b.Samples))
	}
	if b.Err == nil {
		t.Fatal("no error for the refused series")
	}
	for _, want := range []string{`invalid metric name "bad name"`, `invalid label name "bad-label"`, `label "quantile" is reserved`,
		`metric app_owned: metric name is taken: collector "app"`, "metric go_goroutines: metric name is taken", "more series refused"} {
		if !strings.Contains(b.Err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, b.Err)
		}
	}
	// The refusals are reported on every run, not only the first.
	if b := nextBatch(t, sink, "bad"); b.Err == nil || !strings.Contains(b.Err.Error(), "bad name") {
		t.Errorf("second run: %v", b.Err)
	}
	// The app's own gauge is still its own.
	if b := nextBatch(t, sink, "app"); len(b.Samples) != 1 || b.Samples[0].Value != 1 || b.Err != nil {
		t.Errorf("app batch %+v", b)
	}

	if err := s.Close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(fn("late", func(context.Context, collectors.Emit) error { return nil })); !errors.Is(err, collectors.ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
}

// TestAppNamesRegisteredBeforeAdd: the names an App registered before it
// was added to a scheduler are its own there from Add on, as are those it
// registers after; a collector that emits them is refused.
func TestAppNamesRegisteredBeforeAdd(t *testing.T) {
	t.Parallel()
	one := func() float64 { return 1 }
	a := appmetrics.NewApp()
	if err := a.Gauge("app_early", "", one); err != nil {
		t.Fatal(err)
	}
	sink := make(chanSink, 64)
	s := schedule.NewScheduler(sink, schedule.SchedulerOptions{Interval: 100 * time.Millisecond, Logger: quietLogger})
	defer s.Close(5 * time.Second)
	added := make(chan error, 1)
	go func() { added <- s.Add(a) }()
	select {
	case err := <-added:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Add does not return for an App with names registered before")
	}
	if err := a.Counter("app_late_total", "", one); err != nil {
		t.Fatal(err)
	}
	other := collectors.CollectorFunc{CollectorName: "other", Func: func(ctx context.Context, emit collectors.Emit) error {
		emit(collectors.Desc{Name: "app_early"}, 1)
		emit(collectors.Desc{Name: "app_late_total", Kind: collectors.Counter}, 1)
		return nil
	}}
	if err := s.Add(other); err != nil {
		t.Fatal(err)
	}
	b := nextBatch(t, sink, "other")
	if len(b.Samples) != 0 {
		t.Errorf("kept %d samples of names the app registered", len(b.Samples))
	}
	for _, want := range []string{`metric app_early: metric name is taken: collector "app"`,
		`metric app_late_total: metric name is taken: collector "app"`} {
		if b.Err == nil || !strings.Contains(b.Err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, b.Err)
		}
	}
}
