//go:build !unix

package collectors

// rusage is not available here: the process collector falls back on
// gopsutil for CPU time and leaves the other figures out.
func rusage() (processUsage, bool) { return processUsage{}, false }
