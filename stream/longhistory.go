package stream

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livedash/dashboard/internal/history"
)

// Long history. Besides the ring (every tick for History, sent to a page
// as it opens), the broker keeps the same values in a history.Store: the
// full rate, compressed, and coarser tiers of min, max and mean per bucket
// (by default 10 s for 6 hours and 1 min for 48 hours), a few KB per
// series in all. A page reads a window of any tier with one request to
// ./api/range. With Options.HistoryFile the store is saved now and then
// and at Close, and read back by NewBroker, so that a restarted program
// shows what came before it: the old values, a gap for the downtime, then
// the new ones.

// Tier is one coarse resolution of the long history: min, max and mean of
// every series per bucket of Step, kept for Span.
type Tier struct {
	Step time.Duration
	Span time.Duration
}

// historyCollector is the name under which problems with the history
// file show in the status.
const historyCollector = "history"

// openStore makes the store, loading the history file when there is one.
// A file that cannot be read is reported (log and status) and ignored.
func (b *Broker) openStore() {
	if b.opts.DisableLongHistory {
		return
	}
	if err := b.opts.Validate(); err != nil {
		b.opts.Logger.Error("livedash: running without the long history", "err", err)
		return
	}
	hopts := history.Options{Tiers: storeTiers(b.opts.Interval, b.opts.History, b.opts.LongHistory)}
	var err error
	if b.opts.HistoryFile != "" {
		b.store, err = history.Load(b.opts.HistoryFile, hopts)
		switch {
		case err == nil:
			b.seedPending = true
			b.opts.Logger.Info("livedash: history loaded", "file", b.opts.HistoryFile)
		case errors.Is(err, fs.ErrNotExist):
			b.opts.Logger.Info("livedash: no history file yet; starting empty", "file", b.opts.HistoryFile)
			err = nil
		default:
			err = fmt.Errorf("history file %s ignored: %w", b.opts.HistoryFile, err)
			b.opts.Logger.Error("livedash: "+err.Error(), "file", b.opts.HistoryFile)
		}
	}
	if b.store == nil {
		var nerr error
		if b.store, nerr = history.New(hopts); nerr != nil {
			// Options validates the tiers: cannot happen.
			panic("stream: history options: " + nerr.Error())
		}
	}
	b.historyErr = err
}

// storeTiers are the store's tiers: the ring's full rate, then the coarse
// ones.
func storeTiers(interval, span time.Duration, long []Tier) []history.Tier {
	tiers := []history.Tier{{Step: interval, Span: span}}
	for _, t := range long {
		tiers = append(tiers, history.Tier{Step: t.Step, Span: t.Span})
	}
	return tiers
}

// validTiers checks the long-history tiers as the store will.
func validTiers(interval, span time.Duration, long []Tier) error {
	_, err := history.New(history.Options{Tiers: storeTiers(interval, span, long)})
	return err
}

// DefaultLongHistory returns the coarse tiers kept when Options.LongHistory
// is nil: 10-second buckets for 6 hours and 1-minute buckets for 48 hours.
func DefaultLongHistory() []Tier {
	var out []Tier
	for _, t := range history.DefaultTiers()[1:] {
		out = append(out, Tier{Step: t.Step, Span: t.Span})
	}
	return out
}

// appendStoreLocked records the row of tick tms in the store.
func (b *Broker) appendStoreLocked(tms int64) {
	if b.store == nil {
		return
	}
	if err := b.store.Append(tms, b.row); err != nil {
		// The clock went back a little: the tick is in the ring and the
		// frames, but the store keeps time in order.
		b.opts.Logger.Debug("livedash: history", "err", err)
	}
}

// seedRingLocked fills the ring, on the first tick after the history was
// loaded from a file, with what the file holds of the last History: so a
// page opened after a restart shows what came before, then a gap.
func (b *Broker) seedRingLocked(tms int64) {
	last, ok := b.store.Last()
	if !ok || b.ring.n > 0 {
		return
	}
	iv := b.opts.Interval.Milliseconds()
	from := tms - int64(b.ring.cap()-2)*iv
	var r history.Range
	if err := b.store.Read(&r, 0, from, min(last, tms-iv)); err != nil {
		b.opts.Logger.Error("livedash: reading the loaded history", "err", err)
		return
	}
	row := make([]float64, len(b.all))
	for k, ts := range r.TS {
		for i := range row {
			row[i] = math.NaN()
			if i < len(r.Values) && k < len(r.Values[i]) {
				row[i] = r.Values[i][k]
			}
		}
		b.ring.push(ts, row)
	}
	if len(r.TS) > 0 && r.TS[len(r.TS)-1]+iv < tms {
		// The downtime: one empty row, so that no line joins the old
		// values to the new.
		for i := range row {
			row[i] = math.NaN()
		}
		b.ring.push(r.TS[len(r.TS)-1]+iv, row)
	}
}

// saver writes the history file every SaveEvery while the broker runs,
// and once more when it closes.
func (b *Broker) saver() {
	defer b.wg.Done()
	t := time.NewTicker(b.opts.SaveEvery)
	defer t.Stop()
	for {
		select {
		case <-b.tickStop:
			b.save()
			return
		case <-t.C:
			b.save()
		}
	}
}

