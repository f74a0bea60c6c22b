package history

import (
	"errors"
	"math"
	"math/bits"
)

// A column is a run of float64 values encoded as a bit stream that starts
// fresh in every block, so that blocks can be dropped and read on their
// own. Each value is exact, bit for bit, whatever it is. Values are decimals
// most of the time (the broker rounds them to four significant digits), so
// the encoder keeps the previous value as a decimal mantissa m at an
// exponent e and writes the next one as the difference of mantissas, where
// a Gorilla encoder would XOR the float64 bits (which for 23.47 after 23.51
// leaves about 50 meaningful bits; the difference is 4). Codes, by prefix:
//
//	0     decimal delta: the value is m' × 10^e; m' − m, zigzagged,
//	      as an adaptive Rice code (below)
//	10    repeat: the same bits as the previous value (runs of gaps)
//	110   gap: the canonical NaN, math.NaN()
//	1110  new exponent: e + 22 (6 bits), then m zigzagged as a length
//	      (6 bits) and that many bits
//	1111  XOR with the previous value's bits (any other float64):
//	      leading zeros (6 bits), length − 1 (6 bits), the meaningful bits
//
// The state before the first value of a block is 0 × 10^22 (bits of +0),
// so the first value other than zero sets the exponent: the largest at
// which it is exact (12 × 10^8 for 1.2e9). A value that is not exact at the
// current exponent sets a new one, finer most of the time. The encoder makes
// the exponent coarser again when the mantissas of eight values in a row
// end in zeros (after a rate of 3.2 forced 12340 to be 123400 × 10^-1).
//
// The Rice code of a zigzagged delta z with parameter k is q = z >> k as q
// ones and a zero, then the k low bits of z; a quotient of riceLimit or more
// is riceLimit ones, then the bit length of z less one (6 bits) and z. The
// parameter follows the deltas: a holds about 16 times their recent mean.

const (
	riceLimit = 24
	expBias   = maxExp
	aInit     = 16 * 8
	aMax      = 1 << 56 // bounds a, so that it never overflows
)

// canonicalNaN is the NaN the broker uses for "no value".
var canonicalNaN = math.Float64bits(math.NaN())

var (
	errExponent = errors.New("exponent out of range")
	errLength   = errors.New("mantissa length out of range")
)

// colState is what encoder and decoder both know before each value.
type colState struct {
	prev uint64 // bits of the previous value
	m    int64  // mantissa of the last decimal value
	e    int    // exponent of the last decimal value
	a    uint64 // Rice adaptation: about 16 × mean zigzagged delta

	// Encoder only: the number of values in a row whose mantissa ends in
	// zeros, and the fewest zeros among them.
	run, zeros int
}

// coarsenAfter is how many values in a row must have mantissas ending in
// zeros before the encoder makes the exponent coarser.
const coarsenAfter = 8

func (s *colState) reset() { *s = colState{a: aInit, e: maxExp} }

// decimalZeros returns the number of trailing decimal zeros of m ≠ 0.
func decimalZeros(m int64) int {
	z := 0
	for m%10 == 0 && z < 2*maxExp {
		m /= 10
		z++
	}
	return z
}

// riceK is the Rice parameter for the current adaptation state: about
// log2 of the mean delta × ln 2, the best power of two for geometric data.
func (s *colState) riceK() uint {
	return uint(min(bits.Len64(s.a*11>>8), 56))
}

func (s *colState) adapt(z uint64) {
	s.a = s.a - s.a>>4 + min(z, aMax>>4)
}

func zigzag(d int64) uint64   { return uint64(d<<1) ^ uint64(d>>63) }
func unzigzag(z uint64) int64 { return int64(z>>1) ^ -int64(z&1) }

