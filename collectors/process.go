package collectors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// processCollector reports on the running process through one gopsutil
// handle, kept for the collector's life. Series are named as client_golang's
// process collector names them, so dashboards built for it work.
type processCollector struct {
	proc *process.Process

	cpu, rss, vms, fds, maxFDs, threads, start Desc

	// From getrusage, where the system has it.
	hasRusage                bool
	cpuUser, cpuSystem       Desc
	minorFaults, majorFaults Desc
	voluntary, involuntary   Desc
	blockRead, blockWritten  Desc

	// The optional figures, present where the system reports them.
	hasFDs, hasMaxFDs, hasThreads, hasStart bool

	startSec float64 // start time, unix seconds

	nFDs     int       // last count of open files, -1 after an error
	fdsAt    time.Time // when it was counted
	maxFDsN  uint64    // last soft limit read, 0 when unlimited
	maxFDsAt time.Time // when it was read
}

// processUsage is what getrusage tells of the process, in base units.
type processUsage struct {
	user, system             float64 // CPU seconds
	minorFaults, majorFaults float64
	voluntary, involuntary   float64 // context switches
	blockRead, blockWritten  float64 // bytes
	hasBlockBytes            bool
}

var bootTimeCache sync.Once

// Process returns a Collector, named "process", of this process (group
// "process"), with client_golang's names: process_cpu_seconds_total (user
// plus system; as a rate, the cores kept busy),
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_threads and
// process_start_time_seconds. Where the system has getrusage (Unix) it
// adds, from that one call, process_cpu_user_seconds_total and
// process_cpu_system_seconds_total, process_minor_page_faults_total, process_major_page_faults_total,
// process_voluntary_context_switches_total (the process waited),
// process_involuntary_context_switches_total (it was preempted) and, on
// Linux, process_storage_read_bytes_total and
// process_storage_written_bytes_total (I/O that reached storage, not the
// page cache). Figures the system does not report are left out; it
// returns an error only if the process cannot be inspected at all.
func Process() (Collector, error) {
	ctx := context.Background()
	// Boot time does not change while we run; without the cache gopsutil
	// reads the kernel's CPU statistics again on every CPU-times call.
	// The switch is a plain global in gopsutil: set it once, before any
	// of our process collectors reads it.
	bootTimeCache.Do(func() { process.EnableBootTimeCache(true) })
	p, err := process.NewProcessWithContext(ctx, int32(os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("inspect own process: %w", err)
	}
	d := func(name, title, help, unit, chart, chartTitle string) Desc {
		return Desc{
			Name:       name,
			Title:      title,
			Help:       help,
			Unit:       unit,
			Group:      "process",
			Chart:      chart,
			ChartTitle: chartTitle,
		}
	}
	c := &processCollector{
		proc:    p,
		cpu:     d("process_cpu_seconds_total", "CPU", "Total user and system CPU time spent, in seconds; as a rate, the number of cores kept busy.", UnitSeconds, "process_cpu", "CPU"),
		rss:     d("process_resident_memory_bytes", "resident", "Resident memory size, in bytes.", UnitBytes, "process_memory", "Resident memory"),
		vms:     d("process_virtual_memory_bytes", "virtual", "Virtual memory size, in bytes.", UnitBytes, "process_virtual_memory", "Virtual memory"),
		fds:     d("process_open_fds", "open", "Number of open file descriptors (counted every second, every 5 s above 512: listing them costs in proportion).", UnitCount, "process_fds", "Open file descriptors"),
		maxFDs:  d("process_max_fds", "limit", "Maximum number of open file descriptors (soft limit, read once a minute).", UnitCount, "process_max_fds", "File descriptor limit"),
		threads: d("process_threads", "threads", "Number of OS threads.", UnitCount, "process_threads", "OS threads"),
		start:   d("process_start_time_seconds", "start time", "Start time of the process since the Unix epoch, in seconds.", UnitTimestamp, "process_start_time", "Started"),
	}
	c.cpu.Kind = Counter
	_, c.hasRusage = rusage()
	if c.hasRusage {
		c.cpuUser = d("process_cpu_user_seconds_total", "user", "CPU time spent running the program's code, in seconds; as a rate, the cores kept busy.", UnitSeconds, "process_cpu", "CPU")
		c.cpuSystem = d("process_cpu_system_seconds_total", "system", "CPU time the kernel spent on the process's behalf, in seconds; as a rate, the cores kept busy.", UnitSeconds, "process_cpu", "CPU")
		c.minorFaults = d("process_minor_page_faults_total", "minor", "Page faults served without I/O (a page first touched, or already in memory).", UnitCount, "process_page_faults", "Page faults")
		c.majorFaults = d("process_major_page_faults_total", "major", "Page faults that had to read from disk or swap.", UnitCount, "process_page_faults", "Page faults")
		c.voluntary = d("process_voluntary_context_switches_total", "voluntary", "Context switches because a thread of the process waited (I/O, a lock, sleep).", UnitCount, "process_context_switches", "Context switches")
		c.involuntary = d("process_involuntary_context_switches_total", "involuntary", "Context switches because a thread of the process was preempted (its time slice ended).", UnitCount, "process_context_switches", "Context switches")
		c.blockRead = d("process_storage_read_bytes_total", "read", "Bytes the process caused to be read from storage (not from the page cache).", UnitBytes, "process_storage_io", "Storage I/O")
		c.blockWritten = d("process_storage_written_bytes_total", "written", "Bytes the process caused to be written to storage.", UnitBytes, "process_storage_io", "Storage I/O")
		for _, d := range []*Desc{&c.cpuUser, &c.cpuSystem, &c.minorFaults, &c.majorFaults, &c.voluntary, &c.involuntary, &c.blockRead, &c.blockWritten} {
			d.Kind = Counter
		}
	}
	c.maxFDs.Stat = true
	c.maxFDs.LimitOf = "process_fds" // and a limit line on the open fds chart
	c.start.Stat = true

	_, err = openFDs()
	c.hasFDs = err == nil
	_, err = c.maxOpenFiles(ctx)
	c.hasMaxFDs = err == nil
	_, err = p.NumThreadsWithContext(ctx)
	c.hasThreads = err == nil
	if t, err := startTime(); err == nil {
		c.hasStart, c.startSec = true, float64(t.UnixNano())/1e9
	}
	return c, nil
}

// Unavailable lists the figures this operating system does not report.
func (c *processCollector) Unavailable() []string {
	var out []string
	for _, f := range []struct {
		has  bool
		name string
	}{
		{c.hasFDs, c.fds.Name}, {c.hasMaxFDs, c.maxFDs.Name}, {c.hasThreads, c.threads.Name}, {c.hasStart, c.start.Name},
		{c.hasRusage, "process_cpu_user_seconds_total"}, {c.hasRusage, "process_cpu_system_seconds_total"},
		{c.hasRusage, "process_minor_page_faults_total"}, {c.hasRusage, "process_major_page_faults_total"},
		{c.hasRusage, "process_voluntary_context_switches_total"}, {c.hasRusage, "process_involuntary_context_switches_total"},
		{c.hasRusage && runtime.GOOS == "linux", "process_storage_read_bytes_total"},
		{c.hasRusage && runtime.GOOS == "linux", "process_storage_written_bytes_total"},
	} {
		if !f.has {
			out = append(out, f.name)
		}
	}
	return out
}

// Name returns "process".
func (c *processCollector) Name() string { return "process" }

// Collect emits the process's figures.
func (c *processCollector) Collect(ctx context.Context, emit Emit) error {
	var errs []error
	ru, hasRU := processUsage{}, false
	if c.hasRusage {
		if ru, hasRU = rusage(); hasRU {
			emit(c.cpu, ru.user+ru.system)
			emit(c.cpuUser, ru.user)
			emit(c.cpuSystem, ru.system)
		} else {
			errs = append(errs, errors.New("getrusage failed"))
		}
	} else if t, err := c.proc.TimesWithContext(ctx); err != nil {
		errs = append(errs, fmt.Errorf("read cpu times: %w", err))
	} else {
		emit(c.cpu, t.User+t.System)
	}
	if m, err := c.proc.MemoryInfoWithContext(ctx); err != nil {
		errs = append(errs, fmt.Errorf("read memory: %w", err))
	} else {
		emit(c.rss, float64(m.RSS))
		emit(c.vms, float64(m.VMS))
	}
	if hasRU {
		emit(c.minorFaults, ru.minorFaults)
		emit(c.majorFaults, ru.majorFaults)
		emit(c.voluntary, ru.voluntary)
		emit(c.involuntary, ru.involuntary)
		if ru.hasBlockBytes {
			emit(c.blockRead, ru.blockRead)
			emit(c.blockWritten, ru.blockWritten)
		}
	}
	now := time.Now()
	if c.hasFDs {
		// A server with thousands of sockets has thousands of entries to
		// list: count them less often then.
		if c.nFDs <= 512 || now.Sub(c.fdsAt) >= 5*time.Second {
			if n, err := openFDs(); err != nil {
				errs = append(errs, fmt.Errorf("count open files: %w", err))
				c.nFDs = -1
			} else {
				c.nFDs, c.fdsAt = int(n), now
			}
		}
		if c.nFDs >= 0 {
			emit(c.fds, float64(c.nFDs))
		}
	}
	if c.hasMaxFDs {
		if now.Sub(c.maxFDsAt) >= time.Minute {
			n, err := c.maxOpenFiles(ctx)
			if err != nil {
				errs = append(errs, fmt.Errorf("read open files limit: %w", err))
			} else {
				c.maxFDsN, c.maxFDsAt = n, now
			}
		}
		if c.maxFDsN > 0 {
			emit(c.maxFDs, float64(c.maxFDsN))
		}
	}
	if c.hasThreads {
		if n, err := c.proc.NumThreadsWithContext(ctx); err != nil {
			errs = append(errs, fmt.Errorf("count threads: %w", err))
		} else {
			emit(c.threads, float64(n))
		}
	}
	if c.hasStart {
		emit(c.start, c.startSec)
	}
	return errors.Join(errs...)
}

// maxOpenFiles returns the soft limit on open files, or 0 if unlimited.
func (c *processCollector) maxOpenFiles(ctx context.Context) (uint64, error) {
	limits, err := c.proc.RlimitWithContext(ctx)
	if err != nil {
		return 0, err
	}
	for _, l := range limits {
		if l.Resource == process.RLIMIT_NOFILE {
			if l.Soft >= math.MaxInt64 {
				return 0, nil
			}
			return l.Soft, nil
		}
	}
	return 0, errors.New("no open files limit reported")
}
