// Command example runs Livedash on its own, with a small simulated web app
// whose request rate, latency and queue depth fill the App section.
//
//	go run ./example                 # http://localhost:8080/
//	go run ./example -addr :9000 -interval 500ms
//	go run ./example -tls-cert cert.pem -tls-key key.pem   # https://localhost:8080/
//	go run ./example -version
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
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
	history := fs.Duration("history", 10*time.Minute, "history kept at the full rate and shown on open")
	historyFile := fs.String("history-file", "", "file that keeps the history (up to 48 h) across restarts; none by default")
	prefix := fs.String("prefix", "/", "URL path to mount the dashboard at, e.g. /debug/dashboard/")
	demo := fs.Bool("demo", true, "run the simulated app that fills the App section")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM); with -tls-key, serve https: and wss:")
	tlsKey := fs.String("tls-key", "", "TLS private key file (PEM)")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version {
		fmt.Println(versionString())
		return nil
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	var tlsConfig *tls.Config
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fmt.Errorf("loading -tls-cert and -tls-key: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
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

	d, err := dashboard.New(dashboard.Options{Interval: *interval, History: *history, HistoryFile: *historyFile, Logger: log})
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
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use by another program: choose another address with -addr, e.g. -addr localhost:8081", *addr)
	}
	if err != nil {
		return err
	}
	scheme := "http://"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https://"
	}
	url := scheme + ln.Addr().String() + *prefix
	fmt.Println("Livedash:", url)
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

// versionString is the module's version (or the commit it was built
// from) and the Go version.
func versionString() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v == "(devel)" && len(s.Value) >= 12 {
				v = "(devel) " + s.Value[:12]
			}
		}
	}
	return "livedash example " + v + " " + runtime.Version()
}
