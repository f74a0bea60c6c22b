package collectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v3/disk"
)

func TestHostCollectorNames(t *testing.T) {
	t.Parallel()
	var names []string
	for _, c := range Host(HostOptions{}) {
		names = append(names, c.Name())
	}
	want := []string{"host_cpu", "host_load", "host_memory", "host_disk", "host_filesystem", "host_network", "host_protocols", "host_uptime"}
	if !slices.Equal(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
}

// hostCollector returns the host collector with the given name.
func hostCollector(t testing.TB, opts HostOptions, name string) Collector {
	t.Helper()
	for _, c := range Host(opts) {
		if c.Name() == name {
			return c
		}
	}
	t.Fatalf("no host collector %q", name)
	return nil
}

// onlineCPUs counts the logical CPUs listed in /proc/stat.
func onlineCPUs(t testing.TB) int {
	t.Helper()
	n := 0
	for k := range procFields(t, "/proc/stat") {
		if rest, ok := strings.CutPrefix(k, "cpu"); ok && rest != "" {
			n++
		}
	}
	return n
}

func TestHostCPU(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := hostCollector(t, HostOptions{}, "host_cpu")
	cpus := onlineCPUs(t)

	first := gather(t, c)
	if got := first.value(t, "host_cpus"); got != float64(cpus) {
		t.Errorf("host_cpus = %v, want %d", got, cpus)
	}
	if ids := first.named("host_cpu_ratio"); len(ids) != 0 {
		t.Errorf("first call emitted rates %v; it has nothing to compare with", ids)
	}

	// A core whose clock did not tick between two calls has nothing to
	// report, so wait until every core has.
	var g gathered
	for range 50 {
		time.Sleep(100 * time.Millisecond)
		g = gather(t, c)
		if charts := coreCharts(g); len(charts) == cpus {
			break
		}
	}
	if charts := coreCharts(g); len(charts) != cpus {
		t.Fatalf("%d per-core charts %v, want %d", len(charts), charts, cpus)
	}

	sums := make(map[string]float64) // by chart
	for _, id := range append(g.named("host_cpu_ratio"), g.named("host_cpu_core_ratio")...) {
		sums[g.descs[id].Chart] += g.values[id]
	}
	if len(sums) != cpus+1 {
		t.Errorf("%d charts, want one per core and one for the machine", len(sums))
	}
	for chart, sum := range sums {
		if !within(sum, 1, 1e-9) {
			t.Errorf("modes of %s sum to %v, want 1", chart, sum)
		}
	}
	for _, mode := range cpuModeNames {
		id := `host_cpu_ratio{mode="` + mode + `"}`
		g.value(t, id)
		if got := g.descs[id].ChartTitle; got != "CPU" {
			t.Errorf("%s: chart title %q", id, got)
		}
	}
	if got := g.descs[`host_cpu_core_ratio{cpu="0",mode="idle"}`]; got.Chart != "host_cpu_core_0" || got.ChartTitle != "CPU 0" {
		t.Errorf("core 0 idle is on chart %q titled %q", got.Chart, got.ChartTitle)
	}
}

// coreCharts returns the charts of the per-core CPU series.
func coreCharts(g gathered) map[string]bool {
	charts := make(map[string]bool)
	for _, id := range g.named("host_cpu_core_ratio") {
		charts[g.descs[id].Chart] = true
	}
	return charts
}

func TestCPUModesSince(t *testing.T) {
	t.Parallel()
	prev := cpuModes{modeUser: 10, modeSystem: 5, modeIowait: 3, modeSteal: 0, modeIdle: 100}
	cur := cpuModes{modeUser: 12, modeSystem: 6, modeIowait: 2, modeSteal: 0, modeIdle: 107}
	d, total := cur.since(&prev)
	want := cpuModes{modeUser: 2, modeSystem: 1, modeIowait: 0, modeSteal: 0, modeIdle: 7}
	if d != want || total != 10 {
		t.Errorf("since = %v, %v; want %v, 10 (iowait going backwards counts as 0)", d, total, want)
	}
}

func TestHostLoad(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := hostCollector(t, HostOptions{}, "host_load")
	before := procLoad(t)
	g := gather(t, c)
	after := procLoad(t)
	// The kernel updates the averages every 5 seconds, so the collector saw
	// the values read just before it or just after.
	for i, name := range []string{"host_load1", "host_load5", "host_load15"} {
		got := g.value(t, name)
		if !within(got, before[i], 0.005) && !within(got, after[i], 0.005) {
			t.Errorf("%s = %v, /proc/loadavg says %v then %v", name, got, before[i], after[i])
		}
		if d := g.descs[name]; d.Chart != "host_load" || d.ChartTitle != "Load average" {
			t.Errorf("%s on chart %q %q", name, d.Chart, d.ChartTitle)
		}
	}
}

// procLoad returns the three load averages of /proc/loadavg.
func procLoad(t testing.TB) [3]float64 {
	t.Helper()
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		t.Fatal(err)
	}
	fs := strings.Fields(string(b))
	return [3]float64{parseFloat(t, fs[0]), parseFloat(t, fs[1]), parseFloat(t, fs[2])}
}

