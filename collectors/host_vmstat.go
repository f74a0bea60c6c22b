package collectors

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// The counters read from /proc/vmstat, as indexes into vmstatCounters.
const (
	vmSwapIn = iota
	vmSwapOut
	vmFaults
	vmMajorFaults
	vmOOMKills
	numVMStat
)

// vmstatCounters describes the counters of /proc/vmstat reported; those
// the kernel counts in pages are reported in bytes.
var vmstatCounters = [numVMStat]struct {
	key, name, title, help, unit, chart, chartTitle string
	pages                                           bool // counted in pages
}{
	vmSwapIn:      {"pswpin", "host_swap_in_bytes_total", "in", "Bytes read from swap into memory.", UnitBytes, "host_swap_io", "Swap activity", true},
	vmSwapOut:     {"pswpout", "host_swap_out_bytes_total", "out", "Bytes written from memory to swap.", UnitBytes, "host_swap_io", "Swap activity", true},
	vmFaults:      {"pgfault", "host_memory_page_faults_total", "all", "Page faults, minor and major.", UnitCount, "host_page_faults", "Page faults", false},
	vmMajorFaults: {"pgmajfault", "host_memory_major_page_faults_total", "major", "Page faults that had to read from disk.", UnitCount, "host_page_faults", "Page faults", false},
	vmOOMKills:    {"oom_kill", "host_memory_oom_kills_total", "OOM kills", "Processes killed by the kernel's out-of-memory killer.", UnitCount, "host_oom_kills", "OOM kills", false},
}

// vmstatReader reads the counters of /proc/vmstat (under $HOST_PROC if
// set, as gopsutil does), which gopsutil does not report as they are.
type vmstatReader struct {
	path     string
	pageSize float64
	buf      []byte
	descs    [numVMStat]Desc
}

func newVMStatReader() *vmstatReader {
	proc := os.Getenv("HOST_PROC")
	if proc == "" {
		proc = "/proc"
	}
	r := &vmstatReader{path: filepath.Join(proc, "vmstat"), pageSize: float64(os.Getpagesize())}
	for i, v := range vmstatCounters {
		r.descs[i] = Desc{
			Name:       v.name,
			Title:      v.title,
			Help:       v.help,
			Unit:       v.unit,
			Group:      "host",
			Kind:       Counter,
			Chart:      v.chart,
			ChartTitle: v.chartTitle,
		}
	}
	return r
}

// collect reads the file and emits the counters it has.
func (r *vmstatReader) collect(emit Emit) error {
	var err error
	if r.buf, err = readFileInto(r.path, r.buf); err != nil {
		return err
	}
	var vals [numVMStat]float64
	var found [numVMStat]bool
	for line := range bytes.Lines(r.buf) {
		key, val, ok := bytes.Cut(bytes.TrimSpace(line), []byte{' '})
		if !ok {
			continue
		}
		for i := range vmstatCounters {
			if !found[i] && string(key) == vmstatCounters[i].key {
				n, err := strconv.ParseUint(string(val), 10, 64)
				if err != nil {
					break
				}
				vals[i], found[i] = float64(n), true
				if vmstatCounters[i].pages {
					vals[i] *= r.pageSize
				}
				break
			}
		}
	}
	for i := range vals {
		if found[i] {
			emit(r.descs[i], vals[i])
		}
	}
	return nil
}

// readFileInto reads the file at path into buf, reused from call to call,
// so that reading a /proc file every second allocates nothing once buf has
// grown to fit it.
func readFileInto(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf[:0], err
	}
	defer f.Close()
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, 4096)...)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil || n == 0 {
			return buf, nil
		}
	}
}
