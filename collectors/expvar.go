package collectors

import (
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// expvarCollector charts the numeric expvar variables.
type expvarCollector struct {
	names map[string]string // expvar name to metric name, cached
}

// expvarSkipped are variables never read: "memstats" calls
// runtime.ReadMemStats, which stops the world (the Go section shows the
// same from runtime/metrics), and "cmdline" holds no number.
var expvarSkipped = map[string]bool{"memstats": true, "cmdline": true}

// expvarMaxFields caps the fields charted of one variable.
const expvarMaxFields = 50

// Expvar returns a Collector, named "expvar", of the numeric variables
// published with the expvar package, in the App section as gauges named
// "expvar_" and the variable's name (other characters than letters,
// digits and _ as _): an expvar.Int or Float as one series; an
// expvar.Map, or any variable whose JSON is an object, as one series per
// numeric field (label "key", at most 50 per variable); any other
// variable whose JSON is a number as one series. "memstats" (its
// runtime.ReadMemStats stops the world; the Go section has the same) and
// "cmdline" are skipped.
func Expvar() Collector { return &expvarCollector{names: map[string]string{}} }

// Name returns "expvar".
func (c *expvarCollector) Name() string { return "expvar" }

var nonName = regexp.MustCompile(`[^a-zA-Z0-9_]`)

func (c *expvarCollector) metricName(v string) string {
	if n, ok := c.names[v]; ok {
		return n
	}
	n := "expvar_" + nonName.ReplaceAllString(v, "_")
	if len(c.names) < 10_000 {
		c.names[v] = n
	}
	return n
}

// Collect reads every published variable.
func (c *expvarCollector) Collect(ctx context.Context, emit Emit) error {
	var over []string
	expvar.Do(func(kv expvar.KeyValue) {
		if expvarSkipped[kv.Key] || ctx.Err() != nil {
			return
		}
		name := c.metricName(kv.Key)
		d := Desc{Name: name, Title: kv.Key, ChartTitle: kv.Key, Group: "app", Unit: unitOf(name),
			Help: "The expvar variable " + kv.Key + "."}
		switch v := kv.Value.(type) {
		case *expvar.Int:
			emit(d, float64(v.Value()))
			return
		case *expvar.Float:
			if f := v.Value(); !math.IsNaN(f) && !math.IsInf(f, 0) {
				emit(d, f)
			}
			return
		}
		// Anything else through its JSON, as expvar serves it.
		var val any
		if json.Unmarshal([]byte(kv.Value.String()), &val) != nil {
			return
		}
		switch x := val.(type) {
		case float64:
			emit(d, x)
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k, fv := range x {
				if _, ok := fv.(float64); ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			if len(keys) > expvarMaxFields {
				over = append(over, fmt.Sprintf("%s (%d fields)", kv.Key, len(keys)))
				keys = keys[:expvarMaxFields]
			}
			for _, k := range keys {
				fd := d
				fd.Title = k
				fd.Labels = []Label{{Name: "key", Value: k}}
				emit(fd, x[k].(float64))
			}
		}
	})
	if len(over) > 0 {
		return fmt.Errorf("too many numeric fields: charting the first %d of %s", expvarMaxFields, strings.Join(over, ", "))
	}
	return ctx.Err()
}
