package stream

import "math"

// ring is the history: the value of every series at each of the last cap
// ticks. Rows are reused when the ring wraps, so a steady state allocates
// nothing. It is guarded by the broker's mutex.
type ring struct {
	ts   []int64     // tick time, unix ms
	rows [][]float64 // values by series index, NaN for none
	head int         // index of the oldest row
	n    int         // rows held
	seq  uint64      // number of rows ever pushed
}

func newRing(capacity int) *ring {
	if capacity < 1 {
		capacity = 1
	}
	return &ring{ts: make([]int64, capacity), rows: make([][]float64, capacity)}
}

func (r *ring) cap() int { return len(r.ts) }

// push appends a row holding vals at time ts, evicting the oldest row when
// full. vals is copied.
func (r *ring) push(ts int64, vals []float64) {
	i := (r.head + r.n) % r.cap()
	if r.n == r.cap() {
		r.head = (r.head + 1) % r.cap()
	} else {
		r.n++
	}
	r.ts[i] = ts
	row := r.rows[i]
	if cap(row) < len(vals) {
		row = make([]float64, len(vals), len(vals)+len(vals)/4+8)
	}
	row = row[:len(vals)]
	copy(row, vals)
	r.rows[i] = row
	r.seq++
}

// at returns the k-th oldest row (0 ≤ k < n).
func (r *ring) at(k int) (int64, []float64) {
	i := (r.head + k) % r.cap()
	return r.ts[i], r.rows[i]
}

// firstAfter returns the index k of the oldest row whose time is after since
// (n when there is none). Times are ascending, so it is a binary search.
func (r *ring) firstAfter(since int64) int {
	lo, hi := 0, r.n
	for lo < hi {
		mid := (lo + hi) / 2
		if ts, _ := r.at(mid); ts > since {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// value returns the value of series idx in row k, NaN when the row predates
// the series.
func (r *ring) value(k, idx int) float64 {
	_, row := r.at(k)
	if idx < len(row) {
		return row[idx]
	}
	return math.NaN()
}