func TestHostMemory(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := hostCollector(t, HostOptions{}, "host_memory")
	g := gather(t, c)
	info := procFields(t, "/proc/meminfo")
	kb := func(key string) float64 { return parseFloat(t, info[key+":"][0]) * 1024 }

	total := g.value(t, "host_memory_total_bytes")
	if want := kb("MemTotal"); total != want {
		t.Errorf("total = %v, want MemTotal %v", total, want)
	}
	avail, used := g.value(t, "host_memory_available_bytes"), g.value(t, "host_memory_used_bytes")
	if !within(used, total-avail, 1) {
		t.Errorf("used = %v, want total - available = %v", used, total-avail)
	}
	// Memory moves between reads: allow a tenth of it.
	tol := total / 10
	if want := kb("MemAvailable"); !within(avail, want, tol) {
		t.Errorf("available = %v, MemAvailable says %v", avail, want)
	}
	cached := g.value(t, "host_memory_cached_bytes")
	if want := kb("Buffers") + kb("Cached") + kb("SReclaimable"); !within(cached, want, tol) {
		t.Errorf("cached = %v, buff/cache is %v", cached, want)
	}
	swapTotal, swapUsed := g.value(t, "host_swap_total_bytes"), g.value(t, "host_swap_used_bytes")
	if want := kb("SwapTotal"); swapTotal != want {
		t.Errorf("swap total = %v, want SwapTotal %v", swapTotal, want)
	}
	if swapUsed > swapTotal {
		t.Errorf("swap used %v > total %v", swapUsed, swapTotal)
	}
	if free := g.value(t, "host_memory_free_bytes"); free <= 0 || free > avail {
		t.Errorf("free = %v, want within (0, available %v]", free, avail)
	}
	for name, key := range map[string]string{
		"host_memory_slab_reclaimable_bytes":   "SReclaimable",
		"host_memory_slab_unreclaimable_bytes": "SUnreclaim",
		"host_memory_page_tables_bytes":        "PageTables",
		"host_memory_shared_bytes":             "Shmem",
		"host_memory_dirty_bytes":              "Dirty",
		"host_memory_writeback_bytes":          "Writeback",
		"host_memory_committed_bytes":          "Committed_AS",
	} {
		if got, want := g.value(t, name), kb(key); !within(got, want, tol) {
			t.Errorf("%s = %v, %s says %v", name, got, key, want)
		}
	}
	if got, want := g.value(t, "host_memory_commit_limit_bytes"), kb("CommitLimit"); got != want {
		t.Errorf("commit limit = %v, want CommitLimit %v", got, want)
	}
}

