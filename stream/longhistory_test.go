package stream

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livedash/dashboard/internal/schedule"
)

// ticks publishes and ticks n times from t0, one interval apart, with
// value(k) for gaugeA and k for gaugeB.
func ticks(b *Broker, t0 time.Time, n int, value func(k int) float64) time.Time {
	ts := t0
	for k := range n {
		ts = t0.Add(time.Duration(k) * b.opts.Interval)
		b.Publish(schedule.Batch{Collector: "test", Time: ts, Samples: []schedule.Sample{
			{Desc: gaugeA, Value: value(k)}, {Desc: gaugeB, Value: float64(k)},
		}})
		b.tick(ts)
	}
	return ts
}

type rangeMsg struct {
	Type string            `json:"type"`
	Tier int               `json:"tier"`
	Step int64             `json:"step"`
	TS   []int64           `json:"ts"`
	Cols []json.RawMessage `json:"cols"`
}

func getRange(t *testing.T, b *Broker, q string) (rangeMsg, *http.Response) {
	t.Helper()
	rec := httptest.NewRecorder()
	b.ServeRange(rec, httptest.NewRequest("GET", "/api/range?"+q, nil))
	var m rangeMsg
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("range %s: %v", rec.Body.Bytes(), err)
		}
	}
	return m, rec.Result()
}

// TestLongHistoryKeepsSpikes: a one-tick spike survives in the max of a
// coarse bucket, the mean and min are what they should be, and a window
// longer than the full-rate tier reads the coarse one.
func TestLongHistoryKeepsSpikes(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: 20 * time.Second,
		LongHistory: []Tier{{Step: 10 * time.Second, Span: time.Hour}}})
	t0 := time.Unix(1_700_000_000, 0)
	last := ticks(b, t0, 120, func(k int) float64 {
		if k == 55 {
			return 1000 // a spike of one tick
		}
		return 5
	})
	from, to := t0.UnixMilli(), last.UnixMilli()
	m, resp := getRange(t, b, "from="+strconv.FormatInt(from, 10)+"&to="+strconv.FormatInt(to, 10))
	if resp.StatusCode != 200 || m.Type != "range" || m.Tier != 1 || m.Step != 10_000 {
		t.Fatalf("status %d, range %+v", resp.StatusCode, m)
	}
	if len(m.TS) != 12 {
		t.Fatalf("%d buckets over 2 minutes of 10 s, want 12: %v", len(m.TS), m.TS)
	}
	var a struct{ Min, Max, Mean []*float64 }
	if err := json.Unmarshal(m.Cols[0], &a); err != nil {
		t.Fatal(err)
	}
	bucket := 5 // ticks 50..59
	if *a.Max[bucket] != 1000 || *a.Min[bucket] != 5 || math.Abs(*a.Mean[bucket]-104.5) > 0.1 {
		t.Fatalf("bucket with the spike: min %v max %v mean %v", *a.Min[bucket], *a.Max[bucket], *a.Mean[bucket])
	}
	if *a.Max[4] != 5 {
		t.Fatalf("bucket without the spike: max %v", *a.Max[4])
	}

	// The last 15 s at the full rate: values, not buckets.
	m, _ = getRange(t, b, "from="+strconv.FormatInt(to-15_000, 10)+"&to="+strconv.FormatInt(to, 10)+"&step=1000")
	if m.Tier != 0 || len(m.TS) != 16 {
		t.Fatalf("full-rate window: tier %d, %d slots", m.Tier, len(m.TS))
	}
	var vals []*float64
	json.Unmarshal(m.Cols[1], &vals)
	if *vals[0] != 104 || *vals[15] != 119 {
		t.Fatalf("full-rate values %v … %v", *vals[0], *vals[15])
	}

	// Bad requests.
	for _, q := range []string{"from=x", "from=10&to=5", "step=-1", "from=0&to=" + strconv.FormatInt(to, 10) + "&step=1"} {
		if _, resp := getRange(t, b, q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, resp.StatusCode)
		}
	}
}

