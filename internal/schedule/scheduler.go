package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/hook"
)

// errTimeout is the error of a run that did not finish within its timeout.
var errTimeout = errors.New("collector timed out")

// SchedulerOptions configure a Scheduler. The zero value means defaults.
type SchedulerOptions struct {
	// Interval is how often each collector runs unless it implements
	// collectors.Periodic. Defaults to 1s.
	Interval time.Duration
	// Logger receives one line per change of a collector's error, and at
	// most one line per LogEvery while an error persists. Defaults to
	// slog.Default().
	Logger *slog.Logger
	// LogEvery bounds how often a persisting or changing error of one
	// collector is logged. Defaults to 1 minute.
	LogEvery time.Duration
}

// Scheduler runs each collector on its own interval in its own goroutine and
// hands every run's samples to a Sink. A collector that errors, panics or
// hangs only affects itself: a run still going at the next interval is
// reported as a timeout and no second run is started until it returns.
type Scheduler struct {
	opts SchedulerOptions
	sink Sink

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	names   map[string]bool
	running []*runner
	closed  bool
	// owners maps a metric name to the collector that emits it: the first
	// to emit it, or a Registrar (the app metrics) from registration on. prefixes maps
	// a name prefix ("go_") to the built-in collectors that own it.
	owners   map[string]string
	prefixes map[string]bool
}

// NewScheduler returns a Scheduler that publishes to sink. Collectors added
// with Add start at once; Close stops them all.
func NewScheduler(sink Sink, opts SchedulerOptions) *Scheduler {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.LogEvery <= 0 {
		opts.LogEvery = time.Minute
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{opts: opts, sink: sink, ctx: ctx, cancel: cancel, names: map[string]bool{},
		owners: map[string]string{}, prefixes: map[string]bool{}}
}

// Add starts running c. Its name must be unique within the scheduler.
// Every series c emits is checked the first time it appears
// (collectors.Desc.Validate, and the labels "quantile" and "le" are
// reserved but to the built-in collectors and a Registrar); a metric name
// belongs to the first collector that emits it (or a Registrar that
// registers it), and names starting "host_", "process_" and "go_" to the
// built-in collectors while they run. A series refused for any of these
// reasons is left out and named in the run's error, so it shows in the
// page.
func (s *Scheduler) Add(c collectors.Collector) (err error) {
	if c == nil {
		return errors.New("add collector: nil collector")
	}
	if v := reflect.ValueOf(c); v.Kind() == reflect.Pointer && v.IsNil() {
		return fmt.Errorf("add collector: nil %T", c)
	}
	defer func() {
		if p := recover(); p != nil { // a nil pointer in the interface, or a Name that panics
			err = fmt.Errorf("add collector: Name panicked: %v", p)
		}
	}()
	name := c.Name()
	if name == "" {
		return errors.New("add collector: collector has no name")
	}
	interval := s.opts.Interval
	if p, ok := c.(collectors.Periodic); ok && p.Interval() > 0 {
		interval = p.Interval()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("add collector %q: %w", name, collectors.ErrClosed)
	}
	if s.names[name] {
		return fmt.Errorf("add collector: collector %q is already added", name)
	}
	s.names[name] = true
	prefix, trusted := hook.Builtin(c)
	if prefix != "" {
		s.prefixes[prefix] = true
	}
	if reg, ok := c.(Registrar); ok {
		trusted = true
		for _, n := range reg.Attach(&Owner{s: s, name: name}) {
			// Names registered before the collector was added.
			if _, taken := s.owners[n]; !taken {
				s.owners[n] = name
			}
		}
	}
	r := &runner{s: s, c: c, name: name, order: len(s.running), interval: interval, descs: map[string]*collectors.Desc{},
		prefix: prefix, trusted: trusted, families: map[string]collectors.Kind{}, rejected: map[string]error{}}
	s.running = append(s.running, r)
	s.wg.Add(1)
	go r.loop()
	return nil
}

// Close stops every collector and waits for their goroutines. A collector
// that ignores its context and never returns makes Close give up after
// wait and return an error naming it. Close is safe to call more than once.
func (s *Scheduler) Close(wait time.Duration) error {
	s.mu.Lock()
	s.closed = true
	running := s.running
	s.mu.Unlock()
	s.cancel()

	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-time.After(wait):
		var stuck []string
		for _, r := range running {
			if r.inFlight() {
				stuck = append(stuck, r.name)
			}
		}
		return fmt.Errorf("collectors did not stop within %v: %v", wait, stuck)
	}
}

// runner owns one collector: a loop goroutine that starts at most one run at
// a time, each in its own goroutine so that a hung run cannot stop the loop.
type runner struct {
	s        *Scheduler
	c        collectors.Collector
	name     string
	order    int
	interval time.Duration

	// descs maps a series ID to its normalized, shared descriptor, and
	// rejected to why a series was refused; families maps a metric name to
	// its kind. Only the run goroutine touches them, and runs never
	// overlap.
	descs    map[string]*collectors.Desc
	rejected map[string]error
	families map[string]collectors.Kind
	runErrs  []error // refusals of the current run
	buf      []Sample

	prefix  string // the name prefix a built-in collector owns
	trusted bool   // a built-in collector or a Registrar, which may use the quantile label

	mu      sync.Mutex
	running bool

	lastErr    string
	lastLogged time.Time
	suppressed int
}

func (r *runner) inFlight() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running
}

