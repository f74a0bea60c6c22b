//go:build linux

package collectors

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/shirou/gopsutil/v3/disk"
)

// diskstatsReader reads /proc/diskstats (under $HOST_PROC if set, as
// gopsutil does) into a map it keeps. gopsutil's IOCounters reads the same
// file but also looks up each device's serial number and label, two more
// file reads per device on every call, which the collector never uses.
type diskstatsReader struct {
	path  string
	buf   []byte
	names map[string]string // interned device names
	stats map[string]disk.IOCountersStat
}

func newDiskstatsReader() *diskstatsReader {
	proc := os.Getenv("HOST_PROC")
	if proc == "" {
		proc = "/proc"
	}
	return &diskstatsReader{
		path:  filepath.Join(proc, "diskstats"),
		names: map[string]string{},
		stats: map[string]disk.IOCountersStat{},
	}
}

// sectorSize is the unit of /proc/diskstats' sector counts, whatever the
// device's own sector size.
const sectorSize = 512

// read returns the counters of every device, in a map that the next call
// reuses.
func (r *diskstatsReader) read(context.Context) (map[string]disk.IOCountersStat, error) {
	var err error
	if r.buf, err = readFileInto(r.path, r.buf); err != nil {
		return nil, err
	}
	clear(r.stats)
	// major minor name, then 11 counters (more on newer kernels: discards
	// and flushes, not reported).
	var fields [14][]byte
	for line := range bytes.Lines(r.buf) {
		n := 0
		for field := range bytes.FieldsSeq(line) {
			if n == len(fields) {
				break
			}
			fields[n] = field
			n++
		}
		if n < len(fields) {
			continue
		}
		var v [11]uint64
		for i := range v {
			var ok bool
			if v[i], ok = parseUint(fields[3+i]); !ok {
				return nil, fmt.Errorf("%s: bad line %q", r.path, bytes.TrimSpace(line))
			}
		}
		if v == [11]uint64{} {
			continue // never used, as gopsutil leaves out too
		}
		name, ok := r.names[string(fields[2])]
		if !ok {
			name = string(fields[2])
			r.names[name] = name
		}
		r.stats[name] = disk.IOCountersStat{
			Name:      name,
			ReadCount: v[0], MergedReadCount: v[1], ReadBytes: v[2] * sectorSize, ReadTime: v[3],
			WriteCount: v[4], MergedWriteCount: v[5], WriteBytes: v[6] * sectorSize, WriteTime: v[7],
			IopsInProgress: v[8], IoTime: v[9], WeightedIO: v[10],
		}
	}
	return r.stats, nil
}

// parseUint parses a decimal unsigned integer without allocating.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}
