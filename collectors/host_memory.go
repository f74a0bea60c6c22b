package collectors

import (
	"context"
	"fmt"
	"runtime"

	"github.com/shirou/gopsutil/v3/mem"
)

// memoryCollector reports physical memory and swap, the way free(1) shows
// them: used is total minus available, cached is buffers plus page cache
// plus reclaimable slab ("buff/cache").
type memoryCollector struct {
	total, available, used, cached Desc
	swapTotal, swapUsed            Desc
}

func newMemoryCollector() *memoryCollector {
	memDesc := func(name, title, help string) Desc {
		return Desc{
			Name:       name,
			Title:      title,
			Help:       help,
			Unit:       UnitBytes,
			Group:      "host",
			Chart:      "host_memory",
			ChartTitle: "Memory",
		}
	}
	swapDesc := func(name, title, help string) Desc {
		return Desc{
			Name:       name,
			Title:      title,
			Help:       help,
			Unit:       UnitBytes,
			Group:      "host",
			Chart:      "host_swap",
			ChartTitle: "Swap",
		}
	}
	return &memoryCollector{
		total:     memDesc("host_memory_total_bytes", "total", "Physical memory, in bytes."),
		available: memDesc("host_memory_available_bytes", "available", "Memory available to start new programs without swapping, in bytes."),
		used:      memDesc("host_memory_used_bytes", "used", "Memory in use (total minus available), in bytes."),
		cached:    memDesc("host_memory_cached_bytes", "buff/cache", "Memory used by buffers, page cache and reclaimable slab, in bytes."),
		swapTotal: swapDesc("host_swap_total_bytes", "total", "Swap space, in bytes."),
		swapUsed:  swapDesc("host_swap_used_bytes", "used", "Swap space in use, in bytes."),
	}
}

// Name returns "host_memory".
func (c *memoryCollector) Name() string { return "host_memory" }

// Collect emits memory and swap usage.
func (c *memoryCollector) Collect(ctx context.Context, emit Emit) error {
	vm, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		return fmt.Errorf("read memory: %w", err)
	}
	emit(c.used, float64(vm.Total-min(vm.Available, vm.Total)))
	emit(c.cached, float64(vm.Buffers+vm.Cached)) // gopsutil's Cached includes SReclaimable
	emit(c.available, float64(vm.Available))
	emit(c.total, float64(vm.Total))

	// On Linux the same read has the swap figures; elsewhere they take a
	// call of their own.
	swapTotal, swapFree := vm.SwapTotal, vm.SwapFree
	if runtime.GOOS != "linux" {
		sw, err := mem.SwapMemoryWithContext(ctx)
		if err != nil {
			return fmt.Errorf("read swap: %w", err)
		}
		swapTotal, swapFree = sw.Total, sw.Free
	}
	emit(c.swapUsed, float64(swapTotal-min(swapFree, swapTotal)))
	emit(c.swapTotal, float64(swapTotal))
	return nil
}
