package stream

import (
	"errors"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedash/dashboard/collectors"
)

// ErrClosed is returned when subscribing to a closed broker.
var ErrClosed = errors.New("broker is closed")

// Options configure a Broker. The zero value means defaults.
type Options struct {
	// Interval is the time between frames. Defaults to 1s.
	Interval time.Duration
	// History is how much the ring buffer keeps and a new browser receives
	// on connect. Defaults to 10 minutes.
	History time.Duration
	// QueueLen is how many messages may wait for one subscriber; one more
	// closes it with 1008 and the browser reconnects with backfill.
	// Defaults to 16; at least 4.
	QueueLen int
	// WriteTimeout bounds every write to a subscriber; a write that takes
	// longer closes it. Defaults to 5s.
	WriteTimeout time.Duration
	// ClientTimeout closes a subscriber that sent nothing (not even its
	// ping) for this long, which is how half-open connections are found,
	// and one whose ping reports a last frame older than this, which is
	// how a client that stopped reading is found. Defaults to 10s.
	ClientTimeout time.Duration
	// ReadLimit is the largest client message in bytes; a larger one closes
	// the connection with 1009. Defaults to 4096.
	ReadLimit int64
	// Writers is the number of goroutines writing frames to subscribers.
	// Defaults to 2 × GOMAXPROCS, at least 4.
	Writers int
	// OriginPatterns are the foreign origins allowed to open the socket
	// (host patterns as in coder/websocket's AcceptOptions, e.g.
	// "*.example.com"). Defaults to none: same origin only.
	OriginPatterns []string
	// Compress negotiates permessage-deflate (without context takeover)
	// with browsers that offer it. It shrinks the history sent on connect
	// about sixfold; frames, under 512 bytes, are sent as they are. Each
	// compressed message is compressed once per browser rather than once
	// for all (see BENCHMARKS.md). Defaults to off.
	Compress bool
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (o *Options) setDefaults() {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.History <= 0 {
		o.History = 10 * time.Minute
	}
	if o.QueueLen <= 0 {
		o.QueueLen = 16
	}
	// Room for the opening schema, status and history, and a frame.
	o.QueueLen = max(o.QueueLen, 4)
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.ClientTimeout <= 0 {
		o.ClientTimeout = 10 * time.Second
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = 4096
	}
	if o.Writers <= 0 {
		o.Writers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// series is the broker's state of one series.
type series struct {
	idx       int
	id        string
	desc      *collectors.Desc
	collector string
	order     int // the collector's Batch.Order

	raw    float64   // last value a collector gave (a counter's total)
	rawT   time.Time // when
	hasRaw bool
	cur    float64 // value now (a counter's rate), NaN for none
	sent   float64 // value on the wire as of the last frame (rounded)
	exact  bool    // sent unrounded (timestamps)
	gen    uint64  // batch generation that last set it
}

// Broker gathers samples, turns them into one frame per tick encoded once,
// keeps the history ring and writes the same bytes to every subscriber.
// It implements collectors.Sink.
type Broker struct {
	opts Options

	mu     sync.Mutex // guards everything below up to subs
	all    []*series
	byDesc map[*collectors.Desc]*series
	byID   map[string]*series
	byColl map[string][]*series
	gen    uint64
	schema []byte // encoded schema as a frame, nil when stale
	// schemaDue: series were added and the subscribers already connected
	// have not been sent the new schema yet.
	schemaDue bool
	status    []byte // status frame
	errs      map[string]CollectorError
	ring      *ring
	row       []float64 // scratch row for the ring
	changed   []int     // scratch: indices changed in this frame
	hist      []byte    // cached full history frame for ring.seq histSeq
	histSeq   uint64
	frameBuf  []byte

	lastTickMs atomic.Int64 // tick time of the last frame, unix ms
	// lagLimitMs is how far a ping's ts may lag: ClientTimeout, but at
	// least two intervals, as a ping may leave before the newest frame
	// arrives.
	lagLimitMs int64

	subsMu sync.Mutex
	subs   map[*subscriber]struct{}
	wake   []*subscriber // scratch of broadcast
	closed bool

	ready readyQueue
	rd    *readiness // sockets for the poller to read, nil where it reads all

	tickStop  chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// NewBroker returns a running Broker. Close stops it.
func NewBroker(opts Options) *Broker {
	return newBroker(opts, newReadiness())
}

// newBroker returns a running Broker whose poller waits on rd for readable
// sockets, or reads every socket in turn when rd is nil.
func newBroker(opts Options, rd *readiness) *Broker {
	opts.setDefaults()
	histLen := int(opts.History / opts.Interval)
	b := &Broker{
		opts:     opts,
		byDesc:   map[*collectors.Desc]*series{},
		byID:     map[string]*series{},
		byColl:   map[string][]*series{},
		errs:     map[string]CollectorError{},
		ring:     newRing(histLen),
		subs:     map[*subscriber]struct{}{},
		tickStop: make(chan struct{}),
	}
	b.lagLimitMs = max(opts.ClientTimeout, 2*opts.Interval).Milliseconds()
	b.ready.init()
	b.rd = rd
	b.status = frameText(encodeStatus(nil))
	for range opts.Writers {
		b.wg.Add(1)
		go b.writer()
	}
	b.wg.Add(2)
	go b.tickLoop()
	go b.poller()
	return b
}

// Interval returns the frame interval.
func (b *Broker) Interval() time.Duration { return b.opts.Interval }

// Publish takes one collector run's samples. Counters become rates here;
// series of the collector that the run did not emit become gaps.
func (b *Broker) Publish(batch collectors.Batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	for _, smp := range batch.Samples {
		s := b.byDesc[smp.Desc]
		if s == nil {
			s = b.addSeries(smp.Desc, batch.Collector, batch.Order)
		}
		s.gen = b.gen
		v := smp.Value
		if s.desc.Kind == collectors.Counter {
			rate := math.NaN()
			if s.hasRaw && v >= s.raw {
				if dt := batch.Time.Sub(s.rawT).Seconds(); dt > 0 {
					rate = (v - s.raw) / dt
				}
			}
			s.cur = rate
		} else {
			s.cur = v
		}
		s.raw, s.rawT, s.hasRaw = v, batch.Time, true
	}
	for _, s := range b.byColl[batch.Collector] {
		if s.gen != b.gen {
			s.cur = math.NaN()
			s.hasRaw = false
		}
	}
	b.setError(batch.Collector, batch.Err)
}

// addSeries registers the series of d; d is shared and immutable.
func (b *Broker) addSeries(d *collectors.Desc, collector string, order int) *series {
	id := d.ID()
	if s := b.byID[id]; s != nil {
		// Same series from a new descriptor (a collector rebuilt it).
		b.byDesc[d] = s
		return s
	}
	s := &series{idx: len(b.all), id: id, desc: d, collector: collector, order: order, cur: math.NaN(), sent: math.NaN(),
		exact: d.Unit == collectors.UnitTimestamp}
	b.all = append(b.all, s)
	b.byDesc[d] = s
	b.byID[id] = s
	b.byColl[collector] = append(b.byColl[collector], s)
	b.schema = nil
	b.schemaDue = true
	return s
}

func (b *Broker) setError(collector string, err error) {
	old, had := b.errs[collector]
	switch {
	case err == nil && !had:
		return
	case err == nil:
		delete(b.errs, collector)
	case had && old.Error == err.Error():
		return
	default:
		since := time.Now().UnixMilli()
		if had {
			since = old.Since
		}
		b.errs[collector] = CollectorError{Collector: collector, Error: err.Error(), Since: since}
	}
	b.status = frameText(encodeStatus(b.errorsLocked()))
	b.broadcast(b.status)
}

func (b *Broker) errorsLocked() []CollectorError {
	errs := make([]CollectorError, 0, len(b.errs))
	for _, e := range b.errs {
		errs = append(errs, e)
	}
	slices.SortFunc(errs, func(x, y CollectorError) int {
		if x.Collector < y.Collector {
			return -1
		}
		return 1
	})
	return errs
}

// Errors returns the collectors' current errors, sorted by collector.
func (b *Broker) Errors() []CollectorError {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.errorsLocked()
}

// schemaLocked returns the encoded schema, re-encoding it when stale.
func (b *Broker) schemaLocked() []byte {
	if b.schema == nil {
		b.schema = frameText(encodeSchema(b.all, b.opts.Interval, b.ring.cap()))
	}
	return b.schema
}

// tickLoop emits a frame every interval, shortly after the interval's
// boundary so that collectors aligned to it have published.
func (b *Broker) tickLoop() {
	defer b.wg.Done()
	iv := b.opts.Interval
	offset := min(iv/5, 200*time.Millisecond)
	next := func(now time.Time) time.Duration {
		return time.Until(now.Add(-offset).Truncate(iv).Add(iv + offset))
	}
	timer := time.NewTimer(next(time.Now()))
	defer timer.Stop()
	lastSweep := time.Now()
	for {
		select {
		case <-b.tickStop:
			return
		case now := <-timer.C:
			b.tick(now.Add(-offset).Truncate(iv))
			if time.Since(lastSweep) >= time.Second {
				b.sweep(time.Now())
				lastSweep = time.Now()
			}
			timer.Reset(next(time.Now()))
		}
	}
}

// tick builds the frame of tick time ts, records it in the ring and fans it
// out: one encoding, the same bytes to every subscriber.
func (b *Broker) tick(ts time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sendSchemaIfDueLocked()
	// Broadcast under b.mu, so that a subscriber joining now gets either
	// this frame or a history holding it, never both.
	b.broadcast(b.frameLocked(ts))
}

// sendSchemaIfDueLocked sends the new schema to every subscriber when
// series were added since it was last sent.
func (b *Broker) sendSchemaIfDueLocked() {
	if b.schemaDue {
		b.schemaDue = false
		b.broadcast(b.schemaLocked())
	}
}

// frameLocked encodes the frame of tick ts and pushes its row to the ring.
// Values go on the wire rounded to wireDigits significant digits, and only
// those whose rounded value changed since the last frame are listed, so a
// value jittering below what a chart can show costs nothing.
func (b *Broker) frameLocked(ts time.Time) []byte {
	tms := unixMs(ts)
	b.row = b.row[:0]
	b.changed = b.changed[:0]
	for _, s := range b.all {
		w := s.cur
		if !s.exact {
			w = roundSig(w, wireDigits)
		}
		b.row = append(b.row, w)
		if math.Float64bits(w) != math.Float64bits(s.sent) && !(math.IsNaN(w) && math.IsNaN(s.sent)) {
			b.changed = append(b.changed, s.idx)
			s.sent = w
		}
	}
	buf := b.frameBuf[:0]
	buf = append(buf, `{"type":"frame","t":`...)
	buf = appendInt(buf, time.Now().UnixMilli())
	buf = append(buf, `,"ts":`...)
	buf = appendInt(buf, tms)
	buf = append(buf, `,"i":[`...)
	for k, idx := range b.changed {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = appendInt(buf, int64(idx))
	}
	buf = append(buf, `],"v":[`...)
	for k, idx := range b.changed {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = appendValue(buf, b.row[idx])
	}
	buf = append(buf, "]}"...)
	b.ring.push(tms, b.row)
	b.lastTickMs.Store(tms)
	b.frameBuf = buf
	// The published frame is shared by every queue and must stay
	// read-only: hand out a framed copy, keep the scratch buffer.
	return frameText(buf)
}

// historyLocked returns the history message after since; the full history
// is encoded at most once per tick, whoever asks.
func (b *Broker) historyLocked(since int64) []byte {
	if b.ring.n == 0 || since < b.ring.ts[b.ring.head] {
		if b.hist == nil || b.histSeq != b.ring.seq {
			b.hist = frameText(encodeHistory(b.ring, math.MinInt64, len(b.all)))
			b.histSeq = b.ring.seq
		}
		return b.hist
	}
	return frameText(encodeHistory(b.ring, since, len(b.all)))
}

// Close closes every subscriber with 1001 (going away), stops the
// broker's goroutines and waits for them. It is safe to call twice.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		close(b.tickStop)
		b.subsMu.Lock()
		b.closed = true
		subs := make([]*subscriber, 0, len(b.subs))
		for s := range b.subs {
			subs = append(subs, s)
		}
		clear(b.subs)
		b.subsMu.Unlock()

		// Close handshakes run in parallel, bounded in time: a peer that
		// does not answer is cut off.
		var cwg sync.WaitGroup
		for _, s := range subs {
			cwg.Add(1)
			go func() {
				defer cwg.Done()
				s.shut(StatusGoingAway, "server shutting down")
			}()
		}
		cwg.Wait()
		b.ready.close()
		b.wg.Wait()
		if b.rd != nil {
			b.rd.close()
		}
	})
	return nil
}

func appendInt(b []byte, v int64) []byte {
	return strconv.AppendInt(b, v, 10)
}
