package collectors

import (
	"context"
	"math"
	"runtime/metrics"
)

// runtimeCollector reports the Go runtime through runtime/metrics only:
// unlike runtime.ReadMemStats it never stops the world. It reads every
// metric with one metrics.Read into a slice of samples it keeps, so a call
// allocates nothing once the first has sized the histograms.
type runtimeCollector struct {
	samples []metrics.Sample
	plain   []runtimeSeries

	// go_gc_cpu_ratio, from the CPU estimates at the latest two calls
	// that saw them change.
	gcCPU, allCPU   int
	gcRatioDesc     Desc
	prevGC, prevAll float64
	cpuPrimed       bool
	gcRatio         float64
	hasGCRatio      bool

	pauses, latencies runtimeQuantiles
}

// runtimeSeries is a series read from one runtime metric, or the sum of
// two.
type runtimeSeries struct {
	sample, plus int // indexes into samples; plus is -1 for none
	unset        bool
	desc         Desc
}

// runtimeQuantiles reports quantiles of the values a runtime histogram
// recorded since the previous call: recent latencies, not since start.
type runtimeQuantiles struct {
	sample int // index into samples, or -1
	descs  [len(runtimeQuantileSet)]Desc
	prev   []uint64 // bucket counts at the previous call; nil before the first
}

// runtimeQuantileSet are the quantiles reported of runtime histograms.
var runtimeQuantileSet = [...]struct {
	q            float64
	label, title string
}{
	{0.5, "0.5", "p50"},
	{0.9, "0.9", "p90"},
	{0.99, "0.99", "p99"},
	{1, "1", "max"},
}