func TestHostVMStat(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := hostCollector(t, HostOptions{}, "host_memory")
	before := procFields(t, "/proc/vmstat")
	g1 := gather(t, c)
	after := procFields(t, "/proc/vmstat")
	page := float64(os.Getpagesize())
	for _, v := range vmstatCounters {
		if before[v.key] == nil {
			continue // an older kernel
		}
		lo, hi := parseFloat(t, before[v.key][0]), parseFloat(t, after[v.key][0])
		if v.pages {
			lo, hi = lo*page, hi*page
		}
		if got := g1.value(t, v.name); got < lo || got > hi {
			t.Errorf("%s = %v, want within [%v, %v] from %s", v.name, got, lo, hi, v.key)
		}
		if g1.descs[v.name].Kind != Counter {
			t.Errorf("%s is not a counter", v.name)
		}
	}

	// Touching fresh memory faults its pages in: at least one fault per
	// 2 MiB, should the kernel back it with huge pages.
	g2 := gather(t, c)
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += os.Getpagesize() {
		buf[i] = 1
	}
	g3 := gather(t, c)
	if d := g3.value(t, "host_memory_page_faults_total") - g2.value(t, "host_memory_page_faults_total"); d < float64(len(buf)>>21) {
		t.Errorf("%v page faults while touching %d fresh pages", d, len(buf)/os.Getpagesize())
	}
	checkNonDecreasing(t, g1, g3)
}

func TestHostDisk(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := hostCollector(t, HostOptions{}, "host_disk")
	before := diskstats(t)
	g1 := gather(t, c)
	g2 := gather(t, c)
	after := diskstats(t)

	devices := make(map[string]bool)
	for _, id := range g2.named("host_disk_read_bytes_total") {
		devices[g2.label(id, "device")] = true
	}
	for name, fs := range after {
		hadIO := slices.ContainsFunc(fs[:11], func(s string) bool { return s != "0" })
		ignored := regexp.MustCompile(`^(loop|ram|zram)\d`).MatchString(name)
		whole, isPart := partitionOf(name)
		_, diskListed := after[whole]
		want := hadIO && !ignored && !(isPart && diskListed)
		if devices[name] != want {
			t.Errorf("device %s reported: %v, want %v", name, devices[name], want)
		}
		if !devices[name] || before[name] == nil {
			continue
		}
		// Sectors are 512 bytes; the collector read between the two.
		id := fmt.Sprintf("host_disk_read_bytes_total{device=%q}", name)
		lo, hi := parseFloat(t, before[name][2])*512, parseFloat(t, fs[2])*512
		if got := g1.value(t, id); got < lo || got > hi {
			t.Errorf("%s = %v, want within [%v, %v]", id, got, lo, hi)
		}
		// The other counters, by their field in /proc/diskstats and its
		// unit (milliseconds for times).
		for _, f := range []struct {
			metric string
			field  int
			scale  float64
		}{
			{"host_disk_reads_completed_total", 0, 1},
			{"host_disk_reads_merged_total", 1, 1},
			{"host_disk_read_time_seconds_total", 3, 1e-3},
			{"host_disk_writes_completed_total", 4, 1},
			{"host_disk_writes_merged_total", 5, 1},
			{"host_disk_written_bytes_total", 6, 512},
			{"host_disk_write_time_seconds_total", 7, 1e-3},
			{"host_disk_io_time_seconds_total", 9, 1e-3},
			{"host_disk_io_time_weighted_seconds_total", 10, 1e-3},
		} {
			id := fmt.Sprintf("%s{device=%q}", f.metric, name)
			lo, hi := parseFloat(t, before[name][f.field])*f.scale, parseFloat(t, fs[f.field])*f.scale
			if got := g1.value(t, id); got < lo-1e-9 || got > hi+1e-9 {
				t.Errorf("%s = %v, want within [%v, %v]", id, got, lo, hi)
			}
		}
		if n := g1.value(t, fmt.Sprintf("host_disk_io_now{device=%q}", name)); n < 0 || n > 1e6 {
			t.Errorf("%s: %v I/O in flight", name, n)
		}
	}
	checkNonDecreasing(t, g1, g2)
}