// save encodes the store under the broker's lock (a few milliseconds)
// and writes the file outside it.
func (b *Broker) save() {
	b.mu.Lock()
	data, err := b.store.AppendBinary(b.saveBuf[:0])
	b.mu.Unlock()
	if err == nil {
		b.saveBuf = data
		err = history.WriteFile(b.opts.HistoryFile, data)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("saving history to %s: %w", b.opts.HistoryFile, err)
		b.opts.Logger.Error("livedash: " + err.Error())
		b.setError(historyCollector, err)
		return
	}
	// A good file replaces a bad one: the problem is over.
	b.setError(historyCollector, nil)
}

// rangeCache keeps the last encoded windows: every page asking for the
// same window of the same tier gets the same bytes, encoded once per step
// of that tier.
type rangeCache struct {
	mu      sync.Mutex
	entries [8]rangeEntry
	next    int
}

type rangeEntry struct {
	key  rangeKey
	body []byte
	gz   []byte // body gzip-compressed, nil until a client accepts it
}

type rangeKey struct {
	tier     int
	from, to int64
	version  int64 // the tier's newest slot when encoded
}

func (c *rangeCache) get(k rangeKey) *rangeEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.entries {
		if e := &c.entries[i]; e.body != nil && e.key == k {
			return e
		}
	}
	return nil
}

func (c *rangeCache) put(k rangeKey, body []byte) *rangeEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &c.entries[c.next]
	*e = rangeEntry{key: k, body: body}
	c.next = (c.next + 1) % len(c.entries)
	return e
}

// gzipped returns e's body compressed, compressing it once.
func (c *rangeCache) gzipped(e *rangeEntry) []byte {
	c.mu.Lock()
	gz := e.gz
	c.mu.Unlock()
	if gz != nil {
		return gz
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(e.body)
	zw.Close()
	gz = buf.Bytes()
	c.mu.Lock()
	e.gz = gz
	c.mu.Unlock()
	return gz
}

// maxRangeSlots bounds the slots one range request may ask for.
const maxRangeSlots = 100_000

// ServeRange serves ./api/range?from=<ms>&to=<ms>&step=<ms>: every series'
// values in that window as one "range" message, from the finest tier that
// reaches back to from with points at least step apart (step defaults to
// the window over 1,000). At the full-rate tier each series is an array of
// values; at a coarse one {"min":[…],"max":[…],"mean":[…]}; "ts" are the
// slots' times (a bucket's start). Series indices are the schema's.
func (b *Broker) ServeRange(w http.ResponseWriter, r *http.Request) {
	if b.store == nil {
		http.Error(w, "long history is turned off", http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	now := time.Now().UnixMilli()
	from, err1 := queryMs(q.Get("from"), now-b.opts.History.Milliseconds())
	to, err2 := queryMs(q.Get("to"), now)
	step, err3 := queryMs(q.Get("step"), 0)
	switch {
	case err1 != nil || err2 != nil || err3 != nil:
		http.Error(w, "from, to and step are unix times (from, to) and a duration (step) in ms", http.StatusBadRequest)
		return
	case to < from:
		http.Error(w, "to is before from", http.StatusBadRequest)
		return
	}
	if step == 0 {
		step = (to - from) / 1000
	}
	b.mu.Lock()
	tier := b.store.Choose(from, time.Duration(step)*time.Millisecond)
	tstep := b.store.Tiers()[tier].Step.Milliseconds()
	if (to-from)/tstep > maxRangeSlots {
		b.mu.Unlock()
		http.Error(w, "window too long for the tier: ask for a larger step", http.StatusBadRequest)
		return
	}
	last, _ := b.store.Last()
	key := rangeKey{tier: tier, from: from, to: to, version: last / tstep}
	e := b.ranges.get(key)
	if e == nil {
		var rng history.Range
		err := b.store.Read(&rng, tier, from, to)
		b.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		e = b.ranges.put(key, history.AppendJSON(nil, &rng))
	} else {
		b.mu.Unlock()
	}
	etag := `"` + strconv.Itoa(key.tier) + "-" + strconv.FormatInt(key.from, 36) + "-" + strconv.FormatInt(key.to, 36) + "-" + strconv.FormatInt(key.version, 36) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("Vary", "Accept-Encoding")
	body := e.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body = b.ranges.gzipped(e)
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// queryMs reads a non-negative integer query parameter, def when absent.
func queryMs(s string, def int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, errors.New("invalid")
	}
	return v, nil
}

// tiersLocked describes the history's tiers for the schema: the ring's
// full rate first, then the coarse tiers when the long history is kept.
func (b *Broker) tiersLocked() []tierJSON {
	if b.store == nil {
		return []tierJSON{{Step: b.opts.Interval.Milliseconds(), Span: b.opts.History.Milliseconds()}}
	}
	var out []tierJSON
	for _, t := range b.store.Tiers() {
		out = append(out, tierJSON{Step: t.Step.Milliseconds(), Span: t.Span.Milliseconds()})
	}
	return out
}

// tierJSON is one tier in the schema, in ms.
type tierJSON struct {
	Step int64 `json:"step"`
	Span int64 `json:"span"`
}
