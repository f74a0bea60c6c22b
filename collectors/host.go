package collectors

import "time"

// HostOptions configures the host collectors. The zero value means defaults.
type HostOptions struct {
	// IncludeLoopback adds the loopback interface to the network series.
	// Defaults to false: loopback traffic is the host talking to itself.
	IncludeLoopback bool

	// NetworkInterfaces, when not empty, limits the network series to the
	// interfaces named, e.g. "eth0". Defaults to every interface that has
	// carried traffic, except loopback (see IncludeLoopback).
	NetworkInterfaces []string

	// DiskDevices, when not empty, limits the disk I/O series to the block
	// devices named as the kernel names them, e.g. "sda" or "nvme0n1p2".
	// Defaults to every device that has done I/O, except loop, ram and
	// zram devices and the partitions of a disk that is itself reported.
	DiskDevices []string

	// FilesystemInterval is how often filesystem usage is read; usage
	// changes slowly and costs a statfs call per mount. Defaults to 10s;
	// zero or negative means the default.
	FilesystemInterval time.Duration
}

// defaultFilesystemInterval is HostOptions.FilesystemInterval's default.
const defaultFilesystemInterval = 10 * time.Second

// Host returns the collectors of host-wide metrics, each a Collector of its
// own so one that fails does not drop the others' series. By name, with the
// series each emits (group "host"; counters are cumulative and shown as
// rates):
//
//	host_cpu         host_cpus; host_cpu_ratio{mode}: share of the machine's
//	                 CPU time in user (with nice), system (with irq and
//	                 softirq), iowait, steal and idle since the previous call,
//	                 so nothing on the first; host_cpu_core_ratio{cpu,mode}
//	                 the same per logical CPU, one chart each
//	host_load        host_load1, host_load5, host_load15
//	host_memory      host_memory_{used,cached,available,free,total}_bytes,
//	                 where used is total minus available and cached is
//	                 buffers, page cache and reclaimable slab, as free(1)
//	                 shows them; host_swap_{used,total}_bytes; on Linux also
//	                 host_memory_slab_{reclaimable,unreclaimable}_bytes,
//	                 host_memory_{page_tables,shared,dirty,writeback}_bytes,
//	                 host_memory_{committed,commit_limit}_bytes and, from
//	                 /proc/vmstat, host_swap_{in,out}_bytes_total,
//	                 host_memory_page_faults_total,
//	                 host_memory_major_page_faults_total,
//	                 host_memory_oom_kills_total
//	host_disk        per device: host_disk_read_bytes_total,
//	                 host_disk_written_bytes_total,
//	                 host_disk_{reads,writes}_completed_total,
//	                 host_disk_{reads,writes}_merged_total,
//	                 host_disk_io_time_seconds_total (as a rate, utilization),
//	                 host_disk_{read,write}_time_seconds_total (as a rate,
//	                 requests in flight), host_disk_io_time_weighted_seconds_total
//	                 (as a rate, queue length), host_disk_io_now
//	host_filesystem  per mount: host_filesystem_used_ratio,
//	                 host_filesystem_size_bytes, host_filesystem_avail_bytes,
//	                 host_filesystem_free_bytes, host_filesystem_files,
//	                 host_filesystem_files_free,
//	                 host_filesystem_files_used_ratio (labels device,
//	                 fstype, mountpoint); it implements Periodic
//	host_network     per interface: host_network_{receive,transmit}_bytes_total,
//	                 _packets_total, _errors_total, _drop_total
//	host_protocols   host_tcp_connections_established,
//	                 host_tcp_{active,passive}_opens_total,
//	                 host_tcp_segments_{received,sent,retransmitted}_total,
//	                 host_tcp_attempt_fails_total, host_tcp_estab_resets_total,
//	                 host_tcp_resets_sent_total, host_tcp_receive_errors_total,
//	                 host_udp_datagrams_{received,sent}_total,
//	                 host_udp_{receive_errors,no_port}_total,
//	                 host_udp_{receive,send}_buffer_errors_total
//	host_uptime      host_uptime_seconds
//
// The figures come from gopsutil, so they are read from the kernel on Linux
// and through the system's own interfaces elsewhere.
func Host(opts HostOptions) []Collector {
	fsInterval := opts.FilesystemInterval
	if fsInterval <= 0 {
		fsInterval = defaultFilesystemInterval
	}
	return []Collector{
		newCPUCollector(),
		newLoadCollector(),
		newMemoryCollector(),
		newDiskCollector(opts.DiskDevices),
		newFilesystemCollector(fsInterval),
		newNetworkCollector(opts.IncludeLoopback, opts.NetworkInterfaces),
		newProtocolsCollector(),
		newUptimeCollector(),
	}
}
