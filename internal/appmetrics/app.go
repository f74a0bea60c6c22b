package appmetrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/hook"
	"github.com/livedash/dashboard/internal/schedule"
)

// The collectors package's histogram helpers, handed over through
// internal/hook (their types are given there).
var (
	newHistogram     = hook.NewHistogram.(func(collectors.Desc, []float64) *collectors.Histogram)
	collectHistogram = hook.CollectHistogram.(func(*collectors.Histogram, collectors.Emit))
	histogramValue   = hook.HistogramValue.(func(*collectors.Histogram) collectors.HistogramValue)
)

// App is the collector of the application's own metrics: gauges and
// counters read from functions, and histograms fed with observations,
// registered at any time. It is safe for concurrent use.
//
// Each function is called once per interval in a goroutine of its own, so
// one that is slow, blocks forever or panics costs only its own series:
// the others are emitted on time and the error names the metric. A call
// still running at the next interval is not started again.
type App struct {
	mu       sync.Mutex
	metrics  []*appMetric
	hists    []*collectors.Histogram
	ids      map[string]bool
	families map[string]appFamily
	owner    *schedule.Owner // claims names in the scheduler the App runs in, once added
	closed   bool

	// calls counts the goroutines calling a function, and a Collect in
	// progress, so that Close can wait for them.
	calls sync.WaitGroup
}

// appFamily is what the series of one metric name must agree on.
type appFamily struct {
	kind   collectors.Kind
	hist   bool
	unit   string
	labels string // label names, comma-separated
}

type appMetric struct {
	desc  collectors.Desc
	fn    func() float64
	busy  atomic.Bool  // a call is in flight
	since atomic.Int64 // when it started, unix ns
}

// NewApp returns an empty App collector.
func NewApp() *App {
	return &App{ids: map[string]bool{}, families: map[string]appFamily{}}
}

// Name returns "app".
func (a *App) Name() string { return "app" }

// Attach makes the App a schedule.Registrar: from now on its registrations
// claim their names through o. It returns the names registered before.
func (a *App) Attach(o *schedule.Owner) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.owner = o
	names := make([]string, 0, len(a.families))
	for n := range a.families {
		names = append(names, n)
	}
	return names
}

// Gauge registers fn as the gauge name, in unit (one of the Unit constants
// or any short string), with labels given as name/value pairs
// ("queue", "orders"). The page draws the series of one name on one
// chart. fn is called once per interval, from its own goroutine.
func (a *App) Gauge(name, unit string, fn func() float64, labels ...string) error {
	return a.addFunc("gauge", name, unit, collectors.Gauge, fn, labels)
}

// Counter registers fn as the counter name; fn returns the running total
// and the page shows its rate per second. By Prometheus convention the
// name ends in _total. Labels are as for Gauge.
func (a *App) Counter(name, unit string, fn func() float64, labels ...string) error {
	return a.addFunc("counter", name, unit, collectors.Counter, fn, labels)
}

func (a *App) addFunc(what, name, unit string, kind collectors.Kind, fn func() float64, labels []string) error {
	if fn == nil {
		return fmt.Errorf("%s %s: nil function", what, name)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	d, err := a.registerLocked(name, unit, kind, false, labels)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, name, err)
	}
	a.metrics = append(a.metrics, &appMetric{desc: d, fn: fn})
	return nil
}

// registerLocked checks a new series and reserves its ID and name.
func (a *App) registerLocked(name, unit string, kind collectors.Kind, hist bool, kv []string) (collectors.Desc, error) {
	if a.closed {
		return collectors.Desc{}, collectors.ErrClosed
	}
	ls, err := labelPairs(name, kv)
	if err != nil {
		return collectors.Desc{}, err
	}
	d := collectors.Desc{Name: name, Labels: ls, Unit: unit, Group: "app", Kind: kind, Help: "Application metric " + name + "."}
	if err := d.Validate(); err != nil {
		return collectors.Desc{}, err
	}
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.Name
	}
	fam := appFamily{kind: kind, hist: hist, unit: unit, labels: strings.Join(names, ",")}
	if old, ok := a.families[name]; ok {
		if old != fam {
			return collectors.Desc{}, fmt.Errorf("already registered with another kind, unit or label names (%s %q, labels %q)",
				familyKind(old), old.unit, old.labels)
		}
	} else if a.owner != nil {
		if err := a.owner.Claim(name); err != nil {
			return collectors.Desc{}, err
		}
	}
	id := d.ID()
	if a.ids[id] {
		return collectors.Desc{}, fmt.Errorf("series %s is already registered", id)
	}
	a.families[name] = fam
	a.ids[id] = true
	title := strings.ReplaceAll(strings.TrimSuffix(name, "_total"), "_", " ")
	if len(ls) == 0 {
		d.Title = title
	}
	d.ChartTitle = title
	d.Normalize()
	return d, nil
}

// labelPairs turns key/value pairs into labels, checking them.
func labelPairs(name string, kv []string) ([]collectors.Label, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("metric %s: labels must come in name/value pairs, got %d strings", name, len(kv))
	}
	ls := make([]collectors.Label, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		if kv[i] == collectors.LabelQuantile || kv[i] == collectors.LabelLe {
			return nil, fmt.Errorf("metric %s: label name %q is reserved for Prometheus summaries and histograms", name, kv[i])
		}
		ls = append(ls, collectors.Label{Name: kv[i], Value: kv[i+1]})
	}
	return ls, nil
}

