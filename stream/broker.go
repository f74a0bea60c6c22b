package stream

import (
	"errors"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/history"
	"github.com/livedash/dashboard/internal/schedule"
)

// ErrClosed is returned when subscribing to a closed broker.
var ErrClosed = errors.New("broker is closed")

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
// It implements schedule.Sink: the dashboard's scheduler publishes every
// collector run to it.
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
	hist      []byte    // cached full history message
	histKey   histKey
	part      []byte // cached partial history message
	partKey   histKey
	frameBuf  []byte

	store       *history.Store // the long history; nil when turned off
	seedPending bool           // the store came from a file: seed the ring
	historyErr  error          // loading the file failed
	saveBuf     []byte
	ranges      rangeCache

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

	panicLog atomic.Int64 // unix ns of the last panic logged by contain
	// testHookMessage, when set (by tests only), sees every client
	// message before it is handled.
	testHookMessage func([]byte)
	tickStop        chan struct{}
	wg              sync.WaitGroup
	closeOnce       sync.Once
}

// NewBroker returns a running Broker. Close stops it.
func NewBroker(opts Options) *Broker {
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
	b.status = frameText(encodeStatus(nil))
	b.openStore()
	if b.historyErr != nil {
		b.setError(historyCollector, b.historyErr)
	}
	if b.store != nil && opts.HistoryFile != "" {
		b.wg.Add(1)
		go b.saver()
	}
	for range opts.Writers {
		b.wg.Add(1)
		go b.writer()
	}
	if !opts.manualTicks {
		b.wg.Add(1)
		go b.tickLoop()
	}
	return b
}

// Interval returns the frame interval.
func (b *Broker) Interval() time.Duration { return b.opts.Interval }

// Publish takes one collector run's samples. Counters become rates here;
// series of the collector that the run did not emit become gaps.
func (b *Broker) Publish(batch schedule.Batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.contain("taking the samples of collector " + batch.Collector)
	b.gen++
	var bad error
	for _, smp := range batch.Samples {
		if smp.Desc == nil {
			bad = errors.New("a sample without a descriptor was dropped")
			continue
		}
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
	b.setError(batch.Collector, errors.Join(batch.Err, bad))
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
	if b.store != nil {
		if i, err := b.store.AddSeries(id); err != nil || i != s.idx {
			b.opts.Logger.Error("livedash: long history out of step; turned off", "series", id, "index", i, "err", err)
			b.store = nil
		}
	}
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
	b.broadcast(b.status, 0)
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
		b.schema = frameText(encodeSchema(b.all, b.opts.Interval, b.ring.cap(), b.tiersLocked()))
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
	defer b.contain("building a frame")
	b.sendSchemaIfDueLocked()
	// Broadcast under b.mu, so that a subscriber joining now gets either
	// this frame or a history holding it, never both.
	b.broadcast(b.frameLocked(ts), unixMs(ts))
}

// sendSchemaIfDueLocked sends the new schema to every subscriber when
// series were added since it was last sent.
func (b *Broker) sendSchemaIfDueLocked() {
	if b.schemaDue {
		b.schemaDue = false
		b.broadcast(b.schemaLocked(), 0)
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
	if b.store != nil && b.seedPending {
		b.seedPending = false
		b.seedRingLocked(tms)
	}
	b.ring.push(tms, b.row)
	b.appendStoreLocked(tms)
	b.lastTickMs.Store(tms)
	b.frameBuf = buf
	// The published frame is shared by every queue and must stay
	// read-only: hand out a framed copy, keep the scratch buffer.
	return frameText(buf)
}

// historyLocked returns the history message after since. The full
// history is encoded at most once per tick, whoever asks, and so is the
// last partial one: after a restart of the network, every page that
// reconnects asks for the same since.
func (b *Broker) historyLocked(since int64) []byte {
	key := histKey{seq: b.ring.seq, series: len(b.all), since: since}
	if b.ring.n == 0 || since < b.ring.ts[b.ring.head] {
		key.since = math.MinInt64
		if b.hist == nil || b.histKey != key {
			b.hist = frameText(encodeHistory(b.ring, math.MinInt64, len(b.all)))
			b.histKey = key
		}
		return b.hist
	}
	if b.part == nil || b.partKey != key {
		b.part = frameText(encodeHistory(b.ring, since, len(b.all)))
		b.partKey = key
	}
	return b.part
}

// historyID is the event id of a history message: its last tick.
func (b *Broker) historyIDLocked() int64 {
	if b.ring.n == 0 {
		return 0
	}
	ts, _ := b.ring.at(b.ring.n - 1)
	return ts
}

// histKey says which history an encoded history message holds.
type histKey struct {
	seq    uint64 // ring.seq
	series int    // series in the schema
	since  int64
}

// Close closes every subscriber with 1001 (going away), stops the
// broker's goroutines and waits for them: at most about three seconds for
// the close handshakes (a peer that does not answer in time is cut off)
// and for a write stuck on a full socket. It is safe to call twice.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		close(b.tickStop)
		b.subsMu.Lock()
		b.closed = true
		subs := make([]*subscriber, 0, len(b.subs))
		for s := range b.subs {
			subs = append(subs, s)
		}
		b.subsMu.Unlock()
		// Each subscriber's goroutine runs its own close handshake.
		for _, s := range subs {
			s.end(endShutdown)
		}
		b.ready.close()
		b.wg.Wait()
	})
	return nil
}

// contain, deferred, recovers a panic in the broker's work on samples
// (from a collector's series: names, labels, values) so that one bad
// series cannot take the host process down: the tick or batch is dropped,
// the others go on. It logs the panic with its stack, at most once a
// minute.
func (b *Broker) contain(while string) {
	p := recover()
	if p == nil {
		return
	}
	now := time.Now().UnixNano()
	if last := b.panicLog.Load(); last != 0 && now-last < int64(time.Minute) {
		return
	}
	b.panicLog.Store(now)
	b.opts.Logger.Error("livedash: panic "+while+"; skipped", "panic", p, "stack", string(debug.Stack()))
}

func appendInt(b []byte, v int64) []byte {
	return strconv.AppendInt(b, v, 10)
}
