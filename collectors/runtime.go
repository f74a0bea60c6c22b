package collectors

import (
	"context"
	"math"
	"runtime/metrics"
	"strconv"
	"sync"
)

// runtimeCollector reports the Go runtime through runtime/metrics only:
// unlike runtime.ReadMemStats it never stops the world. It reads every
// metric with one metrics.Read into a slice of samples it keeps, so a call
// allocates nothing once the first has sized the histograms.
type runtimeCollector struct {
	samples []metrics.Sample
	plain   []runtimeSeries

	// go_gc_cpu_ratio and go_cpu_classes_ratio, from the CPU estimates
	// at the latest two calls that saw them change.
	gcCPU, allCPU   int
	gcRatioDesc     Desc
	prevGC, prevAll float64
	cpuPrimed       bool
	gcRatio         float64
	hasGCRatio      bool
	classes         []runtimeCPUClass

	quantiles []runtimeQuantiles

	// The histograms read for export, one per quantiles entry, under
	// exportMu: export runs on a scrape's goroutine.
	exportMu   sync.Mutex
	export     []metrics.Sample
	exportMeta []runtimeHistogramMeta // set once by Runtime
}

// runtimeHistogramMeta is what the export of a runtime histogram reads of
// its quantiles entry, apart from the state Collect changes.
type runtimeHistogramMeta struct{ name, help, unit string }

