package history

import "errors"

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

// bitReader reads bits written by a bitWriter.
type bitReader struct {
	data []byte
	pos  uint // next bit
}

// read returns the next n bits (n ≤ 64).
func (r *bitReader) read(n uint) (uint64, error) {
	if uint(len(r.data))*8-r.pos < n {
		return 0, errShort
	}
	var v uint64
	for n > 0 {
		off := r.pos & 7
		avail := 8 - off
		b := uint64(r.data[r.pos>>3] & (0xff >> off))
		if n < avail {
			r.pos += n
			return v<<n | b>>(avail-n), nil
		}
		v = v<<avail | b
		n -= avail
		r.pos += avail
	}
	return v, nil
}

// ones counts the 1 bits before the next 0 bit, reading at most limit of
// them; it consumes the 0 when it stops before limit.
func (r *bitReader) ones(limit uint) (uint, error) {
	var q uint
	for q < limit {
		if r.pos >= uint(len(r.data))*8 {
			return 0, errShort
		}
		bit := r.data[r.pos>>3] >> (7 - r.pos&7) & 1
		r.pos++
		if bit == 0 {
			return q, nil
		}
		q++
	}
	return q, nil
}
