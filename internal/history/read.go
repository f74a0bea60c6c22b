package history

import (
	"fmt"
	"math"
	"time"
)

// Range is a window of one tier in columnar form, as Read fills it. Its
// slices are reused by the next Read into the same Range.
type Range struct {
	// Tier is the index of the tier read, Step its step in milliseconds.
	Tier int
	Step int64
	// From and To are the window asked for, in unix milliseconds.
	From, To int64
	// TS holds the time of each slot in unix milliseconds: the tick time
	// at the raw tier, the start of the bucket at a coarse one. The last
	// bucket may be the one still being filled.
	TS []int64
	// Values holds, at the raw tier, the values of each series by slot
	// (NaN for a gap). A series without any value in the window has an
	// empty column.
	Values [][]float64
	// Min, Max and Mean hold, at a coarse tier, the bucket aggregates of
	// each series by slot, NaN for a bucket without values; the mean has
	// four significant digits. Empty columns as for Values.
	Min, Max, Mean [][]float64

	scratch []float64
}

// Choose returns the tier to read for a window starting at from (unix
// milliseconds) with points at least step apart: the finest tier whose
// step is at least step and whose span, back from the last Append, reaches
// from (within one step: a 6-hour window is the 10-second tier's 2,160
// buckets); the coarsest tier when none does.
func (s *Store) Choose(from int64, step time.Duration) int {
	for i, t := range s.tiers {
		if t.Step < step {
			continue
		}
		if s.last-t.Span.Milliseconds() <= from {
			return i
		}
	}
	return len(s.tiers) - 1
}

// Read fills dst with every series' values in tier between from and to
// (unix milliseconds, both included): the slots whose time (bucket start)
// falls in [floor(from), to] at the tier's step, within the tier's span.
func (s *Store) Read(dst *Range, tier int, from, to int64) error {
	if tier < 0 || tier >= len(s.t) {
		return fmt.Errorf("history: no tier %d (the store has %d)", tier, len(s.t))
	}
	t := s.t[tier]
	dst.Tier, dst.Step, dst.From, dst.To = tier, t.step, from, to
	dst.TS = dst.TS[:0]
	lo, hi, ok := t.visible()
	lo = max(lo, floorDiv(from, t.step))
	hi = min(hi, floorDiv(to, t.step))
	n := 0
	if ok && lo <= hi {
		n = int(hi - lo + 1)
	}
	for i := range n {
		dst.TS = append(dst.TS, (lo+int64(i))*t.step)
	}
	if t.width == 1 {
		dst.Values = columns(dst.Values, len(s.cols))
		dst.Min, dst.Max, dst.Mean = dst.Min[:0], dst.Max[:0], dst.Mean[:0]
	} else {
		dst.Values = dst.Values[:0]
		dst.Min = columns(dst.Min, len(s.cols))
		dst.Max = columns(dst.Max, len(s.cols))
		dst.Mean = columns(dst.Mean, len(s.cols))
	}
	for i, c := range s.cols {
		var err error
		if t.width == 1 {
			dst.Values[i], err = s.readColumn(dst, t, c, lo, n, dst.Values[i])
		} else {
			dst.Min[i], err = s.readColumn(dst, t, 3*c, lo, n, dst.Min[i])
			if err == nil {
				dst.Max[i], err = s.readColumn(dst, t, 3*c+1, lo, n, dst.Max[i])
			}
			if err == nil {
				dst.Mean[i], err = s.readColumn(dst, t, 3*c+2, lo, n, dst.Mean[i])
			}
			if err == nil && (len(dst.Min[i]) == 0 || len(dst.Max[i]) == 0 || len(dst.Mean[i]) == 0) {
				// Min and max are gaps exactly where the mean is, but a
				// column is empty for all three or none.
				dst.Min[i], dst.Max[i], dst.Mean[i] = dst.Min[i][:0], dst.Max[i][:0], dst.Mean[i][:0]
			}
		}
		if err != nil {
			return fmt.Errorf("history: reading series %d (%s) of tier %d: %w", i, s.ids[c], tier, err)
		}
	}
	return nil
}

// readColumn reads column c of t at n slots from lo into buf, and returns
// it, empty when it holds no value.
func (s *Store) readColumn(dst *Range, t *tier, c int, lo int64, n int, buf []float64) ([]float64, error) {
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	buf = buf[:n]
	if n == 0 {
		return buf, nil
	}
	if err := t.readColumn(buf, c, lo, &dst.scratch); err != nil {
		return buf[:0], err
	}
	for _, v := range buf {
		if !math.IsNaN(v) {
			return buf, nil
		}
	}
	return buf[:0], nil
}

// columns returns cols resized to n columns, keeping their buffers.
func columns(cols [][]float64, n int) [][]float64 {
	if cap(cols) < n {
		cols = append(cols[:cap(cols)], make([][]float64, n-cap(cols))...)
	}
	return cols[:n]
}
