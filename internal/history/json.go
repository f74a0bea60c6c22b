package history

import (
	"math"
	"strconv"
)

// AppendJSON appends r to b as one JSON message, in columns:
//
//	{"type":"range","tier":1,"step":10000,"from":…,"to":…,
//	 "ts":[…],"cols":[…]}
//
// with one entry of "cols" per series index: at the raw tier an array of
// values, at a coarse tier {"min":[…],"max":[…],"mean":[…]}; null for a
// series without a value in the window. A gap is null. Numbers are the
// shortest decimal that reads back as the same float64, written from the
// decimal the value already is (the broker's values have four significant
// digits), so 48 hours of 170 series encode in tens of milliseconds.
func AppendJSON(b []byte, r *Range) []byte {
	b = append(b, `{"type":"range","tier":`...)
	b = strconv.AppendInt(b, int64(r.Tier), 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, r.Step, 10)
	b = append(b, `,"from":`...)
	b = strconv.AppendInt(b, r.From, 10)
	b = append(b, `,"to":`...)
	b = strconv.AppendInt(b, r.To, 10)
	b = append(b, `,"ts":[`...)
	for i, ts := range r.TS {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, ts, 10)
	}
	b = append(b, `],"cols":[`...)
	n := max(len(r.Values), len(r.Mean))
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case i < len(r.Values) && len(r.Values[i]) > 0:
			b = appendColumn(b, r.Values[i])
		case i < len(r.Mean) && len(r.Mean[i]) > 0:
			b = append(b, `{"min":`...)
			b = appendColumn(b, r.Min[i])
			b = append(b, `,"max":`...)
			b = appendColumn(b, r.Max[i])
			b = append(b, `,"mean":`...)
			b = appendColumn(b, r.Mean[i])
			b = append(b, '}')
		default:
			b = append(b, "null"...)
		}
	}
	return append(b, "]}"...)
}

func appendColumn(b []byte, vals []float64) []byte {
	b = append(b, '[')
	e := maxExp // the exponent of the last decimal: the next is likely exact at it
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNumber(b, v, &e)
	}
	return append(b, ']')
}

// appendNumber appends v as a JSON number (null for NaN and ±Inf), trying
// the exponent *e first and setting it to the one used. A mantissa of at
// most 15 digits is the only one of that length or less for its float64,
// so the decimal written is the shortest (as strconv's 'g', -1 finds).
func appendNumber(b []byte, v float64, e *int) []byte {
	if m, ok := toDecimal(v, *e); ok && m < 1e15 && m > -1e15 {
		return appendDecimal(b, m, *e)
	}
	if m, x, ok := findDecimal(v); ok {
		*e = x
		return appendDecimal(b, m, x)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendDecimal appends m × 10^e (|m| < 2^53) in the shorter of plain
// and exponent notation: 23.47, 0.0012, 7665e5, 5325e-8.
func appendDecimal(b []byte, m int64, e int) []byte {
	if m == 0 {
		return append(b, '0')
	}
	if m < 0 {
		b = append(b, '-')
		m = -m
	}
	for m%10 == 0 {
		m /= 10
		e++
	}
	var buf [20]byte
	d := strconv.AppendUint(buf[:0], uint64(m), 10)
	nd := len(d)
	switch {
	case e >= 0 && e < 3:
		b = append(b, d...)
		for range e {
			b = append(b, '0')
		}
	case e >= 0:
		b = append(b, d...)
		b = append(b, 'e')
		b = strconv.AppendInt(b, int64(e), 10)
	case -e < nd:
		p := nd + e
		b = append(b, d[:p]...)
		b = append(b, '.')
		b = append(b, d[p:]...)
	case -e-nd <= 3: // 0.000ddd: no longer than ddde-k
		b = append(b, "0."...)
		for range -e - nd {
			b = append(b, '0')
		}
		b = append(b, d...)
	default:
		b = append(b, d...)
		b = append(b, 'e')
		b = strconv.AppendInt(b, int64(e), 10)
	}
	return b
}
