package collectors

import (
	"context"
	"fmt"
	"runtime"

	"github.com/shirou/gopsutil/v3/mem"
)

// memoryCollector reports physical memory and swap, the way free(1) shows
// them: used is total minus available, cached is buffers plus page cache
// plus reclaimable slab ("buff/cache"). On Linux it adds the kernel's own
// use, dirty pages and commitments from the same read of /proc/meminfo,
// and swap activity, page faults and OOM kills from /proc/vmstat.
type memoryCollector struct {
	total, available, used, cached, free Desc
	swapTotal, swapUsed                  Desc

	// Linux only, from /proc/meminfo.
	slabReclaimable, slabUnreclaimable, pageTables, shared Desc
	dirty, writeback                                       Desc
	committed, commitLimit                                 Desc

	vmstat *vmstatReader // Linux only, nil elsewhere
}

func newMemoryCollector() *memoryCollector {
	d := func(chart, chartTitle string) func(name, title, help string) Desc {
		return func(name, title, help string) Desc {
			return Desc{
				Name:       name,
				Title:      title,
				Help:       help,
				Unit:       UnitBytes,
				Group:      "host",
				Chart:      chart,
				ChartTitle: chartTitle,
			}
		}
	}
	memDesc := d("host_memory", "Memory")
	swapDesc := d("host_swap", "Swap")
	kernelDesc := d("host_memory_kernel", "Kernel and shared memory")
	dirtyDesc := d("host_memory_dirty", "Dirty pages")
	commitDesc := d("host_memory_commit", "Committed memory")
	c := &memoryCollector{
		total:     memDesc("host_memory_total_bytes", "total", "Physical memory, in bytes."),
		available: memDesc("host_memory_available_bytes", "available", "Memory available to start new programs without swapping, in bytes."),
		used:      memDesc("host_memory_used_bytes", "used", "Memory in use (total minus available), in bytes."),
		cached:    memDesc("host_memory_cached_bytes", "buff/cache", "Memory used by buffers, page cache and reclaimable slab, in bytes."),
		free:      memDesc("host_memory_free_bytes", "free", "Memory not used for anything, not even cache, in bytes."),
		swapTotal: swapDesc("host_swap_total_bytes", "total", "Swap space, in bytes."),
		swapUsed:  swapDesc("host_swap_used_bytes", "used", "Swap space in use, in bytes."),

		slabReclaimable:   kernelDesc("host_memory_slab_reclaimable_bytes", "slab reclaimable", "Kernel slab memory that can be reclaimed, such as dentry and inode caches, in bytes."),
		slabUnreclaimable: kernelDesc("host_memory_slab_unreclaimable_bytes", "slab unreclaimable", "Kernel slab memory that cannot be reclaimed under pressure, in bytes."),
		pageTables:        kernelDesc("host_memory_page_tables_bytes", "page tables", "Memory used by page tables, in bytes."),
		shared:            kernelDesc("host_memory_shared_bytes", "shared", "Shared memory and tmpfs (Shmem), in bytes."),
		dirty:             dirtyDesc("host_memory_dirty_bytes", "dirty", "Memory waiting to be written back to disk, in bytes."),
		writeback:         dirtyDesc("host_memory_writeback_bytes", "writeback", "Memory being written back to disk, in bytes."),
		committed:         commitDesc("host_memory_committed_bytes", "committed", "Memory the processes have allocated, resident or not (Committed_AS), in bytes."),
		commitLimit:       commitDesc("host_memory_commit_limit_bytes", "commit limit", "Memory that may be committed under strict overcommit (CommitLimit), in bytes."),
	}
	if runtime.GOOS == "linux" {
		c.vmstat = newVMStatReader()
	}
	c.total.LimitOf = "host_memory" // drawn as a limit line on the memory chart
	return c
}

// Name returns "host_memory".
func (c *memoryCollector) Name() string { return "host_memory" }

// Collect emits memory and swap usage.
func (c *memoryCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	defer fileGate.RUnlock()
	vm, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		return fmt.Errorf("read memory: %w", err)
	}
	emit(c.used, float64(vm.Total-min(vm.Available, vm.Total)))
	emit(c.cached, float64(vm.Buffers+vm.Cached)) // gopsutil's Cached includes SReclaimable
	emit(c.available, float64(vm.Available))
	emit(c.free, float64(vm.Free))
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

	if runtime.GOOS == "linux" {
		emit(c.slabReclaimable, float64(vm.Sreclaimable))
		emit(c.slabUnreclaimable, float64(vm.Sunreclaim))
		emit(c.pageTables, float64(vm.PageTables))
		emit(c.shared, float64(vm.Shared))
		emit(c.dirty, float64(vm.Dirty))
		emit(c.writeback, float64(vm.WriteBack))
		emit(c.committed, float64(vm.CommittedAS))
		emit(c.commitLimit, float64(vm.CommitLimit))
	}
	if c.vmstat != nil {
		if err := c.vmstat.collect(emit); err != nil {
			return fmt.Errorf("read vmstat: %w", err)
		}
	}
	return nil
}
