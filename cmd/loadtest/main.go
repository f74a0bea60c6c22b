// Command loadtest opens many WebSocket clients against a Livedash server on
// this machine and reports what the server costs and what clients see.
//
//	go run ./cmd/loadtest -url ws://127.0.0.1:8080/ws -clients 2000 -duration 60s -pid $(pgrep example)
//
// With -proto statsviz it loads a github.com/arl/statsviz server instead
// (socket at /debug/statsviz/ws), measured the same way, so that the two can
// be compared side by side (bench/compare.sh).
//
// Clients read every frame and ping as the page does (-pings frame: right
// after a frame, when a ping is due, so that pings from all clients bunch
// just after each tick); -pings timer spreads them over each client's own
// timer, and -burst (-pings burst) has every client ping in the same
// instant, every -ping. Optional stalled
// clients connect and then neither read nor write, to check that the server
// evicts them without slowing the others. Churn mode connects and
// disconnects clients in a loop instead. Only loopback addresses are
// accepted as targets, and every run is bounded by -duration (and churn by
// -cycles).
//
// Every -report interval it prints one line: connected clients, frames and
// bytes per client per second, latency from the frame's send time "t" to
// its arrival (p50, p99, max), and, with -pid, the server's CPU (share of
// one core), RSS, goroutine-bearing threads, open fds; then the spread
// (p50, p99): per tick, the time from the first client receiving the tick's
// frame to each client receiving it. The spread needs no timestamp from the
// server, so it measures any server's fan-out alike. statsviz frames carry
// no send time: their latency is taken from "timestamp", the time statsviz
// read the runtime metrics just before encoding the frame.
//
// "Receiving" is when this tool reads the frame, which with thousands of
// clients on a core or two is mostly this tool's own scheduling. With -rx
// (on by default, Linux only) it also takes each frame's arrival from the
// kernel's receive timestamp on its socket (SO_TIMESTAMPNS), which on
// loopback is when the server's write reached the socket: the rx_ columns
// are latency and spread measured there, the server's own fan-out.
//
// At the end it prints summary lines ("# ..."): latency and spread over the
// run (at the read, and at the socket with -rx), the server's median CPU and
// memory per client, and the median bytes and frames per client per second.
// Report lines before -warmup are left out of them, and so is any line
// without a connected client.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type config struct {
	url      string
	clients  int
	stalled  int
	duration time.Duration
	ramp     time.Duration
	report   time.Duration
	pid      int
	churn    bool
	compress bool
	cycles   int
	parallel int
	sources  int
	origin   string
	settle   time.Duration
	warmup   time.Duration
	ping     time.Duration
	pings    string
	rx       bool
	proto    *protocol
}

