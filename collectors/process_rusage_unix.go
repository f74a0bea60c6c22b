//go:build unix

package collectors

import (
	"runtime"
	"syscall"
)

// rusage reads the process's resource usage with one getrusage call, far
// cheaper than the files of /proc. ok is false if the system refused.
func rusage() (r processUsage, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return r, false
	}
	r = processUsage{
		user:          float64(ru.Utime.Nano()) / 1e9,
		system:        float64(ru.Stime.Nano()) / 1e9,
		minorFaults:   float64(ru.Minflt),
		majorFaults:   float64(ru.Majflt),
		voluntary:     float64(ru.Nvcsw),
		involuntary:   float64(ru.Nivcsw),
		hasBlockBytes: runtime.GOOS == "linux",
	}
	// Linux counts blocks of 512 bytes actually read from and written to
	// storage; other systems count operations of no fixed size. The peak
	// resident size is left out: Linux carries it over from the parent
	// across exec, so a small program started by a big one reports the
	// parent's.
	if r.hasBlockBytes {
		r.blockRead, r.blockWritten = float64(ru.Inblock)*512, float64(ru.Oublock)*512
	}
	return r, true
}