// runtimePlain lists the series read from runtime metrics as they are (or
// summed), in the order they are emitted, which is the order of a chart's
// legend.
var runtimePlain = []struct {
	metric string
	plus   string // a metric added to it
	unset  bool   // left out when at the maximum, the metric's "not set"
	desc   Desc
}{
	{metric: "/sched/goroutines:goroutines", desc: goDesc("go_goroutines", "goroutines", "Number of goroutines that currently exist.", UnitCount, Gauge, "go_goroutines", "Goroutines")},
	{metric: "/sched/goroutines-created:goroutines", desc: goDesc("go_goroutines_created_total", "created", "Goroutines created since the program started.", UnitCount, Counter, "go_goroutines_created", "Goroutines created")},
	{metric: "/sched/threads/total:threads", desc: goDesc("go_threads", "OS threads", "Number of OS threads the Go runtime owns.", UnitCount, Gauge, "go_threads", "Threads")},
	{metric: "/sched/gomaxprocs:threads", desc: goDesc("go_sched_gomaxprocs_threads", "GOMAXPROCS", "GOMAXPROCS: the most threads that run Go code at once.", UnitCount, Gauge, "go_threads", "Threads")},
	{metric: "/memory/classes/total:bytes", desc: goDesc("go_memstats_sys_bytes", "from OS", "Memory mapped by the Go runtime, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/memory/classes/heap/objects:bytes", plus: "/memory/classes/heap/unused:bytes", desc: goDesc("go_memstats_heap_inuse_bytes", "heap in use", "Heap memory in spans that hold objects, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/memory/classes/heap/objects:bytes", desc: goDesc("go_memory_classes_heap_objects_bytes", "heap objects", "Heap memory occupied by objects, live or not yet swept, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/gc/heap/live:bytes", desc: goDesc("go_gc_heap_live_bytes", "live heap", "Heap memory occupied by objects the last GC found live, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/gc/heap/goal:bytes", desc: goDesc("go_gc_heap_goal_bytes", "heap goal", "Heap size at which the next GC cycle ends, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/gc/gomemlimit:bytes", unset: true, desc: goDesc("go_gc_gomemlimit_bytes", "GOMEMLIMIT", "The Go runtime's soft memory limit, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/gc/heap/objects:objects", desc: goDesc("go_gc_heap_objects_objects", "objects", "Number of objects, live or not yet swept, on the heap.", UnitCount, Gauge, "go_heap_objects", "Heap objects")},
	{metric: "/gc/heap/allocs:bytes", desc: goDesc("go_gc_heap_allocs_bytes_total", "allocated", "Bytes allocated on the heap since the program started.", UnitBytes, Counter, "go_alloc_bytes", "Allocation rate")},
	{metric: "/gc/heap/allocs:objects", desc: goDesc("go_gc_heap_allocs_objects_total", "objects", "Objects allocated on the heap since the program started.", UnitCount, Counter, "go_alloc_objects", "Allocations")},
	{metric: "/gc/cycles/total:gc-cycles", desc: goDesc("go_gc_cycles_total", "cycles", "GC cycles completed since the program started.", UnitCount, Counter, "go_gc_cycles", "GC cycles")},
	{metric: "/sync/mutex/wait/total:seconds", desc: goDesc("go_sync_mutex_wait_seconds_total", "waiting", "Time goroutines spent blocked on a sync.Mutex or sync.RWMutex, in seconds; as a rate, the goroutines waiting on average.", UnitSeconds, Counter, "go_mutex_wait", "Mutex wait")},
	{metric: "/cgo/go-to-c-calls:calls", desc: goDesc("go_cgo_calls_total", "calls", "Calls from Go to C since the program started.", UnitCount, Counter, "go_cgo_calls", "cgo calls")},
}

func goDesc(name, title, help, unit string, kind Kind, chart, chartTitle string) Desc {
	return Desc{
		Name:       name,
		Title:      title,
		Help:       help,
		Unit:       unit,
		Group:      "go",
		Kind:       kind,
		Chart:      chart,
		ChartTitle: chartTitle,
	}
}

// Runtime returns a Collector, named "runtime", of the Go runtime's
// goroutines, threads, memory, allocations, garbage collection and
// scheduler latency (group "go"). It reads runtime/metrics only, never
// runtime.ReadMemStats, which stops the world, and allocates nothing per
// call.
//
// Names follow client_golang's Go collector where it has the same
// quantity, except where its mechanical translation of runtime/metrics
// names is clumsy (go_gc_cycles_total for its
// go_gc_cycles_total_gc_cycles_total, and likewise for goroutines created,
// mutex wait and cgo calls):
//
//	/sched/goroutines:goroutines          go_goroutines
//	/sched/goroutines-created:goroutines  go_goroutines_created_total
//	/sched/threads/total:threads          go_threads
//	/sched/gomaxprocs:threads             go_sched_gomaxprocs_threads
//	/memory/classes/total:bytes           go_memstats_sys_bytes
//	/memory/classes/heap/objects:bytes
//	  + /memory/classes/heap/unused:bytes go_memstats_heap_inuse_bytes
//	/memory/classes/heap/objects:bytes    go_memory_classes_heap_objects_bytes
//	/gc/heap/live:bytes                   go_gc_heap_live_bytes
//	/gc/heap/goal:bytes                   go_gc_heap_goal_bytes
//	/gc/gomemlimit:bytes                  go_gc_gomemlimit_bytes (only when set)
//	/gc/heap/objects:objects              go_gc_heap_objects_objects
//	/gc/heap/allocs:bytes                 go_gc_heap_allocs_bytes_total
//	/gc/heap/allocs:objects               go_gc_heap_allocs_objects_total
//	/gc/cycles/total:gc-cycles            go_gc_cycles_total
//	/sync/mutex/wait/total:seconds        go_sync_mutex_wait_seconds_total
//	/cgo/go-to-c-calls:calls              go_cgo_calls_total
//
// and three computed from the changes between calls:
//
//	/cpu/classes/gc/total:cpu-seconds
//	  / /cpu/classes/total:cpu-seconds    go_gc_cpu_ratio
//	/sched/pauses/total/gc:seconds
//	  (or /gc/pauses:seconds)             go_gc_pause_seconds{quantile}
//	/sched/latencies:seconds              go_sched_latency_seconds{quantile}
//
// The quantiles, 0.5, 0.9, 0.99 and 1 (the maximum), are of the pauses or
// latencies recorded since the previous call, not since the program
// started, and are left out when there were none. The runtime updates its
// CPU estimates only when a GC cycle ends, so go_gc_cpu_ratio covers the
// span between the latest cycles the collector saw and stays the same
// until the next. A metric this Go version does not have is skipped.
func Runtime() Collector {
	have := make(map[string]bool)
	for _, d := range metrics.All() {
		have[d.Name] = true
	}
	c := &runtimeCollector{}
	// add returns the index of the sample for metric, adding it if needed,
	// or -1 if this Go version does not have the metric.
	add := func(metric string) int {
		if !have[metric] {
			return -1
		}
		for i := range c.samples {
			if c.samples[i].Name == metric {
				return i
			}
		}
		c.samples = append(c.samples, metrics.Sample{Name: metric})
		return len(c.samples) - 1
	}

	for _, p := range runtimePlain {
		s := runtimeSeries{sample: add(p.metric), plus: -1, unset: p.unset, desc: p.desc}
		if p.plus != "" {
			s.plus = add(p.plus)
			if s.plus < 0 {
				continue
			}
		}
		if s.sample >= 0 {
			c.plain = append(c.plain, s)
		}
	}

	c.gcCPU = add("/cpu/classes/gc/total:cpu-seconds")
	c.allCPU = add("/cpu/classes/total:cpu-seconds")
	c.gcRatioDesc = goDesc("go_gc_cpu_ratio", "GC", "Share of the CPU time available to Go (GOMAXPROCS × wall time) spent on garbage collection, between the latest GC cycles.", UnitRatio, Gauge, "go_gc_cpu", "GC CPU")

	pauses := "/sched/pauses/total/gc:seconds"
	if !have[pauses] {
		pauses = "/gc/pauses:seconds" // before Go 1.22
	}
	c.pauses = newRuntimeQuantiles(add(pauses), "go_gc_pause_seconds",
		"Stop-the-world pauses for garbage collection since the previous sample, in seconds, by quantile; none when there were none.",
		"go_gc_pauses", "GC pauses")
	c.latencies = newRuntimeQuantiles(add("/sched/latencies:seconds"), "go_sched_latency_seconds",
		"Time goroutines spent runnable before running, since the previous sample, in seconds, by quantile.",
		"go_sched_latency", "Scheduler latency")
	return c
}

func newRuntimeQuantiles(sample int, name, help, chart, chartTitle string) runtimeQuantiles {
	q := runtimeQuantiles{sample: sample}
	for i, rq := range runtimeQuantileSet {
		q.descs[i] = goDesc(name, rq.title, help, UnitSeconds, Gauge, chart, chartTitle)
		q.descs[i].Labels = []Label{{Name: "quantile", Value: rq.label}}
	}
	return q
}

// Name returns "runtime".
func (c *runtimeCollector) Name() string { return "runtime" }

// Collect reads the runtime's metrics and emits them.
func (c *runtimeCollector) Collect(_ context.Context, emit Emit) error {
	metrics.Read(c.samples)

	for _, p := range c.plain {
		v, ok := c.value(p.sample)
		if p.plus >= 0 {
			w, ok2 := c.value(p.plus)
			v, ok = v+w, ok && ok2
		}
		if ok && !(p.unset && v >= math.MaxInt64) {
			emit(p.desc, v)
		}
	}
	c.collectGCCPU(emit)
	if c.pauses.sample >= 0 {
		c.pauses.collect(&c.samples[c.pauses.sample].Value, emit)
	}
	if c.latencies.sample >= 0 {
		c.latencies.collect(&c.samples[c.latencies.sample].Value, emit)
	}
	return nil
}

// value returns sample i as a float64, if it exists and is a number.
func (c *runtimeCollector) value(i int) (float64, bool) {
	if i < 0 {
		return 0, false
	}
	v := &c.samples[i].Value
	switch v.Kind() {
	case metrics.KindUint64:
		return float64(v.Uint64()), true
	case metrics.KindFloat64:
		return v.Float64(), true
	}
	return 0, false
}

// collectGCCPU emits the share of CPU spent on GC between the latest
// cycles, once there have been two to compare.
func (c *runtimeCollector) collectGCCPU(emit Emit) {
	gc, ok1 := c.value(c.gcCPU)
	all, ok2 := c.value(c.allCPU)
	if !ok1 || !ok2 {
		return
	}
	if c.cpuPrimed && all > c.prevAll {
		c.gcRatio = min(max((gc-c.prevGC)/(all-c.prevAll), 0), 1)
		c.hasGCRatio = true
	}
	c.prevGC, c.prevAll, c.cpuPrimed = gc, all, true
	if c.hasGCRatio {
		emit(c.gcRatioDesc, c.gcRatio)
	}
}

// collect emits the quantiles of the values recorded in the histogram v
// since the previous call, and nothing when there were none.
func (q *runtimeQuantiles) collect(v *metrics.Value, emit Emit) {
	if v.Kind() != metrics.KindFloat64Histogram {
		return
	}
	h := v.Float64Histogram()
	if len(q.prev) != len(h.Counts) {
		q.prev = append(q.prev[:0], h.Counts...)
		return
	}
	var vals [len(runtimeQuantileSet)]float64
	if histogramQuantiles(h, q.prev, &vals) {
		for i := range vals {
			emit(q.descs[i], vals[i])
		}
	}
	copy(q.prev, h.Counts)
}

// histogramQuantiles sets vals to the runtimeQuantileSet quantiles of the
// values recorded in h since its bucket counts were prev, interpolating
// linearly within a bucket. It reports false if none were recorded.
func histogramQuantiles(h *metrics.Float64Histogram, prev []uint64, vals *[len(runtimeQuantileSet)]float64) bool {
	var n uint64
	for i, c := range h.Counts {
		n += c - prev[i]
	}
	if n == 0 {
		return false
	}
	k := 0
	var cum float64
	for i, c := range h.Counts {
		d := float64(c - prev[i])
		if d == 0 {
			continue
		}
		for k < len(vals) && runtimeQuantileSet[k].q*float64(n) <= cum+d {
			rank := runtimeQuantileSet[k].q * float64(n)
			vals[k] = bucketValue(h.Buckets[i], h.Buckets[i+1], (rank-cum)/d)
			k++
		}
		cum += d
	}
	for ; k < len(vals); k++ { // rounding left the top quantiles out
		vals[k] = vals[max(k-1, 0)]
	}
	return true
}

// bucketValue returns the point at fraction f of the bucket [lo, hi), or
// its finite bound if the other is infinite.
func bucketValue(lo, hi, f float64) float64 {
	switch {
	case math.IsInf(hi, 1):
		return lo
	case math.IsInf(lo, -1):
		return hi
	}
	return lo + (hi-lo)*f
}
