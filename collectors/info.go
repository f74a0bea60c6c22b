package collectors

import (
	"context"
	"os"
	"runtime"
	"strings"

	"github.com/shirou/gopsutil/v3/host"
)

// Info describes the host and the process, for a dashboard's header.
type Info struct {
	Hostname  string // e.g. "web-1"
	OS        string // e.g. "Debian GNU/Linux 12"
	Kernel    string // e.g. "Linux 6.1.0-13-amd64"
	Arch      string // GOARCH
	GoVersion string // e.g. "go1.26.8"
	PID       int
}

// HostInfo reads what is known of the host and the process. Fields it
// cannot read are left empty; it never fails.
func HostInfo(ctx context.Context) Info {
	in := Info{Arch: runtime.GOARCH, GoVersion: runtime.Version(), PID: os.Getpid()}
	in.Hostname, _ = os.Hostname()
	if hi, err := host.InfoWithContext(ctx); err == nil {
		if hi.Hostname != "" {
			in.Hostname = hi.Hostname
		}
		in.OS = strings.TrimSpace(titleCase(hi.Platform) + " " + hi.PlatformVersion)
		if hi.KernelVersion != "" {
			in.Kernel = strings.TrimSpace(titleCase(hi.OS) + " " + hi.KernelVersion)
		}
	}
	if in.OS == "" {
		in.OS = runtime.GOOS
	}
	return in
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