func familyKind(f appFamily) string {
	if f.hist {
		return "histogram"
	}
	return f.kind.String()
}

// Close refuses further registrations and waits up to wait for the
// functions being called; the error names those still running.
func (a *App) Close(wait time.Duration) error {
	a.mu.Lock()
	a.closed = true
	ms := a.metrics
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.calls.Wait(); close(done) }()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
	}
	var stuck []string
	for _, m := range ms {
		if m.busy.Load() {
			stuck = append(stuck, m.desc.ID())
		}
	}
	return fmt.Errorf("app metric functions still running after %v: %s", wait, strings.Join(stuck, ", "))
}

type appResult struct {
	i   int
	v   float64
	err error
}

// Collect calls every registered function, each in its own goroutine, and
// emits the histograms' percentiles. A function that panics, returns NaN
// or ±Inf, or has not returned by nine tenths of the time left (or whose
// previous call has not) is named in the error and leaves a gap for its
// own series only.
func (a *App) Collect(ctx context.Context, emit collectors.Emit) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	ms := a.metrics[:len(a.metrics):len(a.metrics)]
	hs := a.hists[:len(a.hists):len(a.hists)]
	a.calls.Add(1)
	a.mu.Unlock()
	defer a.calls.Done()

	var errs []error
	if len(ms) > 0 {
		errs = a.collectFuncs(ctx, ms, emit)
	}
	for _, h := range hs {
		collectHistogram(h, emit)
	}
	return errors.Join(errs...)
}

func (a *App) collectFuncs(ctx context.Context, ms []*appMetric, emit collectors.Emit) []error {
	wait := time.Second
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl) * 9 / 10
	}
	now := time.Now()
	results := make(chan appResult, len(ms))
	got := make([]*appResult, len(ms))
	var errs []error
	started := 0
	for i, m := range ms {
		if !m.busy.CompareAndSwap(false, true) {
			ago := now.Sub(time.Unix(0, m.since.Load())).Round(time.Millisecond)
			errs = append(errs, fmt.Errorf("metric %s: its function has not returned for %v", m.desc.ID(), ago))
			continue
		}
		m.since.Store(now.UnixNano())
		started++
		a.calls.Add(1)
		go func() {
			defer a.calls.Done()
			v, err := call(m.fn)
			m.busy.Store(false)
			results <- appResult{i: i, v: v, err: err}
		}()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
wait:
	for n := 0; n < started; n++ {
		select {
		case r := <-results:
			got[r.i] = &r
		case <-timer.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	for i, m := range ms {
		r := got[i]
		switch {
		case r == nil:
			if m.busy.Load() && m.since.Load() == now.UnixNano() {
				errs = append(errs, fmt.Errorf("metric %s: its function did not return within %v", m.desc.ID(), wait.Round(time.Millisecond)))
			}
		case r.err != nil:
			errs = append(errs, fmt.Errorf("metric %s: %w", m.desc.ID(), r.err))
		case math.IsNaN(r.v) || math.IsInf(r.v, 0):
			errs = append(errs, fmt.Errorf("metric %s: value %v", m.desc.ID(), r.v))
		default:
			emit(m.desc, r.v)
		}
	}
	return errs
}

func call(fn func() float64) (v float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	return fn(), nil
}

// maxBuckets bounds a histogram's buckets: each costs 8 bytes per label
// set and a line per scrape.
const maxBuckets = 512

// Histogram registers a histogram: observations counted in buckets with
// the given upper bounds (ascending; a final +Inf may be left out), or
// collectors.DefaultBuckets when buckets is nil. The page draws the 50th,
// 90th and 99th percentiles and the maximum of each interval's
// observations (as bucket bounds allow); ./metrics exports the histogram.
// Labels are as for Gauge; each label set is a histogram of its own.
func (a *App) Histogram(name, unit string, buckets []float64, labels ...string) (*collectors.Histogram, error) {
	if buckets == nil {
		buckets = collectors.DefaultBuckets
	}
	upper, err := checkBuckets(buckets)
	if err != nil {
		return nil, fmt.Errorf("histogram %s: %w", name, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	d, err := a.registerLocked(name, unit, collectors.Gauge, true, labels)
	if err != nil {
		return nil, fmt.Errorf("histogram %s: %w", name, err)
	}
	h := newHistogram(d, upper)
	a.hists = append(a.hists, h)
	return h, nil
}

func checkBuckets(b []float64) ([]float64, error) {
	if n := len(b); n > 0 && math.IsInf(b[n-1], 1) {
		b = b[:n-1]
	}
	if len(b) == 0 {
		return nil, errors.New("no finite bucket bound")
	}
	if len(b) > maxBuckets {
		return nil, fmt.Errorf("%d buckets, at most %d", len(b), maxBuckets)
	}
	for i, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("bucket bound %v", v)
		}
		if i > 0 && v <= b[i-1] {
			return nil, fmt.Errorf("bucket bounds must increase: %v after %v", v, b[i-1])
		}
	}
	return slices.Clone(b), nil
}

// AppendHistograms appends the state of every histogram to dst.
func (a *App) AppendHistograms(dst []collectors.HistogramValue) []collectors.HistogramValue {
	a.mu.Lock()
	hs := a.hists[:len(a.hists):len(a.hists)]
	a.mu.Unlock()
	for _, h := range hs {
		dst = append(dst, histogramValue(h))
	}
	return dst
}