// TestRangeEncodedOnceAndCacheable: the same window is encoded once and
// answered 304 to a client that has it.
func TestRangeEncodedOnceAndCacheable(t *testing.T) {
	t.Parallel()
	b := newTestBroker(t, Options{Interval: time.Second, History: 20 * time.Second})
	t0 := time.Unix(1_700_000_000, 0)
	last := ticks(b, t0, 60, func(k int) float64 { return float64(k % 7) })
	q := "from=" + strconv.FormatInt(t0.UnixMilli(), 10) + "&to=" + strconv.FormatInt(last.UnixMilli(), 10)
	rec1 := httptest.NewRecorder()
	b.ServeRange(rec1, httptest.NewRequest("GET", "/api/range?"+q, nil))
	rec2 := httptest.NewRecorder()
	b.ServeRange(rec2, httptest.NewRequest("GET", "/api/range?"+q, nil))
	if rec1.Body.String() != rec2.Body.String() {
		t.Fatal("the same window gave different bodies")
	}
	encoded := 0
	for _, e := range b.ranges.entries {
		if e.body != nil {
			encoded++
		}
	}
	if encoded != 1 {
		t.Fatalf("the window was encoded %d times", encoded)
	}
	etag := rec1.Header().Get("ETag")
	req := httptest.NewRequest("GET", "/api/range?"+q, nil)
	req.Header.Set("If-None-Match", etag)
	rec3 := httptest.NewRecorder()
	b.ServeRange(rec3, req)
	if etag == "" || rec3.Code != http.StatusNotModified {
		t.Fatalf("ETag %q, revalidation %d", etag, rec3.Code)
	}
	// A new tick makes a new version.
	ticks(b, last.Add(time.Second), 1, func(int) float64 { return 1 })
	rec4 := httptest.NewRecorder()
	b.ServeRange(rec4, req)
	if rec4.Code != http.StatusOK || rec4.Header().Get("ETag") == etag {
		t.Fatalf("after a tick: %d, ETag %q", rec4.Code, rec4.Header().Get("ETag"))
	}
}

// TestHistoryFileSurvivesRestart: a broker saves its history at Close;
// the next one loads it, and a page that opens then gets the old values,
// a gap for the downtime, then the new ones.
func TestHistoryFileSurvivesRestart(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "history.bin")
	opts := Options{Interval: time.Second, History: time.Minute, HistoryFile: file}
	first := newTestBroker(t, opts)
	t0 := time.Now().Truncate(time.Second).Add(-2 * time.Minute)
	ticks(first, t0, 30, func(k int) float64 { return float64(100 + k) })
	first.Close()
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no history file after Close: %v", err)
	}

	second := newTestBroker(t, opts)
	if errs := second.Errors(); len(errs) != 0 {
		t.Fatalf("errors after loading: %+v", errs)
	}
	// 20 s of downtime, then ticks again.
	restart := t0.Add(50 * time.Second)
	ticks(second, restart, 5, func(k int) float64 { return float64(500 + k) })

	second.mu.Lock()
	h := encodeHistory(second.ring, math.MinInt64, len(second.all))
	second.mu.Unlock()
	var hm struct {
		TS   []int64      `json:"ts"`
		Cols [][]*float64 `json:"cols"`
	}
	if err := json.Unmarshal(h, &hm); err != nil {
		t.Fatal(err)
	}
	// The old ticks the ring can hold (a minute back from the restart),
	// one empty row, the new ticks.
	var old, gaps, fresh int
	for k, ts := range hm.TS {
		v := hm.Cols[0][k]
		switch {
		case ts < restart.UnixMilli() && v != nil && *v >= 100 && *v < 130:
			old++
		case ts < restart.UnixMilli() && v == nil:
			gaps++
		case ts >= restart.UnixMilli() && v != nil && *v >= 500:
			fresh++
		default:
			t.Fatalf("row %d at %d: %v", k, ts, v)
		}
	}
	if old < 20 || gaps != 1 || fresh != 5 {
		t.Fatalf("history after restart: %d old, %d gaps, %d new (ts %v)", old, gaps, fresh, hm.TS)
	}
}

// TestBadHistoryFile: a corrupt, truncated or foreign file is reported in
// the status and ignored; a missing one is not an error.
func TestBadHistoryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	b := newTestBroker(t, Options{Interval: time.Second, History: time.Minute, HistoryFile: good})
	if errs := b.Errors(); len(errs) != 0 {
		t.Fatalf("missing file reported: %+v", errs)
	}
	ticks(b, time.Now().Add(-time.Minute).Truncate(time.Second), 20, func(k int) float64 { return float64(k) })
	b.Close()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := append([]byte(nil), data...)
	corrupt[len(corrupt)/2] ^= 0xff
	for name, content := range map[string][]byte{
		"truncated": data[:len(data)/2],
		"corrupt":   corrupt,
		"foreign":   []byte("%PDF-1.7 not a history file"),
		"empty":     {},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			b := newTestBroker(t, Options{Interval: time.Second, History: time.Minute, HistoryFile: path})
			errs := b.Errors()
			if len(errs) != 1 || errs[0].Collector != "history" || !strings.Contains(errs[0].Error, "ignored") {
				t.Fatalf("errors %+v", errs)
			}
			// It runs, and the next save replaces the bad file.
			ticks(b, time.Now().Truncate(time.Second), 3, func(k int) float64 { return 1 })
			b.save()
			if errs := b.Errors(); len(errs) != 0 {
				t.Fatalf("errors after a good save: %+v", errs)
			}
		})
	}
}