func (r *runner) loop() {
	defer r.s.wg.Done()
	// Align runs to the interval so that all collectors sample together.
	first := time.Until(time.Now().Truncate(r.interval).Add(r.interval))
	timer := time.NewTimer(first)
	defer timer.Stop()
	r.start(time.Now())
	for {
		select {
		case <-r.s.ctx.Done():
			return
		case now := <-timer.C:
			timer.Reset(time.Until(now.Truncate(r.interval).Add(r.interval)))
			if r.inFlight() {
				// The sink hears of it too, so the page shows the error and
				// the collector's series become gaps rather than going on
				// with their last values as if they were live.
				err := fmt.Errorf("%w: still running after %v", errTimeout, r.interval)
				r.s.sink.Publish(Batch{Collector: r.name, Order: r.order, Time: now.Truncate(r.interval), Err: err})
				r.report(err)
				continue
			}
			// The run is stamped with the boundary it was scheduled for, so
			// that rates divide by whole intervals and timer jitter does not
			// show up as noise in every counter.
			r.start(now.Truncate(r.interval))
		}
	}
}

// start launches one run. The run's goroutine is counted in the
// scheduler's WaitGroup, so Close waits for it too.
func (r *runner) start(now time.Time) {
	r.mu.Lock()
	r.running = true
	r.mu.Unlock()
	r.s.wg.Add(1)
	go func() {
		defer r.s.wg.Done()
		b := r.run(now)
		// The batch's samples live in r.buf: publish before the next run
		// may start and reuse it.
		if r.s.ctx.Err() == nil {
			r.s.sink.Publish(b)
			r.report(b.Err)
		}
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
	}()
}

func (r *runner) run(now time.Time) (b Batch) {
	// A run gets 90% of the interval, so that one using all of it has
	// ended before the next is due.
	timeout := r.interval * 9 / 10
	ctx, cancel := context.WithTimeout(r.s.ctx, timeout)
	defer cancel()
	r.buf = r.buf[:0]
	r.runErrs = r.runErrs[:0]
	b = Batch{Collector: r.name, Order: r.order, Time: now}
	defer func() {
		if p := recover(); p != nil {
			b.Err = fmt.Errorf("collector panicked: %v", p)
			r.s.opts.Logger.Debug("livedash: collector panic", "collector", r.name, "stack", string(debug.Stack()))
		}
		if len(r.runErrs) > 0 {
			b.Err = errors.Join(append([]error{b.Err}, r.runErrs...)...)
		}
		b.Samples = r.buf
	}()
	err := r.c.Collect(ctx, r.emit)
	if ctx.Err() == context.DeadlineExceeded {
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w after %v", errTimeout, timeout)
		} else {
			err = fmt.Errorf("%w after %v: %w", errTimeout, timeout, err)
		}
	}
	b.Err = err
	return b
}

func (r *runner) emit(d collectors.Desc, v float64) {
	id := d.ID()
	nd, ok := r.descs[id]
	if !ok {
		if err, bad := r.rejected[id]; bad {
			r.refuse(err)
			return
		}
		if err := r.check(&d); err != nil {
			if len(r.rejected) < maxRejected {
				r.rejected[id] = err
			}
			r.refuse(err)
			return
		}
		d.Labels = append([]collectors.Label(nil), d.Labels...)
		d.Normalize()
		nd = &d
		r.descs[id] = nd
	}
	r.buf = append(r.buf, Sample{Desc: nd, Value: v})
}

// maxRejected bounds the refusals a runner remembers (a collector could
// make up names without end); past it, a refused series is checked again
// each time.
const maxRejected = 1000

// maxRunErrs bounds the refusals listed in one run's error.
const maxRunErrs = 5

func (r *runner) refuse(err error) {
	switch n := len(r.runErrs); {
	case n < maxRunErrs:
		r.runErrs = append(r.runErrs, err)
	case n == maxRunErrs:
		r.runErrs = append(r.runErrs, errors.New("more series refused"))
	}
}

// check decides whether the new series d may be emitted by this collector.
func (r *runner) check(d *collectors.Desc) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if l := hasReservedLabel(d); l != "" && !r.trusted {
		return fmt.Errorf("metric %s: label %q is reserved for Prometheus summaries and histograms", d.Name, l)
	}
	if k, seen := r.families[d.Name]; seen {
		if k != d.Kind {
			return fmt.Errorf("metric %s: emitted as a %v, earlier as a %v", d.Name, d.Kind, k)
		}
		return nil
	}
	if err := r.s.claim(r.name, r.prefix, d.Name); err != nil {
		return fmt.Errorf("metric %s: %w", d.Name, err)
	}
	r.families[d.Name] = d.Kind
	return nil
}

// claim gives the metric name to collector, or says who has it. prefix is
// the name prefix the collector owns as a built-in one, if any.
func (s *Scheduler) claim(collector, prefix, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if owner, ok := s.owners[name]; ok {
		if owner == collector {
			return nil
		}
		return fmt.Errorf("%w: collector %q emits it", collectors.ErrReserved, owner)
	}
	for p := range s.prefixes {
		if strings.HasPrefix(name, p) && p != prefix {
			return fmt.Errorf("%w: names starting %s belong to the built-in collectors", collectors.ErrReserved, p)
		}
	}
	s.owners[name] = collector
	return nil
}

// report logs err when it differs from the last one, rate-limited to one
// line per LogEvery; a recovery is logged once.
func (r *runner) report(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if msg == r.lastErr {
		return
	}
	prev := r.lastErr
	r.lastErr = msg
	log := r.s.opts.Logger
	switch {
	case msg == "":
		log.Info("livedash: collector recovered", "collector", r.name, "previous_error", prev)
		r.lastLogged = time.Time{}
		r.suppressed = 0
	case time.Since(r.lastLogged) < r.s.opts.LogEvery:
		r.suppressed++
	default:
		log.Warn("livedash: collector failed", "collector", r.name, "error", msg, "suppressed", r.suppressed)
		r.lastLogged = time.Now()
		r.suppressed = 0
	}
}
