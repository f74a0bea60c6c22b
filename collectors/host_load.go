package collectors

import (
	"context"
	"fmt"

	"github.com/shirou/gopsutil/v3/load"
)

// loadCollector reports the load averages over 1, 5 and 15 minutes.
type loadCollector struct {
	load1, load5, load15 Desc
}

func newLoadCollector() *loadCollector {
	d := func(name, title, help string) Desc {
		return Desc{
			Name:       name,
			Title:      title,
			Help:       help,
			Unit:       UnitNone,
			Group:      "host",
			Chart:      "host_load",
			ChartTitle: "Load average",
		}
	}
	return &loadCollector{
		load1:  d("host_load1", "1 min", "Load average over the last minute."),
		load5:  d("host_load5", "5 min", "Load average over the last 5 minutes."),
		load15: d("host_load15", "15 min", "Load average over the last 15 minutes."),
	}
}

// Name returns "host_load".
func (c *loadCollector) Name() string { return "host_load" }

// Collect emits the three load averages.
func (c *loadCollector) Collect(ctx context.Context, emit Emit) error {
	fileGate.RLock()
	defer fileGate.RUnlock()
	avg, err := load.AvgWithContext(ctx)
	if err != nil {
		return fmt.Errorf("read load average: %w", err)
	}
	emit(c.load1, avg.Load1)
	emit(c.load5, avg.Load5)
	emit(c.load15, avg.Load15)
	return nil
}
