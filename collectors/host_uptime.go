package collectors

import (
	"context"
	"fmt"

	"github.com/shirou/gopsutil/v3/host"
)

// uptimeCollector reports how long the host has been up.
type uptimeCollector struct {
	uptime Desc
}

func newUptimeCollector() *uptimeCollector {
	return &uptimeCollector{
		uptime: Desc{
			Name:       "host_uptime_seconds",
			Title:      "uptime",
			Help:       "Time since the host booted, in seconds.",
			Unit:       UnitSeconds,
			Group:      "host",
			Chart:      "host_uptime",
			ChartTitle: "Uptime",
			Stat:       true,
		},
	}
}

// Name returns "host_uptime".
func (c *uptimeCollector) Name() string { return "host_uptime" }

// Collect emits the uptime.
func (c *uptimeCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	defer fileGate.RUnlock()
	up, err := host.UptimeWithContext(ctx)
	if err != nil {
		return fmt.Errorf("read uptime: %w", err)
	}
	emit(c.uptime, float64(up))
	return nil
}
