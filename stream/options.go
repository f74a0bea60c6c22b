package stream

import (
	"fmt"
	"log/slog"
	"runtime"
	"time"
)

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
	// Writers is the number of goroutines writing frames to subscribers
	// (each browser also has one goroutine of its own, which reads it).
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
	// LongHistory are the coarser tiers kept after History, each with the
	// min, max and mean of every series per bucket of Step for Span, read
	// with ServeRange. A few KB per series in all: the values are
	// compressed. Defaults to DefaultLongHistory(): 10-second buckets for
	// 6 hours and 1-minute buckets for 48 hours. Steps must grow and be
	// whole multiples of milliseconds (Validate).
	LongHistory []Tier
	// DisableLongHistory keeps only the ring of History. Defaults to
	// false.
	DisableLongHistory bool
	// HistoryFile, when set, is where the history is saved every
	// SaveEvery and at Close, and read back by NewBroker, so that it
	// survives a restart. A file that is missing, truncated, corrupt or
	// of another format is reported in the log and the status and
	// ignored. Defaults to none.
	HistoryFile string
	// SaveEvery is the time between two saves of HistoryFile. Defaults to
	// one minute.
	SaveEvery time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// manualTicks (tests only): the broker does not tick on its own; the
	// test calls tick with the times it chooses.
	manualTicks bool
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
	if o.LongHistory == nil {
		o.LongHistory = DefaultLongHistory()
	}
	if o.SaveEvery <= 0 {
		o.SaveEvery = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Validate reports options NewBroker cannot use as given: long-history
// tiers whose steps do not grow from Interval, or whose spans do not fit
// (NewBroker would run without the long history and log why).
func (o Options) Validate() error {
	o.setDefaults()
	if o.DisableLongHistory {
		return nil
	}
	if err := validTiers(o.Interval, o.History, o.LongHistory); err != nil {
		return fmt.Errorf("long history: %w", err)
	}
	return nil
}
