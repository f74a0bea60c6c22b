package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/shirou/gopsutil/v3/disk"
)

// filesystemCollector reports the usage of each mounted filesystem that
// holds data: it skips pseudo and in-memory filesystems (see
// pseudoFilesystems), overlays except the one mounted on "/" (in a
// container, the root overlay is the filesystem the program sees), and
// filesystems reporting zero size. A device mounted several times (bind
// mounts, btrfs subvolumes) is reported once, at its mount with the
// shortest path, preferring a mount of the whole filesystem to bind
// mounts. Mounts the process may not stat are skipped.
//
// statfs on a dead network mount can block for minutes, so each call runs
// in a goroutine of its own that Collect stops waiting for when ctx is done;
// until that call returns, later Collects skip the mount and report it.
type filesystemCollector struct {
	interval time.Duration
	mounts   instances[fsMount]

	// The system calls, replaced in tests.
	partitions func(ctx context.Context, all bool) ([]disk.PartitionStat, error)
	usage      func(ctx context.Context, path string) (*disk.UsageStat, error)
}

// fsMount is the state kept per mount.
type fsMount struct {
	path                                  string
	ratio, size, free                     Desc
	freeAll, filesRatio, files, filesFree Desc
	pending                               chan fsUsage // statfs in flight, or nil
	stuck                                 bool         // pending was started by an earlier call
}

// fsUsage is the result of one statfs.
type fsUsage struct {
	usage *disk.UsageStat
	err   error
}

// pseudoFilesystems are the filesystem types that hold no data on a device
// of their own: kernel interfaces, memory-backed filesystems, and read-only
// images (snaps, ISO images) that are always full.
var pseudoFilesystems = map[string]bool{
	"autofs": true, "binfmt_misc": true, "bpf": true, "cgroup": true, "cgroup2": true,
	"configfs": true, "debugfs": true, "devfs": true, "devpts": true, "devtmpfs": true,
	"efivarfs": true, "erofs": true, "fusectl": true, "fuse.gvfsd-fuse": true,
	"fuse.lxcfs": true, "fuse.portal": true, "fuse.snapfuse": true, "hugetlbfs": true,
	"iso9660": true, "mqueue": true, "nfsd": true, "nsfs": true, "nullfs": true,
	"proc": true, "procfs": true, "pstore": true, "ramfs": true, "rootfs": true,
	"rpc_pipefs": true, "securityfs": true, "selinuxfs": true, "squashfs": true,
	"sysfs": true, "tmpfs": true, "tracefs": true,
}

func newFilesystemCollector(interval time.Duration) *filesystemCollector {
	return &filesystemCollector{
		interval:   interval,
		partitions: disk.PartitionsWithContext,
		usage:      disk.UsageWithContext,
	}
}

func newFSMount(p *disk.PartitionStat) fsMount {
	labels := []Label{
		{Name: "device", Value: p.Device},
		{Name: "fstype", Value: p.Fstype},
		{Name: "mountpoint", Value: p.Mountpoint},
	}
	return fsMount{
		path: p.Mountpoint,
		ratio: Desc{
			Name:       "host_filesystem_used_ratio",
			Labels:     labels,
			Title:      p.Mountpoint,
			Help:       "Share of the filesystem's space in use, as df shows it (space reserved for root counts as neither used nor available).",
			Unit:       UnitRatio,
			Group:      "host",
			Chart:      "host_filesystem",
			ChartTitle: "Filesystem usage",
		},
		size: Desc{
			Name:       "host_filesystem_size_bytes",
			Labels:     labels,
			Title:      p.Mountpoint + " size",
			Help:       "Size of the filesystem, in bytes.",
			Unit:       UnitBytes,
			Group:      "host",
			Chart:      "host_filesystem_space",
			ChartTitle: "Filesystem space",
		},
		free: Desc{
			Name:       "host_filesystem_avail_bytes",
			Labels:     labels,
			Title:      p.Mountpoint + " available",
			Help:       "Space available to unprivileged users on the filesystem, in bytes.",
			Unit:       UnitBytes,
			Group:      "host",
			Chart:      "host_filesystem_space",
			ChartTitle: "Filesystem space",
		},
		freeAll: Desc{
			Name:       "host_filesystem_free_bytes",
			Labels:     labels,
			Title:      p.Mountpoint + " free",
			Help:       "Free space on the filesystem, including the space reserved for root, in bytes.",
			Unit:       UnitBytes,
			Group:      "host",
			Chart:      "host_filesystem_space",
			ChartTitle: "Filesystem space",
		},
		filesRatio: Desc{
			Name:       "host_filesystem_files_used_ratio",
			Labels:     labels,
			Title:      p.Mountpoint + " inodes",
			Help:       "Share of the filesystem's inodes in use: when all are, no file can be created, whatever the free space.",
			Unit:       UnitRatio,
			Group:      "host",
			Chart:      "host_filesystem",
			ChartTitle: "Filesystem usage",
		},
		files: Desc{
			Name:       "host_filesystem_files",
			Labels:     labels,
			Title:      p.Mountpoint + " total",
			Help:       "Number of inodes (files, directories, links) the filesystem can hold.",
			Unit:       UnitCount,
			Group:      "host",
			Chart:      "host_filesystem_files",
			ChartTitle: "Filesystem inodes",
		},
		filesFree: Desc{
			Name:       "host_filesystem_files_free",
			Labels:     labels,
			Title:      p.Mountpoint + " free",
			Help:       "Number of free inodes on the filesystem.",
			Unit:       UnitCount,
			Group:      "host",
			Chart:      "host_filesystem_files",
			ChartTitle: "Filesystem inodes",
		},
	}
}

