package collectors

import (
	"context"
	"fmt"

	psnet "github.com/shirou/gopsutil/v3/net"
)

// protoCounter is one TCP or UDP figure of the kernel's SNMP counters.
type protoCounter struct {
	proto, key string // as gopsutil names them: "tcp", "ActiveOpens"
	desc       Desc
}

// protocolsCollector reports host-wide TCP and UDP counters, the SNMP MIB
// counters the kernel keeps (on Linux /proc/net/snmp, for the network
// namespace of the process): connections opened, established and reset,
// segments and retransmissions, datagrams and their errors.
type protocolsCollector struct {
	counters []protoCounter
}

func newProtocolsCollector() *protocolsCollector {
	d := func(name, title, help, unit string, kind Kind, chart, chartTitle string) Desc {
		return Desc{Name: name, Title: title, Help: help, Unit: unit, Group: "host", Kind: kind, Chart: chart, ChartTitle: chartTitle}
	}
	return &protocolsCollector{counters: []protoCounter{
		{"tcp", "CurrEstab", d("host_tcp_connections_established", "established", "TCP connections in state ESTABLISHED or CLOSE-WAIT.", UnitCount, Gauge, "host_tcp_connections", "TCP connections")},
		{"tcp", "ActiveOpens", d("host_tcp_active_opens_total", "opened out", "TCP connections this host opened (connect).", UnitCount, Counter, "host_tcp_opens", "TCP connections opened")},
		{"tcp", "PassiveOpens", d("host_tcp_passive_opens_total", "accepted", "TCP connections this host accepted.", UnitCount, Counter, "host_tcp_opens", "TCP connections opened")},
		{"tcp", "InSegs", d("host_tcp_segments_received_total", "received", "TCP segments received, including those with errors.", UnitCount, Counter, "host_tcp_segments", "TCP segments")},
		{"tcp", "OutSegs", d("host_tcp_segments_sent_total", "sent", "TCP segments sent, not counting retransmissions.", UnitCount, Counter, "host_tcp_segments", "TCP segments")},
		{"tcp", "RetransSegs", d("host_tcp_segments_retransmitted_total", "retransmitted", "TCP segments sent again: loss or congestion on the path.", UnitCount, Counter, "host_tcp_segments", "TCP segments")},
		{"tcp", "AttemptFails", d("host_tcp_attempt_fails_total", "failed attempts", "TCP connection attempts that failed (refused, timed out, reset during the handshake).", UnitCount, Counter, "host_tcp_errors", "TCP failures")},
		{"tcp", "EstabResets", d("host_tcp_estab_resets_total", "reset", "Established TCP connections reset.", UnitCount, Counter, "host_tcp_errors", "TCP failures")},
		{"tcp", "OutRsts", d("host_tcp_resets_sent_total", "resets sent", "TCP segments sent with the RST flag.", UnitCount, Counter, "host_tcp_errors", "TCP failures")},
		{"tcp", "InErrs", d("host_tcp_receive_errors_total", "bad segments", "TCP segments received with errors (bad checksum, malformed).", UnitCount, Counter, "host_tcp_errors", "TCP failures")},
		{"udp", "InDatagrams", d("host_udp_datagrams_received_total", "received", "UDP datagrams delivered to sockets.", UnitCount, Counter, "host_udp_datagrams", "UDP datagrams")},
		{"udp", "OutDatagrams", d("host_udp_datagrams_sent_total", "sent", "UDP datagrams sent.", UnitCount, Counter, "host_udp_datagrams", "UDP datagrams")},
		{"udp", "InErrors", d("host_udp_receive_errors_total", "receive errors", "UDP datagrams that could not be delivered, other than to a closed port (mostly full receive buffers).", UnitCount, Counter, "host_udp_errors", "UDP errors")},
		{"udp", "NoPorts", d("host_udp_no_port_total", "no port", "UDP datagrams received for a port nothing listens on.", UnitCount, Counter, "host_udp_errors", "UDP errors")},
		{"udp", "RcvbufErrors", d("host_udp_receive_buffer_errors_total", "receive buffer full", "UDP datagrams dropped because the socket's receive buffer was full.", UnitCount, Counter, "host_udp_errors", "UDP errors")},
		{"udp", "SndbufErrors", d("host_udp_send_buffer_errors_total", "send buffer full", "UDP datagrams not sent because the send buffer was full.", UnitCount, Counter, "host_udp_errors", "UDP errors")},
	}}
}

// protocolsWanted are the protocols read.
var protocolsWanted = []string{"tcp", "udp"}

// Name returns "host_protocols".
func (c *protocolsCollector) Name() string { return "host_protocols" }

// Collect emits the counters the system reports.
func (c *protocolsCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	defer fileGate.RUnlock()
	stats, err := psnet.ProtoCountersWithContext(ctx, protocolsWanted)
	if err != nil {
		return fmt.Errorf("read protocol counters: %w", err)
	}
	for i := range c.counters {
		pc := &c.counters[i]
		for j := range stats {
			if stats[j].Protocol != pc.proto {
				continue
			}
			if v, ok := stats[j].Stats[pc.key]; ok && v >= 0 {
				emit(pc.desc, float64(v))
			}
		}
	}
	return nil
}