func run(args []string) error {
	var c config
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.StringVar(&c.url, "url", "ws://127.0.0.1:8080/ws", "WebSocket URL (loopback only)")
	fs.IntVar(&c.clients, "clients", 100, "reading clients")
	fs.IntVar(&c.stalled, "stalled", 0, "clients that connect and then never read or write")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to run (upper bound)")
	fs.DurationVar(&c.ramp, "ramp", 10*time.Second, "time over which to open the clients")
	fs.DurationVar(&c.report, "report", 5*time.Second, "time between report lines")
	fs.IntVar(&c.pid, "pid", 0, "server PID, to report its CPU, RSS, threads and fds from /proc")
	fs.BoolVar(&c.compress, "compress", false, "offer permessage-deflate, as browsers do (the server decides)")
	fs.BoolVar(&c.churn, "churn", false, "connect, read the opening messages and disconnect, -cycles times")
	fs.IntVar(&c.cycles, "cycles", 10000, "connect/disconnect cycles in churn mode")
	fs.IntVar(&c.parallel, "parallel", 50, "concurrent connects in churn mode")
	fs.IntVar(&c.sources, "sources", 16, "source addresses 127.0.0.2… to spread connections over (more ephemeral ports)")
	fs.DurationVar(&c.settle, "settle", 7*time.Second, "wait after the run before reading the server's final figures")
	fs.StringVar(&c.origin, "origin", "", "Origin header to send (default: the target's own origin)")
	fs.DurationVar(&c.warmup, "warmup", 0, "leave report lines before this time (e.g. the ramp) out of the summary")
	fs.DurationVar(&c.ping, "ping", 5*time.Second, "time between a client's pings, as Livedash's page sends them (0: never; statsviz's page never pings)")
	fs.StringVar(&c.pings, "pings", "frame", `when clients ping: "frame" (right after a frame, when due, as the page does), "timer" (each on its own timer, spread evenly) or "burst" (all in the same instant)`)
	burst := fs.Bool("burst", false, `every client pings in the same instant, every -ping (same as -pings burst)`)
	fs.BoolVar(&c.rx, "rx", true, "also take each frame's arrival from the kernel's receive timestamp on its socket (Linux), free of this tool's own delays")
	proto := fs.String("proto", "livedash", `server's protocol: "livedash" or "statsviz" (github.com/arl/statsviz; -url defaults to its socket, ws://127.0.0.1:8080/debug/statsviz/ws)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *burst {
		c.pings = "burst"
	}
	switch c.pings {
	case "frame", "timer", "burst":
	default:
		return fmt.Errorf("-pings %q: want frame, timer or burst", c.pings)
	}
	switch *proto {
	case "livedash":
		c.proto = livedashProto
	case "statsviz":
		c.proto = statsvizProto
		urlSet := false
		fs.Visit(func(f *flag.Flag) { urlSet = urlSet || f.Name == "url" })
		if !urlSet {
			c.url = "ws://127.0.0.1:8080/debug/statsviz/ws"
		}
	default:
		return fmt.Errorf("-proto %q: want livedash or statsviz", *proto)
	}
	u, err := url.Parse(c.url)
	if err != nil {
		return err
	}
	if err := checkLoopback(u.Hostname()); err != nil {
		return err
	}
	if c.origin == "" {
		c.origin = "http://" + u.Host
	}
	if c.duration <= 0 || c.duration > 2*time.Hour {
		return errors.New("-duration must be between 0 and 2h")
	}
	if c.clients < 0 || c.clients > 50000 || c.stalled < 0 || c.stalled > 50000 || c.cycles > 1_000_000 {
		return errors.New("-clients and -stalled are at most 50000 each, -cycles at most 1000000")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()

	start := time.Now()
	from := start.Add(c.warmup)
	// Ticks still arriving when the clients start closing are slowed by
	// this tool's own work of closing them: left out.
	until := start.Add(c.duration - spreadWindow)
	l := &load{cfg: c, end: start.Add(c.duration), dialers: dialers(u.Hostname(), c.sources), spread: newSpread(from, until), rxSpread: newSpread(from, until)}
	if c.pings == "burst" && c.ping > 0 {
		first := make(chan struct{})
		l.burst.Store(&first)
		go l.burstLoop(ctx)
	}
	if c.churn {
		return l.churn(ctx)
	}
	return l.steady(ctx)
}

// checkLoopback refuses any target that is not this machine.
func checkLoopback(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("target %q is not a loopback address: loadtest only loads this machine", host)
	}
	return nil
}

// dialers returns HTTP clients that connect from different loopback source
// addresses, so that many connections (and TIME_WAITs) do not exhaust one
// address's ephemeral ports.
func dialers(target string, n int) []*http.Client {
	ip := net.ParseIP(target)
	if n < 1 || ip == nil || ip.To4() == nil {
		n = 1
	}
	cs := make([]*http.Client, n)
	for i := range cs {
		d := &net.Dialer{Timeout: 10 * time.Second}
		if n > 1 {
			d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}
		}
		cs[i] = &http.Client{Transport: &http.Transport{DialContext: rxDial(d), MaxIdleConnsPerHost: -1}}
	}
	return cs
}

type load struct {
	cfg     config
	end     time.Time // the end of the run: frames read after it are not measured
	dialers []*http.Client
	next    atomic.Uint64

	connected atomic.Int64
	failed    atomic.Int64
	closed    atomic.Int64
	frames    atomic.Int64
	bytes     atomic.Int64

	stalledCount atomic.Int64

	mu      sync.Mutex
	lat     []float64 // ms, since the last report
	rxLat   []float64 // ms, to the kernel's receive time, since the last report
	closeBy map[string]int

	spread   *spread // arrivals when read
	rxSpread *spread // arrivals at the kernel's receive time

	burst atomic.Pointer[chan struct{}] // closed when every client is to ping
}

// burstLoop has every client ping at once, every -ping: it closes the
// channel they wait on and hands them a new one.
func (l *load) burstLoop(ctx context.Context) {
	every(ctx, l.cfg.ping, func(time.Time) {
		next := make(chan struct{})
		close(*l.burst.Swap(&next))
	})
}

// every calls f every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func(now time.Time)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f(now)
		}
	}
}

// rxKey is the context key under which dial asks rxDial for receive
// timestamps, with an *rxStamp to fill.
type rxKey struct{}

// rxStamp is the kernel's receive time of a connection's last read, in
// unix ns; nil when the connection has none.
type rxStamp struct{ last *atomic.Int64 }

// rxDial dials with d and, when the context asks for it, turns on receive
// timestamps on the new connection.
func rxDial(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		st, _ := ctx.Value(rxKey{}).(*rxStamp)
		if err != nil || st == nil {
			return c, err
		}
		rc, last, err := rxWrap(c)
		if err == nil {
			st.last = last
		}
		return rc, nil
	}
}

// dial opens one client; with -rx the connection's receive timestamps come
// with it (nil when the kernel's cannot be read).
func (l *load) dial(ctx context.Context) (*websocket.Conn, *atomic.Int64, error) {
	hc := l.dialers[l.next.Add(1)%uint64(len(l.dialers))]
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var st rxStamp
	if l.cfg.rx {
		dctx = context.WithValue(dctx, rxKey{}, &st)
	}
	mode := websocket.CompressionDisabled
	if l.cfg.compress {
		mode = websocket.CompressionNoContextTakeover
	}
	c, _, err := websocket.Dial(dctx, l.cfg.url, &websocket.DialOptions{
		HTTPClient:      hc,
		HTTPHeader:      http.Header{"Origin": {l.cfg.origin}},
		CompressionMode: mode,
	})
	if err != nil {
		return nil, nil, err
	}
	c.SetReadLimit(64 << 20)
	return c, st.last, nil
}

var tKey = []byte(`"t":`)
var tsKey = []byte(`"ts":`)

// field reads the integer after key in a frame, without decoding it whole.
func field(msg, key []byte) (int64, bool) {
	i := bytes.Index(msg, key)
	if i < 0 {
		return 0, false
	}
	rest := msg[i+len(key):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	v, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return v, err == nil
}

// reader is one client: it reads every message and, when the protocol's
// page does, pings every -ping with the last frame's ts. rx, when not nil,
// holds the kernel's receive time of the connection's last read.
func (l *load) reader(ctx context.Context, c *websocket.Conn, rx *atomic.Int64) {
	defer c.CloseNow()
	p := l.cfg.proto
	var lastTS atomic.Int64
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ping := func() {
		msg := `{"type":"ping"}`
		if ts := lastTS.Load(); ts > 0 {
			msg = `{"type":"ping","ts":` + strconv.FormatInt(ts, 10) + `}`
		}
		wctx, wcancel := context.WithTimeout(pctx, 5*time.Second)
		c.Write(wctx, websocket.MessageText, []byte(msg))
		wcancel()
	}
	pinging := p.ping && l.cfg.ping > 0
	switch {
	case pinging && l.cfg.pings == "timer":
		go every(pctx, l.cfg.ping, func(time.Time) { ping() })
	case pinging && l.cfg.pings == "burst":
		go func() {
			for {
				select {
				case <-pctx.Done():
					return
				case <-*l.burst.Load():
					ping()
				}
			}
		}()
	}
	// -pings frame: as the page does, a ping right after a frame once
	// one is due, and from a housekeeping timer once a second when frames
	// do not come (socket.js's #pingIfDue).
	afterFrame := pinging && l.cfg.pings == "frame"
	var lastPing atomic.Int64
	lastPing.Store(time.Now().UnixNano())
	pingIfDue := func(now time.Time) {
		if last := lastPing.Load(); now.UnixNano()-last >= int64(l.cfg.ping-time.Second) && lastPing.CompareAndSwap(last, now.UnixNano()) {
			ping()
		}
	}
	if afterFrame {
		go every(pctx, time.Second, pingIfDue)
	}
	lat := make([]float64, 0, 4)
	rxLat := make([]float64, 0, 4)
	flush := func() {
		l.mu.Lock()
		l.lat = append(l.lat, lat...)
		l.rxLat = append(l.rxLat, rxLat...)
		l.mu.Unlock()
		lat, rxLat = lat[:0], rxLat[:0]
	}
	defer flush()
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				l.noteClose(err)
			}
			return
		}
		now := time.Now()
		l.bytes.Add(int64(len(msg)))
		if bytes.HasPrefix(msg, p.frame) {
			l.frames.Add(1)
			var rxAt time.Time
			if rx != nil {
				if ns := rx.Load(); ns > 0 {
					rxAt = time.Unix(0, ns)
				}
			}
			if t, ok := p.sent(msg); ok && now.Before(l.end) {
				lat = append(lat, float64(now.UnixMilli()-t))
				if !rxAt.IsZero() {
					rxLat = append(rxLat, ms(rxAt.Sub(time.UnixMilli(t))))
				}
			}
			if ts, ok := p.tick(msg); ok {
				lastTS.Store(ts)
				l.spread.add(ts, now)
				if !rxAt.IsZero() {
					l.rxSpread.add(ts, rxAt)
				}
			}
			if afterFrame {
				pingIfDue(now)
			}
			flush()
		}
	}
}

func (l *load) noteClose(err error) {
	l.closed.Add(1)
	reason := "error: " + firstWords(err.Error(), 6)
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		reason = "close " + strconv.Itoa(int(ce.Code)) + " " + firstWords(ce.Reason, 5)
	}
	l.mu.Lock()
	if l.closeBy == nil {
		l.closeBy = map[string]int{}
	}
	l.closeBy[reason]++
	l.mu.Unlock()
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// steady opens the clients over the ramp and keeps them until the end.
func (l *load) steady(ctx context.Context) error {
	total := l.cfg.clients + l.cfg.stalled
	fmt.Printf("# %s: %d reading clients, %d stalled, for %v\n", l.cfg.url, l.cfg.clients, l.cfg.stalled, l.cfg.duration)
	var wg sync.WaitGroup
	gap := time.Duration(0)
	if total > 0 {
		gap = l.cfg.ramp / time.Duration(total)
	}
	start := time.Now()
	rep := newReporter(l, start)
	repDone := make(chan struct{})
	go func() { defer close(repDone); rep.loop(ctx) }()

	for i := range total {
		if ctx.Err() != nil {
			break
		}
		c, rx, err := l.dial(ctx)
		if err != nil {
			l.failed.Add(1)
			continue
		}
		l.connected.Add(1)
		wg.Add(1)
		// Stalled clients are spread evenly among the reading ones.
		if l.cfg.stalled > 0 && i%max(1, total/l.cfg.stalled) == 0 && l.stalledCount.Add(1) <= int64(l.cfg.stalled) {
			go func() {
				defer wg.Done()
				defer l.connected.Add(-1)
				// Never read, never write: only the server can end this.
				<-ctx.Done()
				c.CloseNow()
			}()
		} else {
			go func() {
				defer wg.Done()
				defer l.connected.Add(-1)
				l.reader(ctx, c, rx)
			}()
		}
		if gap > 0 {
			time.Sleep(gap)
		}
	}
	<-ctx.Done()
	wg.Wait()
	<-repDone
	rep.summary()
	return nil
}

// churn connects, reads the opening messages and disconnects, over and
// over, -parallel at a time.
func (l *load) churn(ctx context.Context) error {
	fmt.Printf("# %s: churn, %d cycles, %d at a time\n", l.cfg.url, l.cfg.cycles, l.cfg.parallel)
	start := time.Now()
	rep := newReporter(l, start)
	repCtx, repCancel := context.WithCancel(ctx)
	repDone := make(chan struct{})
	go func() { defer close(repDone); rep.loop(repCtx) }()
	var done atomic.Int64
	var wg sync.WaitGroup
	for range l.cfg.parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && done.Add(1) <= int64(l.cfg.cycles) {
				c, _, err := l.dial(ctx)
				if err != nil {
					l.failed.Add(1)
					continue
				}
				l.connected.Add(1)
				for range l.cfg.proto.opening {
					rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					_, msg, err := c.Read(rctx)
					cancel()
					if err != nil {
						break
					}
					l.bytes.Add(int64(len(msg)))
				}
				c.Close(websocket.StatusNormalClosure, "")
				l.connected.Add(-1)
			}
		}()
	}
	wg.Wait()
	repCancel()
	<-repDone
	n := min(done.Load(), int64(l.cfg.cycles))
	el := time.Since(start)
	fmt.Printf("# churn: %d cycles in %v (%.0f/s), %d failed\n", n, el.Round(time.Millisecond), float64(n)/el.Seconds(), l.failed.Load())
	rep.summary()
	return nil
}

// reporter prints one line per interval and keeps what the summary needs.
type reporter struct {
	l        *load
	start    time.Time
	last     time.Time
	frames   int64
	bytes    int64
	cpu0     float64
	cpuLast  float64
	rss      []float64
	cpu      []float64
	p99s     []float64
	perCli   []float64
	allLat   []float64
	baseline procStat

	allRxLat    []float64
	allSpread   []float64
	allRxSpread []float64
	ticks       int
	rxTicks     int
	bps, fps    []float64 // bytes and frames per client per second
}

func newReporter(l *load, start time.Time) *reporter {
	r := &reporter{l: l, start: start, last: start}
	if l.cfg.pid > 0 {
		r.baseline, _ = readProc(l.cfg.pid)
		r.cpuLast = r.baseline.cpuSeconds
		r.cpu0 = r.cpuLast
		fmt.Printf("# server before: rss %.1f MiB, threads %d, fds %d, goroutines %d\n", r.baseline.rssBytes/(1<<20), r.baseline.threads, r.baseline.fds, l.goroutines())
	}
	fmt.Printf("# latency from %s to the read (rx_: to the kernel's receive time); spread from the first client to get a tick's frame to each\n", l.cfg.proto.latencyFrom)
	fmt.Println("# time  clients  closed  failed  frames/s/client  B/s/client  lat_p50_ms  lat_p99_ms  lat_max_ms  srv_cpu_%  srv_rss_MiB  KiB/client  threads  fds  spread_p50_ms  spread_p99_ms  rx_lat_p99_ms  rx_spread_p50_ms  rx_spread_p99_ms")
	return r
}

func (r *reporter) loop(ctx context.Context) {
	t := time.NewTicker(r.l.cfg.report)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.line(false)
		}
	}
}

// line prints one report line and, after the warmup, keeps its figures
// for the summary. The final line closes every tick still arriving.
func (r *reporter) line(final bool) {
	now := time.Now()
	dt := now.Sub(r.last).Seconds()
	r.last = now
	l := r.l
	measured := now.Sub(r.start) >= l.cfg.warmup
	frames, byts := l.frames.Load(), l.bytes.Load()
	df, db := frames-r.frames, byts-r.bytes
	r.frames, r.bytes = frames, byts
	l.mu.Lock()
	lat, rxLat := l.lat, l.rxLat
	l.lat, l.rxLat = nil, nil
	l.mu.Unlock()
	slices.Sort(lat)
	slices.Sort(rxLat)
	spr, sprMeasured, ticks := l.spread.take(now, final)
	slices.Sort(spr)
	r.allSpread = append(r.allSpread, sprMeasured...)
	r.ticks += ticks
	rxSpr, rxSprMeasured, rxTicks := l.rxSpread.take(now, final)
	slices.Sort(rxSpr)
	r.allRxSpread = append(r.allRxSpread, rxSprMeasured...)
	r.rxTicks += rxTicks
	if measured {
		r.allLat = append(r.allLat, lat...)
		r.allRxLat = append(r.allRxLat, rxLat...)
	}
	clients := l.connected.Load()
	// Figures per client or per server need clients to mean anything.
	measured = measured && clients > 0
	if measured {
		r.bps = append(r.bps, float64(db)/dt/float64(clients))
		r.fps = append(r.fps, float64(df)/dt/float64(clients))
	}
	perClient := func(v int64) float64 {
		if clients == 0 {
			return 0
		}
		return float64(v) / dt / float64(clients)
	}
	srv := "-  -  -  -  -"
	if l.cfg.pid > 0 {
		if p, err := readProc(l.cfg.pid); err == nil {
			cpu := (p.cpuSeconds - r.cpuLast) / dt * 100
			r.cpuLast = p.cpuSeconds
			kib := 0.0
			if clients > 0 {
				kib = (p.rssBytes - r.baseline.rssBytes) / float64(clients) / 1024
			}
			if measured {
				r.cpu = append(r.cpu, cpu)
				r.rss = append(r.rss, p.rssBytes)
				r.perCli = append(r.perCli, kib)
			}
			srv = fmt.Sprintf("%.2f  %.1f  %.1f  %d  %d", cpu, p.rssBytes/(1<<20), kib, p.threads, p.fds)
		}
	}
	rx := "-  -  -"
	if len(rxLat) > 0 || len(rxSpr) > 0 {
		rx = fmt.Sprintf("%.1f  %.2f  %.2f", quantile(rxLat, 0.99), quantile(rxSpr, 0.5), quantile(rxSpr, 0.99))
	}
	p99 := quantile(lat, 0.99)
	r.p99s = append(r.p99s, p99)
	fmt.Printf("%6.0f  %d  %d  %d  %.2f  %.0f  %.1f  %.1f  %.1f  %s  %.2f  %.2f  %s\n",
		now.Sub(r.start).Seconds(), clients, l.closed.Load(), l.failed.Load(),
		perClient(df), perClient(db), quantile(lat, 0.5), p99, quantile(lat, 1), srv,
		quantile(spr, 0.5), quantile(spr, 0.99), rx)
}

func (r *reporter) summary() {
	r.line(true)
	slices.Sort(r.allLat)
	fmt.Printf("# latency over the run: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d frames)\n",
		quantile(r.allLat, 0.5), quantile(r.allLat, 0.99), quantile(r.allLat, 1), len(r.allLat))
	slices.Sort(r.allSpread)
	fmt.Printf("# spread over the run: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d ticks, %d arrivals)\n",
		quantile(r.allSpread, 0.5), quantile(r.allSpread, 0.99), quantile(r.allSpread, 1), r.ticks, len(r.allSpread))
	if len(r.allRxLat) > 0 || len(r.allRxSpread) > 0 {
		slices.Sort(r.allRxLat)
		slices.Sort(r.allRxSpread)
		fmt.Printf("# latency at the socket over the run: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d frames)\n",
			quantile(r.allRxLat, 0.5), quantile(r.allRxLat, 0.99), quantile(r.allRxLat, 1), len(r.allRxLat))
		fmt.Printf("# spread at the socket over the run: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d ticks, %d arrivals)\n",
			quantile(r.allRxSpread, 0.5), quantile(r.allRxSpread, 0.99), quantile(r.allRxSpread, 1), r.rxTicks, len(r.allRxSpread))
	}
	if len(r.bps) > 0 {
		fmt.Printf("# per client: median %.0f B/s, %.3f frames/s\n", median(r.bps), median(r.fps))
	}
	if len(r.cpu) > 0 {
		fmt.Printf("# server: cpu median %.2f %% of a core; rss first %.1f MiB, last %.1f MiB; per client median %.1f KiB\n",
			median(r.cpu), r.rss[0]/(1<<20), r.rss[len(r.rss)-1]/(1<<20), median(r.perCli))
	}
	if r.l.cfg.pid > 0 {
		// Let the server finish its close handshakes before counting.
		time.Sleep(r.l.cfg.settle)
		if p, err := readProc(r.l.cfg.pid); err == nil {
			fmt.Printf("# server after: rss %.1f MiB, threads %d, fds %d, goroutines %d (before: %.1f MiB, %d, %d)\n",
				p.rssBytes/(1<<20), p.threads, p.fds, r.l.goroutines(), r.baseline.rssBytes/(1<<20), r.baseline.threads, r.baseline.fds)
		}
	}
	r.l.mu.Lock()
	defer r.l.mu.Unlock()
	if len(r.l.closeBy) > 0 {
		fmt.Printf("# closed by server: %v\n", r.l.closeBy)
	}
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1))]
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return quantile(s, 0.5)
}

// goroutines reads the server's own go_goroutines from its /api/snapshot
// (the socket URL with /ws replaced), or -1 when it cannot (or the server
// is not Livedash).
func (l *load) goroutines() int {
	if l.cfg.proto != livedashProto {
		return -1
	}
	u, err := url.Parse(l.cfg.url)
	if err != nil {
		return -1
	}
	u.Scheme = strings.Replace(u.Scheme, "ws", "http", 1)
	u.Path = strings.TrimSuffix(u.Path, "ws") + "api/snapshot"
	u.RawQuery = "history=false"
	resp, err := l.dialers[0].Get(u.String())
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var snap struct {
		Series []struct {
			ID    string   `json:"id"`
			Value *float64 `json:"value"`
		} `json:"series"`
	}
	if json.NewDecoder(resp.Body).Decode(&snap) != nil {
		return -1
	}
	for _, s := range snap.Series {
		if s.ID == "go_goroutines" && s.Value != nil {
			return int(*s.Value)
		}
	}
	return -1
}

type procStat struct {
	cpuSeconds float64
	rssBytes   float64
	threads    int
	fds        int
}

// schedRuntime sums the time on CPU of a process's threads, in ns, from
// /proc/PID/task/*/schedstat (Linux with schedstats).
func schedRuntime(pid int) (float64, bool) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, false
	}
	var sum float64
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, false
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return 0, false
		}
		sum += v
	}
	return sum, sum > 0
}

// readProc reads a process's CPU time, RSS, threads and open fds.
func readProc(pid int) (procStat, error) {
	var p procStat
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return p, err
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	if len(f) < 22 {
		return p, errors.New("short /proc stat")
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	p.cpuSeconds = (utime + stime) / 100 // USER_HZ
	if ns, ok := schedRuntime(pid); ok {
		// The same time to the nanosecond rather than to 10 ms: at 2 %
		// of a core, a 5 s report line is only 10 ticks.
		p.cpuSeconds = ns / 1e9
	}
	p.threads, _ = strconv.Atoi(f[17])
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return p, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			p.rssBytes = kb * 1024
		}
	}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err == nil {
		p.fds = len(ents)
	}
	return p, nil
}
