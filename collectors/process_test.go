package collectors

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

func TestProcessRusage(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := newProcess(t)
	before := threadsStatus(t)
	g1 := gather(t, c)
	// Burn until the kernel's own count (/proc/self/stat utime, in clock
	// ticks) has grown by 6 ticks, however busy the machine is.
	u0 := parseFloat(t, procStat(t)[14])
	for deadline := time.Now().Add(10 * time.Second); parseFloat(t, procStat(t)[14]) < u0+6 && time.Now().Before(deadline); {
		burnCPU(10 * time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond) // waiting is a voluntary switch
	g2 := gather(t, c)
	after := threadsStatus(t)

	user, system := g2.value(t, "process_cpu_user_seconds_total"), g2.value(t, "process_cpu_system_seconds_total")
	if total := g2.value(t, "process_cpu_seconds_total"); !within(user+system, total, 1e-9) {
		t.Errorf("user %v + system %v != total %v", user, system, total)
	}
	// 6 ticks of at least 10 ms; the kernel's count may lag by one.
	if u1 := g1.value(t, "process_cpu_user_seconds_total"); user-u1 < 0.04 {
		t.Errorf("user CPU grew by %v s while the kernel counted 6 ticks", user-u1)
	}
	// getrusage agrees with the kernel's own accounting in /proc, summed
	// over the threads.
	for name, key := range map[string]string{
		"process_voluntary_context_switches_total":   "voluntary_ctxt_switches:",
		"process_involuntary_context_switches_total": "nonvoluntary_ctxt_switches:",
	} {
		lo, hi := before[key], after[key]
		if got := g1.value(t, name); got < lo || got > hi {
			t.Errorf("%s = %v, want within [%v, %v] from %s", name, got, lo, hi, key)
		}
	}
	if v1, v2 := g1.value(t, "process_voluntary_context_switches_total"), g2.value(t, "process_voluntary_context_switches_total"); v2 <= v1 {
		t.Errorf("no voluntary context switch across a sleep: %v then %v", v1, v2)
	}
	stat := procStat(t)
	if got, want := g2.value(t, "process_minor_page_faults_total"), parseFloat(t, stat[10]); got > want || got < want*0.9 {
		t.Errorf("minor faults %v, /proc/self/stat says %v after", got, want)
	}
	if got, want := g2.value(t, "process_major_page_faults_total"), parseFloat(t, stat[12]); got > want {
		t.Errorf("major faults %v, /proc/self/stat says %v after", got, want)
	}
	g2.value(t, "process_storage_read_bytes_total")
	g2.value(t, "process_storage_written_bytes_total")
	checkNonDecreasing(t, g1, g2)
}

// threadsStatus sums the numeric fields of /proc/self/task/*/status over
// the threads.
func threadsStatus(t testing.TB) map[string]float64 {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	sums := make(map[string]float64)
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join("/proc/self/task", task.Name(), "status"))
		if err != nil {
			continue // the thread ended
		}
		for line := range strings.Lines(string(b)) {
			if fs := strings.Fields(line); len(fs) == 2 {
				if v, err := strconv.ParseFloat(fs[1], 64); err == nil {
					sums[fs[0]] += v
				}
			}
		}
	}
	return sums
}

// procStat returns the fields of /proc/self/stat, numbered as in proc(5)
// from 1, after the command name.
func procStat(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	// rest starts at field 3 (state); pad so that index i is field i.
	return append([]string{"", "", ""}, strings.Fields(rest)...)
}
