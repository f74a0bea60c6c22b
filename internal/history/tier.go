package history

import (
	"math"
	"unsafe"
)

// A tier keeps its values in blocks of blockLen slots, a slot being one
// step of time. Within a block each column (one per series at the raw tier,
// three per series — min, max, mean — at a coarse tier) is a bit stream of
// its own (codec.go). New values go to the open block, one growing buffer
// per column; a full block is sealed: its columns are copied end to end
// into one buffer, reusing the buffer of the block that falls out of the
// span, so that a warm tier allocates nothing. Slots are contiguous from
// start: a missed step is written as a gap.

// blocksPerSpan sets the block length: a tier holds between span and
// span + span/blocksPerSpan slots.
const blocksPerSpan = 16

// block is a sealed block.
type block struct {
	n    int      // slots
	ends []uint32 // end of each column in data
	data []byte
}

// column returns the encoded column c: empty when the column has no value
// in the block (all gaps), as for series added after the block was sealed.
func (b *block) column(c int) []byte {
	if c >= len(b.ends) {
		return nil
	}
	var lo uint32
	if c > 0 {
		lo = b.ends[c-1]
	}
	return b.data[lo:b.ends[c]]
}

// column is a column of the open block.
type column struct {
	w  bitWriter
	st colState
	on bool // has values in the open block; when not, all its slots are gaps
}

// accum aggregates one series over the bucket being filled.
type accum struct {
	min, max, sum float64
	n             int64
}

func (a *accum) add(v float64) {
	if a.n == 0 {
		a.min, a.max = v, v
	} else {
		a.min = min(a.min, v)
		a.max = max(a.max, v)
	}
	a.sum += v
	a.n++
}

// values returns the min, max and mean (to four significant digits) of the
// bucket, NaN for each when it holds no value.
func (a *accum) values() (lo, hi, mean float64) {
	if a.n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	return a.min, a.max, RoundSig(a.sum/float64(a.n), meanDigits)
}

// meanDigits is the precision of a bucket's mean, that of the wire.
const meanDigits = 4

type tier struct {
	step     int64 // milliseconds
	span     int   // slots kept
	width    int   // columns per series: 1 at the raw tier, 3 at coarse ones
	blockLen int

	start  int64   // first slot held
	held   int     // slots held, sealed and open
	blocks []block // sealed, oldest first
	cols   []column
	n      int // slots in the open block

	// Coarse tiers: the bucket of slot start+held is being filled when
	// filling, from acc (one per series).
	filling bool
	acc     []accum
	row     []float64 // scratch: a row of the open block
}

func newTier(t Tier, raw bool) *tier {
	tr := &tier{step: t.Step.Milliseconds(), span: t.slots(), width: 3}
	if raw {
		tr.width = 1
	}
	tr.blockLen = blockLen(tr.span)
	return tr
}

// blockLen is the number of slots in a block of a tier of span slots.
func blockLen(span int) int {
	return max(1, (span+blocksPerSpan-1)/blocksPerSpan)
}

// grow makes room for n series.
func (t *tier) grow(n int) {
	for len(t.cols) < n*t.width {
		t.cols = append(t.cols, column{})
		t.cols[len(t.cols)-1].st.reset()
	}
	if t.width > 1 {
		for len(t.acc) < n {
			t.acc = append(t.acc, accum{})
		}
	}
	for len(t.row) < len(t.cols) {
		t.row = append(t.row, math.NaN())
	}
}

func (t *tier) next() int64 { return t.start + int64(t.held) }

// clear drops every value; series stay.
func (t *tier) clear() {
	t.blocks = t.blocks[:0]
	for c := range t.cols {
		t.resetColumn(c)
	}
	clear(t.acc)
	t.n, t.held, t.filling = 0, 0, false
}

func (t *tier) resetColumn(c int) {
	col := &t.cols[c]
	col.w.reset()
	col.st.reset()
	col.on = false
}

// advance makes s the next slot: gaps fill the slots missed, or the tier
// starts again at s when they would be more than it keeps.
func (t *tier) advance(s int64) {
	if t.held == 0 {
		t.start = s
		return
	}
	gap := s - t.next()
	if gap > int64(t.span) || gap < 0 {
		t.clear()
		t.start = s
		return
	}
	for ; gap > 0; gap-- {
		for c := range t.row {
			t.row[c] = math.NaN()
		}
		t.writeRow(t.row)
	}
}

// writeRow appends one slot: row holds a value for each column.
func (t *tier) writeRow(row []float64) {
	for c, v := range row {
		col := &t.cols[c]
		if !col.on {
			if math.Float64bits(v) == canonicalNaN {
				continue
			}
			col.on = true
			for range t.n {
				col.st.put(&col.w, math.NaN())
			}
		}
		col.st.put(&col.w, v)
	}
	t.n++
	t.held++
	if t.n == t.blockLen {
		t.seal()
	}
	for len(t.blocks) > 0 && t.held-t.blocks[0].n >= t.span {
		t.held -= t.blocks[0].n
		t.start += int64(t.blocks[0].n)
		t.blocks = t.blocks[:copy(t.blocks, t.blocks[1:])]
	}
}

