package history

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"
)

// ErrOutOfOrder is returned by Append for a time at or before the last
// one's raw step.
var ErrOutOfOrder = errors.New("history: append out of order")

// Store is the tiered history of a growing set of series.
//
// A Store is not safe for concurrent use: the caller serializes every call
// (the broker holds its mutex). Read returns copies, so encoding a Range
// may happen outside that lock.
type Store struct {
	tiers []Tier
	t     []*tier // t[0] is the raw tier

	ids   []string       // by column
	byID  map[string]int // column of each id
	owned []bool         // by column: belongs to an added series
	cols  []int          // column of each series index
	row   []float64      // scratch: the appended row, by column

	last     int64 // unix ms of the last Append
	lastSlot int64 // its raw slot
	has      bool
}

// New returns an empty Store.
func New(opts Options) (*Store, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Store{tiers: opts.Tiers, byID: map[string]int{}}
	for i, t := range opts.Tiers {
		s.t = append(s.t, newTier(t, i == 0))
	}
	return s, nil
}

// Tiers returns the store's tiers, finest first.
func (s *Store) Tiers() []Tier { return append([]Tier(nil), s.tiers...) }

// Len returns the number of series added.
func (s *Store) Len() int { return len(s.cols) }

// AddSeries adds the series with the stable id (the broker's series id,
// e.g. `host_cpu_seconds_total{mode="user"}`) and returns its index: 0 for
// the first series added, then 1, and so on. A series loaded from a file
// under the same id takes its history back; any other starts empty.
func (s *Store) AddSeries(id string) (int, error) {
	if id == "" {
		return 0, errors.New("history: empty series id")
	}
	c, ok := s.byID[id]
	if !ok {
		c = s.newColumn(id)
	} else if s.owned[c] {
		return 0, fmt.Errorf("history: series %q added twice", id)
	}
	s.owned[c] = true
	s.cols = append(s.cols, c)
	return len(s.cols) - 1, nil
}

func (s *Store) newColumn(id string) int {
	c := len(s.ids)
	s.ids = append(s.ids, id)
	s.byID[id] = c
	s.owned = append(s.owned, false)
	s.row = append(s.row, math.NaN())
	for _, t := range s.t {
		t.grow(len(s.ids))
	}
	return c
}

// Last returns the time of the last Append (or of the last one saved in
// the file loaded), in unix milliseconds.
func (s *Store) Last() (int64, bool) { return s.last, s.has }

// Append records vals, the values of series 0, 1, … at tick time t (unix
// milliseconds; one call per step of the raw tier). Values of series past
// len(vals) are gaps, and so is NaN. Steps missed since the last Append
// become gaps; a tier that missed more than its span starts again.
//
// A time in the raw step of the last Append or before it is refused with
// ErrOutOfOrder, unless it is more than the raw tier's span before it (the
// clock was set back): then the store drops every value and starts again
// at t. Appending allocates nothing once the blocks have turned over.
func (s *Store) Append(t int64, vals []float64) error {
	if len(vals) > len(s.cols) {
		return fmt.Errorf("history: %d values for %d series", len(vals), len(s.cols))
	}
	raw := s.t[0]
	slot := floorDiv(t, raw.step)
	if s.has && slot <= s.lastSlot {
		if s.lastSlot-slot <= int64(raw.span) {
			return fmt.Errorf("%w: %s after %s", ErrOutOfOrder, msTime(t), msTime(s.last))
		}
		for _, tr := range s.t {
			tr.clear()
		}
	}
	for c := range s.row {
		s.row[c] = math.NaN()
	}
	for i, v := range vals {
		s.row[s.cols[i]] = v
	}
	raw.advance(slot)
	raw.writeRow(s.row)
	for _, tr := range s.t[1:] {
		tr.add(floorDiv(t, tr.step), s.row)
	}
	s.last, s.lastSlot, s.has = t, slot, true
	return nil
}

func msTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Usage is the memory a Store holds.
type Usage struct {
	// Series is the number of columns of history: series added, and
	// series loaded from a file that were not added (yet).
	Series int
	// Tiers holds the bytes of each tier, finest first.
	Tiers []int
	// Bytes is the total, tiers and bookkeeping.
	Bytes int
}

// PerSeries returns the bytes per series.
func (u Usage) PerSeries() float64 {
	return float64(u.Bytes) / float64(max(1, u.Series))
}

// Usage returns the memory the store holds: the capacity of every buffer,
// so it counts what is allocated rather than what is used.
func (s *Store) Usage() Usage {
	u := Usage{Series: len(s.ids)}
	u.Bytes = int(unsafe.Sizeof(*s)) + 8*(cap(s.cols)+cap(s.row)) + cap(s.owned) + int(unsafe.Sizeof(""))*cap(s.ids)
	for _, id := range s.ids {
		u.Bytes += len(id) + 48 // the string, and the map's entry
	}
	for _, t := range s.t {
		b := t.bytes()
		u.Tiers = append(u.Tiers, b)
		u.Bytes += b
	}
	return u
}
