package history

import (
	"math"
	"math/rand/v2"
)

// A signal is a realistic series for tests and benchmarks: the value at
// tick i (one tick a second), as the broker would hand it over (rounded to
// four significant digits, NaN for a gap).
type signal struct {
	name string
	at   func(i int) float64
}

// signals returns fresh, deterministic generators of each kind of series
// the default collectors produce, seeded by seed.
func signals(seed uint64) []signal {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	day := 2 * math.Pi / 86400
	return []signal{
		{"constant", func(int) float64 { return 16 }},
		{"slow", func(i int) float64 { // memory in use: drifts, breathes with the day
			return RoundSig(1.2e9+2e8*math.Sin(float64(i)*day)+3e4*float64(i%7200), 4)
		}},
		{"noisy", func(i int) float64 { // a busy CPU percentage, worst case: Gaussian noise
			v := 35 + 15*math.Sin(float64(i)*day) + 6*r.NormFloat64()
			return RoundSig(min(max(v, 0), 100), 4)
		}},
		{"jiffies", func(i int) float64 { // host CPU % from /proc/stat: 100 Hz × 2 CPUs, 0.5 % steps
			v := 8 + 4*math.Sin(float64(i)*day) + 3*r.NormFloat64()
			return math.Round(min(max(v, 0), 100)*2) / 2
		}},
		{"rate", func(i int) float64 { // a counter as a rate: bytes/s with bursts
			v := 4e4 * (1 + 0.5*math.Sin(float64(i)*day)) * r.ExpFloat64()
			if r.IntN(50) == 0 {
				v *= 20
			}
			return RoundSig(v, 4)
		}},
		{"gappy", func(i int) float64 { // noisy, absent a tenth of the time in runs
			if (i/300)%10 == 3 {
				return math.NaN()
			}
			return RoundSig(50+10*r.NormFloat64(), 4)
		}},
	}
}