// runtimeCPUClass is one class of go_cpu_classes_ratio.
type runtimeCPUClass struct {
	sample int // index into samples
	desc   Desc
	prev   float64
	ratio  float64
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
	sample           int // index into samples
	name, help, unit string
	descs            [len(runtimeQuantileSet)]Desc
	prev             []uint64 // bucket counts at the previous call; nil before the first
	// sizeClasses reports the size class (the largest size a bucket
	// counts) instead of interpolating within a bucket, for histograms
	// whose buckets are the allocator's size classes.
	sizeClasses bool

	// heatmap: also emit the histogram's buckets, merged as ./metrics
	// exports them, as <name>_bucket{le} counters (cumulative, as in
	// Prometheus), for the page's heatmap of chart heatChart.
	heatmap              bool
	heatChart, heatTitle string
	upper                []float64 // merged upper bounds, +Inf last; set on the first call
	cum                  []uint64  // counts at most upper[i], per call
	bucketDescs          []Desc
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
	since  string // the Go version that added the metric, if later than go.mod's
	desc   Desc
}{
	{metric: "/sched/goroutines:goroutines", desc: goDesc("go_goroutines", "goroutines", "Number of goroutines that currently exist.", UnitCount, Gauge, "go_goroutines", "Goroutines")},
	{metric: "/sched/goroutines/running:goroutines", since: "go1.26", desc: goDesc("go_sched_goroutines_running_goroutines", "running", "Approximate number of goroutines running Go code (at most GOMAXPROCS).", UnitCount, Gauge, "go_goroutines", "Goroutines")},
	{metric: "/sched/goroutines/runnable:goroutines", since: "go1.26", desc: goDesc("go_sched_goroutines_runnable_goroutines", "runnable", "Approximate number of goroutines ready to run, waiting for a thread.", UnitCount, Gauge, "go_goroutines", "Goroutines")},
	{metric: "/sched/goroutines/waiting:goroutines", since: "go1.26", desc: goDesc("go_sched_goroutines_waiting_goroutines", "waiting", "Approximate number of goroutines blocked in the runtime: on channels, locks, network I/O, timers.", UnitCount, Gauge, "go_goroutines", "Goroutines")},
	{metric: "/sched/goroutines/not-in-go:goroutines", since: "go1.26", desc: goDesc("go_sched_goroutines_not_in_go_goroutines", "in syscall or cgo", "Approximate number of goroutines running or blocked in a system call or a cgo call.", UnitCount, Gauge, "go_goroutines", "Goroutines")},
	{metric: "/sched/goroutines-created:goroutines", desc: goDesc("go_goroutines_created_total", "created", "Goroutines created since the program started.", UnitCount, Counter, "go_goroutines_created", "Goroutines created")},
	{metric: "/sched/threads/total:threads", desc: goDesc("go_threads", "OS threads", "Number of OS threads the Go runtime owns.", UnitCount, Gauge, "go_threads", "Threads")},
	{metric: "/sched/gomaxprocs:threads", desc: goDesc("go_sched_gomaxprocs_threads", "GOMAXPROCS", "GOMAXPROCS: the most threads that run Go code at once.", UnitCount, Gauge, "go_threads", "Threads")},
	{metric: "/memory/classes/total:bytes", desc: goDesc("go_memstats_sys_bytes", "from OS", "Memory mapped by the Go runtime, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/memory/classes/heap/objects:bytes", plus: "/memory/classes/heap/unused:bytes", desc: goDesc("go_memstats_heap_inuse_bytes", "heap in use", "Heap memory in spans that hold objects, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/memory/classes/heap/objects:bytes", desc: goDesc("go_memory_classes_heap_objects_bytes", "heap objects", "Heap memory occupied by objects, live or not yet swept, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/gc/heap/live:bytes", desc: goDesc("go_gc_heap_live_bytes", "live heap", "Heap memory occupied by objects the last GC found live, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/gc/heap/goal:bytes", desc: goDesc("go_gc_heap_goal_bytes", "heap goal", "Heap size at which the next GC cycle ends, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/gc/gomemlimit:bytes", unset: true, desc: goDesc("go_gc_gomemlimit_bytes", "GOMEMLIMIT", "The Go runtime's soft memory limit, in bytes.", UnitBytes, Gauge, "go_memory", "Memory")},
	{metric: "/memory/classes/heap/unused:bytes", desc: goDesc("go_memory_classes_heap_unused_bytes", "unused", "Heap memory in spans that hold objects but not used by any (fragmentation), in bytes.", UnitBytes, Gauge, "go_memory_heap", "Heap not in use")},
	{metric: "/memory/classes/heap/free:bytes", desc: goDesc("go_memory_classes_heap_free_bytes", "free", "Heap memory free and kept for reuse, not returned to the OS, in bytes.", UnitBytes, Gauge, "go_memory_heap", "Heap not in use")},
	{metric: "/memory/classes/heap/released:bytes", desc: goDesc("go_memory_classes_heap_released_bytes", "released", "Heap memory free and returned to the OS, in bytes.", UnitBytes, Gauge, "go_memory_heap", "Heap not in use")},
	{metric: "/memory/classes/heap/stacks:bytes", desc: goDesc("go_memory_classes_heap_stacks_bytes", "goroutine stacks", "Memory reserved for goroutine stacks, in use or not, in bytes.", UnitBytes, Gauge, "go_memory_stacks", "Stacks")},
	{metric: "/memory/classes/os-stacks:bytes", desc: goDesc("go_memory_classes_os_stacks_bytes", "OS thread stacks", "Stack memory the OS allocated for threads (cgo, or threads without a Go stack), in bytes.", UnitBytes, Gauge, "go_memory_stacks", "Stacks")},
	{metric: "/memory/classes/metadata/mspan/inuse:bytes", desc: goDesc("go_memory_classes_metadata_mspan_inuse_bytes", "mspan in use", "Memory of the runtime's span descriptors (mspan) in use, in bytes.", UnitBytes, Gauge, "go_memory_runtime", "Runtime memory")},
	{metric: "/memory/classes/metadata/mspan/free:bytes", desc: goDesc("go_memory_classes_metadata_mspan_free_bytes", "mspan free", "Memory reserved for span descriptors (mspan) but not in use, in bytes.", UnitBytes, Gauge, "go_memory_runtime", "Runtime memory")},
	{metric: "/memory/classes/metadata/mcache/inuse:bytes", desc: goDesc("go_memory_classes_metadata_mcache_inuse_bytes", "mcache in use", "Memory of the per-P allocation caches (mcache) in use, in bytes.", UnitBytes, Gauge, "go_memory_runtime", "Runtime memory")},
	{metric: "/memory/classes/metadata/mcache/free:bytes", desc: goDesc("go_memory_classes_metadata_mcache_free_bytes", "mcache free", "Memory reserved for allocation caches (mcache) but not in use, in bytes.", UnitBytes, Gauge, "go_memory_runtime", "Runtime memory")},
	{metric: "/memory/classes/metadata/other:bytes", desc: goDesc("go_memory_classes_metadata_other_bytes", "other metadata", "Memory of the runtime's other metadata (heap bitmaps, arenas' indexes), in bytes.", UnitBytes, Gauge, "go_memory_runtime", "Runtime memory")},
	{metric: "/memory/classes/profiling/buckets:bytes", desc: goDesc("go_memory_classes_profiling_buckets_bytes", "profiling buckets", "Memory of the stack trace hash map used for profiling, in bytes.", UnitBytes, Gauge, "go_memory_runtime", "Runtime memory")},
	{metric: "/memory/classes/other:bytes", desc: goDesc("go_memory_classes_other_bytes", "other", "Memory the runtime uses for anything else (trace buffers, debugging), in bytes.", UnitBytes, Gauge, "go_memory_runtime", "Runtime memory")},
	{metric: "/gc/heap/objects:objects", desc: goDesc("go_gc_heap_objects_objects", "objects", "Number of objects, live or not yet swept, on the heap.", UnitCount, Gauge, "go_heap_objects", "Heap objects")},
	{metric: "/gc/heap/allocs:bytes", desc: goDesc("go_gc_heap_allocs_bytes_total", "allocated", "Bytes allocated on the heap since the program started.", UnitBytes, Counter, "go_alloc_bytes", "Allocation rate")},
	{metric: "/gc/heap/frees:bytes", desc: goDesc("go_gc_heap_frees_bytes_total", "freed", "Heap bytes the GC freed since the program started.", UnitBytes, Counter, "go_alloc_bytes", "Allocation rate")},
	{metric: "/gc/heap/allocs:objects", desc: goDesc("go_gc_heap_allocs_objects_total", "allocated", "Objects allocated on the heap since the program started.", UnitCount, Counter, "go_alloc_objects", "Allocations")},
	{metric: "/gc/heap/frees:objects", desc: goDesc("go_gc_heap_frees_objects_total", "freed", "Heap objects the GC freed since the program started.", UnitCount, Counter, "go_alloc_objects", "Allocations")},
	{metric: "/gc/heap/tiny/allocs:objects", desc: goDesc("go_gc_heap_tiny_allocs_objects_total", "tiny", "Small pointer-free objects packed together into 16-byte blocks since the program started; not counted as allocated.", UnitCount, Counter, "go_alloc_objects", "Allocations")},
	{metric: "/gc/cycles/total:gc-cycles", desc: goDesc("go_gc_cycles_total", "cycles", "GC cycles completed since the program started.", UnitCount, Counter, "go_gc_cycles", "GC cycles")},
	{metric: "/gc/cycles/automatic:gc-cycles", desc: goDesc("go_gc_cycles_automatic_total", "automatic", "GC cycles the runtime started on its own since the program started.", UnitCount, Counter, "go_gc_cycles", "GC cycles")},
	{metric: "/gc/cycles/forced:gc-cycles", desc: goDesc("go_gc_cycles_forced_total", "forced", "GC cycles forced by the program (runtime.GC, debug.FreeOSMemory) since it started.", UnitCount, Counter, "go_gc_cycles", "GC cycles")},
	{metric: "/gc/scan/heap:bytes", desc: goDesc("go_gc_scan_heap_bytes", "heap", "Heap memory that holds pointers, which the GC scans, in bytes.", UnitBytes, Gauge, "go_gc_scan", "GC scan work")},
	{metric: "/gc/scan/stack:bytes", desc: goDesc("go_gc_scan_stack_bytes", "stacks", "Stack memory the latest GC cycle scanned, in bytes.", UnitBytes, Gauge, "go_gc_scan", "GC scan work")},
	{metric: "/gc/scan/globals:bytes", desc: goDesc("go_gc_scan_globals_bytes", "globals", "Global variables that hold pointers, which the GC scans, in bytes.", UnitBytes, Gauge, "go_gc_scan", "GC scan work")},
	{metric: "/gc/finalizers/queued:finalizers", desc: goDesc("go_gc_finalizers_queued_total", "finalizers queued", "Finalizers queued to run since the program started.", UnitCount, Counter, "go_gc_finalizers", "Finalizers and cleanups")},
	{metric: "/gc/finalizers/executed:finalizers", desc: goDesc("go_gc_finalizers_executed_total", "finalizers run", "Finalizers run since the program started.", UnitCount, Counter, "go_gc_finalizers", "Finalizers and cleanups")},
	{metric: "/gc/cleanups/queued:cleanups", desc: goDesc("go_gc_cleanups_queued_total", "cleanups queued", "Cleanups (runtime.AddCleanup) queued to run since the program started.", UnitCount, Counter, "go_gc_finalizers", "Finalizers and cleanups")},
	{metric: "/gc/cleanups/executed:cleanups", desc: goDesc("go_gc_cleanups_executed_total", "cleanups run", "Cleanups (runtime.AddCleanup) run since the program started.", UnitCount, Counter, "go_gc_finalizers", "Finalizers and cleanups")},
	{metric: "/sync/mutex/wait/total:seconds", desc: goDesc("go_sync_mutex_wait_seconds_total", "waiting", "Time goroutines spent blocked on a sync.Mutex or sync.RWMutex, in seconds; as a rate, the goroutines waiting on average.", UnitSeconds, Counter, "go_mutex_wait", "Mutex wait")},
	{metric: "/cgo/go-to-c-calls:calls", desc: goDesc("go_cgo_calls_total", "calls", "Calls from Go to C since the program started.", UnitCount, Counter, "go_cgo_calls", "cgo calls")},
	{metric: "/gc/gogc:percent", unset: true, desc: goStat("go_gc_gogc_percent", "GOGC", "The GC's heap growth target, in percent (GOGC, debug.SetGCPercent); left out when off.", UnitNone, "go_gc_gogc")},
	{metric: "/gc/stack/starting-size:bytes", desc: goStat("go_gc_stack_starting_size_bytes", "Goroutine stack start", "Stack size of new goroutines, in bytes.", UnitBytes, "go_gc_stack_starting_size")},
	{metric: "/gc/limiter/last-enabled:gc-cycle", desc: goStat("go_gc_limiter_last_enabled_gc_cycle", "GC CPU limiter last on, cycle", "The GC cycle in which the GC CPU limiter, which caps GC work near the memory limit, last took effect; 0 if never.", UnitCount, "go_gc_limiter")},
}

// runtimeCPUClasses are the classes of go_cpu_classes_ratio: together
// they make up /cpu/classes/total:cpu-seconds.
var runtimeCPUClasses = []struct{ metric, class, title string }{
	{"/cpu/classes/user:cpu-seconds", "user", "user"},
	{"/cpu/classes/gc/mark/assist:cpu-seconds", "gc_mark_assist", "GC assist"},
	{"/cpu/classes/gc/mark/dedicated:cpu-seconds", "gc_mark_dedicated", "GC dedicated"},
	{"/cpu/classes/gc/mark/idle:cpu-seconds", "gc_mark_idle", "GC idle"},
	{"/cpu/classes/gc/pause:cpu-seconds", "gc_pause", "GC pause"},
	{"/cpu/classes/scavenge/assist:cpu-seconds", "scavenge_assist", "scavenger assist"},
	{"/cpu/classes/scavenge/background:cpu-seconds", "scavenge_background", "scavenger"},
	{"/cpu/classes/idle:cpu-seconds", "idle", "idle"},
}

// goStat returns the Desc of a runtime setting shown as a figure.
func goStat(name, title, help, unit, chart string) Desc {
	d := goDesc(name, title, help, unit, Gauge, chart, title)
	d.Stat = true
	return d
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
// goroutines, threads, memory, allocations, garbage collection, CPU use
// and scheduler latency (group "go"). It reads runtime/metrics only, never
// runtime.ReadMemStats, which stops the world, and allocates nothing per
// call.
//
// Names follow client_golang's Go collector where it has the same
// quantity, except where its mechanical translation of runtime/metrics
// names is clumsy (go_gc_cycles_total for its
// go_gc_cycles_total_gc_cycles_total, and likewise for goroutines created,
// GC cycles automatic and forced, finalizers, cleanups, mutex wait and cgo
// calls):
//
//	/sched/goroutines:goroutines          go_goroutines
//	/sched/goroutines/STATE:goroutines    go_sched_goroutines_STATE_goroutines,
//	                                      STATE running, runnable, waiting,
//	                                      not_in_go (Go 1.26 and later)
//	/sched/goroutines-created:goroutines  go_goroutines_created_total
//	/sched/threads/total:threads          go_threads
//	/sched/gomaxprocs:threads             go_sched_gomaxprocs_threads
//	/memory/classes/total:bytes           go_memstats_sys_bytes
//	/memory/classes/heap/objects:bytes
//	  + /memory/classes/heap/unused:bytes go_memstats_heap_inuse_bytes
//	/memory/classes/CLASS:bytes           go_memory_classes_CLASS_bytes for
//	                                      every class but total, / as _
//	/gc/heap/live:bytes                   go_gc_heap_live_bytes
//	/gc/heap/goal:bytes                   go_gc_heap_goal_bytes
//	/gc/gomemlimit:bytes                  go_gc_gomemlimit_bytes (only when set)
//	/gc/heap/objects:objects              go_gc_heap_objects_objects
//	/gc/heap/{allocs,frees}:bytes         go_gc_heap_{allocs,frees}_bytes_total
//	/gc/heap/{allocs,frees}:objects       go_gc_heap_{allocs,frees}_objects_total
//	/gc/heap/tiny/allocs:objects          go_gc_heap_tiny_allocs_objects_total
//	/gc/cycles/total:gc-cycles            go_gc_cycles_total
//	/gc/cycles/automatic:gc-cycles        go_gc_cycles_automatic_total
//	/gc/cycles/forced:gc-cycles           go_gc_cycles_forced_total
//	/gc/scan/{heap,stack,globals}:bytes   go_gc_scan_{heap,stack,globals}_bytes
//	/gc/finalizers/queued:finalizers      go_gc_finalizers_queued_total
//	/gc/finalizers/executed:finalizers    go_gc_finalizers_executed_total
//	/gc/cleanups/queued:cleanups          go_gc_cleanups_queued_total
//	/gc/cleanups/executed:cleanups        go_gc_cleanups_executed_total
//	/sync/mutex/wait/total:seconds        go_sync_mutex_wait_seconds_total
//	/cgo/go-to-c-calls:calls              go_cgo_calls_total
//	/gc/gogc:percent                      go_gc_gogc_percent (only when on)
//	/gc/stack/starting-size:bytes         go_gc_stack_starting_size_bytes
//	/gc/limiter/last-enabled:gc-cycle     go_gc_limiter_last_enabled_gc_cycle
//
// (the last three are figures, Desc.Stat) and these computed from the
// changes between calls:
//
//	/cpu/classes/gc/total:cpu-seconds
//	  / /cpu/classes/total:cpu-seconds    go_gc_cpu_ratio
//	/cpu/classes/CLASS:cpu-seconds
//	  / /cpu/classes/total:cpu-seconds    go_cpu_classes_ratio{class}, CLASS
//	                                      user, gc_mark_assist,
//	                                      gc_mark_dedicated, gc_mark_idle,
//	                                      gc_pause, scavenge_assist,
//	                                      scavenge_background, idle
//	/sched/pauses/total/gc:seconds        go_sched_pauses_total_gc_seconds{quantile}
//	/sched/pauses/stopping/gc:seconds     go_sched_pauses_stopping_gc_seconds{quantile}
//	/sched/pauses/total/other:seconds     go_sched_pauses_total_other_seconds{quantile}
//	/sched/latencies:seconds              go_sched_latencies_seconds{quantile}
//	/gc/heap/allocs-by-size:bytes         go_gc_heap_allocs_by_size_bytes{quantile}
//
// The quantiles, 0.5, 0.9, 0.99 and 1 (the maximum), are of the values
// recorded since the previous call, not since the program started, and are
// left out when there were none; allocation sizes are given as the size
// class (the largest size of its bucket); objects above 32 KiB, which have
// none, as the smallest such size. These five histograms are also exported
// whole, as Prometheus histograms under the same names (client_golang's),
// through the HistogramSource method AppendHistograms: the buckets are the
// runtime's, merged to powers of 10 (seconds) or of 2 (bytes) as
// client_golang does, and the sum, which the runtime does not keep, is
// estimated from the buckets' midpoints.
// The runtime updates its CPU estimates only when a GC cycle ends, so the
// CPU ratios cover the span between the latest cycles the collector saw
// and stay the same until the next: a rate of the raw counters would be
// zero between cycles and a spike at each. A metric this Go version does
// not have is skipped.
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
		switch p.desc.Name {
		case "go_sched_gomaxprocs_threads", "go_gc_gomemlimit_bytes":
			s.desc.LimitOf = p.desc.Chart // drawn as a limit line on its chart
		}
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
	for _, cl := range runtimeCPUClasses {
		if i := add(cl.metric); i >= 0 {
			d := goDesc("go_cpu_classes_ratio", cl.title, "Share of the CPU time available to Go (GOMAXPROCS × wall time) by what it went to, between the latest GC cycles; the classes add up to 1.", UnitRatio, Gauge, "go_cpu_classes", "Go CPU by class")
			d.Labels = []Label{{Name: "class", Value: cl.class}}
			c.classes = append(c.classes, runtimeCPUClass{sample: i, desc: d})
		}
	}

	c.addQuantiles(add("/sched/pauses/total/gc:seconds"), "go_sched_pauses_total_gc_seconds", UnitSeconds,
		"Stop-the-world pauses for garbage collection since the previous sample, in seconds, by quantile; none when there were none.",
		"go_gc_pauses", "GC pauses")
	c.addHeatmap("go_gc_pauses_heatmap", "GC pauses over time")
	c.addQuantiles(add("/sched/pauses/stopping/gc:seconds"), "go_sched_pauses_stopping_gc_seconds", UnitSeconds,
		"Time the GC took to stop the world (a goroutine that is slow to yield delays it) since the previous sample, in seconds, by quantile.",
		"go_gc_stopping", "GC stop-the-world latency")
	c.addQuantiles(add("/sched/pauses/total/other:seconds"), "go_sched_pauses_total_other_seconds", UnitSeconds,
		"Stop-the-world pauses for anything but GC (runtime.ReadMemStats, stack dumps, GOMAXPROCS changes) since the previous sample, in seconds, by quantile.",
		"go_other_pauses", "Other stop-the-world pauses")
	c.addQuantiles(add("/sched/latencies:seconds"), "go_sched_latencies_seconds", UnitSeconds,
		"Time goroutines spent runnable before running, since the previous sample, in seconds, by quantile.",
		"go_sched_latency", "Scheduler latency")
	c.addHeatmap("go_sched_latency_heatmap", "Scheduler latency over time")
	c.addQuantiles(add("/gc/heap/allocs-by-size:bytes"), "go_gc_heap_allocs_by_size_bytes", UnitBytes,
		"Size of the heap allocations since the previous sample, as their size class, in bytes, by quantile (32769 for all larger objects).",
		"go_alloc_sizes", "Allocation sizes")
	if n := len(c.quantiles); n > 0 && c.quantiles[n-1].name == "go_gc_heap_allocs_by_size_bytes" {
		c.quantiles[n-1].sizeClasses = true
	}
	c.addHeatmap("go_alloc_sizes_heatmap", "Allocation sizes over time")
	for _, q := range c.quantiles {
		c.export = append(c.export, metrics.Sample{Name: c.samples[q.sample].Name})
		c.exportMeta = append(c.exportMeta, runtimeHistogramMeta{name: q.name, help: q.help, unit: q.unit})
	}
	return c
}

// addQuantiles adds the quantiles of the histogram at sample, if this Go
// version has it.
func (c *runtimeCollector) addQuantiles(sample int, name, unit, help, chart, chartTitle string) {
	if sample < 0 {
		return
	}
	q := runtimeQuantiles{sample: sample, name: name, help: help, unit: unit}
	for i, rq := range runtimeQuantileSet {
		q.descs[i] = goDesc(name, rq.title, help, unit, Gauge, chart, chartTitle)
		q.descs[i].Labels = []Label{{Name: "quantile", Value: rq.label}}
	}
	c.quantiles = append(c.quantiles, q)
}

// addHeatmap makes the histogram added last also emit its buckets, for a
// heatmap on chart key chart.
func (c *runtimeCollector) addHeatmap(chart, title string) {
	if n := len(c.quantiles); n > 0 && c.quantiles[n-1].heatChart == "" {
		q := &c.quantiles[n-1]
		q.heatmap, q.heatChart, q.heatTitle = true, chart, title
	}
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
	c.collectCPU(emit)
	for i := range c.quantiles {
		q := &c.quantiles[i]
		q.collect(&c.samples[q.sample].Value, emit)
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

// collectCPU emits the shares of CPU time between the latest cycles, once
// there have been two to compare.
func (c *runtimeCollector) collectCPU(emit Emit) {
	gc, ok1 := c.value(c.gcCPU)
	all, ok2 := c.value(c.allCPU)
	if !ok1 || !ok2 {
		return
	}
	changed := c.cpuPrimed && all > c.prevAll
	if changed {
		c.gcRatio = min(max((gc-c.prevGC)/(all-c.prevAll), 0), 1)
		c.hasGCRatio = true
	}
	for i := range c.classes {
		cl := &c.classes[i]
		v, _ := c.value(cl.sample)
		if changed {
			cl.ratio = min(max((v-cl.prev)/(all-c.prevAll), 0), 1)
		}
		cl.prev = v
	}
	c.prevGC, c.prevAll, c.cpuPrimed = gc, all, true
	if c.hasGCRatio {
		emit(c.gcRatioDesc, c.gcRatio)
		for i := range c.classes {
			emit(c.classes[i].desc, c.classes[i].ratio)
		}
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
	if histogramQuantiles(h.Buckets, h.Counts, q.prev, q.sizeClasses, &vals) {
		for i := range vals {
			emit(q.descs[i], vals[i])
		}
	}
	copy(q.prev, h.Counts)
	if q.heatmap {
		q.collectBuckets(h, emit)
	}
}

// collectBuckets emits the count of values at most each merged upper bound
// since the program started: <name>_bucket{le="…"}, counters the page
// shows as rates.
func (q *runtimeQuantiles) collectBuckets(h *metrics.Float64Histogram, emit Emit) {
	if q.upper == nil {
		base := 10.0
		if q.unit == UnitBytes {
			base = 2
		}
		q.upper = append(mergedBounds(h.Buckets, base), math.Inf(1))
		q.cum = make([]uint64, len(q.upper))
		q.bucketDescs = make([]Desc, len(q.upper))
		help := "Values the runtime recorded in " + q.name + " since the program started, at most le; as a rate, per second."
		for i, u := range q.upper {
			le := strconv.FormatFloat(u, 'g', -1, 64)
			if math.IsInf(u, 1) {
				le = "+Inf"
			}
			d := goDesc(q.name+"_bucket", le, help, UnitCount, Counter, q.heatChart, q.heatTitle)
			d.Labels = []Label{{Name: "le", Value: le}}
			d.Heatmap = true
			q.bucketDescs[i] = d
		}
	}
	clear(q.cum)
	k := 0
	for i, n := range h.Counts {
		hi := h.Buckets[i+1]
		for k < len(q.upper)-1 && q.upper[k] < hi {
			k++
		}
		q.cum[k] += n
	}
	var run uint64
	for i := range q.cum {
		run += q.cum[i]
		emit(q.bucketDescs[i], float64(run))
	}
}

// mergedBounds returns the finite, positive upper bounds of a runtime
// histogram's buckets, merged so that each is at least base times the one
// before: what ./metrics exports.
func mergedBounds(buckets []float64, base float64) []float64 {
	var out []float64
	for i := 1; i < len(buckets); i++ {
		b := buckets[i]
		if math.IsInf(b, 0) || b <= 0 {
			continue
		}
		if n := len(out); n == 0 || b >= out[n-1]*base {
			out = append(out, b)
		}
	}
	return out
}

// histogramQuantiles sets vals to the runtimeQuantileSet quantiles of the
// values recorded in a histogram since its bucket counts were prev,
// interpolating linearly within a bucket, or, with sizeClasses, taking the
// largest whole number a bucket holds. Bucket i holds the values in
// [buckets[i], buckets[i+1]), as in runtime/metrics. It reports false if
// none were recorded.
func histogramQuantiles(buckets []float64, counts, prev []uint64, sizeClasses bool, vals *[len(runtimeQuantileSet)]float64) bool {
	var n uint64
	for i, c := range counts {
		n += c - prev[i]
	}
	if n == 0 {
		return false
	}
	k := 0
	var cum float64
	for i, c := range counts {
		d := float64(c - prev[i])
		if d == 0 {
			continue
		}
		for k < len(vals) && runtimeQuantileSet[k].q*float64(n) <= cum+d {
			rank := runtimeQuantileSet[k].q * float64(n)
			lo, hi := buckets[i], buckets[i+1]
			if sizeClasses {
				vals[k] = sizeClass(lo, hi)
			} else {
				vals[k] = bucketValue(lo, hi, (rank-cum)/d)
			}
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

// sizeClass returns the largest whole number in the bucket [lo, hi), or lo
// if hi is infinite.
func sizeClass(lo, hi float64) float64 {
	if math.IsInf(hi, 1) {
		return lo
	}
	return max(math.Ceil(hi)-1, lo)
}

// AppendHistograms appends the runtime's histograms since the program
// started, in Prometheus' form.
func (c *runtimeCollector) AppendHistograms(dst []HistogramValue) []HistogramValue {
	c.exportMu.Lock()
	defer c.exportMu.Unlock()
	metrics.Read(c.export)
	for i, q := range c.exportMeta {
		v := &c.export[i].Value
		if v.Kind() != metrics.KindFloat64Histogram {
			continue
		}
		base := 10.0
		if q.unit == UnitBytes {
			base = 2
		}
		dst = append(dst, exportHistogram(q.name, q.help, v.Float64Histogram(), base))
	}
	return dst
}

// exportHistogram turns a runtime histogram into a Prometheus one: its
// bucket bounds merged so that each kept bound is at least base times the
// one before (the runtime has about a hundred buckets per histogram),
// counts made cumulative, the sum estimated from the buckets' midpoints.
func exportHistogram(name, help string, h *metrics.Float64Histogram, base float64) HistogramValue {
	// Bucket i holds [h.Buckets[i], h.Buckets[i+1]).
	v := HistogramValue{Name: name, Help: help, Upper: mergedBounds(h.Buckets, base)}
	v.Cumulative = make([]uint64, len(v.Upper))
	k := 0
	for i, n := range h.Counts {
		v.Count += n
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		switch {
		case math.IsInf(lo, -1):
			v.Sum += float64(n) * hi
		case math.IsInf(hi, 1):
			v.Sum += float64(n) * lo
		default:
			v.Sum += float64(n) * (lo + hi) / 2
		}
		for k < len(v.Upper) && v.Upper[k] < hi {
			k++
		}
		if k < len(v.Upper) {
			v.Cumulative[k] += n
		}
	}
	for i := 1; i < len(v.Cumulative); i++ {
		v.Cumulative[i] += v.Cumulative[i-1]
	}
	return v
}
