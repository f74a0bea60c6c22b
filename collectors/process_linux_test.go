package collectors

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kernelOpenFDs counts /proc/self/fd as the kernel lists it, less the
// handle this count reads it through (the last one the listing shows is
// not known in advance, so it is found by its number).
func kernelOpenFDs(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	own := strconv.Itoa(int(f.Fd()))
	n := 0
	for _, name := range names {
		if name != own {
			n++
		}
	}
	return n
}

// TestProcessOpenFDsAgreeWithKernel is not parallel: other tests open
// and close files. The host collectors run beside the process collector,
// as in a dashboard, and open files of their own every interval: none of
// them may be counted, nor the handle the count lists the directory
// through.
func TestProcessOpenFDsAgreeWithKernel(t *testing.T) {
	onLinux(t)
	// Files other tests forgot are closed by finalizers, at any time:
	// collect them first, and accept a count between the kernel's before
	// and after.
	runtime.GC()
	before := float64(kernelOpenFDs(t))
	sink := make(chanSink, 256)
	s := NewScheduler(sink, SchedulerOptions{Interval: 100 * time.Millisecond, Logger: quietLogger})
	for _, c := range Host(HostOptions{}) {
		if err := s.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	p := newProcess(t)
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	var got []float64
	for len(got) < 10 {
		for _, smp := range nextBatch(t, sink, "process").Samples {
			if smp.Desc.Name == "process_open_fds" {
				got = append(got, smp.Value)
			}
		}
	}
	if err := s.Close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	after := float64(kernelOpenFDs(t))
	for i, v := range got {
		if v < min(before, after) || v > max(before, after) {
			t.Errorf("run %d: process_open_fds = %v, the kernel lists %v before and %v after", i, v, before, after)
		}
	}
}

// TestProcessStartTimeAgreesWithKernel: the start time is the kernel's,
// to its clock tick, not cut to whole seconds: /proc/self/stat's start in
// ticks after boot, and the boot time from /proc/uptime (10 ms steps).
func TestProcessStartTimeAgreesWithKernel(t *testing.T) {
	t.Parallel()
	onLinux(t)
	g := gather(t, newProcess(t))
	got := g.value(t, "process_start_time_seconds")

	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Fatal(err)
	}
	now := float64(time.Now().UnixNano()) / 1e9
	uptime := parseFloat(t, strings.Fields(string(up))[0])
	ticks := parseFloat(t, procStat(t)[22])
	const hz = 100 // USER_HZ, the unit of /proc/PID/stat on Linux
	want := now - uptime + ticks/hz
	if !within(got, want, 0.05) {
		t.Errorf("process_start_time_seconds = %.3f, the kernel says %.3f (%+.3f s)", got, want, got-want)
	}
}
