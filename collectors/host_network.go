package collectors

import (
	"context"
	"fmt"
	"net"
	"slices"

	psnet "github.com/shirou/gopsutil/v3/net"
)

// The counters reported per interface, as indexes into netCounters.
const (
	netRxBytes = iota
	netTxBytes
	netRxPackets
	netTxPackets
	netRxErrors
	netTxErrors
	netRxDrops
	netTxDrops
	numNetCounters
)

// netCounters describes the counters of an interface; the interface's name
// goes before each title.
var netCounters = [numNetCounters]struct {
	name, title, help, unit, chart, chartTitle string
}{
	netRxBytes:   {"host_network_receive_bytes_total", "rx", "Bytes received by the interface.", UnitBytes, "host_network_bytes", "Network throughput"},
	netTxBytes:   {"host_network_transmit_bytes_total", "tx", "Bytes sent by the interface.", UnitBytes, "host_network_bytes", "Network throughput"},
	netRxPackets: {"host_network_receive_packets_total", "rx", "Packets received by the interface.", UnitCount, "host_network_packets", "Network packets"},
	netTxPackets: {"host_network_transmit_packets_total", "tx", "Packets sent by the interface.", UnitCount, "host_network_packets", "Network packets"},
	netRxErrors:  {"host_network_receive_errors_total", "rx errors", "Receive errors on the interface.", UnitCount, "host_network_errors", "Network errors and drops"},
	netTxErrors:  {"host_network_transmit_errors_total", "tx errors", "Transmit errors on the interface.", UnitCount, "host_network_errors", "Network errors and drops"},
	netRxDrops:   {"host_network_receive_drop_total", "rx drops", "Received packets dropped on the interface.", UnitCount, "host_network_errors", "Network errors and drops"},
	netTxDrops:   {"host_network_transmit_drop_total", "tx drops", "Outgoing packets dropped on the interface.", UnitCount, "host_network_errors", "Network errors and drops"},
}

// networkCollector reports traffic counters per network interface, raw and
// cumulative: the page shows them as rates. Unless the user names
// interfaces, it reports every interface that has carried traffic (an
// interface whose counters are all zero, like an unused bridge, appears
// once it carries some), without loopback unless asked for.
type networkCollector struct {
	includeLoopback bool
	only            []string
	ifaces          instances[netIface]
}

// netIface is the state kept per interface.
type netIface struct {
	skip   bool
	active bool // has carried traffic
	cur    int  // index of its counters in this call's stats
	descs  [numNetCounters]Desc
}

func newNetworkCollector(includeLoopback bool, only []string) *networkCollector {
	return &networkCollector{includeLoopback: includeLoopback, only: slices.Clone(only)}
}

func newNetIface(name string) netIface {
	var n netIface
	labels := []Label{{Name: "interface", Value: name}}
	for i, s := range netCounters {
		n.descs[i] = Desc{
			Name:       s.name,
			Labels:     labels,
			Title:      name + " " + s.title,
			Help:       s.help,
			Unit:       s.unit,
			Group:      "host",
			Kind:       Counter,
			Chart:      s.chart,
			ChartTitle: s.chartTitle,
		}
	}
	return n
}

// Name returns "host_network".
func (c *networkCollector) Name() string { return "host_network" }

// Collect emits the counters of each interface.
func (c *networkCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	defer fileGate.RUnlock()
	stats, err := psnet.IOCountersWithContext(ctx, true)
	if err != nil {
		return fmt.Errorf("read network counters: %w", err)
	}
	c.ifaces.begin()
	for i := range stats {
		iface, isNew := c.ifaces.get(stats[i].Name)
		if isNew {
			*iface = newNetIface(stats[i].Name)
			iface.skip = !c.wanted(stats[i].Name)
		}
		iface.cur = i
	}
	for _, in := range c.ifaces.sweep() {
		iface := &in.val
		if iface.skip {
			continue
		}
		s := &stats[iface.cur]
		v := [numNetCounters]uint64{
			netRxBytes:   s.BytesRecv,
			netTxBytes:   s.BytesSent,
			netRxPackets: s.PacketsRecv,
			netTxPackets: s.PacketsSent,
			netRxErrors:  s.Errin,
			netTxErrors:  s.Errout,
			netRxDrops:   s.Dropin,
			netTxDrops:   s.Dropout,
		}
		if !iface.active {
			iface.active = v != [numNetCounters]uint64{}
			if !iface.active {
				continue
			}
		}
		for i, x := range v {
			emit(iface.descs[i], float64(x))
		}
	}
	return nil
}

// wanted reports whether the interface name is to be reported.
func (c *networkCollector) wanted(name string) bool {
	if len(c.only) > 0 {
		return slices.Contains(c.only, name)
	}
	return c.includeLoopback || !isLoopback(name)
}

// isLoopback reports whether the interface name is a loopback interface,
// by its flags where the system says, else by its usual names.
func isLoopback(name string) bool {
	if ifc, err := net.InterfaceByName(name); err == nil {
		return ifc.Flags&net.FlagLoopback != 0
	}
	return name == "lo" || name == "lo0"
}