// diskstats returns the fields of /proc/diskstats after the device name,
// keyed by the name.
func diskstats(t testing.TB) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("/proc/diskstats")
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string][]string)
	for line := range strings.Lines(string(b)) {
		if fs := strings.Fields(line); len(fs) >= 14 {
			m[fs[2]] = fs[3:]
		}
	}
	return m
}

// checkNonDecreasing checks that no counter went down between two calls.
func checkNonDecreasing(t *testing.T, g1, g2 gathered) {
	t.Helper()
	for id, v := range g2.values {
		if g2.descs[id].Kind != Counter {
			continue
		}
		if prev, ok := g1.values[id]; ok && v < prev {
			t.Errorf("counter %s went down: %v then %v", id, prev, v)
		}
	}
}

func TestPartitionOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, whole string
		ok          bool
	}{
		{"sda", "", false},
		{"sda1", "sda", true},
		{"vda15", "vda", true},
		{"nvme0n1", "nvme0n", true}, // no such disk: the caller keeps it
		{"nvme0n1p2", "nvme0n1", true},
		{"mmcblk0p1", "mmcblk0", true},
		{"dm-0", "dm-", true},
		{"md127", "md", true},
	} {
		whole, ok := partitionOf(tc.name)
		if whole != tc.whole || ok != tc.ok {
			t.Errorf("partitionOf(%q) = %q, %v; want %q, %v", tc.name, whole, ok, tc.whole, tc.ok)
		}
	}
}

func TestDiskWanted(t *testing.T) {
	t.Parallel()
	all := make(map[string]disk.IOCountersStat)
	for _, n := range []string{"sda", "sda1", "nvme0n1", "nvme0n1p1", "dm-0", "md0", "loop0", "ram1", "zram0", "mmcblk0p1", "sr0"} {
		all[n] = disk.IOCountersStat{Name: n}
	}
	var got []string
	c := newDiskCollector(nil)
	for n := range all {
		if c.wanted(n, all) {
			got = append(got, n)
		}
	}
	slices.Sort(got)
	want := []string{"dm-0", "md0", "mmcblk0p1", "nvme0n1", "sda", "sr0"}
	if !slices.Equal(got, want) {
		t.Errorf("wanted %v, want %v", got, want)
	}

	c = newDiskCollector([]string{"sda1", "loop0"})
	if !c.wanted("sda1", all) || !c.wanted("loop0", all) || c.wanted("sda", all) {
		t.Errorf("DiskDevices does not pick exactly the devices named")
	}
}

