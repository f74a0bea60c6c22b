package history

import (
	"math"
	"math/rand/v2"
	"testing"
)

// encodeColumn encodes vals as one column.
func encodeColumn(vals []float64) []byte {
	var w bitWriter
	var s colState
	s.reset()
	for _, v := range vals {
		s.put(&w, v)
	}
	return w.buf
}

func sameBits(a, b []float64) int {
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

// encodeBlocks encodes vals as columns of blockLen values, one encoder
// going from block to block as in a tier (so that it may pick log mode).
func encodeBlocks(vals []float64, blockLen int) [][]byte {
	var blocks [][]byte
	var s colState
	for len(vals) > 0 {
		n := min(blockLen, len(vals))
		var w bitWriter
		s.reset()
		for _, v := range vals[:n] {
			s.put(&w, v)
		}
		blocks = append(blocks, w.buf)
		vals = vals[n:]
	}
	return blocks
}

// roundTrip encodes vals in blocks of 64 values, checks that they decode
// bit for bit, and returns the bytes they took.
func roundTrip(t *testing.T, vals []float64) int {
	t.Helper()
	return roundTripBlocks(t, vals, 64)
}

func roundTripBlocks(t *testing.T, vals []float64, blockLen int) int {
	t.Helper()
	size := 0
	for k, data := range encodeBlocks(vals, blockLen) {
		want := vals[k*blockLen : min(len(vals), k*blockLen+blockLen)]
		got := make([]float64, len(want))
		if err := decodeColumn(data, got); err != nil {
			t.Fatalf("decoding block %d: %v", k, err)
		}
		if i := sameBits(want, got); i >= 0 {
			t.Fatalf("block %d value %d: got %v (%#x), want %v (%#x)", k, i, got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
		}
		size += len(data)
	}
	return size
}

func TestColumnRoundTripEdgeValues(t *testing.T) {
	t.Parallel()
	vals := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 0.2, 0.1 + 0.2, 23.47, 23.51, 1e22, 1e23, 1e-22, 1e-23,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1),
		math.NaN(), math.NaN(), math.Float64frombits(0x7ff8000000000002), math.Float64frombits(0xfff0000000000001),
		math.NaN(), 5, 5, 5, 1 << 53, 1<<53 + 2, -(1 << 52), 9007199254740991, 123456789012345678,
		7665e5, 1.5e300, math.Pi, math.E, 1700000000000, 1700000000001, 0,
	}
	roundTrip(t, vals)
	// Every value after every other: each transition of the state machine.
	for _, a := range vals {
		for _, b := range vals {
			roundTrip(t, []float64{a, b, a, b, b})
		}
	}
}

func TestColumnRoundTripSignals(t *testing.T) {
	t.Parallel()
	for _, sg := range signals(1) {
		vals := make([]float64, 5000)
		for i := range vals {
			vals[i] = sg.at(i)
		}
		size := roundTrip(t, vals)
		t.Logf("%-9s %5.2f bits a value", sg.name, float64(size*8)/float64(len(vals)))
	}
}

// TestColumnRoundTripRecorded: the recorded default series come back bit
// for bit, some of them through log mode.
func TestColumnRoundTripRecorded(t *testing.T) {
	t.Parallel()
	rec := loadRecorded(t)
	logBlocks := 0
	for _, col := range rec.Cols {
		roundTripBlocks(t, col, 75)
		var s colState
		for k := 0; k < len(col); k += 75 {
			var w bitWriter
			s.reset()
			for _, v := range col[k:min(len(col), k+75)] {
				s.put(&w, v)
			}
			if s.lg {
				logBlocks++
			}
		}
	}
	if logBlocks == 0 {
		t.Error("no block of the recorded series ended in log mode")
	}
	t.Logf("%d blocks of %d ended in log mode", logBlocks, len(rec.Cols)*8)
}

func TestColumnRoundTripRandomBits(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2, 2))
	vals := make([]float64, 2000)
	for i := range vals {
		switch r.IntN(4) {
		case 0:
			vals[i] = math.Float64frombits(r.Uint64())
		case 1:
			vals[i] = float64(r.IntN(1000)) / 100
		case 2:
			vals[i] = r.NormFloat64() * 1e6
		default:
			vals[i] = RoundSig(r.ExpFloat64()*math.Pow(10, float64(r.IntN(40)-20)), 1+r.IntN(6))
		}
	}
	roundTrip(t, vals)
}

func TestDecodeColumnErrors(t *testing.T) {
	t.Parallel()
	data := encodeColumn([]float64{1.5, 2.5, 3.5, math.Pi})
	got := make([]float64, 4)
	for n := 1; n < len(data); n++ {
		if err := decodeColumn(data[:n], got); err == nil {
			t.Errorf("%d of %d bytes decoded without error", n, len(data))
		}
	}
	if err := decodeColumn(data, make([]float64, 40)); err == nil {
		t.Error("40 values decoded from a column of 4")
	}
	// New linear base, exponent 63: out of range.
	if err := decodeColumn([]byte{0b1110_0111, 0b1110_0000}, got[:1]); err != errExponent {
		t.Errorf("exponent 63: got %v, want %v", err, errExponent)
	}
}

func TestFindDecimal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    float64
		m    int64
		e    int
		want bool
	}{
		{0, 0, 0, true}, {23.47, 2347, -2, true}, {7665e5, 7665, 5, true}, {0.5, 5, -1, true},
		{1000, 1, 3, true}, {-3.25, -325, -2, true}, {1e22, 1, 22, true}, {1e-22, 1, -22, true},
		{math.Float64frombits(0x3fd3333333333334), 0, 0, false}, {math.Pi, 3141592653589793, -15, true}, {math.NaN(), 0, 0, false},
		{math.Inf(1), 0, 0, false}, {math.Copysign(0, -1), 0, 0, false}, {1e300, 0, 0, false},
	} {
		m, e, ok := findDecimal(c.v)
		if ok != c.want || (ok && (m != c.m || e != c.e)) {
			t.Errorf("findDecimal(%v) = %d, %d, %v; want %d, %d, %v", c.v, m, e, ok, c.m, c.e, c.want)
		}
	}
}

// FuzzColumn: any values come back bit for bit, and any bytes decode to
// values or an error, never a panic.
func FuzzColumn(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\xf8\x7f\x01\x00\x00\x00\x00\x00\xf8\x7f"), uint8(3))
	f.Add(encodeColumn([]float64{23.47, 23.51, math.NaN(), math.NaN(), 7665e5, math.Pi}), uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, n uint8) {
		// The bytes as a column of n values.
		got := make([]float64, n)
		_ = decodeColumn(data, got)
		// The bytes as float64 values, each also as a short decimal.
		vals := make([]float64, 0, len(data)/8*2)
		for i := 0; i+8 <= len(data); i += 8 {
			var u uint64
			for j := range 8 {
				u |= uint64(data[i+j]) << (8 * j)
			}
			v := math.Float64frombits(u)
			vals = append(vals, v, RoundSig(v, 1+int(n)%6))
		}
		// Short blocks, so that the encoder picks log mode too.
		roundTripBlocks(t, vals, 1+int(n)%16)
	})
}
