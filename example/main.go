// Command example runs Livedash on its own, with a small simulated web app
// whose request rate, latency and queue depth fill the App section.
//
//	go run ./example                 # http://localhost:8080/
//	go run ./example -addr :9000 -interval 500ms
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/livedash/dashboard"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("example", flag.ContinueOnError)
	addr := fs.String("addr", "localhost:8080", "address to listen on (localhost only by default)")
	interval := fs.Duration("interval", time.Second, "time between frames")
	history := fs.Duration("history", 10*time.Minute, "history kept and shown on open")
	prefix := fs.String("prefix", "/", "URL path to mount the dashboard at, e.g. /debug/dashboard/")
	demo := fs.Bool("demo", true, "run the simulated app that fills the App section")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *prefix == "" || (*prefix)[0] != '/' {
		return fmt.Errorf("-prefix %q must start with /", *prefix)
	}
	if (*prefix)[len(*prefix)-1] != '/' {
		*prefix += "/"
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	d, err := dashboard.New(dashboard.Options{Interval: *interval, History: *history, Logger: log})
	if err != nil {
		return err
	}
	defer d.Close()

	simDone := make(chan struct{})
	if *demo {
		sim := newSimulator()
		if err := sim.register(d); err != nil {
			return err
		}
		go func() { defer close(simDone); sim.run(ctx) }()
	} else {
		close(simDone)
	}

	mux := http.NewServeMux()
	if *prefix == "/" {
		mux.Handle("/", d)
	} else {
		mux.Handle(*prefix, http.StripPrefix((*prefix)[:len(*prefix)-1], d))
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	srv.RegisterOnShutdown(func() { d.Close() })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + *prefix
	log.Info("livedash is up", "url", url)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	<-simDone
	if cerr := d.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