// seal turns the open block into a sealed one.
func (t *tier) seal() {
	size := 0
	for c := range t.cols {
		if t.cols[c].on {
			size += len(t.cols[c].w.buf)
		}
	}
	var b block
	if len(t.blocks) > 0 && t.held-t.blocks[0].n >= t.span {
		// The oldest block falls out of the span: take its buffers.
		b = t.blocks[0]
		t.held -= b.n
		t.start += int64(b.n)
		t.blocks = t.blocks[:copy(t.blocks, t.blocks[1:])]
	}
	if cap(b.data) < size {
		b.data = make([]byte, 0, size+size/32)
	}
	if cap(b.ends) < len(t.cols) {
		b.ends = make([]uint32, 0, len(t.cols)+len(t.cols)/32)
	}
	b.n, b.data, b.ends = t.n, b.data[:0], b.ends[:0]
	for c := range t.cols {
		if t.cols[c].on {
			b.data = append(b.data, t.cols[c].w.buf...)
		}
		b.ends = append(b.ends, uint32(len(b.data)))
		t.resetColumn(c)
	}
	t.blocks = append(t.blocks, b)
	t.n = 0
}

// add adds a row of the raw tier (one value per series) to the bucket of
// slot s, closing the bucket before it.
func (t *tier) add(s int64, vals []float64) {
	if t.filling && s != t.next() {
		t.finish()
	}
	if !t.filling {
		t.advance(s)
		t.filling = true
	}
	for c, v := range vals {
		if !math.IsNaN(v) {
			t.acc[c].add(v)
		}
	}
}

// finish writes the bucket being filled.
func (t *tier) finish() {
	for c := range t.acc {
		r := t.row[c*3 : c*3+3]
		r[0], r[1], r[2] = t.acc[c].values()
		t.acc[c] = accum{}
	}
	t.filling = false
	t.writeRow(t.row)
}

// visible returns the slots a read may return: those within the span
// that are held or, in a coarse tier, being filled.
func (t *tier) visible() (lo, hi int64, ok bool) {
	hi = t.next() - 1
	if t.filling {
		hi++
	}
	if hi < t.start {
		return 0, 0, false
	}
	return max(t.start, hi-int64(t.span)+1), hi, true
}

// readColumn fills dst with column c at slots lo … lo+len(dst)-1, all of
// which are visible; scratch is a buffer to decode blocks into.
func (t *tier) readColumn(dst []float64, c int, lo int64, scratch *[]float64) error {
	hi := lo + int64(len(dst)) // exclusive
	s := t.start
	for i := range t.blocks {
		b := &t.blocks[i]
		if err := t.readPart(dst, lo, hi, s, b.n, b.column(c), scratch); err != nil {
			return err
		}
		s += int64(b.n)
	}
	var open []byte
	if t.cols[c].on {
		open = t.cols[c].w.buf
	}
	if err := t.readPart(dst, lo, hi, s, t.n, open, scratch); err != nil {
		return err
	}
	s += int64(t.n)
	if t.filling && s >= lo && s < hi {
		var v [3]float64
		v[0], v[1], v[2] = t.acc[c/3].values()
		dst[s-lo] = v[c%3]
	}
	return nil
}

// readPart copies the slots of [lo, hi) that a block of n slots from slot
// s holds.
func (t *tier) readPart(dst []float64, lo, hi, s int64, n int, data []byte, scratch *[]float64) error {
	from, to := max(lo, s), min(hi, s+int64(n))
	if from >= to {
		return nil
	}
	if len(data) == 0 { // all gaps
		for i := range dst[from-lo : to-lo] {
			dst[from-lo+int64(i)] = math.NaN()
		}
		return nil
	}
	if cap(*scratch) < n {
		*scratch = make([]float64, n)
	}
	vals := (*scratch)[:n]
	if err := decodeColumn(data, vals); err != nil {
		return err
	}
	copy(dst[from-lo:to-lo], vals[from-s:to-s])
	return nil
}

// bytes returns the memory the tier holds.
func (t *tier) bytes() int {
	n := int(unsafe.Sizeof(*t))
	n += cap(t.blocks) * int(unsafe.Sizeof(block{}))
	for _, b := range t.blocks {
		n += cap(b.data) + 4*cap(b.ends)
	}
	n += cap(t.cols) * int(unsafe.Sizeof(column{}))
	for c := range t.cols {
		n += cap(t.cols[c].w.buf)
	}
	n += cap(t.acc)*int(unsafe.Sizeof(accum{})) + 8*cap(t.row)
	return n
}
