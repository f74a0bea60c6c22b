package collectors

import (
	"strings"
)

// Kind says how a series' values behave over time.
type Kind uint8

const (
	// Gauge is a value that goes up and down (memory in use, goroutines).
	Gauge Kind = iota
	// Counter only grows (bytes read, GC cycles). It is exported as a
	// counter and shown as a rate per second.
	Counter
)

// String returns "gauge" or "counter".
func (k Kind) String() string {
	if k == Counter {
		return "counter"
	}
	return "gauge"
}

// Units used by the built-in collectors. Any other string is shown as is.
const (
	UnitNone    = ""
	UnitBytes   = "bytes"
	UnitSeconds = "seconds"
	UnitRatio   = "ratio" // 0..1, shown as a percentage
	UnitCount   = "count"
	// UnitTimestamp is seconds since the Unix epoch, shown as a time.
	UnitTimestamp = "timestamp"
)

// Label is one dimension of a series, such as cpu="3".
type Label struct {
	Name  string
	Value string
}

// Desc describes one series. Name and labels follow Prometheus conventions:
// snake_case, a prefix per group, base units as suffix, _total for counters.
type Desc struct {
	// Name is the metric family name, e.g. "host_memory_used_bytes".
	Name string
	// Labels are the series' dimensions, e.g. {device="sda"}.
	Labels []Label
	// Title is the human name of the series, used in legends.
	// Defaults to the label values, or to Name when there are none.
	Title string
	// Help is a one-line description, exported as # HELP.
	Help string
	// Unit is the display unit of a value (for counters: of the counted
	// quantity; the page shows it per second).
	Unit string
	// Group is the page section: "host", "process", "go" or "app".
	Group string
	// Kind is Gauge or Counter. Defaults to Gauge.
	Kind Kind
	// Chart groups series drawn together. Defaults to Name.
	Chart string
	// ChartTitle is the chart's heading. Defaults to Title or Name.
	ChartTitle string
	// Stat marks a value that rarely changes (a count of CPUs, a limit, a
	// start time): the page shows it as a figure in its section's summary
	// rather than as a chart. It is still kept in the history and exported.
	Stat bool
	// LimitOf marks a limit (memory total, the file descriptor limit,
	// GOMAXPROCS, GOMEMLIMIT) of the chart with this key: the page draws it
	// as a line on that chart rather than as a series of its own.
	LimitOf string
	// Heatmap marks the buckets of a histogram (one series per bucket, an
	// "le" label, Prometheus' cumulative counts): the page draws their
	// chart as a heatmap over time.
	Heatmap bool
}

// ID returns the series' identity: its name followed by its labels in
// Prometheus text form, e.g. `host_disk_read_bytes_total{device="sda"}`.
func (d *Desc) ID() string {
	if len(d.Labels) == 0 {
		return d.Name
	}
	var b strings.Builder
	b.WriteString(d.Name)
	b.WriteByte('{')
	for i, l := range d.Labels {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.Name)
		b.WriteString(`="`)
		b.WriteString(escapeLabelValue(l.Value))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// escapeLabelValue escapes a label value for the Prometheus text format.
func escapeLabelValue(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return r.Replace(s)
}

// Normalize fills the defaulted fields of d.
func (d *Desc) Normalize() {
	if d.Title == "" {
		if len(d.Labels) > 0 {
			vals := make([]string, len(d.Labels))
			for i, l := range d.Labels {
				vals[i] = l.Value
			}
			d.Title = strings.Join(vals, " ")
		} else {
			d.Title = d.Name
		}
	}
	if d.Chart == "" {
		d.Chart = d.Name
	}
	if d.ChartTitle == "" {
		if len(d.Labels) == 0 {
			d.ChartTitle = d.Title
		} else {
			d.ChartTitle = d.Name
		}
	}
}

// L is a short way to build a label list: L("cpu", "0", "mode", "user").
func L(kv ...string) []Label {
	if len(kv)%2 != 0 {
		panic("collectors.L: odd number of arguments")
	}
	ls := make([]Label, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		ls = append(ls, Label{Name: kv[i], Value: kv[i+1]})
	}
	return ls
}

// Emit hands one value of the series d to the dashboard. The dashboard
// copies what it needs, so d may be reused by the caller.
type Emit func(d Desc, value float64)
