package history

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// errShort is returned when a column ends before all its values are read.
var errShort = errors.New("column ends early")

// bitWriter appends bits, most significant first, to a byte slice. The
// bits written so far are always in buf; the unused low bits of its last
// byte are zero.
type bitWriter struct {
	buf  []byte
	free uint // unused bits in the last byte of buf (0–7)
}

func (w *bitWriter) reset() {
	w.buf = w.buf[:0]
	w.free = 0
}

// write appends the low n bits of v (n ≤ 64).
func (w *bitWriter) write(v uint64, n uint) {
	if n < 64 {
		v &= 1<<n - 1
	}
	for n > 0 {
		if w.free == 0 {
			if len(w.buf) == cap(w.buf) {
				// Grow by a quarter rather than double: these buffers
				// live as long as the open block.
				b := make([]byte, len(w.buf), len(w.buf)+len(w.buf)/4+16)
				copy(b, w.buf)
				w.buf = b
			}
			w.buf = append(w.buf, 0)
			w.free = 8
		}
		if n <= w.free {
			w.buf[len(w.buf)-1] |= byte(v << (w.free - n))
			w.free -= n
			return
		}
		n -= w.free
		w.buf[len(w.buf)-1] |= byte(v >> n)
		w.free = 0
		v &= 1<<n - 1 // n < 64 here
	}
}

// bitReader reads bits written by a bitWriter, through a 64-bit buffer.
type bitReader struct {
	data []byte // bytes not yet in buf
	buf  uint64 // the next n bits, most significant first; the rest zero
	n    uint
}

// refill tops buf up with whole bytes.
func (r *bitReader) refill() {
	if len(r.data) >= 8 {
		take := (64 - r.n) >> 3
		r.buf |= binary.BigEndian.Uint64(r.data) >> r.n & ^(^uint64(0) >> (r.n + take*8))
		r.data = r.data[take:]
		r.n += take * 8
		return
	}
	for r.n <= 56 && len(r.data) > 0 {
		r.buf |= uint64(r.data[0]) << (56 - r.n)
		r.data = r.data[1:]
		r.n += 8
	}
}

// read returns the next k bits (k ≤ 64).
func (r *bitReader) read(k uint) (uint64, error) {
	if k == 0 {
		return 0, nil
	}
	if k > 56 {
		hi, err := r.read(k - 32)
		if err != nil {
			return 0, err
		}
		lo, err := r.read(32)
		return hi<<32 | lo, err
	}
	if r.n < k {
		if r.refill(); r.n < k {
			return 0, errShort
		}
	}
	v := r.buf >> (64 - k)
	r.buf <<= k
	r.n -= k
	return v, nil
}

// ones counts the 1 bits before the next 0 bit, reading at most limit
// (≤ 56) of them; it consumes the 0 when it stops before limit.
func (r *bitReader) ones(limit uint) (uint, error) {
	if r.n <= limit {
		r.refill()
	}
	q := min(uint(bits.LeadingZeros64(^r.buf)), limit) // bits past n are 0: q ≤ n
	switch {
	case q == limit && q <= r.n:
		r.buf <<= q
		r.n -= q
		return q, nil
	case q < r.n:
		r.buf <<= q + 1
		r.n -= q + 1
		return q, nil
	}
	return 0, errShort
}