func TestHostFilesystem(t *testing.T) {
	t.Parallel()
	c := hostCollector(t, HostOptions{}, "host_filesystem")
	if got := c.(Periodic).Interval(); got != 10*time.Second {
		t.Errorf("default interval %v, want 10s", got)
	}
	if got := hostCollector(t, HostOptions{FilesystemInterval: time.Minute}, "host_filesystem").(Periodic).Interval(); got != time.Minute {
		t.Errorf("interval %v, want 1m", got)
	}

	g := gather(t, c)
	root := ""
	devices := make(map[string]string)
	for _, id := range g.named("host_filesystem_used_ratio") {
		mp, dev, fstype := g.label(id, "mountpoint"), g.label(id, "device"), g.label(id, "fstype")
		if mp == "/" {
			root = id
		}
		if pseudoFilesystems[fstype] || (fstype == "overlay" && mp != "/") {
			t.Errorf("%s: pseudo filesystem reported", id)
		}
		if other, dup := devices[dev]; dup {
			t.Errorf("device %s reported at %s and %s", dev, other, mp)
		}
		devices[dev] = mp
		suffix := strings.TrimPrefix(id, "host_filesystem_used_ratio")
		size := g.value(t, "host_filesystem_size_bytes"+suffix)
		avail := g.value(t, "host_filesystem_avail_bytes"+suffix)
		if size <= 0 || avail > size {
			t.Errorf("%s: size %v, available %v", id, size, avail)
		}
	}
	if root == "" {
		t.Fatalf("no usage of / in %v", g.ids)
	}
	if r := g.values[root]; r <= 0 || r >= 1 {
		t.Errorf("%s = %v, want within (0, 1)", root, r)
	}

	// Space free counts the space reserved for root, available does not.
	suffix := strings.TrimPrefix(root, "host_filesystem_used_ratio")
	size, avail := g.value(t, "host_filesystem_size_bytes"+suffix), g.value(t, "host_filesystem_avail_bytes"+suffix)
	if free := g.value(t, "host_filesystem_free_bytes"+suffix); free < avail || free > size {
		t.Errorf("/: free %v, want within [available %v, size %v]", free, avail, size)
	}
	if _, ok := g.values["host_filesystem_files"+suffix]; !ok {
		return // no fixed number of inodes
	}
	files, filesFree := g.value(t, "host_filesystem_files"+suffix), g.value(t, "host_filesystem_files_free"+suffix)
	if r := g.value(t, "host_filesystem_files_used_ratio"+suffix); files <= 0 || filesFree > files || !within(r, (files-filesFree)/files, 1e-9) {
		t.Errorf("/: %v inodes, %v free, %v used", files, filesFree, r)
	}
	if runtime.GOOS != "linux" {
		return
	}
	out, err := exec.Command("df", "-Pi", "/").Output()
	if err != nil {
		t.Skipf("df: %v", err)
	}
	// Filesystem Inodes IUsed IFree IUse% Mounted on
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	df := strings.Fields(lines[len(lines)-1])
	if want := parseFloat(t, df[1]); files != want {
		t.Errorf("/: %v inodes, df -i says %v", files, want)
	}
	if want := parseFloat(t, df[3]); !within(filesFree, want, 1000) {
		t.Errorf("/: %v inodes free, df -i says %v", filesFree, want)
	}
}

func TestChooseMounts(t *testing.T) {
	t.Parallel()
	parts := []disk.PartitionStat{
		{Device: "overlay", Mountpoint: "/", Fstype: "overlay"},
		{Device: "/dev/sda1", Mountpoint: "/etc/hostname", Fstype: "ext4", Opts: []string{"rw", "bind"}},
		{Device: "/dev/sda1", Mountpoint: "/etc/hosts", Fstype: "ext4", Opts: []string{"rw", "bind"}},
		{Device: "proc", Mountpoint: "/proc", Fstype: "proc"},
		{Device: "tmpfs", Mountpoint: "/dev/shm", Fstype: "tmpfs"},
		{Device: "/dev/sdb1", Mountpoint: "/srv/data/backup", Fstype: "xfs", Opts: []string{"rw", "bind"}},
		{Device: "/dev/sdb1", Mountpoint: "/srv/data", Fstype: "xfs", Opts: []string{"rw"}},
		{Device: "overlay", Mountpoint: "/var/lib/docker/overlay2/x/merged", Fstype: "overlay"},
		{Device: "cgroup2", Mountpoint: "/sys/fs/cgroup", Fstype: "cgroup2"},
		{Device: "/dev/loop3", Mountpoint: "/snap/core/1", Fstype: "squashfs"},
	}
	var got []string
	for _, p := range chooseMounts(parts) {
		got = append(got, p.Device+" "+p.Mountpoint)
	}
	want := []string{"overlay /", "/dev/sda1 /etc/hosts", "/dev/sdb1 /srv/data"}
	if !slices.Equal(got, want) {
		t.Errorf("chose %q, want %q", got, want)
	}
}

