package history

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// smallTiers turn blocks over within a few hundred appends.
var smallTiers = []Tier{{time.Second, 20 * time.Second}, {3 * time.Second, time.Minute}, {10 * time.Second, 200 * time.Second}}

func newStore(t testing.TB, tiers []Tier, ids ...string) *Store {
	t.Helper()
	s, err := New(Options{Tiers: tiers})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := s.AddSeries(id); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// model is what the store should return: every row appended.
type model struct {
	ts   []int64
	rows [][]float64
}

func (m *model) append(t int64, vals []float64) {
	m.ts = append(m.ts, t)
	m.rows = append(m.rows, append([]float64(nil), vals...))
}

// expect returns the model's view of tier tr over the store's visible
// slots [lo, hi]: per series, values (raw) or min, max, mean (coarse).
func (m *model) expect(tr Tier, raw bool, nSeries int, lo, hi int64) (ts []int64, cols [][][]float64) {
	step := tr.Step.Milliseconds()
	width := 3
	if raw {
		width = 1
	}
	cols = make([][][]float64, nSeries)
	for i := range cols {
		cols[i] = make([][]float64, width)
	}
	for s := lo; s <= hi; s++ {
		ts = append(ts, s*step)
		for i := range nSeries {
			var a accum
			for k, t := range m.ts {
				if floorDiv(t, step) == s && i < len(m.rows[k]) && !math.IsNaN(m.rows[k][i]) {
					a.add(m.rows[k][i])
				}
			}
			if raw {
				cols[i][0] = append(cols[i][0], a.sum) // one value at most
				if a.n == 0 {
					cols[i][0][len(cols[i][0])-1] = math.NaN()
				}
				continue
			}
			mn, mx, mean := a.values()
			cols[i][0] = append(cols[i][0], mn)
			cols[i][1] = append(cols[i][1], mx)
			cols[i][2] = append(cols[i][2], mean)
		}
	}
	for i := range cols {
		all := true
		for _, v := range cols[i][width-1] {
			all = all && math.IsNaN(v)
		}
		if all {
			for k := range cols[i] {
				cols[i][k] = cols[i][k][:0]
			}
		}
	}
	return ts, cols
}

// check compares every tier of s with the model over the whole span and
// over a random window.
func check(t *testing.T, s *Store, m *model, r *rand.Rand) {
	t.Helper()
	var got Range
	for ti, tr := range s.tiers {
		raw := ti == 0
		lo, hi, ok := s.t[ti].visible()
		if !ok {
			continue
		}
		step := tr.Step.Milliseconds()
		from, to := lo*step, hi*step
		if r.IntN(2) == 0 {
			from += r.Int64N(to-from+1) - step/2
			to -= r.Int64N(to-from+1) - step/2
		}
		if err := s.Read(&got, ti, from, to); err != nil {
			t.Fatal(err)
		}
		wlo, whi := max(lo, floorDiv(from, step)), min(hi, floorDiv(to, step))
		wantTS, want := m.expect(tr, raw, s.Len(), wlo, whi)
		if fmt.Sprint(got.TS) != fmt.Sprint(wantTS) {
			t.Fatalf("tier %d [%d, %d]: ts %v, want %v", ti, from, to, got.TS, wantTS)
		}
		for i := range s.Len() {
			var gotCols [][]float64
			if raw {
				gotCols = [][]float64{got.Values[i]}
			} else {
				gotCols = [][]float64{got.Min[i], got.Max[i], got.Mean[i]}
			}
			for k := range gotCols {
				if j := sameBits(gotCols[k], want[i][k]); j >= 0 {
					t.Fatalf("tier %d series %d column %d at %d: got %v, want %v", ti, i, k, j, gotCols[k], want[i][k])
				}
			}
		}
	}
}

func TestStoreMatchesModel(t *testing.T) {
	t.Parallel()
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 7))
			s := newStore(t, smallTiers, "a", "b")
			var m model
			tick := int64(1_700_000_000_000)
			for k := range 600 {
				if r.IntN(40) == 0 {
					if _, err := s.AddSeries(fmt.Sprint("s", k)); err != nil {
						t.Fatal(err)
					}
				}
				tick += 1000
				if r.IntN(30) == 0 {
					tick += 1000 * r.Int64N(25) // missed ticks
				}
				vals := make([]float64, r.IntN(s.Len()+1))
				for i := range vals {
					switch r.IntN(10) {
					case 0:
						vals[i] = math.NaN()
					case 1:
						vals[i] = r.NormFloat64()
					default:
						vals[i] = RoundSig(float64(i*10)+r.NormFloat64(), 4)
					}
				}
				if err := s.Append(tick, vals); err != nil {
					t.Fatal(err)
				}
				m.append(tick, vals)
				if k%37 == 0 || k == 599 {
					check(t, s, &m, r)
				}
			}
		})
	}
}

