package history

import (
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// recorded is ten minutes of the default series (and the example's demo
// app) as the broker kept them, recorded from the example on a 2-CPU Linux
// VM: one column per series, one value a second, NaN for a gap.
type recorded struct {
	Names []string
	Kinds []string
	Cols  [][]float64
}

// loadRecorded reads the recording; it panics when t is nil.
func loadRecorded(t testing.TB) *recorded {
	fail := func(err error) {
		if t == nil {
			panic(err)
		}
		t.Helper()
		t.Fatal(err)
	}
	f, err := os.Open("testdata/default-series.json.gz")
	if err != nil {
		fail(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		fail(err)
	}
	var raw struct {
		Names []string
		Kinds []string
		Cols  [][]*float64
	}
	if err := json.NewDecoder(z).Decode(&raw); err != nil {
		fail(err)
	}
	r := &recorded{Names: raw.Names, Kinds: raw.Kinds}
	for _, c := range raw.Cols {
		col := make([]float64, len(c))
		for i, v := range c {
			col[i] = math.NaN()
			if v != nil {
				col[i] = *v
			}
		}
		r.Cols = append(r.Cols, col)
	}
	return r
}

// at returns series i at tick k, the recording played in a loop.
func (r *recorded) at(i, k int) float64 {
	c := r.Cols[i]
	return c[k%len(c)]
}
