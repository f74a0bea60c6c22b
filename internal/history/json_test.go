package history

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestAppendNumberReadsBack(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 4))
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 23.47, 0.0012, 7665e5, 5325e-8, 1e22, 1e23, 1e-22, 1e-25,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 1700000000123, 9007199254740993, 0.1, 100, 1000, 123e-7}
	for range 20000 {
		switch r.IntN(3) {
		case 0:
			vals = append(vals, math.Float64frombits(r.Uint64()))
		case 1:
			vals = append(vals, RoundSig(r.NormFloat64()*math.Pow(10, float64(r.IntN(50)-25)), 1+r.IntN(8)))
		default:
			vals = append(vals, r.NormFloat64())
		}
	}
	e := 0
	for _, v := range vals {
		if r.IntN(4) == 0 {
			e = r.IntN(2*maxExp+1) - maxExp
		}
		s := string(appendNumber(nil, v, &e))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if s != "null" {
				t.Fatalf("%v: %s", v, s)
			}
			continue
		}
		if !json.Valid([]byte(s)) {
			t.Fatalf("%v: %q is not JSON", v, s)
		}
		got, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(v) {
			t.Fatalf("%v (%#x): %q reads back as %v, %v", v, math.Float64bits(v), s, got, err)
		}
		if short := strconv.FormatFloat(v, 'g', -1, 64); len(s) > len(short)+2 {
			t.Errorf("%v: %q, much longer than %q", v, s, short)
		}
	}
	for v, want := range map[float64]string{23.47: "23.47", 7665e5: "7665e5", 5325e-8: "5325e-8", 0.0012: "0.0012", 120: "120", -0.5: "-0.5"} {
		e := maxExp
		if got := string(appendNumber(nil, v, &e)); got != want {
			t.Errorf("%v: %q, want %q", v, got, want)
		}
	}
}

func TestAppendJSON(t *testing.T) {
	t.Parallel()
	s, last := filled(t, []string{"a", "b", "c"}, 150, 8)
	if _, err := s.AddSeries("never"); err != nil {
		t.Fatal(err)
	}
	for tier := range s.tiers {
		var r Range
		if err := s.Read(&r, tier, last-60_000, last); err != nil {
			t.Fatal(err)
		}
		out := AppendJSON(nil, &r)
		var msg struct {
			Type           string
			Tier           int
			Step, From, To int64
			TS             []int64
			Cols           []json.RawMessage
		}
		if err := json.Unmarshal(out, &msg); err != nil {
			t.Fatalf("tier %d: %v\n%s", tier, err, out)
		}
		if msg.Type != "range" || msg.Tier != tier || msg.Step != r.Step || msg.From != last-60_000 || msg.To != last ||
			len(msg.TS) != len(r.TS) || len(msg.Cols) != 4 || string(msg.Cols[3]) != "null" {
			t.Fatalf("tier %d: %s", tier, out)
		}
		for i := range 3 {
			var got [][]*float64
			var want [][]float64
			if tier == 0 {
				var col []*float64
				if err := json.Unmarshal(msg.Cols[i], &col); err != nil {
					t.Fatal(err)
				}
				got, want = [][]*float64{col}, [][]float64{r.Values[i]}
			} else {
				var col struct{ Min, Max, Mean []*float64 }
				if err := json.Unmarshal(msg.Cols[i], &col); err != nil {
					t.Fatal(err)
				}
				got, want = [][]*float64{col.Min, col.Max, col.Mean}, [][]float64{r.Min[i], r.Max[i], r.Mean[i]}
			}
			for k := range got {
				if len(got[k]) != len(want[k]) {
					t.Fatalf("tier %d series %d: %d values, want %d", tier, i, len(got[k]), len(want[k]))
				}
				for j, p := range got[k] {
					if w := want[k][j]; (p == nil) != math.IsNaN(w) || (p != nil && *p != w) {
						t.Fatalf("tier %d series %d column %d at %d: %v, want %v", tier, i, k, j, p, w)
					}
				}
			}
		}
	}
}
