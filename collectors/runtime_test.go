package collectors

import (
	"context"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
)

func TestRuntimeMetricsExist(t *testing.T) {
	t.Parallel()
	have := make(map[string]bool)
	for _, d := range metrics.All() {
		have[d.Name] = true
	}
	c := Runtime().(*runtimeCollector)
	for _, p := range runtimePlain {
		for _, m := range []string{p.metric, p.plus} {
			if m != "" && !have[m] {
				t.Errorf("%s (for %s) is not in this Go version", m, p.desc.Name)
			}
		}
	}
	if len(c.plain) != len(runtimePlain) {
		t.Errorf("%d plain series, want %d", len(c.plain), len(runtimePlain))
	}
	for name, i := range map[string]int{
		"gc cpu": c.gcCPU, "total cpu": c.allCPU,
		"gc pauses": c.pauses.sample, "scheduler latencies": c.latencies.sample,
	} {
		if i < 0 {
			t.Errorf("the metric for %s is missing", name)
		}
	}
}

// TestRuntimeGoroutines is not parallel: it counts goroutines.
func TestRuntimeGoroutines(t *testing.T) {
	c := Runtime()
	before := gather(t, c).value(t, "go_goroutines")

	const n = 100
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { <-stop })
	}
	during := gather(t, c).value(t, "go_goroutines")
	close(stop)
	wg.Wait()
	after := gather(t, c).value(t, "go_goroutines")

	// Leave room for the runtime's and the testing package's own goroutines.
	if !within(during-before, n, 5) {
		t.Errorf("goroutines went from %v to %v after starting %d", before, during, n)
	}
	if !within(during-after, n, 5) {
		t.Errorf("goroutines went from %v to %v after stopping %d", during, after, n)
	}
}

func TestRuntimeMemory(t *testing.T) {
	t.Parallel()
	g := gather(t, Runtime())
	sys := g.value(t, "go_memstats_sys_bytes")
	inuse := g.value(t, "go_memstats_heap_inuse_bytes")
	objects := g.value(t, "go_memory_classes_heap_objects_bytes")
	if !(0 < objects && objects <= inuse && inuse <= sys) {
		t.Errorf("want 0 < heap objects %v <= heap in use %v <= from OS %v", objects, inuse, sys)
	}
	if live, goal := g.value(t, "go_gc_heap_live_bytes"), g.value(t, "go_gc_heap_goal_bytes"); live <= 0 || goal <= 0 {
		t.Errorf("live heap %v, goal %v", live, goal)
	}
	if n := g.value(t, "go_gc_heap_objects_objects"); n <= 0 {
		t.Errorf("%v heap objects", n)
	}
	if _, ok := g.values["go_gc_gomemlimit_bytes"]; ok && os.Getenv("GOMEMLIMIT") == "" {
		t.Error("GOMEMLIMIT reported while not set")
	}
	if n, procs := g.value(t, "go_sched_gomaxprocs_threads"), runtime.GOMAXPROCS(0); n != float64(procs) {
		t.Errorf("GOMAXPROCS %v, want %d", n, procs)
	}
	if n := g.value(t, "go_threads"); n < 1 {
		t.Errorf("%v threads", n)
	}
}

// TestRuntimeGC is not parallel: it forces collections.
func TestRuntimeGC(t *testing.T) {
	c := Runtime()
	first := gather(t, c)
	for _, name := range []string{"go_gc_pause_seconds", "go_sched_latency_seconds", "go_gc_cpu_ratio"} {
		if ids := first.named(name); len(ids) != 0 {
			t.Errorf("first call emitted %v; it has nothing to compare with", ids)
		}
	}

	runtime.GC()
	runtime.GC()
	g1 := gather(t, c)
	if c1, c0 := g1.value(t, "go_gc_cycles_total"), first.value(t, "go_gc_cycles_total"); c1 < c0+2 {
		t.Errorf("go_gc_cycles_total went from %v to %v after two collections", c0, c1)
	}
	checkQuantiles(t, g1, "go_gc_pause_seconds")
	if r := g1.value(t, "go_gc_cpu_ratio"); r < 0 || r > 1 {
		t.Errorf("go_gc_cpu_ratio = %v", r)
	}

	// Without a collection in between, there are no recent pauses.
	g2 := gather(t, c)
	g3 := gather(t, c)
	if g3.value(t, "go_gc_cycles_total") == g2.value(t, "go_gc_cycles_total") {
		if ids := g3.named("go_gc_pause_seconds"); len(ids) != 0 {
			t.Errorf("pauses %v reported with no collection since the previous call", ids)
		}
	}

	// Goroutines waking up make the scheduler record latencies.
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(runtime.Gosched)
	}
	wg.Wait()
	checkQuantiles(t, gather(t, c), "go_sched_latency_seconds")
}

// checkQuantiles checks that g has the quantiles of name, in order.
func checkQuantiles(t *testing.T, g gathered, name string) {
	t.Helper()
	prev := -1.0
	for _, q := range runtimeQuantileSet {
		v := g.value(t, name+`{quantile="`+q.label+`"}`)
		if v < prev {
			t.Errorf("%s: %s = %v, below the quantile before", name, q.title, v)
		}
		prev = v
	}
	if prev <= 0 {
		t.Errorf("%s: max %v", name, prev)
	}
}

// TestRuntimeMemoryLimit is not parallel: it sets the process's limit.
func TestRuntimeMemoryLimit(t *testing.T) {
	const limit = 1 << 40
	prev := debug.SetMemoryLimit(limit)
	defer debug.SetMemoryLimit(prev)
	if got := gather(t, Runtime()).value(t, "go_gc_gomemlimit_bytes"); got != limit {
		t.Errorf("go_gc_gomemlimit_bytes = %v, want %v", got, limit)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	t.Parallel()
	h := &metrics.Float64Histogram{
		Buckets: []float64{math.Inf(-1), 0, 1, 2, 4, math.Inf(1)},
		Counts:  []uint64{0, 7, 10, 5, 3},
	}
	prev := []uint64{0, 2, 10, 0, 3}
	// Since prev: 5 values in [0, 1), 5 in [2, 4).
	var vals [len(runtimeQuantileSet)]float64
	if !histogramQuantiles(h, prev, &vals) {
		t.Fatal("no values found")
	}
	want := [len(runtimeQuantileSet)]float64{
		1,         // p50: rank 5, the top of [0, 1)
		2 + 2*0.8, // p90: rank 9, the 4th of 5 in [2, 4)
		2 + 2*0.98,
		4, // max
	}
	for i := range want {
		if !within(vals[i], want[i], 1e-9) {
			t.Errorf("%s = %v, want %v", runtimeQuantileSet[i].title, vals[i], want[i])
		}
	}

	if histogramQuantiles(h, h.Counts, &vals) {
		t.Error("values found in an unchanged histogram")
	}

	h.Counts = []uint64{0, 0, 0, 0, 1}
	histogramQuantiles(h, []uint64{0, 0, 0, 0, 0}, &vals)
	if vals[3] != 4 {
		t.Errorf("max in the open last bucket = %v, want its lower bound 4", vals[3])
	}
}

func TestRuntimeAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("counts allocations")
	}
	c := Runtime()
	ctx := context.Background()
	emit := func(Desc, float64) {}
	c.Collect(ctx, emit) // sizes the histograms
	c.Collect(ctx, emit)
	if n := testing.AllocsPerRun(100, func() { c.Collect(ctx, emit) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}
