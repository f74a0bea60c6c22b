package collectors

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shirou/gopsutil/v3/cpu"
)

// The CPU modes reported, as indexes into cpuModes. The kernel's finer
// split is folded: nice into user, irq and softirq into system. On Linux
// user and nice already include guest and guest_nice time, so guest is
// never added again.
const (
	modeUser = iota
	modeSystem
	modeIowait
	modeSteal
	modeIdle
	numCPUModes
)

var cpuModeNames = [numCPUModes]string{"user", "system", "iowait", "steal", "idle"}

// cpuModes is the cumulative time, in seconds, a CPU spent in each mode.
type cpuModes [numCPUModes]float64

func modesOf(t *cpu.TimesStat) cpuModes {
	return cpuModes{
		modeUser:   t.User + t.Nice,
		modeSystem: t.System + t.Irq + t.Softirq,
		modeIowait: t.Iowait,
		modeSteal:  t.Steal,
		modeIdle:   t.Idle,
	}
}

// since returns the time spent in each mode since prev, and the sum. A
// mode that went backwards (the kernel's iowait and idle may, per CPU)
// counts as zero.
func (m *cpuModes) since(prev *cpuModes) (d cpuModes, total float64) {
	for i := range m {
		d[i] = max(m[i]-prev[i], 0)
		total += d[i]
	}
	return d, total
}

// cpuCollector reports the share of time the CPUs spend in each mode, for
// the whole machine and per core, computed from its own previous times
// (never from gopsutil's cpu.Percent, which keeps global state). Its first
// call has nothing to compare with and reports only the number of CPUs.
type cpuCollector struct {
	cpus    Desc
	machine [numCPUModes]Desc
	cores   instances[cpuCore]

	// prevMachine holds the machine's times where per-CPU times are not
	// available.
	prevMachine    cpuModes
	hasPrevMachine bool
}

// cpuCore is the state kept per logical CPU.
type cpuCore struct {
	descs [numCPUModes]Desc
	prev  cpuModes
	delta cpuModes // of the current call
	total float64  // sum of delta; zero when there is nothing to report
}

func newCPUCollector() *cpuCollector {
	c := &cpuCollector{
		cpus: Desc{
			Name:       "host_cpus",
			Title:      "logical CPUs",
			Help:       "Number of online logical CPUs.",
			Unit:       UnitCount,
			Group:      "host",
			Chart:      "host_cpus",
			ChartTitle: "Logical CPUs",
			Stat:       true,
		},
	}
	for m, mode := range cpuModeNames {
		c.machine[m] = Desc{
			Name:       "host_cpu_ratio",
			Labels:     []Label{{Name: "mode", Value: mode}},
			Title:      mode,
			Help:       "Share of the machine's CPU time spent in each mode (nice counted as user, irq and softirq as system).",
			Unit:       UnitRatio,
			Group:      "host",
			Chart:      "host_cpu",
			ChartTitle: "CPU",
		}
	}
	return c
}

func newCPUCore(name string) cpuCore {
	n := strings.TrimPrefix(name, "cpu")
	var core cpuCore
	for m, mode := range cpuModeNames {
		core.descs[m] = Desc{
			Name:       "host_cpu_core_ratio",
			Labels:     []Label{{Name: "cpu", Value: n}, {Name: "mode", Value: mode}},
			Title:      mode,
			Help:       "Share of one logical CPU's time spent in each mode (nice counted as user, irq and softirq as system).",
			Unit:       UnitRatio,
			Group:      "host",
			Chart:      "host_cpu_core_" + n,
			ChartTitle: "CPU " + n,
		}
	}
	return core
}

// Name returns "host_cpu".
func (c *cpuCollector) Name() string { return "host_cpu" }

// Collect emits the number of CPUs and, from the second call on, the share
// of each mode since the previous call.
func (c *cpuCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	defer fileGate.RUnlock()
	times, err := cpu.TimesWithContext(ctx, true)
	if err != nil {
		return fmt.Errorf("read per-cpu times: %w", err)
	}
	if len(times) == 0 {
		return c.collectMachine(ctx, emit)
	}
	emit(c.cpus, float64(len(times)))

	// The machine's share is computed from the cores seen in both calls, so
	// a core going offline does not distort it; it reads the kernel's
	// statistics once instead of twice.
	var sum cpuModes
	var sumTotal float64
	c.cores.begin()
	for i := range times {
		core, isNew := c.cores.get(times[i].CPU)
		cur := modesOf(&times[i])
		if isNew {
			*core = newCPUCore(times[i].CPU)
			core.prev = cur
			continue
		}
		core.delta, core.total = cur.since(&core.prev)
		core.prev = cur
		for m := range sum {
			sum[m] += core.delta[m]
		}
		sumTotal += core.total
	}
	cores := c.cores.sweep()

	if sumTotal > 0 {
		for m := range sum {
			emit(c.machine[m], sum[m]/sumTotal)
		}
	}
	for _, in := range cores {
		core := &in.val
		if core.total <= 0 {
			continue
		}
		for m := range core.delta {
			emit(core.descs[m], core.delta[m]/core.total)
		}
	}
	return nil
}

// collectMachine is Collect for systems without per-CPU times.
func (c *cpuCollector) collectMachine(ctx context.Context, emit Emit) error {
	var errs []error
	if n, err := cpu.CountsWithContext(ctx, true); err != nil {
		errs = append(errs, fmt.Errorf("count cpus: %w", err))
	} else if n > 0 {
		emit(c.cpus, float64(n))
	}
	times, err := cpu.TimesWithContext(ctx, false)
	if err == nil && len(times) == 0 {
		err = errors.New("no cpu times reported")
	}
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("read cpu times: %w", err))...)
	}
	cur := modesOf(&times[0])
	if c.hasPrevMachine {
		if d, total := cur.since(&c.prevMachine); total > 0 {
			for m := range d {
				emit(c.machine[m], d[m]/total)
			}
		}
	}
	c.prevMachine, c.hasPrevMachine = cur, true
	return errors.Join(errs...)
}
