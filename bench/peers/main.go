// Command peers serves one live dashboard, Livedash or statsviz, on a
// loopback address and nothing else: no demo load, no other handler. It is
// the server side of bench/compare.sh, which loads each in turn with
// cmd/loadtest.
//
//	go run ./peers -server livedash -addr 127.0.0.1:8080   # socket at /ws
//	go run ./peers -server statsviz -addr 127.0.0.1:8080   # socket at /debug/statsviz/ws
//	go run ./peers -server floor -addr 127.0.0.1:8080      # socket at /ws
//
// The third, floor, is no dashboard: it writes one prepared message per
// tick to every socket and does nothing else (floor.go), the least any
// server can spend on the fan-out, as a yardstick for the other two. The
// fourth, reader (socket at /ws), is the least a coder/websocket server
// does that reads its clients with one goroutine each, as Livedash does
// (reader.go).
//
// Both send one message per -interval (1 s by default) to every connected
// socket. Livedash runs with its defaults (dashboard.New(dashboard.Options{}),
// mounted at "/"): host, process and Go runtime collectors. statsviz runs
// with its defaults too (statsviz.NewServer, registered on the mux at
// /debug/statsviz/): the Go runtime only. -only-runtime turns Livedash's host
// and process collectors off, to see what they cost.
//
// Once listening, it prints one line "socket ws://ADDR/PATH" on stdout (with
// -addr 127.0.0.1:0 the port is chosen by the system). SIGINT or SIGTERM
// shuts it down.
//
// To see where the time and memory go, -cpuprofile writes a CPU profile and
// -memprofile a heap profile, for go tool pprof. The CPU profile covers the
// window from -profile-after for -profile-for (until shutdown when 0); the
// heap profile is taken at the end of that window, while the clients are
// still connected.
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
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/arl/statsviz"

	"github.com/livedash/dashboard"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("peers", flag.ContinueOnError)
	server := fs.String("server", "livedash", `dashboard to serve: "livedash" (socket at /ws), "statsviz" (socket at /debug/statsviz/ws), "floor" (socket at /ws; see floor.go) or "reader" (socket at /ws; see reader.go)`)
	floorSize := fs.Int("floor-size", 450, "floor: bytes per message (Livedash's default collectors send about 450)")
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address to listen on; port 0 picks a free one")
	interval := fs.Duration("interval", time.Second, "time between messages, for both dashboards")
	onlyRuntime := fs.Bool("only-runtime", false, "livedash: turn off the host and process collectors (statsviz has neither)")
	compress := fs.Bool("compress", false, "livedash: Options.Compress (permessage-deflate with clients that offer it)")
	clientTimeout := fs.Duration("client-timeout", 0, "livedash: ClientTimeout, how long a silent client is kept (default: Livedash's, 10s)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	memprofile := fs.String("memprofile", "", "write a heap profile to this file at the end of the profile window")
	profileAfter := fs.Duration("profile-after", 0, "start the profile window this long after startup")
	profileFor := fs.Duration("profile-for", 0, "length of the profile window (0: until shutdown)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*addr); err != nil {
		return err
	}

	mux := http.NewServeMux()
	var (
		wsPath   string
		closeDsh func() error
	)
	switch *server {
	case "livedash":
		d, err := dashboard.New(dashboard.Options{
			Interval:       *interval,
			DisableHost:    *onlyRuntime,
			DisableProcess: *onlyRuntime,
			ClientTimeout:  *clientTimeout,
			Compress:       *compress,
			Logger:         slog.New(slog.NewTextHandler(os.Stderr, nil)),
		})
		if err != nil {
			return err
		}
		mux.Handle("/", d)
		wsPath, closeDsh = "/ws", d.Close
	case "statsviz":
		s, err := statsviz.NewServer(statsviz.SendFrequency(*interval))
		if err != nil {
			return err
		}
		s.Register(mux)
		wsPath, closeDsh = "/debug/statsviz/ws", s.Close
	case "floor":
		f := newFloor(*interval, *floorSize)
		mux.Handle("/ws", f)
		wsPath, closeDsh = "/ws", f.Close
	case "reader":
		f := newReaderFloor(*interval, *floorSize)
		mux.Handle("/ws", f)
		wsPath, closeDsh = "/ws", f.Close
	default:
		return fmt.Errorf("-server %q: want livedash, statsviz, floor or reader", *server)
	}
	defer closeDsh()

	prof, err := newProfiler(*cpuprofile, *memprofile)
	if err != nil {
		return err
	}
	defer prof.stop()
	if *cpuprofile != "" || *memprofile != "" {
		go prof.window(*profileAfter, *profileFor)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	// Shutdown does not wait for hijacked connections: close the
	// dashboard's sockets too.
	srv.RegisterOnShutdown(func() { closeDsh() })
	fmt.Printf("socket ws://%s%s\n", ln.Addr(), wsPath)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(shutCtx), closeDsh())
}

// profiler takes the CPU and heap profiles of one window of the run.
type profiler struct {
	cpu, mem *os.File // nil when not asked for

	mu      sync.Mutex
	started bool
	done    bool
}

func newProfiler(cpuPath, memPath string) (*profiler, error) {
	p := &profiler{}
	var err error
	if cpuPath != "" {
		if p.cpu, err = os.Create(cpuPath); err != nil {
			return nil, err
		}
	}
	if memPath != "" {
		if p.mem, err = os.Create(memPath); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// window starts the CPU profile after the given delay and ends both
// profiles after dur (never when 0: stop does at shutdown).
func (p *profiler) window(after, dur time.Duration) {
	time.Sleep(after)
	p.mu.Lock()
	if !p.done && p.cpu != nil {
		if err := pprof.StartCPUProfile(p.cpu); err != nil {
			fmt.Fprintln(os.Stderr, "peers: cpu profile:", err)
		}
		p.started = true
	}
	p.mu.Unlock()
	if dur > 0 {
		time.Sleep(dur)
		p.stop()
	}
}

// stop ends the CPU profile and writes the heap profile, once.
func (p *profiler) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	if p.started {
		pprof.StopCPUProfile()
	}
	if p.cpu != nil {
		p.cpu.Close()
	}
	if p.mem != nil {
		runtime.GC() // up-to-date statistics
		if err := pprof.WriteHeapProfile(p.mem); err != nil {
			fmt.Fprintln(os.Stderr, "peers: heap profile:", err)
		}
		p.mem.Close()
	}
}

// checkLoopback refuses to listen anywhere but on this machine's loopback.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q is not a loopback address", addr)
	}
	return nil
}