// TestFilesystemBlockedStatfs checks that a statfs that never returns, as
// on a dead network mount, delays only its own mount and only once.
func TestFilesystemBlockedStatfs(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := newFilesystemCollector(time.Second)
	c.partitions = func(context.Context, bool) ([]disk.PartitionStat, error) {
		return []disk.PartitionStat{
			{Device: "/dev/sda1", Mountpoint: "/", Fstype: "ext4"},
			{Device: "nfs:/export", Mountpoint: "/mnt/nfs", Fstype: "nfs4"},
		}, nil
	}
	c.usage = func(_ context.Context, path string) (*disk.UsageStat, error) {
		if path == "/mnt/nfs" {
			<-release
		}
		return &disk.UsageStat{Path: path, Total: 100, Free: 60, Used: 40}, nil
	}
	collect := func(timeout time.Duration) (gathered, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		g := gathered{descs: make(map[string]Desc), values: make(map[string]float64)}
		err := c.Collect(ctx, func(d Desc, v float64) {
			g.descs[d.ID()], g.values[d.ID()] = d, v
			g.ids = append(g.ids, d.ID())
		})
		return g, err
	}
	const root = `host_filesystem_used_ratio{device="/dev/sda1",fstype="ext4",mountpoint="/"}`

	g, err := collect(50 * time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("first call: error %v, want the deadline", err)
	}
	if g.values[root] != 0.4 || len(g.named("host_filesystem_used_ratio")) != 1 {
		t.Errorf("first call emitted %v, want / only", g.ids)
	}

	start := time.Now()
	g, err = collect(time.Hour) // must not wait for the blocked mount again
	if err == nil || !strings.Contains(err.Error(), "/mnt/nfs") {
		t.Errorf("second call: error %v, want the blocked mount reported", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("second call waited %v for the blocked mount", d)
	}
	if _, ok := g.values[root]; !ok {
		t.Errorf("second call lost /: %v", g.ids)
	}

	// Once the call returns, the mount is back.
	close(release)
	for range 100 {
		if g, err = collect(time.Hour); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || len(g.named("host_filesystem_used_ratio")) != 2 {
		t.Errorf("after release: %v, %v; want both mounts", g.ids, err)
	}
}

func TestHostNetwork(t *testing.T) {
	t.Parallel()
	c := hostCollector(t, HostOptions{}, "host_network")
	g1 := gather(t, c)
	g2 := gather(t, c)
	for _, id := range g2.ids {
		if iface := g2.label(id, "interface"); isLoopback(iface) {
			t.Errorf("%s: loopback reported by default", id)
		}
	}
	checkNonDecreasing(t, g1, g2)
	for _, id := range g2.named("host_network_receive_bytes_total") {
		iface := g2.label(id, "interface")
		for _, name := range []string{
			"host_network_transmit_bytes_total", "host_network_receive_packets_total", "host_network_transmit_packets_total",
			"host_network_receive_errors_total", "host_network_transmit_errors_total",
			"host_network_receive_drop_total", "host_network_transmit_drop_total",
		} {
			g2.value(t, fmt.Sprintf("%s{interface=%q}", name, iface))
		}
	}
}

func TestHostNetworkLoopback(t *testing.T) {
	t.Parallel()
	lo := loopbackName(t)
	c := hostCollector(t, HostOptions{IncludeLoopback: true}, "host_network")
	id := fmt.Sprintf("host_network_receive_bytes_total{interface=%q}", lo)

	const n = 1 << 20
	sendLoopback(t, n) // so that the interface has carried traffic
	before := gather(t, c).value(t, id)
	sendLoopback(t, n)
	after := gather(t, c).value(t, id)
	if after-before < n {
		t.Errorf("%s grew by %v after %d bytes sent over loopback", id, after-before, n)
	}

	only := gather(t, hostCollector(t, HostOptions{NetworkInterfaces: []string{lo}}, "host_network"))
	for _, id := range only.ids {
		if got := only.label(id, "interface"); got != lo {
			t.Errorf("NetworkInterfaces: [%s] reported %s", lo, id)
		}
	}
}

// loopbackName returns the name of a loopback interface.
func loopbackName(t testing.TB) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 && ifc.Flags&net.FlagUp != 0 {
			return ifc.Name
		}
	}
	t.Skip("no loopback interface")
	return ""
}

