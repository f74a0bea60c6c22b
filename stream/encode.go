package stream

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/livedash/dashboard/internal/history"
)

// wireDigits is the number of significant digits a value keeps on the
// wire and in the history: finer than a chart or a legend shows (three
// digits), and it keeps frames small. Timestamps are sent exact.
const wireDigits = 4

// roundSig rounds v to digits significant digits (history.RoundSig: the
// wire and the long history round alike).
func roundSig(v float64, digits int) float64 { return history.RoundSig(v, digits) }

// appendValue appends v as a compact JSON number, or null for NaN and ±Inf:
// integers below 2^53 exactly, with trailing zeros as an exponent when that
// is shorter (766500000 as 7665e5); other values in the shortest form that
// reads back the same.
func appendValue(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		i := int64(v)
		if i == 0 {
			return append(b, '0')
		}
		z := 0
		for i%10 == 0 {
			i /= 10
			z++
		}
		if z < 3 {
			return strconv.AppendInt(b, int64(v), 10)
		}
		b = strconv.AppendInt(b, i, 10)
		b = append(b, 'e')
		return strconv.AppendInt(b, int64(z), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

func unixMs(t time.Time) int64 { return t.UnixMilli() }

// seriesJSON is one series in a schema message and in /api/snapshot.
type seriesJSON struct {
	I          int               `json:"i"`
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Labels     map[string]string `json:"labels"`
	Title      string            `json:"title"`
	Help       string            `json:"help,omitempty"`
	Unit       string            `json:"unit"`
	Group      string            `json:"group"`
	Kind       string            `json:"kind"`
	Chart      string            `json:"chart"`
	ChartTitle string            `json:"chartTitle"`
	Collector  string            `json:"collector"`
	Stat       bool              `json:"stat,omitempty"`
	LimitOf    string            `json:"limitOf,omitempty"`
	Heatmap    bool              `json:"heatmap,omitempty"`
}

func describe(s *series) seriesJSON {
	d := s.desc
	labels := make(map[string]string, len(d.Labels))
	for _, l := range d.Labels {
		labels[l.Name] = l.Value
	}
	return seriesJSON{
		I: s.idx, ID: s.id, Name: d.Name, Labels: labels, Title: d.Title, Help: d.Help,
		Unit: d.Unit, Group: d.Group, Kind: d.Kind.String(), Chart: d.Chart,
		ChartTitle: d.ChartTitle, Collector: s.collector, Stat: d.Stat, LimitOf: d.LimitOf, Heatmap: d.Heatmap,
	}
}

type schemaJSON struct {
	Type       string       `json:"type"`
	Version    int          `json:"version"`
	Interval   int64        `json:"interval"`
	HistoryLen int          `json:"historyLen"`
	Tiers      []tierJSON   `json:"tiers"`
	Series     []seriesJSON `json:"series"`
}

// groupRank orders the page's sections.
func groupRank(g string) int {
	switch g {
	case "host":
		return 0
	case "process":
		return 1
	case "go":
		return 2
	case "app":
		return 3
	}
	return 4
}

// displayOrder returns the series in the order the page shows them: by
// section, then by the order their collectors were added, then by first
// appearance. Indices are unchanged, so the order may differ from them.
func displayOrder(all []*series) []*series {
	sorted := slices.Clone(all)
	slices.SortStableFunc(sorted, func(x, y *series) int {
		if c := cmp.Compare(groupRank(x.desc.Group), groupRank(y.desc.Group)); c != 0 {
			return c
		}
		if c := cmp.Compare(x.order, y.order); c != 0 {
			return c
		}
		return cmp.Compare(x.idx, y.idx)
	})
	return sorted
}

// encodeSchema encodes the schema message for all series, in display order.
func encodeSchema(all []*series, interval time.Duration, historyLen int, tiers []tierJSON) []byte {
	m := schemaJSON{Type: "schema", Version: protocolVersion, Interval: interval.Milliseconds(), HistoryLen: historyLen,
		Tiers: tiers, Series: make([]seriesJSON, len(all))}
	for i, s := range displayOrder(all) {
		m.Series[i] = describe(s)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("stream: encoding schema: " + err.Error()) // only plain types: cannot happen
	}
	return b
}

// CollectorError is a collector's current error, as sent in "status"
// messages and /api/snapshot.
type CollectorError struct {
	Collector string `json:"collector"`
	Error     string `json:"error"`
	Since     int64  `json:"since"`
}

type statusJSON struct {
	Type   string           `json:"type"`
	Errors []CollectorError `json:"errors"`
}

func encodeStatus(errs []CollectorError) []byte {
	if errs == nil {
		errs = []CollectorError{}
	}
	b, err := json.Marshal(statusJSON{Type: "status", Errors: errs})
	if err != nil {
		panic("stream: encoding status: " + err.Error())
	}
	return b
}

// appendHistory appends the rows of r from index k on as a dense columnar
// history for nSeries series: {"ts":[…],"cols":[[…]|null,…]} without the
// surrounding braces' type field, which the caller writes.
func appendHistory(b []byte, r *ring, k, nSeries int) []byte {
	b = append(b, `"ts":[`...)
	for j := k; j < r.n; j++ {
		if j > k {
			b = append(b, ',')
		}
		ts, _ := r.at(j)
		b = strconv.AppendInt(b, ts, 10)
	}
	b = append(b, `],"cols":[`...)
	for idx := 0; idx < nSeries; idx++ {
		if idx > 0 {
			b = append(b, ',')
		}
		any := false
		for j := k; j < r.n; j++ {
			if !math.IsNaN(r.value(j, idx)) {
				any = true
				break
			}
		}
		if !any {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j := k; j < r.n; j++ {
			if j > k {
				b = append(b, ',')
			}
			b = appendValue(b, r.value(j, idx))
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// encodeHistory encodes the "history" message with the ticks after since.
func encodeHistory(r *ring, since int64, nSeries int) []byte {
	k := r.firstAfter(since)
	b := make([]byte, 0, 64+(r.n-k)*(15+nSeries*6))
	b = append(b, `{"type":"history",`...)
	b = appendHistory(b, r, k, nSeries)
	return append(b, '}')
}
