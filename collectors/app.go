package collectors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
)

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// ValidName reports whether name is a valid Prometheus metric name.
func ValidName(name string) bool { return metricName.MatchString(name) }

// App is the collector of the application's own metrics: functions
// registered at any time with Gauge and Counter, called once per interval.
// It is safe for concurrent use.
type App struct {
	mu      sync.Mutex
	metrics []appMetric
	names   map[string]bool
}

type appMetric struct {
	desc Desc
	fn   func() float64
}

// NewApp returns an empty App collector.
func NewApp() *App { return &App{names: map[string]bool{}} }

// Name returns "app".
func (a *App) Name() string { return "app" }

// Gauge registers fn as the gauge name, in unit (one of the Unit constants
// or any short string). The page shows one chart per metric.
func (a *App) Gauge(name, unit string, fn func() float64) error {
	return a.add(name, unit, Gauge, fn)
}

// Counter registers fn as the counter name; fn returns the running total and
// the page shows its rate per second. By Prometheus convention the name
// ends in _total.
func (a *App) Counter(name, unit string, fn func() float64) error {
	return a.add(name, unit, Counter, fn)
}

func (a *App) add(name, unit string, kind Kind, fn func() float64) error {
	if !ValidName(name) {
		return fmt.Errorf("invalid metric name %q: want [a-zA-Z_:][a-zA-Z0-9_:]*", name)
	}
	if fn == nil {
		return fmt.Errorf("metric %q: nil function", name)
	}
	title := strings.ReplaceAll(strings.TrimSuffix(name, "_total"), "_", " ")
	d := Desc{Name: name, Title: title, Unit: unit, Group: "app", Kind: kind, Help: "Application metric " + name + "."}
	d.Normalize()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.names[name] {
		return fmt.Errorf("metric %q is already registered", name)
	}
	a.names[name] = true
	a.metrics = append(a.metrics, appMetric{desc: d, fn: fn})
	return nil
}

// Collect calls every registered function. A function that panics or
// returns NaN or ±Inf is reported in the error and leaves a gap for its own
// series only.
func (a *App) Collect(ctx context.Context, emit Emit) error {
	a.mu.Lock()
	ms := a.metrics[:len(a.metrics):len(a.metrics)]
	a.mu.Unlock()
	var errs []error
	for i := range ms {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		v, err := call(ms[i].fn)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			err = fmt.Errorf("value %v", v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("metric %s: %w", ms[i].desc.Name, err))
			continue
		}
		emit(ms[i].desc, v)
	}
	return errors.Join(errs...)
}

func call(fn func() float64) (v float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	return fn(), nil
}