func TestAppendOutOfOrder(t *testing.T) {
	t.Parallel()
	s := newStore(t, smallTiers, "a")
	base := int64(1_700_000_000_000)
	for i := range int64(30) {
		if err := s.Append(base+i*1000, []float64{float64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	last := base + 29*1000
	for _, at := range []int64{last, last + 999, last - 5000} {
		if err := s.Append(at, []float64{1}); !errors.Is(err, ErrOutOfOrder) {
			t.Errorf("append at last%+d ms: got %v, want ErrOutOfOrder", at-last, err)
		}
	}
	// Set back by more than the raw span (20 s): a fresh start.
	if err := s.Append(last-60_000, []float64{7}); err != nil {
		t.Fatal(err)
	}
	var r Range
	for ti := range smallTiers {
		if err := s.Read(&r, ti, 0, math.MaxInt64); err != nil {
			t.Fatal(err)
		}
		if len(r.TS) != 1 {
			t.Errorf("tier %d after the clock was set back: %d slots, want 1", ti, len(r.TS))
		}
	}
}

func TestAppendErrors(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil, "a")
	if err := s.Append(0, []float64{1, 2}); err == nil {
		t.Error("two values for one series accepted")
	}
	if _, err := s.AddSeries("a"); err == nil {
		t.Error("series added twice")
	}
	if _, err := s.AddSeries(""); err == nil {
		t.Error("empty id accepted")
	}
	if err := s.Read(&Range{}, 3, 0, 1); err == nil {
		t.Error("tier 3 of 3 read")
	}
}

func TestLongGapRestartsTiers(t *testing.T) {
	t.Parallel()
	s := newStore(t, smallTiers, "a")
	var m model
	tick := int64(1_700_000_000_000)
	for i := range 100 {
		tick += 1000
		if i == 50 {
			tick += 150_000 // longer than the two finer spans, shorter than the coarsest
		}
		v := []float64{float64(i)}
		if err := s.Append(tick, v); err != nil {
			t.Fatal(err)
		}
		m.append(tick, v)
	}
	check(t, s, &m, rand.New(rand.NewPCG(1, 1)))
	var r Range
	if err := s.Read(&r, 2, 0, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	gaps := 0
	for _, v := range r.Mean[0] {
		if math.IsNaN(v) {
			gaps++
		}
	}
	if gaps < 14 {
		t.Errorf("the 10 s tier shows %d empty buckets for 150 s of downtime", gaps)
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	for _, tiers := range [][]Tier{
		{{Step: 0, Span: time.Minute}},
		{{Step: 1500 * time.Microsecond, Span: time.Minute}},
		{{Step: time.Second, Span: time.Minute}, {Step: time.Second, Span: time.Hour}},
		{{Step: time.Minute, Span: time.Second}},
		{{Step: time.Millisecond, Span: 2 * time.Hour}},
		make([]Tier, 9),
	} {
		if _, err := New(Options{Tiers: tiers}); !errors.Is(err, errOptions) {
			t.Errorf("New(%v): got %v, want an options error", tiers, err)
		}
	}
	s := newStore(t, nil)
	if got := fmt.Sprint(s.Tiers()); got != fmt.Sprint(DefaultTiers()) {
		t.Errorf("default tiers %s", got)
	}
}

func TestChoose(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil, "a")
	now := int64(1_700_000_000_000)
	if err := s.Append(now, []float64{1}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		back time.Duration
		step time.Duration
		want int
	}{
		{time.Minute, 0, 0}, {10 * time.Minute, 0, 0}, {11 * time.Minute, 0, 1}, {6 * time.Hour, 0, 1},
		{7 * time.Hour, 0, 2}, {48 * time.Hour, 0, 2}, {100 * time.Hour, 0, 2},
		{time.Minute, 5 * time.Second, 1}, {time.Minute, time.Minute, 2}, {time.Minute, time.Hour, 2},
	} {
		if got := s.Choose(now-c.back.Milliseconds()+1000, c.step); got != c.want {
			t.Errorf("Choose(now-%v, %v) = %d, want %d", c.back, c.step, got, c.want)
		}
	}
}

// Not parallel: AllocsPerRun counts every goroutine's allocations.
func TestAppendAllocatesNothingWhenWarm(t *testing.T) {
	s := newStore(t, smallTiers, "a", "b", "c", "d")
	sigs := signals(3)
	tick := int64(1_700_000_000_000)
	row := make([]float64, 4)
	next := func() {
		tick += 1000
		for i := range row {
			row[i] = sigs[i+1].at(int(tick / 1000))
		}
		if err := s.Append(tick, row); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 * 200 { // five turns of the coarsest tier
		next()
	}
	if n := testing.AllocsPerRun(1000, next); n != 0 {
		t.Errorf("%v allocations per Append", n)
	}
}

// TestMemoryTarget: a third of the recorded default series, every tier
// full, take at most 24 KB a series.
func TestMemoryTarget(t *testing.T) {
	t.Parallel()
	rec := loadRecorded(t)
	s := newStore(t, nil)
	var cols []int
	for i := 0; i < len(rec.Cols); i += 3 {
		cols = append(cols, i)
		if _, err := s.AddSeries(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	row := make([]float64, len(cols))
	for k := range 48*3600 + 3600 {
		for j, i := range cols {
			row[j] = rec.at(i, k)
		}
		if err := s.Append(1_700_000_000_000+int64(k)*1000, row); err != nil {
			t.Fatal(err)
		}
	}
	u := s.Usage()
	t.Logf("%d series: %.0f bytes a series; tiers %v", u.Series, u.PerSeries(), u.Tiers)
	if u.PerSeries() > 24<<10 {
		t.Errorf("%.0f bytes a series, more than 24 KB", u.PerSeries())
	}
}

// Not parallel: AllocsPerRun counts every goroutine's allocations.
func TestReadAllocatesNothingWhenWarm(t *testing.T) {
	s, last := filled(t, []string{"a", "b", "c"}, 300, 9)
	var r Range
	var buf []byte
	for tier := range s.tiers {
		read := func() {
			if err := s.Read(&r, tier, last-100_000, last); err != nil {
				t.Fatal(err)
			}
			buf = AppendJSON(buf[:0], &r)
		}
		read()
		if n := testing.AllocsPerRun(100, read); n != 0 {
			t.Errorf("tier %d: %v allocations per Read and AppendJSON", tier, n)
		}
	}
}
