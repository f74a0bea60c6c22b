package appmetrics

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livedash/dashboard/collectors"
)

func TestAppRegistrationErrors(t *testing.T) {
	t.Parallel()
	a := NewApp()
	one := func() float64 { return 1 }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"odd labels", a.Gauge("app_x", "", one, "queue"), "name/value pairs"},
		{"bad label", a.Gauge("app_x", "", one, "bad-label", "v"), `invalid label name "bad-label"`},
		{"reserved label", a.Gauge("app_x", "", one, "le", "1"), `"le" is reserved`},
		{"bad name", a.Counter("app x_total", "", one), `invalid metric name "app x_total"`},
		{"nil func", a.Counter("app_y_total", "", nil), "nil function"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
	if err := a.Gauge("app_queue_depth", "", one, "queue", "orders"); err != nil {
		t.Fatal(err)
	}
	if err := a.Gauge("app_queue_depth", "", one, "queue", "mail"); err != nil {
		t.Fatalf("second label set: %v", err)
	}
	for name, err := range map[string]error{
		"same series":      a.Gauge("app_queue_depth", "", one, "queue", "mail"),
		"other labels":     a.Gauge("app_queue_depth", "", one, "shard", "1"),
		"other kind":       a.Counter("app_queue_depth", "", one, "queue", "x"),
		"histogram clash":  func() error { _, err := a.Histogram("app_queue_depth", "", nil, "queue", "y"); return err }(),
		"bad buckets":      func() error { _, err := a.Histogram("app_h", "", []float64{1, 1}); return err }(),
		"no finite bucket": func() error { _, err := a.Histogram("app_h", "", []float64{math.Inf(1)}); return err }(),
	} {
		if err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if err := a.Close(time.Second); err != nil {
		t.Fatal(err)
	}
	if err := a.Gauge("app_late", "", one); !errors.Is(err, collectors.ErrClosed) || !strings.Contains(err.Error(), "app_late") {
		t.Errorf("gauge after Close: %v", err)
	}
	if h, err := a.Histogram("app_late_seconds", "", nil); !errors.Is(err, collectors.ErrClosed) || h != nil {
		t.Errorf("histogram after Close: %v", err)
	}
	var h *collectors.Histogram
	h.Observe(1) // a failed registration's nil histogram ignores observations
}

// TestAppStuckFunctionIsIsolated: a gauge whose function never returns
// costs only its own series; the error names it, run after run, and the
// function is not called again while the call hangs.
func TestAppStuckFunctionIsIsolated(t *testing.T) {
	t.Parallel()
	a := NewApp()
	release := make(chan struct{})
	var calls sync.WaitGroup
	calls.Add(1)
	var once sync.Once
	if err := a.Gauge("app_stuck", "", func() float64 {
		once.Do(calls.Done)
		<-release
		return 0
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Counter("app_fine_total", "", func() float64 { return 5 }, "shard", "a"); err != nil {
		t.Fatal(err)
	}
	for run := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		got := map[string]float64{}
		err := a.Collect(ctx, func(d collectors.Desc, v float64) { got[d.ID()] = v })
		cancel()
		if got[`app_fine_total{shard="a"}`] != 5 || len(got) != 1 {
			t.Fatalf("run %d: values %v", run, got)
		}
		if err == nil || !strings.Contains(err.Error(), "metric app_stuck: its function") {
			t.Fatalf("run %d: error %v, want app_stuck named", run, err)
		}
	}
	calls.Wait()
	if err := a.Close(10 * time.Millisecond); err == nil || !strings.Contains(err.Error(), "app_stuck") {
		t.Errorf("Close with a stuck function: %v", err)
	}
	close(release)
	if err := a.Close(10 * time.Second); err != nil {
		t.Errorf("Close once released: %v", err)
	}
}

func TestAppHistogram(t *testing.T) {
	t.Parallel()
	a := NewApp()
	h, err := a.Histogram("app_request_duration_seconds", collectors.UnitSeconds, []float64{0.1, 0.2, 0.5, 1, math.Inf(1)}, "route", "/x")
	if err != nil {
		t.Fatal(err)
	}
	collect := func() map[string]float64 {
		got := map[string]float64{}
		if err := a.Collect(context.Background(), func(d collectors.Desc, v float64) { got[d.ID()] = v }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := collect(); len(got) != 0 {
		t.Errorf("percentiles with no observation: %v", got)
	}
	// 90 fast, 9 slower, 1 very slow: p50 in the first bucket, p99 in
	// (0.5, 1], the maximum beyond the last bound.
	for range 90 {
		h.Observe(0.05)
	}
	for range 9 {
		h.Observe(0.3)
	}
	h.Observe(7)
	h.Observe(math.NaN())
	got := collect()
	p := func(q string) float64 { return got[`app_request_duration_seconds{route="/x",quantile="`+q+`"}`] }
	if v := p("0.5"); v <= 0 || v > 0.1 {
		t.Errorf("p50 = %v, want in (0, 0.1]", v)
	}
	if v := p("0.99"); v <= 0.2 || v > 0.5 {
		t.Errorf("p99 = %v, want in (0.2, 0.5]", v)
	}
	if v := p("1"); v != 1 {
		t.Errorf("max = %v, want the last finite bound 1", v)
	}
	// Each interval stands alone.
	h.Observe(0.15)
	if got := collect(); got[`app_request_duration_seconds{route="/x",quantile="0.5"}`] <= 0.1 {
		t.Errorf("second interval: %v", got)
	}
	hv := a.AppendHistograms(nil)
	if len(hv) != 1 {
		t.Fatalf("%d histograms", len(hv))
	}
	v := hv[0]
	want := []uint64{90, 91, 100, 100}
	if v.Count != 101 || !equalUints(v.Cumulative, want) || !within(v.Sum, 90*0.05+9*0.3+7+0.15, 1e-9) {
		t.Errorf("export: count %d, cumulative %v (want %v), sum %v", v.Count, v.Cumulative, want, v.Sum)
	}
	if len(v.Labels) != 1 || v.Labels[0] != (collectors.Label{Name: "route", Value: "/x"}) {
		t.Errorf("export labels %v", v.Labels)
	}
}

func equalUints(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHistogramConcurrent observes from many goroutines while the
// collector reads; run with -race. No observation is lost.
func TestHistogramConcurrent(t *testing.T) {
	t.Parallel()
	a := NewApp()
	h, err := a.Histogram("app_sizes_bytes", collectors.UnitBytes, []float64{10, 100, 1000})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				h.Observe(float64((w*each + i) % 2000))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
			a.Collect(context.Background(), func(collectors.Desc, float64) {})
			a.AppendHistograms(nil)
		}
	}
	v := a.AppendHistograms(nil)[0]
	if v.Count != workers*each {
		t.Errorf("count %d, want %d", v.Count, workers*each)
	}
	wantSum := float64(workers) * float64(each) * float64(each-1) / 2
	if v.Sum != wantSum {
		t.Errorf("sum %v, want %v", v.Sum, wantSum)
	}
}

func BenchmarkHistogramObserve(b *testing.B) {
	a := NewApp()
	h, err := a.Histogram("app_request_duration_seconds", collectors.UnitSeconds, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	v := 0.0
	for b.Loop() {
		h.Observe(v)
		v += 0.001
		if v > 12 {
			v = 0
		}
	}
}

func BenchmarkHistogramObserveParallel(b *testing.B) {
	a := NewApp()
	h, err := a.Histogram("app_request_duration_seconds", collectors.UnitSeconds, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		v := 0.0
		for pb.Next() {
			h.Observe(v)
			v += 0.001
			if v > 12 {
				v = 0
			}
		}
	})
}

func TestAppCollector(t *testing.T) {
	t.Parallel()
	a := NewApp()
	if err := a.Gauge("app queue", "", func() float64 { return 1 }); err == nil {
		t.Error("invalid name accepted")
	}
	if err := a.Gauge("app_queue_depth", "", nil); err == nil {
		t.Error("nil func accepted")
	}
	if err := a.Gauge("app_queue_depth", "", func() float64 { return 7 }); err != nil {
		t.Fatal(err)
	}
	if err := a.Gauge("app_queue_depth", "", func() float64 { return 7 }); err == nil {
		t.Error("duplicate accepted")
	}
	if err := a.Counter("app_requests_total", "requests", func() float64 { return 42 }); err != nil {
		t.Fatal(err)
	}
	if err := a.Gauge("app_broken", "", func() float64 { panic("oops") }); err != nil {
		t.Fatal(err)
	}
	got := map[string]collectors.Desc{}
	vals := map[string]float64{}
	err := a.Collect(context.Background(), func(d collectors.Desc, v float64) { got[d.Name] = d; vals[d.Name] = v })
	if err == nil || !strings.Contains(err.Error(), "app_broken") || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("error = %v, want the panicking metric named", err)
	}
	if vals["app_queue_depth"] != 7 || vals["app_requests_total"] != 42 || len(vals) != 2 {
		t.Fatalf("values = %v", vals)
	}
	if d := got["app_requests_total"]; d.Kind != collectors.Counter || d.Group != "app" || d.Title != "app requests" || d.Unit != "requests" {
		t.Fatalf("counter desc = %+v", d)
	}
}

// within reports whether got is within tol of want.
func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol }
