package collectors

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/tklauser/go-sysconf"
	"golang.org/x/sys/unix"
)

// openFDs counts the process's open file descriptors in /proc/self/fd,
// leaving out the one it lists the directory through. It holds fileGate,
// so that the files the other built-in collectors open for a moment are
// closed by then and not counted.
func openFDs() (int, error) {
	fileGate.Lock()
	defer fileGate.Unlock()
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	own := strconv.Itoa(int(f.Fd()))
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		if name != own {
			n++
		}
	}
	return n, nil
}

// startTime returns when the process started, to the kernel's clock tick
// (10 ms): its start in ticks since boot (/proc/self/stat), placed on the
// wall clock through CLOCK_BOOTTIME. gopsutil, like client_golang, adds it
// to the boot time of /proc/stat, which is whole seconds.
func startTime() (time.Time, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return time.Time{}, err
	}
	ticks, err := statStartTicks(b)
	if err != nil {
		return time.Time{}, err
	}
	hz, err := sysconf.Sysconf(sysconf.SC_CLK_TCK)
	if err != nil || hz <= 0 {
		return time.Time{}, fmt.Errorf("clock ticks per second: %v", err)
	}
	var ts unix.Timespec
	now := time.Now()
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return time.Time{}, fmt.Errorf("boot time clock: %w", err)
	}
	sinceBoot := time.Duration(ts.Nano())
	startedAfterBoot := time.Duration(ticks) * time.Second / time.Duration(hz)
	return now.Add(-(sinceBoot - startedAfterBoot)), nil
}

// statStartTicks returns field 22 of /proc/PID/stat, the start time in
// clock ticks after boot.
func statStartTicks(stat []byte) (uint64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc/self/stat")
	}
	fields := bytes.Fields(stat[i+1:]) // from field 3, the state
	if len(fields) < 20 {
		return 0, errors.New("malformed /proc/self/stat")
	}
	return strconv.ParseUint(string(fields[22-3]), 10, 64)
}