// put appends v to the column written by w.
func (s *colState) put(w *bitWriter, v float64) {
	b := math.Float64bits(v)
	m, ok := toDecimal(v, s.e)
	if ok && m != 0 {
		if z := decimalZeros(m); z == 0 {
			s.run = 0
		} else if s.run++; s.run == 1 || z < s.zeros {
			s.zeros = z
		}
		if s.run > coarsenAfter {
			e := min(s.e+s.zeros, maxExp)
			if m2, ok2 := toDecimal(v, e); ok2 {
				s.run = 0
				s.prev = b
				s.newExponent(w, m2, e)
				return
			}
		}
	}
	if ok {
		w.write(0, 1)
		z := zigzag(m - s.m)
		k := s.riceK()
		if q := z >> k; q < riceLimit {
			w.write(1<<(q+1)-2, uint(q)+1)
			w.write(z, k)
		} else {
			w.write(1<<riceLimit-1, riceLimit)
			n := uint(bits.Len64(z))
			w.write(uint64(n-1), 6)
			w.write(z, n)
		}
		s.adapt(z)
		s.m, s.prev = m, b
		return
	}
	prev := s.prev
	s.prev = b
	switch {
	case b == prev:
		w.write(0b10, 2)
		return
	case b == canonicalNaN:
		w.write(0b110, 3)
		return
	}
	if m, e, ok := findDecimal(v); ok {
		s.run = 0
		s.newExponent(w, m, e)
		return
	}
	x := b ^ prev
	lead := uint(bits.LeadingZeros64(x))
	trail := uint(bits.TrailingZeros64(x))
	n := 64 - lead - trail
	w.write(0b1111, 4)
	w.write(uint64(lead), 6)
	w.write(uint64(n-1), 6)
	w.write(x>>trail, n)
}

func (s *colState) newExponent(w *bitWriter, m int64, e int) {
	w.write(0b1110, 4)
	w.write(uint64(e+expBias), 6)
	z := zigzag(m)
	n := uint(bits.Len64(z))
	w.write(uint64(n), 6)
	w.write(z, n)
	s.m, s.e = m, e
}

// get reads the next value of a column.
func (s *colState) get(r *bitReader) (float64, error) {
	code, err := r.ones(4)
	if err != nil {
		return 0, err
	}
	switch code {
	case 0: // decimal delta
		k := s.riceK()
		q, err := r.ones(riceLimit)
		if err != nil {
			return 0, err
		}
		var z uint64
		if q < riceLimit {
			low, err := r.read(k)
			if err != nil {
				return 0, err
			}
			z = uint64(q)<<k | low
		} else {
			n, err := r.read(6)
			if err != nil {
				return 0, err
			}
			if z, err = r.read(uint(n) + 1); err != nil {
				return 0, err
			}
		}
		s.adapt(z)
		s.m += unzigzag(z)
		v := fromDecimal(s.m, s.e)
		s.prev = math.Float64bits(v)
		return v, nil
	case 1: // repeat
		return math.Float64frombits(s.prev), nil
	case 2: // gap
		s.prev = canonicalNaN
		return math.NaN(), nil
	case 3: // new exponent
		be, err := r.read(6)
		if err != nil {
			return 0, err
		}
		if be > 2*maxExp {
			return 0, errExponent
		}
		n, err := r.read(6)
		if err != nil {
			return 0, err
		}
		if n > 54 {
			return 0, errLength
		}
		z, err := r.read(uint(n))
		if err != nil {
			return 0, err
		}
		s.m, s.e = unzigzag(z), int(be)-expBias
		v := fromDecimal(s.m, s.e)
		s.prev = math.Float64bits(v)
		return v, nil
	default: // XOR
		lead, err := r.read(6)
		if err != nil {
			return 0, err
		}
		n, err := r.read(6)
		if err != nil {
			return 0, err
		}
		n++
		if lead+n > 64 {
			return 0, errLength
		}
		x, err := r.read(uint(n))
		if err != nil {
			return 0, err
		}
		s.prev ^= x << (64 - lead - n)
		return math.Float64frombits(s.prev), nil
	}
}

// decodeColumn decodes the first len(dst) values of a column into dst.
// An empty column is a column of gaps.
func decodeColumn(data []byte, dst []float64) error {
	if len(data) == 0 {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return nil
	}
	r := bitReader{data: data}
	var s colState
	s.reset()
	for i := range dst {
		v, err := s.get(&r)
		if err != nil {
			return err
		}
		dst[i] = v
	}
	return nil
}
