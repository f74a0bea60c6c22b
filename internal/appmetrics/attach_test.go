package appmetrics

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/schedule"
)

// batchSink hands every batch to a channel.
type batchSink chan schedule.Batch

func (c batchSink) Publish(b schedule.Batch) {
	b.Samples = append([]schedule.Sample(nil), b.Samples...)
	select {
	case c <- b:
	default: // the test has what it wanted
	}
}

// TestAppNamesRegisteredBeforeAdd: the names an App registered before it
// was added to a scheduler are its own there from Add on, as are those it
// registers after; a collector that emits them is refused.
func TestAppNamesRegisteredBeforeAdd(t *testing.T) {
	t.Parallel()
	one := func() float64 { return 1 }
	a := NewApp()
	if err := a.Gauge("app_early", "", one); err != nil {
		t.Fatal(err)
	}
	sink := make(batchSink, 64)
	s := schedule.NewScheduler(sink, schedule.SchedulerOptions{Interval: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
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
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case b := <-sink:
			if b.Collector != "other" {
				continue
			}
			if len(b.Samples) != 0 {
				t.Errorf("kept %d samples of names the app registered", len(b.Samples))
			}
			for _, want := range []string{`metric app_early: metric name is taken: collector "app"`,
				`metric app_late_total: metric name is taken: collector "app"`} {
				if b.Err == nil || !strings.Contains(b.Err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, b.Err)
				}
			}
			return
		case <-timeout.C:
			t.Fatal("no batch from other")
		}
	}
}
