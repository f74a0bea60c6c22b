package history

import "math"

// maxExp bounds the decimal exponents a column uses: 10^22 is the largest
// power of ten a float64 holds exactly.
const maxExp = 22

// pow10 holds the exact powers of ten a float64 can represent.
var pow10 = func() (p [maxExp + 1]float64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// fromDecimal returns m × 10^e as the float64 nearest to it when |m| < 2^53
// and |e| ≤ maxExp: one correctly rounded multiplication or division of
// two exact operands. The encoder and the decoder both compute a value this
// way, so a value the encoder accepts comes back bit for bit.
func fromDecimal(m int64, e int) float64 {
	if e >= 0 {
		return float64(m) * pow10[e]
	}
	return float64(m) / pow10[-e]
}

// toDecimal returns m such that fromDecimal(m, e) has the bits of v, when
// there is one with |m| < 2^53.
func toDecimal(v float64, e int) (int64, bool) {
	var f float64
	if e >= 0 {
		f = math.Round(v / pow10[e])
	} else {
		f = math.Round(v * pow10[-e])
	}
	if !(math.Abs(f) < 1<<53) { // also false for NaN
		return 0, false
	}
	m := int64(f)
	if math.Float64bits(fromDecimal(m, e)) != math.Float64bits(v) {
		return 0, false
	}
	return m, true
}

// findDecimal returns v as m × 10^e with the largest e (the fewest digits
// in m), when v is a decimal of at most 15 or 16 significant digits within
// 10^±22. +0 is 0 × 10^0; -0, NaN and ±Inf are not decimals.
func findDecimal(v float64) (m int64, e int, ok bool) {
	if v == 0 {
		if math.Signbit(v) {
			return 0, 0, false
		}
		return 0, 0, true
	}
	a := math.Abs(v)
	if math.IsNaN(a) || math.IsInf(a, 0) {
		return 0, 0, false
	}
	// A larger e would round v to 0 or ±1 × 10^e, which is not v.
	top := min(maxExp, int(math.Floor(math.Log10(a)))+1)
	for e := top; e >= -maxExp; e-- {
		if m, ok := toDecimal(v, e); ok {
			return m, e, true
		}
	}
	return 0, 0, false
}

// RoundSig rounds v to digits significant digits, as the broker does for
// the wire: the result is the float64 nearest to a short decimal, so it
// also prints short (and compresses well here).
func RoundSig(v float64, digits int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	drop := int(math.Floor(math.Log10(math.Abs(v)))) + 1 - digits
	switch {
	case drop == 0:
		return math.Round(v)
	case drop > 0 && drop < len(pow10):
		return math.Round(v/pow10[drop]) * pow10[drop]
	case drop < 0 && -drop < len(pow10):
		return math.Round(v*pow10[-drop]) / pow10[-drop]
	}
	return v
}
