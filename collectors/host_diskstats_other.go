//go:build !linux

package collectors

import (
	"context"

	"github.com/shirou/gopsutil/v3/disk"
)

// diskstatsReader reads the disk counters through gopsutil.
type diskstatsReader struct{}

func newDiskstatsReader() *diskstatsReader { return &diskstatsReader{} }

func (*diskstatsReader) read(ctx context.Context) (map[string]disk.IOCountersStat, error) {
	return disk.IOCountersWithContext(ctx)
}
