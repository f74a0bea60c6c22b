package collectors

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// benchCollector measures one call of c and reports, besides ns/op and
// allocations, the series a call emits at a dashboard's pace (rates and
// recent quantiles need time to pass between calls, which a tight loop does
// not give) and the time per series. between, if not nil, runs between the
// two calls that count the series.
func benchCollector(b *testing.B, c Collector, between func()) {
	ctx := context.Background()
	var series int
	count := func(Desc, float64) { series++ }
	if err := c.Collect(ctx, count); err != nil {
		b.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if between != nil {
		between()
	}
	series = 0
	if err := c.Collect(ctx, count); err != nil {
		b.Fatal(err)
	}
	if series == 0 {
		b.Fatalf("%s emitted nothing", c.Name())
	}

	emit := func(Desc, float64) {}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := c.Collect(ctx, emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(series), "series/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(series), "ns/series")
}

func benchHost(b *testing.B, name string) {
	benchCollector(b, hostCollector(b, HostOptions{}, name), nil)
}

func BenchmarkHostCPU(b *testing.B)        { benchHost(b, "host_cpu") }
func BenchmarkHostLoad(b *testing.B)       { benchHost(b, "host_load") }
func BenchmarkHostMemory(b *testing.B)     { benchHost(b, "host_memory") }
func BenchmarkHostDisk(b *testing.B)       { benchHost(b, "host_disk") }
func BenchmarkHostFilesystem(b *testing.B) { benchHost(b, "host_filesystem") }
func BenchmarkHostNetwork(b *testing.B)    { benchHost(b, "host_network") }
func BenchmarkHostProtocols(b *testing.B)  { benchHost(b, "host_protocols") }
func BenchmarkHostUptime(b *testing.B)     { benchHost(b, "host_uptime") }

func BenchmarkProcess(b *testing.B) {
	c, err := Process()
	if err != nil {
		b.Fatal(err)
	}
	benchCollector(b, c, nil)
}

// BenchmarkRuntime counts the series of a program that collects garbage:
// the CPU shares need a GC cycle between two calls, as do the pause
// quantiles.
func BenchmarkRuntime(b *testing.B) { benchCollector(b, Runtime(), runtime.GC) }
