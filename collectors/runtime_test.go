package collectors

import (
	"context"
	"go/version"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRuntimeMetricsExist(t *testing.T) {
	t.Parallel()
	have := make(map[string]bool)
	for _, d := range metrics.All() {
		have[d.Name] = true
	}
	c := Runtime().(*runtimeCollector)
	want := 0
	for _, p := range runtimePlain {
		if p.since != "" && version.Compare(runtime.Version(), p.since) < 0 {
			continue
		}
		want++
		for _, m := range []string{p.metric, p.plus} {
			if m != "" && !have[m] {
				t.Errorf("%s (for %s) is not in this Go version", m, p.desc.Name)
			}
		}
	}
	if len(c.plain) != want {
		t.Errorf("%d plain series, want %d", len(c.plain), want)
	}
	for _, cl := range runtimeCPUClasses {
		if !have[cl.metric] {
			t.Errorf("%s is not in this Go version", cl.metric)
		}
	}
	if len(c.classes) != len(runtimeCPUClasses) {
		t.Errorf("%d CPU classes, want %d", len(c.classes), len(runtimeCPUClasses))
	}
	if c.gcCPU < 0 || c.allCPU < 0 {
		t.Error("the CPU totals are missing")
	}
	if len(c.quantiles) != 5 {
		t.Errorf("%d histograms, want 5", len(c.quantiles))
	}
}

// TestRuntimeNothingLeftOut checks that every runtime metric worth a
// series is read: those left out are listed with the reason.
func TestRuntimeNothingLeftOut(t *testing.T) {
	t.Parallel()
	c := Runtime().(*runtimeCollector)
	read := make(map[string]bool)
	for _, s := range c.samples {
		read[s.Name] = true
	}
	for _, d := range metrics.All() {
		switch {
		case read[d.Name],
			strings.HasPrefix(d.Name, "/godebug/"),           // events of individual GODEBUG settings
			d.Name == "/gc/heap/frees-by-size:bytes",         // mirrors allocs-by-size, shifted by the GC
			d.Name == "/gc/pauses:seconds",                   // the older name of /sched/pauses/total/gc
			d.Name == "/gc/scan/total:bytes",                 // the sum of heap, stack and globals
			d.Name == "/memory/classes/heap/objects:bytes",   // read, see above
			d.Name == "/sched/pauses/stopping/other:seconds", // within /sched/pauses/total/other
			d.Name == "/cpu/classes/scavenge/total:cpu-seconds":
			continue
		}
		t.Errorf("%s (%s) is not read", d.Name, d.Description)
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

	// Every class of memory is reported: with heap objects they add up to
	// what the runtime has from the OS.
	var sum float64
	for _, id := range g.ids {
		if strings.HasPrefix(id, "go_memory_classes_") {
			sum += g.values[id]
		}
	}
	if sum != sys {
		t.Errorf("memory classes add up to %v, want %v (from OS)", sum, sys)
	}
	if got, want := g.value(t, "go_memstats_heap_inuse_bytes"), objects+g.value(t, "go_memory_classes_heap_unused_bytes"); got != want {
		t.Errorf("heap in use %v, want objects + unused = %v", got, want)
	}
	if scan := g.value(t, "go_gc_scan_globals_bytes"); scan <= 0 {
		t.Errorf("%v bytes of globals to scan", scan)
	}
	if got := g.value(t, "go_gc_stack_starting_size_bytes"); got < 2048 || got > 1<<20 {
		t.Errorf("goroutine stacks start at %v bytes", got)
	}
	if !g.descs["go_gc_stack_starting_size_bytes"].Stat {
		t.Error("go_gc_stack_starting_size_bytes is not a figure")
	}
}

// TestRuntimeGOGC is not parallel: it sets the GC percent.
func TestRuntimeGOGC(t *testing.T) {
	prev := debug.SetGCPercent(250)
	defer debug.SetGCPercent(prev)
	c := Runtime()
	if got := gather(t, c).value(t, "go_gc_gogc_percent"); got != 250 {
		t.Errorf("go_gc_gogc_percent = %v, want 250", got)
	}
	debug.SetGCPercent(-1)
	if ids := gather(t, c).named("go_gc_gogc_percent"); len(ids) != 0 {
		t.Errorf("GOGC reported while off: %v", ids)
	}
}

// TestRuntimeGoroutineStates is not parallel: it counts goroutines.
func TestRuntimeGoroutineStates(t *testing.T) {
	if version.Compare(runtime.Version(), "go1.26") < 0 {
		t.Skip("goroutine states are in Go 1.26 and later")
	}
	c := Runtime()
	const n = 100
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { <-stop })
	}
	defer func() { close(stop); wg.Wait() }()
	// The goroutines are runnable until each has run up to the channel.
	var g gathered
	for range 100 {
		if g = gather(t, c); g.value(t, "go_sched_goroutines_waiting_goroutines") >= n {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if w := g.value(t, "go_sched_goroutines_waiting_goroutines"); w < n {
		t.Errorf("%v goroutines waiting, want at least the %d blocked on a channel", w, n)
	}
	if r := g.value(t, "go_sched_goroutines_running_goroutines"); r < 1 || r > float64(runtime.GOMAXPROCS(0)) {
		t.Errorf("%v goroutines running, want 1 to GOMAXPROCS", r)
	}
	g.value(t, "go_sched_goroutines_runnable_goroutines")
	g.value(t, "go_sched_goroutines_not_in_go_goroutines")
}

// TestRuntimeGC is not parallel: it forces collections.
func TestRuntimeGC(t *testing.T) {
	c := Runtime()
	first := gather(t, c)
	for _, name := range []string{"go_sched_pauses_total_gc_seconds", "go_sched_latencies_seconds", "go_gc_cpu_ratio"} {
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
	checkQuantiles(t, g1, "go_sched_pauses_total_gc_seconds")
	checkQuantiles(t, g1, "go_sched_pauses_stopping_gc_seconds")
	if r := g1.value(t, "go_gc_cpu_ratio"); r < 0 || r > 1 {
		t.Errorf("go_gc_cpu_ratio = %v", r)
	}
	if f1, f0 := g1.value(t, "go_gc_cycles_forced_total"), first.value(t, "go_gc_cycles_forced_total"); f1 < f0+2 {
		t.Errorf("go_gc_cycles_forced_total went from %v to %v after two runtime.GC", f0, f1)
	}
	if c1 := g1.value(t, "go_gc_cycles_total"); c1 != g1.value(t, "go_gc_cycles_forced_total")+g1.value(t, "go_gc_cycles_automatic_total") {
		t.Errorf("forced and automatic cycles do not add up to %v", c1)
	}
	// The classes share out all the CPU time, and GC's share is theirs.
	var sum, gc float64
	for _, id := range g1.named("go_cpu_classes_ratio") {
		sum += g1.values[id]
		if strings.HasPrefix(g1.label(id, "class"), "gc_") {
			gc += g1.values[id]
		}
	}
	if n := len(g1.named("go_cpu_classes_ratio")); n != len(runtimeCPUClasses) {
		t.Errorf("%d CPU classes, want %d", n, len(runtimeCPUClasses))
	}
	if !within(sum, 1, 1e-6) {
		t.Errorf("CPU classes add up to %v, want 1", sum)
	}
	if r := g1.value(t, "go_gc_cpu_ratio"); !within(gc, r, 1e-6) {
		t.Errorf("GC classes add up to %v, go_gc_cpu_ratio is %v", gc, r)
	}

	// Without a collection in between, there are no recent pauses.
	g2 := gather(t, c)
	g3 := gather(t, c)
	if g3.value(t, "go_gc_cycles_total") == g2.value(t, "go_gc_cycles_total") {
		if ids := g3.named("go_sched_pauses_total_gc_seconds"); len(ids) != 0 {
			t.Errorf("pauses %v reported with no collection since the previous call", ids)
		}
	}

	// Goroutines waking up make the scheduler record latencies.
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(runtime.Gosched)
	}
	wg.Wait()
	checkQuantiles(t, gather(t, c), "go_sched_latencies_seconds")

	// ReadMemStats stops the world for something other than GC.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	checkQuantiles(t, gather(t, c), "go_sched_pauses_total_other_seconds")
}

// allocSink keeps the allocations of TestRuntimeAllocationSizes on the
// heap.
var allocSink []byte

// TestRuntimeAllocationSizes is not parallel: it allocates. Goroutines
// left by other tests may allocate meanwhile, some in larger size classes
// (a 4 KiB read buffer): 20,000 buffers, one live at a time, keep those
// far under the 1 % that would move the 99th percentile.
func TestRuntimeAllocationSizes(t *testing.T) {
	c := Runtime()
	gather(t, c)
	const size = 3000 // in the size class 3072
	for range 20000 {
		allocSink = make([]byte, size)
	}
	g := gather(t, c)
	allocSink = nil
	checkQuantiles(t, g, "go_gc_heap_allocs_by_size_bytes")
	if max := g.value(t, `go_gc_heap_allocs_by_size_bytes{quantile="1"}`); max < size {
		t.Errorf("largest allocation %v bytes, want at least %d", max, size)
	}
	if p99 := g.value(t, `go_gc_heap_allocs_by_size_bytes{quantile="0.99"}`); p99 != 3072 {
		t.Errorf("p99 allocation size %v, want the size class 3072 of the %d-byte buffers", p99, size)
	}
	if freed := g.value(t, "go_gc_heap_frees_bytes_total"); freed > g.value(t, "go_gc_heap_allocs_bytes_total") {
		t.Errorf("freed %v, more than allocated", freed)
	}
}

// TestRuntimeHistogramBuckets checks the buckets the page draws as
// heatmaps: at most 32 per histogram, cumulative (never fewer at a larger
// le), +Inf last and holding them all, on one chart flagged for a heatmap,
// and the same bounds and counts as ./metrics exports, read just after.
func TestRuntimeHistogramBuckets(t *testing.T) {
	c := Runtime()
	gather(t, c)
	runtime.GC() // a pause to count
	bufs := make([][]byte, 100)
	for i := range bufs {
		bufs[i] = make([]byte, 3000)
	}
	g := gather(t, c)
	runtime.KeepAlive(bufs)
	exported := c.(HistogramSource).AppendHistograms(nil)
	for _, name := range []string{"go_sched_pauses_total_gc_seconds", "go_sched_latencies_seconds", "go_gc_heap_allocs_by_size_bytes"} {
		var les []string
		var vals []float64
		chart := ""
		for _, id := range g.ids {
			d := g.descs[id]
			if d.Name != name+"_bucket" {
				continue
			}
			if !d.Heatmap || d.Kind != Counter || len(d.Labels) != 1 || d.Labels[0].Name != "le" {
				t.Errorf("%s: heatmap %v, kind %v, labels %v", id, d.Heatmap, d.Kind, d.Labels)
			}
			if chart == "" {
				chart = d.Chart
			} else if d.Chart != chart {
				t.Errorf("%s on chart %q, the others on %q", id, d.Chart, chart)
			}
			les = append(les, d.Labels[0].Value)
			vals = append(vals, g.values[id])
		}
		if len(les) < 4 || len(les) > 32 || les[len(les)-1] != "+Inf" {
			t.Errorf("%s: buckets %q", name, les)
			continue
		}
		for i := 1; i < len(vals); i++ {
			if vals[i] < vals[i-1] {
				t.Errorf("%s: %v at le=%s, fewer than %v at le=%s", name, vals[i], les[i], vals[i-1], les[i-1])
			}
		}
		if vals[len(vals)-1] <= 0 {
			t.Errorf("%s: no values at all", name)
		}
		for _, h := range exported {
			if h.Name != name {
				continue
			}
			if len(h.Upper) != len(les)-1 {
				t.Errorf("%s: %d buckets on the page, %d in ./metrics", name, len(les)-1, len(h.Upper))
				break
			}
			for i, u := range h.Upper {
				if got, _ := strconv.ParseFloat(les[i], 64); got != u {
					t.Errorf("%s: le %s on the page, %v in ./metrics", name, les[i], u)
				}
				// Read a moment later: at least as many.
				if float64(h.Cumulative[i]) < vals[i] {
					t.Errorf("%s: %v at le=%s in ./metrics, %v on the page before", name, h.Cumulative[i], les[i], vals[i])
				}
			}
		}
	}
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
	if !histogramQuantiles(h.Buckets, h.Counts, prev, false, &vals) {
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

	if histogramQuantiles(h.Buckets, h.Counts, h.Counts, false, &vals) {
		t.Error("values found in an unchanged histogram")
	}

	h.Counts = []uint64{0, 0, 0, 0, 1}
	histogramQuantiles(h.Buckets, h.Counts, []uint64{0, 0, 0, 0, 0}, false, &vals)
	if vals[3] != 4 {
		t.Errorf("max in the open last bucket = %v, want its lower bound 4", vals[3])
	}

	// Size classes: the bucket [9, 17) holds sizes 9 to 16.
	h = &metrics.Float64Histogram{
		Buckets: []float64{1, 9, 17, 32769, math.Inf(1)},
		Counts:  []uint64{0, 10, 0, 1},
	}
	histogramQuantiles(h.Buckets, h.Counts, []uint64{0, 0, 0, 0}, true, &vals)
	if want := [...]float64{16, 16, 32769, 32769}; vals != want {
		t.Errorf("size classes %v, want %v", vals, want)
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
