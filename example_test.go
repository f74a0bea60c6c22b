package dashboard_test

import (
	"log"
	"net/http"
	"sync/atomic"

	"github.com/go-chi/chi/v5"

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
	srv := &http.Server{Addr: "localhost:8080", Handler: mux}
	// Shutdown does not wait for WebSockets: let Close end them cleanly.
	srv.RegisterOnShutdown(func() { d.Close() })
	log.Fatal(srv.ListenAndServe())
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

// Add the app's own metrics: a gauge drawn as is and a counter drawn as a
// rate per second.
func ExampleDashboard_Gauge() {
	d, err := dashboard.New(dashboard.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	var queued, served atomic.Int64
	if err := d.Gauge("app_queue_depth", "", func() float64 { return float64(queued.Load()) }); err != nil {
		log.Fatal(err)
	}
	if err := d.Counter("app_requests_total", "requests", func() float64 { return float64(served.Load()) }); err != nil {
		log.Fatal(err)
	}
}
