package dashboard_test

import (
	"log"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedash/dashboard"
)

// Mount the dashboard on a plain ServeMux under /debug/dashboard/.
func ExampleNew() {
	d, err := dashboard.New(dashboard.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	mux := http.NewServeMux()
	mux.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
	srv := &http.Server{Addr: "localhost:8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	// Shutdown does not wait for WebSockets: let Close end them cleanly.
	srv.RegisterOnShutdown(func() { d.Close() })
	log.Fatal(srv.ListenAndServe())
}

// Mount the dashboard on a ServeMux with a Go 1.22 method pattern, behind
// the app's own authentication.
func ExampleNew_serveMuxPattern() {
	d, err := dashboard.New(dashboard.Options{
		Authorize: func(r *http.Request) bool {
			user, pass, ok := r.BasicAuth()
			return ok && user == "ops" && pass == "s3cret" // use your own check
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
	log.Fatal(http.ListenAndServe("localhost:8080", mux))
}

// Mount the dashboard on a chi router.
func ExampleNew_chi() {
	d, err := dashboard.New(dashboard.Options{Title: "orders-api"})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	r := chi.NewRouter()
	r.Mount("/debug/dashboard", d)
	log.Fatal(http.ListenAndServe("localhost:8080", r))
}

// Chart the metrics the app already registers with client_golang, and
// its expvar variables, with no other code.
func ExampleNew_gatherer() {
	d, err := dashboard.New(dashboard.Options{
		Gatherer: prometheus.DefaultGatherer,
		Expvar:   true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	http.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
}

// Add the app's own metrics: a gauge drawn as is, a counter drawn as a
// rate per second, both labelled.
func ExampleDashboard_Gauge() {
	d, err := dashboard.New(dashboard.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	var queued, served atomic.Int64
	if err := d.Gauge("app_queue_depth", "", func() float64 { return float64(queued.Load()) }, "queue", "orders"); err != nil {
		log.Fatal(err)
	}
	if err := d.Counter("app_requests_total", "requests", func() float64 { return float64(served.Load()) }); err != nil {
		log.Fatal(err)
	}
}

// Time requests with a histogram: the page draws its percentiles, and
// ./metrics exports it as a Prometheus histogram.
func ExampleDashboard_Histogram() {
	d, err := dashboard.New(dashboard.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	latency, err := d.Histogram("app_request_duration_seconds", "seconds", nil, "route", "/checkout")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/checkout", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer func() { latency.Observe(time.Since(start).Seconds()) }()
		w.Write([]byte("ok"))
	})
}