// sendLoopback sends n bytes over a TCP connection to 127.0.0.1.
func sendLoopback(t testing.TB, n int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		_, err = io.Copy(io.Discard, conn)
		done <- err
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(conn, zeros{}, n); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestHostProtocols(t *testing.T) {
	t.Parallel()
	onLinux(t)
	c := hostCollector(t, HostOptions{}, "host_protocols")
	before := snmp(t)
	g1 := gather(t, c)
	sendLoopback(t, 1<<20) // opens and accepts a connection, sends segments
	g2 := gather(t, c)
	after := snmp(t)
	for _, pc := range newProtocolsCollector().counters {
		key := pc.proto + "." + pc.key
		got := g1.value(t, pc.desc.Name)
		if pc.desc.Kind == Gauge {
			continue // established connections come and go
		}
		if got < before[key] || got > after[key] {
			t.Errorf("%s = %v, want within [%v, %v] from %s", pc.desc.Name, got, before[key], after[key], key)
		}
	}
	for _, name := range []string{"host_tcp_active_opens_total", "host_tcp_passive_opens_total", "host_tcp_segments_sent_total"} {
		if d := g2.value(t, name) - g1.value(t, name); d < 1 {
			t.Errorf("%s grew by %v across a TCP connection", name, d)
		}
	}
	if n := g2.value(t, "host_tcp_connections_established"); n < 0 {
		t.Errorf("%v established connections", n)
	}
	checkNonDecreasing(t, g1, g2)
}

// snmp returns the TCP and UDP counters of /proc/net/snmp, keyed
// "tcp.ActiveOpens".
func snmp(t testing.TB) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]float64)
	lines := strings.Split(string(b), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		names, values := strings.Fields(lines[i]), strings.Fields(lines[i+1])
		if len(names) != len(values) || len(names) == 0 {
			t.Fatalf("/proc/net/snmp: line %d and the next do not match", i+1)
		}
		proto := strings.ToLower(strings.TrimSuffix(names[0], ":"))
		for j := 1; j < len(names); j++ {
			m[proto+"."+names[j]] = parseFloat(t, values[j])
		}
	}
	return m
}

func TestHostUptime(t *testing.T) {
	t.Parallel()
	onLinux(t)
	g := gather(t, hostCollector(t, HostOptions{}, "host_uptime"))
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Fatal(err)
	}
	want := parseFloat(t, strings.Fields(string(b))[0])
	if got := g.value(t, "host_uptime_seconds"); !within(got, want, 2) {
		t.Errorf("uptime = %v, /proc/uptime says %v", got, want)
	}
}

func TestNaturalCompare(t *testing.T) {
	t.Parallel()
	names := []string{"eth10", "cpu10", "eth2", "cpu2", "cpu1", "eth02", "sda", "nvme0n1", "cpu", "nvme10n1", "nvme2n1"}
	slices.SortFunc(names, naturalCompare)
	want := []string{"cpu", "cpu1", "cpu2", "cpu10", "eth2", "eth02", "eth10", "nvme0n1", "nvme2n1", "nvme10n1", "sda"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
}

func TestInstances(t *testing.T) {
	t.Parallel()
	var s instances[int]
	keys := func(ins []*instance[int]) []string {
		var ks []string
		for _, in := range ins {
			ks = append(ks, fmt.Sprintf("%s=%d", in.key, in.val))
		}
		return ks
	}

	s.begin()
	for _, k := range []string{"b10", "b2", "a"} {
		v, isNew := s.get(k)
		if !isNew {
			t.Errorf("%s not new on first sight", k)
		}
		*v = len(k)
	}
	if got, want := keys(s.sweep()), []string{"a=1", "b2=2", "b10=3"}; !slices.Equal(got, want) {
		t.Errorf("first call %v, want %v", got, want)
	}

	s.begin()
	for _, k := range []string{"b10", "c"} {
		v, isNew := s.get(k)
		if isNew != (k == "c") {
			t.Errorf("%s: isNew %v", k, isNew)
		}
		*v += 10
	}
	if got, want := keys(s.sweep()), []string{"b10=13", "c=10"}; !slices.Equal(got, want) {
		t.Errorf("second call %v, want %v", got, want)
	}
	if len(s.byKey) != 2 {
		t.Errorf("%d instances kept, want the 2 seen", len(s.byKey))
	}
}
