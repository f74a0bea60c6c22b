package collectors

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shirou/gopsutil/v3/disk"
)

// diskCollector reports I/O counters per block device, raw and cumulative:
// the page shows them as rates.
//
// Unless the user names devices, it reports every device that has done I/O
// except loop, ram and zram devices (memory or file backed, not hardware)
// and partitions whose whole disk is reported too (their I/O is already in
// the disk's, and summing both would count it twice). Device mapper, md
// and other virtual block devices are kept.
type diskCollector struct {
	only []string
	devs instances[diskDevice]
	r    *diskstatsReader
}

// diskDevice is the state kept per block device.
type diskDevice struct {
	skip                                       bool
	readBytes, writtenBytes, reads, writes, io Desc
	readsMerged, writesMerged                  Desc
	readTime, writeTime, weighted, inProgress  Desc
}

func newDiskCollector(only []string) *diskCollector {
	return &diskCollector{only: slices.Clone(only), r: newDiskstatsReader()}
}

func newDiskDevice(name string) diskDevice {
	d := func(metric, title, help, unit, chart, chartTitle string) Desc {
		return Desc{
			Name:       metric,
			Labels:     []Label{{Name: "device", Value: name}},
			Title:      name + " " + title,
			Help:       help,
			Unit:       unit,
			Group:      "host",
			Kind:       Counter,
			Chart:      chart,
			ChartTitle: chartTitle,
		}
	}
	dev := diskDevice{
		readBytes:    d("host_disk_read_bytes_total", "read", "Bytes read from the device.", UnitBytes, "host_disk_bytes", "Disk throughput"),
		writtenBytes: d("host_disk_written_bytes_total", "written", "Bytes written to the device.", UnitBytes, "host_disk_bytes", "Disk throughput"),
		reads:        d("host_disk_reads_completed_total", "reads", "Reads completed by the device.", UnitCount, "host_disk_ops", "Disk operations"),
		writes:       d("host_disk_writes_completed_total", "writes", "Writes completed by the device.", UnitCount, "host_disk_ops", "Disk operations"),
		readsMerged:  d("host_disk_reads_merged_total", "reads merged", "Reads merged with an adjacent one before reaching the device.", UnitCount, "host_disk_ops", "Disk operations"),
		writesMerged: d("host_disk_writes_merged_total", "writes merged", "Writes merged with an adjacent one before reaching the device.", UnitCount, "host_disk_ops", "Disk operations"),
		io:           d("host_disk_io_time_seconds_total", "busy", "Time the device had I/O in progress, in seconds; as a rate, its utilization.", UnitSeconds, "host_disk_busy", "Disk busy time"),
		readTime:     d("host_disk_read_time_seconds_total", "reading", "Time spent by all reads, from issue to completion, in seconds; as a rate, the reads in flight on average.", UnitSeconds, "host_disk_time", "Disk time in I/O"),
		writeTime:    d("host_disk_write_time_seconds_total", "writing", "Time spent by all writes, from issue to completion, in seconds; as a rate, the writes in flight on average.", UnitSeconds, "host_disk_time", "Disk time in I/O"),
		weighted:     d("host_disk_io_time_weighted_seconds_total", "queue", "Time spent in I/O weighted by the requests in flight, in seconds; as a rate, the average queue length.", UnitSeconds, "host_disk_time", "Disk time in I/O"),
		inProgress:   d("host_disk_io_now", "in flight", "I/O requests issued to the device and not yet completed.", UnitCount, "host_disk_io_now", "Disk I/O in flight"),
	}
	dev.inProgress.Kind = Gauge
	return dev
}

// Name returns "host_disk".
func (c *diskCollector) Name() string { return "host_disk" }

// Collect emits the I/O counters of each device.
func (c *diskCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	defer fileGate.RUnlock()
	stats, err := c.r.read(ctx)
	if err != nil {
		return fmt.Errorf("read disk counters: %w", err)
	}
	c.devs.begin()
	for name := range stats {
		dev, isNew := c.devs.get(name)
		if isNew {
			*dev = newDiskDevice(name)
			dev.skip = !c.wanted(name, stats)
		}
	}
	for _, in := range c.devs.sweep() {
		dev := &in.val
		if dev.skip {
			continue
		}
		s := stats[in.key]
		emit(dev.readBytes, float64(s.ReadBytes))
		emit(dev.writtenBytes, float64(s.WriteBytes))
		emit(dev.reads, float64(s.ReadCount))
		emit(dev.writes, float64(s.WriteCount))
		emit(dev.readsMerged, float64(s.MergedReadCount))
		emit(dev.writesMerged, float64(s.MergedWriteCount))
		emit(dev.io, float64(s.IoTime)/1e3) // milliseconds
		emit(dev.readTime, float64(s.ReadTime)/1e3)
		emit(dev.writeTime, float64(s.WriteTime)/1e3)
		emit(dev.weighted, float64(s.WeightedIO)/1e3)
		emit(dev.inProgress, float64(s.IopsInProgress))
	}
	return nil
}

// wanted reports whether device name is to be reported.
func (c *diskCollector) wanted(name string, all map[string]disk.IOCountersStat) bool {
	if len(c.only) > 0 {
		return slices.Contains(c.only, name)
	}
	for _, p := range [...]string{"loop", "ram", "zram"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" && isDigit(rest[0]) {
			return false
		}
	}
	whole, ok := partitionOf(name)
	if !ok {
		return true
	}
	_, diskReported := all[whole]
	return !diskReported
}

// partitionOf returns the name the whole disk would have if name is a
// partition: "sda" for "sda1", "nvme0n1" for "nvme0n1p2", "mmcblk0" for
// "mmcblk0p1". Whether that disk exists is for the caller to check.
func partitionOf(name string) (string, bool) {
	base := strings.TrimRight(name, "0123456789")
	if base == name || base == "" {
		return "", false
	}
	// Disks whose names end in a digit number their partitions "p1", "p2".
	if b, ok := strings.CutSuffix(base, "p"); ok && b != "" && isDigit(b[len(b)-1]) {
		base = b
	}
	return base, true
}
