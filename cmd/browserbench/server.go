package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"time"

	"github.com/livedash/dashboard"
)

// server is an in-process dashboard with default options, served on a
// loopback port.
type server struct {
	url  string
	srv  *http.Server
	d    *dashboard.Dashboard
	done chan error
}

// startServer starts a dashboard with dashboard.Options{} (every built-in
// collector, 1 s frames, 10 min of history) plus two app metrics, so that
// the App section has charts as in the example, and serves it at the root
// of 127.0.0.1 on a free port.
func startServer() (*server, error) {
	d, err := dashboard.New(dashboard.Options{})
	if err != nil {
		return nil, err
	}
	if err := addAppMetrics(d, time.Now()); err != nil {
		d.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.Close()
		return nil, err
	}
	s := &server{
		url: "http://" + ln.Addr().String() + "/",
		srv: &http.Server{
			Handler:           d,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
		d:    d,
		done: make(chan error, 1),
	}
	s.srv.RegisterOnShutdown(func() { d.Close() })
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// addAppMetrics registers a gauge and a counter that move smoothly, with no
// goroutine of their own: their values are functions of the time since
// start.
func addAppMetrics(d *dashboard.Dashboard, start time.Time) error {
	if err := d.Gauge("bench_queue_depth", "", func() float64 {
		s := time.Since(start).Seconds()
		return math.Round(20 + 15*math.Sin(s/30) + 5*math.Sin(s/4))
	}); err != nil {
		return err
	}
	// The integral of a rate of 150 + 50·sin(t/15) requests per second:
	// monotonic, as a counter must be, and drawn as that rate.
	return d.Counter("bench_requests_total", "requests", func() float64 {
		s := time.Since(start).Seconds()
		return math.Floor(150*s + 750*(1-math.Cos(s/15)))
	})
}

// close shuts the server down, then the dashboard.
func (s *server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if cerr := s.d.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("stopping the dashboard: %w", err)
	}
	return nil
}
