package collectors

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// isValidName reports whether name is a valid Prometheus metric name.
func isValidName(name string) bool { return metricName.MatchString(name) }

// Reserved label names. Prometheus gives "le" to the buckets of a
// histogram and "quantile" to the quantiles of a summary; the built-in
// collectors use "quantile" for the percentiles they draw of a histogram
// that ./metrics exports whole, and no other collector may use either.
const (
	LabelQuantile = "quantile"
	LabelLe       = "le"
)

// Validate reports what is wrong with d as a Prometheus series: an invalid
// metric name, an invalid, reserved ("__" prefix) or repeated label name,
// or a label value that is not UTF-8. The error names the series.
func (d *Desc) Validate() error {
	if !isValidName(d.Name) {
		return fmt.Errorf("invalid metric name %s: want [a-zA-Z_:][a-zA-Z0-9_:]*", quoteName(d.Name))
	}
	for i, l := range d.Labels {
		if !labelName.MatchString(l.Name) || strings.HasPrefix(l.Name, "__") {
			return fmt.Errorf("metric %s: invalid label name %s: want [a-zA-Z_][a-zA-Z0-9_]*, not starting with __", d.Name, quoteName(l.Name))
		}
		for _, m := range d.Labels[:i] {
			if m.Name == l.Name {
				return fmt.Errorf("metric %s: label %s given twice", d.Name, l.Name)
			}
		}
		if !utf8.ValidString(l.Value) {
			return fmt.Errorf("metric %s: label %s: value is not valid UTF-8", d.Name, l.Name)
		}
	}
	return nil
}

// quoteName quotes a name for an error message, cut short: names can come
// from anywhere.
func quoteName(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// ErrReserved is the error of a metric name that belongs to a built-in
// collector (names starting go_, process_ or host_ while that collector
// runs) or to another collector that emitted it first.
var ErrReserved = errors.New("metric name is taken")

// ErrClosed is the error of a registration (the dashboard's Gauge,
// Counter and Histogram) or of an AddCollector once the dashboard is
// closed.
var ErrClosed = errors.New("used after Close")
