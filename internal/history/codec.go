package history

import (
	"errors"
	"math"
	"math/bits"
)

// A column is a run of float64 values encoded as a bit stream that starts
// fresh in every block, so that blocks can be dropped and read on their
// own. Each value comes back exact, bit for bit, whatever it is.
//
// Values are decimals most of the time (the broker rounds them to four
// significant digits), so the column keeps the previous value as an
// integer and writes the next one as the difference, where a Gorilla
// encoder would XOR the float64 bits (for 23.47 after 23.51 that leaves
// about 50 meaningful bits; the difference is 4). The integer is, in one of
// two modes:
//
//   - linear: the mantissa m of the value as m × 10^e at the column's
//     exponent e, for values within a decade or two, and small counts;
//   - log: the value's rank among the decimals of d significant digits,
//     L = 1 + (E+22) × 9×10^(d−1) + (M − 10^(d−1)) for M × 10^E with
//     10^(d−1) ≤ M < 10^d, negative for negative values, for values that
//     span decades (latencies, pauses, bursty rates): a step from 6.1e-6 to
//     3.3e-4 is about 16,000 ranks, where it is 330,000 mantissas apart at
//     the exponent 6.1e-6 needs.
//
// Codes, by prefix:
//
//	10    repeat: the same bits as the previous value (a constant, a run
//	      of gaps)
//	0     delta: the integer of the value less that of the last decimal,
//	      zigzagged, as an adaptive Rice code (below)
//	1100  gap: the canonical NaN, math.NaN()
//	1101  zero (+0), leaving the integer as it was (log mode)
//	1110  new base: a mode bit; linear: e + 22 (6 bits); log: d − 1
//	      (4 bits); then the integer zigzagged, as its bit length (6 bits)
//	      and its bits
//	1111  XOR with the previous value's bits (any other float64):
//	      leading zeros (6 bits), length − 1 (6 bits), the meaningful bits
//
// The state before the first value of a block is linear, 0 × 10^22 (bits
// of +0), so the first value other than zero sets the base: the encoder
// picks log mode when it would have cost fewer bits than linear over the
// previous block, and otherwise the largest exponent at which the value is
// exact (12 × 10^8 for 1.2e9). In linear mode a value that is not exact at
// the exponent sets a new one, finer most of the time, and the encoder
// makes the exponent coarser again when the mantissas of eight values in a
// row end in zeros (after a rate of 3.2 forced 12340 to be 123400 × 10^-1).
// In log mode a value without a rank (more than d digits) sets a linear
// base for the rest of the block.
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
	logDigits = 4       // d of the log mode the encoder uses
	maxDigits = 15      // 10^15 < 2^53
)

// canonicalNaN is the NaN the broker uses for "no value".
var canonicalNaN = math.Float64bits(math.NaN())

var (
	errExponent = errors.New("exponent out of range")
	errLength   = errors.New("integer out of range")
)

// colState is what encoder and decoder both know before each value, and
// what the encoder keeps to choose how to write it.
type colState struct {
	prev uint64 // bits of the previous value
	n    int64  // integer of the last decimal value: m or L
	a    uint64 // Rice adaptation: about 16 × mean zigzagged delta
	e    int8   // linear: the exponent
	d    int8   // log: digits
	lg   bool   // log mode

	// Encoder only.
	fresh      bool  // no decimal yet in this block
	preferLog  bool  // log mode cost less over the last block
	run, zeros int8  // linear: values in a row whose mantissa ends in zeros, and the fewest
	le         int8  // log: exponent of the last value, a hint
	costLin    int32 // bits the deltas took or would take in each mode, this block
	costLog    int32
	shM, shL   int64 // the last decimal's integer in each mode, for the costs
	shE        int8  // exponent of shM
}

// coarsenAfter is how many values in a row must have mantissas ending in
// zeros before the encoder makes the exponent coarser.
const coarsenAfter = 8

// reset starts a block. The encoder's choice of mode carries over.
func (s *colState) reset() {
	pref := s.preferLog
	if s.costLin != 0 || s.costLog != 0 {
		pref = s.costLog+64 < s.costLin
	}
	*s = colState{a: aInit, e: maxExp, d: logDigits, fresh: true, preferLog: pref, shE: maxExp}
}