// Name returns "host_filesystem".
func (c *filesystemCollector) Name() string { return "host_filesystem" }

// Interval returns how often filesystem usage is read.
func (c *filesystemCollector) Interval() time.Duration { return c.interval }

// Collect emits the usage of each filesystem.
func (c *filesystemCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	parts, err := c.partitions(ctx, true)
	fileGate.RUnlock()
	if err != nil {
		return fmt.Errorf("list mounts: %w", err)
	}
	c.mounts.begin()
	for _, p := range chooseMounts(parts) {
		m, isNew := c.mounts.get(p.Mountpoint + "\x00" + p.Device + "\x00" + p.Fstype)
		if isNew {
			*m = newFSMount(p)
		}
		m.stuck = m.pending != nil
		if !m.stuck {
			m.pending = c.startStatfs(ctx, m.path)
		}
	}

	var errs []error
	for _, in := range c.mounts.sweep() {
		m := &in.val
		var r fsUsage
		select {
		case r = <-m.pending:
		default:
			if m.stuck {
				errs = append(errs, fmt.Errorf("statfs %q: blocked since an earlier call", m.path))
				continue
			}
			select {
			case r = <-m.pending:
			case <-ctx.Done():
				errs = append(errs, fmt.Errorf("statfs %q: %w", m.path, ctx.Err()))
				continue
			}
		}
		m.pending = nil
		if r.err != nil {
			if !errors.Is(r.err, fs.ErrPermission) {
				errs = append(errs, fmt.Errorf("statfs %q: %w", m.path, r.err))
			}
			continue
		}
		u := r.usage
		if u.Total == 0 || u.Used+u.Free == 0 {
			continue
		}
		emit(m.ratio, float64(u.Used)/float64(u.Used+u.Free))
		emit(m.size, float64(u.Total))
		emit(m.free, float64(u.Free))
		emit(m.freeAll, float64(u.Total-min(u.Used, u.Total)))
		// Filesystems without a fixed number of inodes (btrfs) report
		// none.
		if u.InodesTotal > 0 && u.InodesFree <= u.InodesTotal {
			emit(m.filesRatio, float64(u.InodesUsed)/float64(u.InodesTotal))
			emit(m.files, float64(u.InodesTotal))
			emit(m.filesFree, float64(u.InodesFree))
		}
	}
	return errors.Join(errs...)
}

// startStatfs reads the usage of the filesystem mounted at path in a
// goroutine that ends when the system call returns.
func (c *filesystemCollector) startStatfs(ctx context.Context, path string) chan fsUsage {
	ch := make(chan fsUsage, 1)
	go func() {
		u, err := c.usage(ctx, path)
		ch <- fsUsage{usage: u, err: err}
	}()
	return ch
}

// chooseMounts returns the mounts worth reporting, one per device.
func chooseMounts(parts []disk.PartitionStat) []*disk.PartitionStat {
	best := make(map[string]*disk.PartitionStat, len(parts))
	var order []string
	for i := range parts {
		p := &parts[i]
		if pseudoFilesystems[p.Fstype] || (p.Fstype == "overlay" && p.Mountpoint != "/") {
			continue
		}
		cur, ok := best[p.Device]
		if !ok {
			order = append(order, p.Device)
		}
		if !ok || betterMount(p, cur) {
			best[p.Device] = p
		}
	}
	chosen := make([]*disk.PartitionStat, len(order))
	for i, dev := range order {
		chosen[i] = best[dev]
	}
	return chosen
}

// betterMount reports whether a is a better mount than b to stand for
// their shared device: a mount of the filesystem's root rather than a
// bind mount of part of it, then the shorter path.
func betterMount(a, b *disk.PartitionStat) bool {
	aBind, bBind := slices.Contains(a.Opts, "bind"), slices.Contains(b.Opts, "bind")
	if aBind != bBind {
		return bBind
	}
	if len(a.Mountpoint) != len(b.Mountpoint) {
		return len(a.Mountpoint) < len(b.Mountpoint)
	}
	return a.Mountpoint < b.Mountpoint
}
