package collectors

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// testStarted is about when this test binary started.
var testStarted = time.Now()

func newProcess(t testing.TB) Collector {
	t.Helper()
	c, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "process" {
		t.Errorf("name %q", c.Name())
	}
	return c
}

func TestProcess(t *testing.T) {
	t.Parallel()
	c := newProcess(t)
	g1 := gather(t, c)
	burnCPU(100 * time.Millisecond)
	g2 := gather(t, c)

	if cpu1, cpu2 := g1.value(t, "process_cpu_seconds_total"), g2.value(t, "process_cpu_seconds_total"); cpu2 <= cpu1 {
		t.Errorf("process_cpu_seconds_total went from %v to %v while burning CPU", cpu1, cpu2)
	}
	if g2.descs["process_cpu_seconds_total"].Kind != Counter {
		t.Error("process_cpu_seconds_total is not a counter")
	}
	start := g2.value(t, "process_start_time_seconds")
	if started := float64(testStarted.UnixNano()) / 1e9; !within(start, started, 30) {
		t.Errorf("start time %v, the test started at %v", start, started)
	}
	if rss, vms := g2.value(t, "process_resident_memory_bytes"), g2.value(t, "process_virtual_memory_bytes"); rss <= 0 || vms < rss {
		t.Errorf("resident %v, virtual %v", rss, vms)
	}
	if n := g2.value(t, "process_threads"); n < 1 {
		t.Errorf("%v threads", n)
	}
	if open, limit := g2.value(t, "process_open_fds"), g2.value(t, "process_max_fds"); open < 1 || limit < open {
		t.Errorf("%v open file descriptors, limit %v", open, limit)
	}
}

// burnCPU keeps one core busy for d.
func burnCPU(d time.Duration) {
	x := 0
	for start := time.Now(); time.Since(start) < d; {
		for i := range 10000 {
			x += i
		}
	}
	_ = x
}

func TestProcessResidentMemory(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := newProcess(t)
	g := gather(t, c)
	want := parseFloat(t, procFields(t, "/proc/self/status")["VmRSS:"][0]) * 1024
	// Memory moves between the two reads: allow a quarter.
	if got := g.value(t, "process_resident_memory_bytes"); !within(got, want, want/4) {
		t.Errorf("resident memory %v, VmRSS says %v", got, want)
	}
}

// TestProcessOpenFDs is not parallel: other tests open and close files.
// Even so, finalizers may close files others forgot, hence the slack.
func TestProcessOpenFDs(t *testing.T) {
	c := newProcess(t)
	before := gather(t, c).value(t, "process_open_fds")
	const n = 50
	dir := t.TempDir()
	for i := range n {
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
	}
	if after := gather(t, c).value(t, "process_open_fds"); after < before+n-10 {
		t.Errorf("open fds went from %v to %v after opening %d files", before, after, n)
	}
}
