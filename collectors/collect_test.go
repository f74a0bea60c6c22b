package collectors

import (
	"bufio"
	"context"
	"math"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gathered is what one call of a collector emitted.
type gathered struct {
	descs  map[string]Desc    // by ID
	values map[string]float64 // by ID
	ids    []string           // in emission order
}

// gather runs c once and returns what it emitted, failing the test if it
// returns an error or emits one series twice.
func gather(t testing.TB, c Collector) gathered {
	t.Helper()
	g, err := gatherErr(t, c)
	if err != nil {
		t.Fatalf("%s: Collect: %v", c.Name(), err)
	}
	return g
}

// gatherErr is gather for a collector that may fail.
func gatherErr(t testing.TB, c Collector) (gathered, error) {
	t.Helper()
	g := gathered{descs: make(map[string]Desc), values: make(map[string]float64)}
	err := c.Collect(context.Background(), func(d Desc, v float64) {
		id := d.ID()
		if _, dup := g.values[id]; dup {
			t.Errorf("%s: %s emitted twice in one call", c.Name(), id)
		}
		g.descs[id] = d
		g.values[id] = v
		g.ids = append(g.ids, id)
	})
	return g, err
}

// named returns the IDs of the series of metric name, in emission order.
func (g gathered) named(name string) []string {
	var ids []string
	for _, id := range g.ids {
		if g.descs[id].Name == name {
			ids = append(ids, id)
		}
	}
	return ids
}

// value returns the value of the series with the given ID, failing the
// test if there is none.
func (g gathered) value(t testing.TB, id string) float64 {
	t.Helper()
	v, ok := g.values[id]
	if !ok {
		t.Fatalf("no series %s; have %v", id, g.ids)
	}
	return v
}

// label returns the value of the label name of the series id.
func (g gathered) label(id, name string) string {
	for _, l := range g.descs[id].Labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

var (
	validName      = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	validLabelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	knownUnits     = []string{UnitNone, UnitBytes, UnitSeconds, UnitRatio, UnitCount, UnitTimestamp}
)

// checkDescs checks that every series in g is well described and has a
// plausible value.
func checkDescs(t *testing.T, collector string, g gathered) {
	t.Helper()
	for _, id := range g.ids {
		d, v := g.descs[id], g.values[id]
		if !validName.MatchString(d.Name) {
			t.Errorf("%s: %s: name is not snake_case", collector, id)
		}
		switch d.Group {
		case "host", "process", "go":
			if !strings.HasPrefix(d.Name, d.Group+"_") {
				t.Errorf("%s: %s: name lacks the group prefix %q", collector, id, d.Group+"_")
			}
		default:
			t.Errorf("%s: %s: group %q", collector, id, d.Group)
		}
		// A histogram's buckets are counters named _bucket, with an "le"
		// label, as Prometheus has them.
		bucket := strings.HasSuffix(d.Name, "_bucket") && slices.ContainsFunc(d.Labels, func(l Label) bool { return l.Name == "le" })
		if d.Kind == Counter && !strings.HasSuffix(d.Name, "_total") && !bucket || d.Kind != Counter && (strings.HasSuffix(d.Name, "_total") || bucket) {
			t.Errorf("%s: %s: kind %v, but counters, and only they, end in _total (or are a histogram's _bucket{le})", collector, id, d.Kind)
		}
		if d.Heatmap != bucket {
			t.Errorf("%s: %s: heatmap %v for a series that is a histogram's bucket: %v", collector, id, d.Heatmap, bucket)
		}
		if !slices.Contains(knownUnits, d.Unit) {
			t.Errorf("%s: %s: unit %q is not one of the constants", collector, id, d.Unit)
		}
		base := strings.TrimSuffix(d.Name, "_total")
		for suffix, unit := range map[string]string{"_bytes": UnitBytes, "_seconds": UnitSeconds, "_ratio": UnitRatio} {
			timestamp := suffix == "_seconds" && d.Unit == UnitTimestamp && strings.HasSuffix(base, "_time_seconds")
			if strings.HasSuffix(base, suffix) && d.Unit != unit && !timestamp {
				t.Errorf("%s: %s: unit %q, want %q for its suffix", collector, id, d.Unit, unit)
			}
		}
		if d.Help == "" || strings.Contains(d.Help, "\n") {
			t.Errorf("%s: %s: help must be one non-empty line, is %q", collector, id, d.Help)
		}
		n := d
		n.Normalize()
		if n.Title == "" || n.ChartTitle == "" || n.Chart == "" {
			t.Errorf("%s: %s: empty Title, Chart or ChartTitle after Normalize", collector, id)
		}
		if n.Title != d.Title || n.Chart != d.Chart || n.ChartTitle != d.ChartTitle {
			t.Errorf("%s: %s: Title, Chart and ChartTitle should be set, not defaulted", collector, id)
		}
		for i, l := range d.Labels {
			if !validLabelName.MatchString(l.Name) || l.Value == "" {
				t.Errorf("%s: %s: bad label %q=%q", collector, id, l.Name, l.Value)
			}
			if i > 0 && d.Labels[i-1].Name >= l.Name {
				t.Errorf("%s: %s: labels not sorted by name", collector, id)
			}
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Errorf("%s: %s = %v", collector, id, v)
		}
		if d.Unit == UnitRatio && v > 1 {
			t.Errorf("%s: %s = %v, above 1", collector, id, v)
		}
	}
}

// chartInfo is what the series drawn on one chart must agree on.
type chartInfo struct {
	title, unit, group string
	kind               Kind
}

// checkCharts checks that the series sharing a chart, across every
// collector, share its title, unit, group and kind, so it can be drawn.
func checkCharts(t *testing.T, all map[string]gathered) {
	t.Helper()
	charts := make(map[string]chartInfo)
	for name, g := range all {
		for _, id := range g.ids {
			d := g.descs[id]
			info := chartInfo{d.ChartTitle, d.Unit, d.Group, d.Kind}
			if prev, ok := charts[d.Chart]; ok && prev != info {
				t.Errorf("%s: %s on chart %q has %+v, the chart has %+v", name, id, d.Chart, info, prev)
			}
			charts[d.Chart] = info
		}
	}
}

// onLinux skips the test elsewhere: it reads the kernel's own files.
func onLinux(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("compares with the files of Linux's /proc")
	}
}

// procFields returns the whitespace-separated fields of each line of the
// file, keyed by its first field.
func procFields(t testing.TB, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := make(map[string][]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) > 0 {
			m[fs[0]] = fs[1:]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// parseFloat parses s, failing the test if it is not a number.
func parseFloat(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// within reports whether got is within tol of want.
func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// allCollectors returns every built-in collector with default options.
func allCollectors(t testing.TB) []Collector {
	t.Helper()
	p, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	return append(Host(HostOptions{}), p, Runtime())
}

func TestDescsValid(t *testing.T) {
	t.Parallel()
	all := make(map[string]gathered)
	owner := make(map[string]string) // series ID -> collector
	cs := allCollectors(t)
	for _, c := range cs {
		gather(t, c) // rates need a previous call, and time to pass
	}
	time.Sleep(200 * time.Millisecond)
	for _, c := range cs {
		g := gather(t, c)
		if _, dup := all[c.Name()]; dup {
			t.Errorf("two collectors named %q", c.Name())
		}
		all[c.Name()] = g
		if len(g.ids) == 0 {
			t.Errorf("%s emitted nothing", c.Name())
		}
		checkDescs(t, c.Name(), g)
		for _, id := range g.ids {
			if o, dup := owner[id]; dup {
				t.Errorf("%s emitted by both %s and %s", id, o, c.Name())
			}
			owner[id] = c.Name()
		}
	}
	checkCharts(t, all)
	t.Logf("%d series from %d collectors", len(owner), len(all))
}
