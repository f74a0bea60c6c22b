package main

import (
	"context"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/livedash/dashboard"
	"github.com/livedash/dashboard/collectors"
)

// simulator pretends to be a web service: requests arrive at a rate that
// drifts through the day in minutes, take a log-normal time, sometimes
// fail, and allocate a little, so the Go runtime charts move too.
type simulator struct {
	requests atomic.Int64
	errors   atomic.Int64
	inFlight atomic.Int64
	latency  *collectors.Histogram

	garbage [64][]byte
}

func newSimulator() *simulator { return &simulator{} }

// register adds the simulator's metrics: two counters (one labelled by
// status class) and a gauge read from functions, and a latency histogram
// fed with observations.
func (s *simulator) register(d *dashboard.Dashboard) error {
	if err := d.Counter("demo_http_requests_total", "requests", func() float64 { return float64(s.requests.Load()) }); err != nil {
		return err
	}
	if err := d.Counter("demo_http_errors_total", "errors", func() float64 { return float64(s.errors.Load()) }, "class", "5xx"); err != nil {
		return err
	}
	if err := d.Gauge("demo_http_in_flight_requests", "", func() float64 { return float64(s.inFlight.Load()) }); err != nil {
		return err
	}
	h, err := d.Histogram("demo_http_request_duration_seconds", collectors.UnitSeconds,
		[]float64{.005, .01, .015, .02, .025, .03, .04, .05, .075, .1, .25, .5, 1})
	if err != nil {
		return err
	}
	s.latency = h
	return nil
}

// simStep is how often the simulator advances: once per second, half a
// second away from the collections on whole seconds, so each 1 s frame
// sees exactly one step and the example stays idle between them.
const simStep = time.Second

// run simulates traffic until ctx is done.
func (s *simulator) run(ctx context.Context) {
	next := func() time.Duration {
		const phase = simStep / 2
		return time.Until(time.Now().Add(-phase).Truncate(simStep).Add(simStep + phase))
	}
	t := time.NewTimer(next())
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.step(now.Sub(start).Seconds())
			t.Reset(next())
		}
	}
}

func (s *simulator) step(elapsed float64) {
	// Rate in requests per second: a slow wave with a faster ripple and
	// an occasional burst.
	rate := 120 + 80*math.Sin(elapsed/90) + 25*math.Sin(elapsed/7)
	if rand.Float64() < 0.003 {
		rate *= 4
	}
	perStep := rate * simStep.Seconds()
	n := int(perStep + rand.NormFloat64()*math.Sqrt(perStep))
	n = max(n, 0)
	load := rate / 200
	s.inFlight.Store(int64(float64(n) * (0.5 + load) * (1 + rand.Float64())))
	for range n {
		// Log-normal around 20 ms, slower under load.
		s.latency.Observe(0.02 * (0.6 + load) * math.Exp(0.5*rand.NormFloat64()))
		if rand.Float64() < 0.01*load {
			s.errors.Add(1)
		}
		// Each request builds a response: garbage for the GC to find.
		s.garbage[rand.IntN(len(s.garbage))] = make([]byte, 256+rand.IntN(1024))
	}
	s.requests.Add(int64(n))
}