var pow10i = func() (p [maxDigits + 2]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// rank returns the log-mode integer of v ≠ 0 at d digits, and the exponent
// of its d-digit mantissa, trying the exponent hint first.
func rank(v float64, d int, hint int) (int64, int, bool) {
	if r, ok := rankAt(v, d, hint); ok {
		return r, hint, true
	}
	a := math.Abs(v)
	if a == 0 || math.IsNaN(a) || math.IsInf(a, 0) {
		return 0, 0, false
	}
	e := int(math.Floor(math.Log10(a))) - (d - 1)
	for _, e := range [...]int{e, e + 1, e - 1} {
		if r, ok := rankAt(v, d, e); ok {
			return r, e, true
		}
	}
	return 0, 0, false
}

// rankAt returns the log-mode integer of v at d digits when v is M × 10^e
// with a d-digit M.
func rankAt(v float64, d, e int) (int64, bool) {
	if e < -maxExp || e > maxExp {
		return 0, false
	}
	m, ok := toDecimal(v, e)
	if !ok {
		return 0, false
	}
	am := m
	if m < 0 {
		am = -m
	}
	lo := pow10i[d-1]
	if am < lo || am >= 10*lo {
		return 0, false
	}
	r := 1 + int64(e+maxExp)*9*lo + am - lo
	if m < 0 {
		r = -r
	}
	return r, true
}

// unrank returns the value of log-mode integer r at d digits.
func unrank(r int64, d int) (float64, error) {
	if r == 0 {
		return 0, nil
	}
	neg := r < 0
	a := uint64(r)
	if neg {
		a = -a
	}
	a--
	k := uint64(9 * pow10i[d-1])
	q := a / k
	if q > 2*maxExp {
		return 0, errExponent
	}
	m := int64(a%k) + pow10i[d-1]
	if neg {
		m = -m
	}
	return fromDecimal(m, int(q)-maxExp), nil
}

// decimalZeros returns the number of trailing decimal zeros of m ≠ 0.
func decimalZeros(m int64) int8 {
	z := int8(0)
	for m%10 == 0 && z < 2*maxExp {
		m /= 10
		z++
	}
	return z
}

func zigzag(d int64) uint64   { return uint64(d<<1) ^ uint64(d>>63) }
func unzigzag(z uint64) int64 { return int64(z>>1) ^ -int64(z&1) }

// riceK is the Rice parameter for the current adaptation state: about
// log2 of the mean delta × ln 2, the best power of two for geometric data.
func (s *colState) riceK() uint {
	return uint(min(bits.Len64(s.a*11>>8), 56))
}

func (s *colState) adapt(z uint64) {
	s.a = s.a - s.a>>4 + min(z, aMax>>4)
}

// put appends v to the column written by w.
func (s *colState) put(w *bitWriter, v float64) {
	b := math.Float64bits(v)
	if b == s.prev {
		w.write(0b10, 2)
		return
	}
	prev := s.prev
	s.prev = b
	if b == canonicalNaN {
		w.write(0b1100, 4)
		return
	}
	s.estimate(v)
	if s.lg {
		if b == 0 {
			w.write(0b1101, 4)
			return
		}
		if r, e, ok := rank(v, int(s.d), int(s.le)); ok {
			s.le = int8(e)
			s.delta(w, r)
			return
		}
		// No rank: the rest of this block is linear.
		if m, e, ok := findDecimal(v); ok {
			s.lg, s.run, s.e = false, 0, int8(e)
			s.newBase(w, false, m, uint64(e+expBias), 6)
		} else {
			s.xor(w, b^prev)
		}
		return
	}
	if s.fresh && s.preferLog && b != 0 {
		if r, e, ok := rank(v, logDigits, int(s.shE)); ok {
			s.lg, s.d, s.le = true, logDigits, int8(e)
			s.newBase(w, true, r, logDigits-1, 4)
			return
		}
	}
	m, ok := toDecimal(v, int(s.e))
	if ok && m != 0 {
		if z := decimalZeros(m); z == 0 {
			s.run = 0
		} else if s.run++; s.run == 1 || z < s.zeros {
			s.zeros = z
		}
		if s.run > coarsenAfter {
			if e := min(s.e+s.zeros, maxExp); e != s.e {
				if m2, ok2 := toDecimal(v, int(e)); ok2 {
					s.run, s.e = 0, e
					s.newBase(w, false, m2, uint64(int(e)+expBias), 6)
					return
				}
			}
		}
	}
	if ok {
		s.delta(w, m)
		return
	}
	if m, e, ok := findDecimal(v); ok {
		s.run, s.e = 0, int8(e)
		s.newBase(w, false, m, uint64(e+expBias), 6)
		return
	}
	s.xor(w, b^prev)
}

// xor writes a value as the XOR x ≠ 0 of its bits with the previous ones.
func (s *colState) xor(w *bitWriter, x uint64) {
	lead := uint(bits.LeadingZeros64(x))
	trail := uint(bits.TrailingZeros64(x))
	n := 64 - lead - trail
	w.write(0b1111, 4)
	w.write(uint64(lead), 6)
	w.write(uint64(n-1), 6)
	w.write(x>>trail, n)
}

// delta writes integer n as a delta from the last one.
func (s *colState) delta(w *bitWriter, n int64) {
	s.fresh = false
	w.write(0, 1)
	z := zigzag(n - s.n)
	k := s.riceK()
	if q := z >> k; q < riceLimit {
		w.write(1<<(q+1)-2, uint(q)+1)
		w.write(z, k)
	} else {
		w.write(1<<riceLimit-1, riceLimit)
		nb := uint(max(bits.Len64(z), 1))
		w.write(uint64(nb-1), 6)
		w.write(z, nb)
	}
	s.adapt(z)
	s.n = n
}

// newBase writes a new base: the mode, its parameter p in pbits, and the
// integer n.
func (s *colState) newBase(w *bitWriter, lg bool, n int64, p uint64, pbits uint) {
	s.fresh = false
	w.write(0b1110, 4)
	if lg {
		w.write(1, 1)
	} else {
		w.write(0, 1)
	}
	w.write(p, pbits)
	z := zigzag(n)
	nb := uint(bits.Len64(z))
	w.write(uint64(nb), 6)
	w.write(z, nb)
	s.n = n
}

// estimate adds what decimal v would cost as a delta in each mode to the
// block's tally, which picks the mode of the next block.
func (s *colState) estimate(v float64) {
	if m, ok := toDecimal(v, int(s.shE)); ok {
		s.costLin += int32(bits.Len64(zigzag(m-s.shM))) + 2
		s.shM = m
	} else if m, e, ok := findDecimal(v); ok {
		s.costLin += 30
		s.shM, s.shE = m, int8(e)
	} else {
		return
	}
	if v == 0 {
		s.costLog += 4
	} else if r, e, ok := rank(v, logDigits, int(s.le)); ok {
		s.costLog += int32(bits.Len64(zigzag(r-s.shL))) + 2
		s.shL = r
		if !s.lg {
			s.le = int8(e)
		}
	} else {
		s.costLog += 64
	}
	if s.costLin > 1<<30 || s.costLog > 1<<30 {
		s.costLin, s.costLog = s.costLin/2, s.costLog/2
	}
}

// get reads the next value of a column.
func (s *colState) get(r *bitReader) (float64, error) {
	code, err := r.ones(4)
	if err != nil {
		return 0, err
	}
	switch code {
	case 0: // delta
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
		s.n += unzigzag(z)
		return s.value()
	case 1: // repeat
		return math.Float64frombits(s.prev), nil
	case 2: // gap or zero
		bit, err := r.read(1)
		if err != nil {
			return 0, err
		}
		if bit == 0 {
			s.prev = canonicalNaN
		} else {
			s.prev = 0
		}
		return math.Float64frombits(s.prev), nil
	case 3: // new base
		lg, err := r.read(1)
		if err != nil {
			return 0, err
		}
		if s.lg = lg == 1; s.lg {
			d, err := r.read(4)
			if err != nil {
				return 0, err
			}
			if d+1 > maxDigits {
				return 0, errLength
			}
			s.d = int8(d + 1)
		} else {
			be, err := r.read(6)
			if err != nil {
				return 0, err
			}
			if be > 2*maxExp {
				return 0, errExponent
			}
			s.e = int8(int(be) - expBias)
		}
		n, err := r.read(6)
		if err != nil {
			return 0, err
		}
		z, err := r.read(uint(n))
		if err != nil {
			return 0, err
		}
		s.n = unzigzag(z)
		return s.value()
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

// value returns the value of the integer s.n in the current mode.
func (s *colState) value() (float64, error) {
	var v float64
	if s.lg {
		var err error
		if v, err = unrank(s.n, int(s.d)); err != nil {
			return 0, err
		}
	} else {
		v = fromDecimal(s.n, int(s.e))
	}
	s.prev = math.Float64bits(v)
	return v, nil
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
