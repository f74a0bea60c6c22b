package collectors

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
// as in a dashboard (every 100 ms, all at once, each in a goroutine of its
// own), and open files of their own every interval: none of them may be
// counted, nor the handle the count lists the directory through.
func TestProcessOpenFDsAgreeWithKernel(t *testing.T) {
	onLinux(t)
	// Files other tests forgot are closed by finalizers, at any time:
	// collect them first, and accept a count between the kernel's before
	// and after.
	runtime.GC()
	before := float64(kernelOpenFDs(t))
	got := runBeside(t, append(Host(HostOptions{}), newProcess(t)), 100*time.Millisecond, "process_open_fds", 10)
	after := float64(kernelOpenFDs(t))
	for i, v := range got {
		if v < min(before, after) || v > max(before, after) {
			t.Errorf("run %d: process_open_fds = %v, the kernel lists %v before and %v after", i, v, before, after)
		}
	}
}

// runBeside runs the collectors together every interval, as the dashboard
// does: each run of each in a goroutine of its own, given nine tenths of
// the interval, and none started while its previous run goes on. It
// returns the first n values of the series name, and stops every run
// before it returns.
func runBeside(t *testing.T, cs []Collector, interval time.Duration, name string, n int) []float64 {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	values := make(chan float64, n)
	busy := make([]atomic.Bool, len(cs))
	tick := time.NewTicker(interval)
	defer tick.Stop()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	var got []float64
	for {
		for i, c := range cs {
			if !busy[i].CompareAndSwap(false, true) {
				continue
			}
			wg.Go(func() {
				defer busy[i].Store(false)
				rctx, rcancel := context.WithTimeout(ctx, interval*9/10)
				defer rcancel()
				c.Collect(rctx, func(d Desc, v float64) {
					if d.Name == name {
						select {
						case values <- v:
						default:
						}
					}
				})
			})
		}
		for wait := true; wait; {
			select {
			case v := <-values:
				if got = append(got, v); len(got) == n {
					return got
				}
			case <-tick.C:
				wait = false
			case <-timeout.C:
				t.Fatalf("%d values of %s in 20 s, want %d", len(got), name, n)
			}
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
