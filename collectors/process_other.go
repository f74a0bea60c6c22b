//go:build !linux

package collectors

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// errNotAvailable marks a figure this operating system does not report.
var errNotAvailable = errors.New("not available on this OS")

// openFDs counts the process's open file descriptors through gopsutil;
// errNotAvailable where it cannot.
func openFDs() (int, error) {
	p, err := process.NewProcess(int32(os.Getpid()))
	if err != nil {
		return 0, err
	}
	n, err := p.NumFDsWithContext(context.Background())
	if err != nil {
		return 0, errors.Join(errNotAvailable, err)
	}
	return int(n), nil
}

// startTime returns when the process started, as gopsutil reads it.
func startTime() (time.Time, error) {
	p, err := process.NewProcess(int32(os.Getpid()))
	if err != nil {
		return time.Time{}, err
	}
	ms, err := p.CreateTimeWithContext(context.Background())
	if err != nil {
		return time.Time{}, errors.Join(errNotAvailable, err)
	}
	return time.UnixMilli(ms), nil
}
