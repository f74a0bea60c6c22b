package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// filled returns a store of the small tiers holding ticks of ids, the
// last of which was added late, and the time of its last tick.
func filled(t testing.TB, ids []string, ticks int, seed uint64) (*Store, int64) {
	t.Helper()
	s := newStore(t, smallTiers, ids[:len(ids)-1]...)
	r := rand.New(rand.NewPCG(seed, 3))
	tick := int64(1_700_000_000_000)
	for k := range ticks {
		if k == ticks/2 {
			if _, err := s.AddSeries(ids[len(ids)-1]); err != nil {
				t.Fatal(err)
			}
		}
		tick += 1000
		if err := s.Append(tick, rowFor(r, s.Len())); err != nil {
			t.Fatal(err)
		}
	}
	return s, tick
}

func rowFor(r *rand.Rand, n int) []float64 {
	row := make([]float64, n)
	for i := range row {
		row[i] = RoundSig(float64(i+1)*100+10*r.NormFloat64(), 4)
		if r.IntN(20) == 0 {
			row[i] = math.NaN()
		}
	}
	return row
}

// readAll returns every tier of s as text, series by id.
func readAll(t testing.TB, s *Store, ids []string) string {
	t.Helper()
	var b bytes.Buffer
	var r Range
	for ti := range s.tiers {
		if err := s.Read(&r, ti, math.MinInt64/2, math.MaxInt64/2); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "tier %d: %v\n", ti, r.TS)
		for _, id := range ids {
			i := -1
			for j, c := range s.cols {
				if s.ids[c] == id {
					i = j
				}
			}
			switch {
			case i < 0:
				fmt.Fprintf(&b, "  %s: absent\n", id)
			case ti == 0:
				fmt.Fprintf(&b, "  %s: %v\n", id, r.Values[i])
			default:
				fmt.Fprintf(&b, "  %s: %v %v %v\n", id, r.Min[i], r.Max[i], r.Mean[i])
			}
		}
	}
	return b.String()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	ids := []string{"a", "b", "c", "late"}
	for _, ticks := range []int{0, 1, 7, 95, 333} {
		t.Run(fmt.Sprint(ticks), func(t *testing.T) {
			t.Parallel()
			s, _ := filled(t, ids, ticks, 1)
			data, err := s.AppendBinary(nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Unmarshal(data, Options{Tiers: smallTiers})
			if err != nil {
				t.Fatal(err)
			}
			// Added back in another order: matched by id.
			for _, id := range []string{"late", "c", "a", "b"} {
				if _, known := s.byID[id]; !known {
					continue
				}
				if _, err := got.AddSeries(id); err != nil {
					t.Fatal(err)
				}
			}
			if w, g := readAll(t, s, ids), readAll(t, got, ids); w != g {
				t.Fatalf("after loading:\n%s\nwant:\n%s", g, w)
			}
			if l1, ok1 := s.Last(); true {
				if l2, ok2 := got.Last(); l1 != l2 || ok1 != ok2 {
					t.Fatalf("last %d %v, want %d %v", l2, ok2, l1, ok1)
				}
			}
			// Both go on alike, through the open block and bucket.
			r1, r2 := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
			last, _ := s.Last()
			for k := range 40 {
				tick := last + int64(k+1)*1000
				if err := s.Append(tick, rowFor(r1, 4)[:s.Len()]); err != nil {
					t.Fatal(err)
				}
				row := rowFor(r2, 4)
				if s.Len() == 3 {
					row = []float64{row[2], row[0], row[1]}
				} else {
					row = []float64{row[3], row[2], row[0], row[1]}
				}
				if err := got.Append(tick, row); err != nil {
					t.Fatal(err)
				}
			}
			if w, g := readAll(t, s, ids), readAll(t, got, ids); w != g {
				t.Fatalf("after appending to both:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

func TestLoadMatchesSeriesByID(t *testing.T) {
	t.Parallel()
	s, last := filled(t, []string{"gone", "kept", "late"}, 120, 2)
	data, _ := s.AppendBinary(nil)
	got, err := Unmarshal(data, Options{Tiers: smallTiers})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"new", "kept"} {
		if _, err := got.AddSeries(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := got.Append(last+5000, []float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	var r Range
	if err := got.Read(&r, 0, 0, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if n := len(r.Values[0]); n != len(r.TS) {
		t.Fatalf("new series: %d values, want %d", n, len(r.TS))
	}
	for _, v := range r.Values[0][:len(r.TS)-1] {
		if !math.IsNaN(v) {
			t.Fatalf("new series has history: %v", r.Values[0])
		}
	}
	// The downtime (4 s) is a gap in kept, between old and new values.
	kept := r.Values[1]
	n := len(kept)
	if kept[n-1] != 2 || !math.IsNaN(kept[n-2]) || math.IsNaN(kept[n-6]) {
		t.Fatalf("kept series ends %v", kept[n-8:])
	}
	// Saved again: "gone" is kept while it has values, "late" was never added but has values too.
	data2, _ := got.AppendBinary(nil)
	again, err := Unmarshal(data2, Options{Tiers: smallTiers})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.ids) != 4 {
		t.Errorf("saved again: ids %v", again.ids)
	}
	// A store that never holds gone's values any more forgets it.
	for k := range int64(300) {
		if err := again.Append(last+10_000+k*1000, nil); err != nil {
			t.Fatal(err)
		}
	}
	data3, _ := again.AppendBinary(nil)
	third, err := Unmarshal(data3, Options{Tiers: smallTiers})
	if err != nil {
		t.Fatal(err)
	}
	if len(third.ids) != 0 {
		t.Errorf("after the history aged out: ids %v", third.ids)
	}
}

func TestLoadOtherTiers(t *testing.T) {
	t.Parallel()
	s, _ := filled(t, []string{"a", "b"}, 200, 3)
	data, _ := s.AppendBinary(nil)
	// Same coarse steps with other spans, another raw step: the raw tier
	// starts empty, the others keep what fits.
	other := []Tier{{2 * time.Second, time.Minute}, {3 * time.Second, 30 * time.Second}, {10 * time.Second, time.Hour}}
	got, err := Unmarshal(data, Options{Tiers: other})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := got.AddSeries(id); err != nil {
			t.Fatal(err)
		}
	}
	var r, want Range
	if err := got.Read(&r, 0, 0, math.MaxInt64); err != nil || len(r.TS) != 0 {
		t.Fatalf("raw tier of another step: %d slots, %v", len(r.TS), err)
	}
	if err := got.Read(&r, 1, 0, math.MaxInt64); err != nil || len(r.TS) < 10 || len(r.TS) > 30/3+4 {
		t.Fatalf("3 s tier cut to 30 s: %d slots, %v", len(r.TS), err)
	}
	if err := got.Read(&r, 2, 0, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if err := s.Read(&want, 2, 0, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	// It keeps a longer span: what the old one shows is its end.
	n := len(want.TS)
	if len(r.TS) < n || fmt.Sprint(r.TS[len(r.TS)-n:], r.Mean[0][len(r.TS)-n:]) != fmt.Sprint(want.TS, want.Mean[0]) {
		t.Fatalf("10 s tier: %v %v, want %v %v", r.TS, r.Mean, want.TS, want.Mean)
	}
}

// withHeader wraps payload in a valid header and checksum.
func withHeader(version uint32, payload []byte) []byte {
	b := []byte(fileMagic)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(payload)))
	b = append(b, payload...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func TestLoadBadFiles(t *testing.T) {
	t.Parallel()
	s, _ := filled(t, []string{"a", "b"}, 150, 4)
	good, _ := s.AppendBinary(nil)
	payload := good[headerLen : len(good)-4]
	cases := map[string]struct {
		data []byte
		want error
	}{
		"empty":        {nil, errForeign},
		"foreign":      {[]byte("{\"type\":\"schema\"}\n"), errForeign},
		"header only":  {good[:headerLen-3], errTruncated},
		"half":         {good[:len(good)/2], errTruncated},
		"no checksum":  {good[:len(good)-4], errTruncated},
		"trailing":     {append(bytes.Clone(good), 0), errCorrupt},
		"older":        {withHeader(0, payload), errOlder},
		"newer":        {withHeader(2, payload), errNewer},
		"bad payload":  {withHeader(1, payload[:len(payload)-9]), errCorrupt},
		"bad checksum": {append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1), errChecksum},
	}
	for name, c := range cases {
		got, err := Unmarshal(c.data, Options{Tiers: smallTiers})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
		if got == nil || len(got.ids) != 0 || got.has {
			t.Errorf("%s: the store returned is not empty", name)
		}
	}
	// Any one byte flipped, and any length short of whole, is an error.
	for i := 0; i < len(good); i += 1 + i/50 {
		bad := bytes.Clone(good)
		bad[i] ^= 0x40
		if _, err := Unmarshal(bad, Options{Tiers: smallTiers}); err == nil {
			t.Fatalf("byte %d flipped: loaded", i)
		}
		if _, err := Unmarshal(good[:i], Options{Tiers: smallTiers}); err == nil {
			t.Fatalf("first %d bytes: loaded", i)
		}
	}
	if _, err := Unmarshal(good, Options{Tiers: []Tier{{}}}); err == nil {
		t.Error("invalid options accepted")
	}
}

func TestSaveLoadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "history.bin")
	got, err := Load(path, Options{Tiers: smallTiers})
	if !errors.Is(err, fs.ErrNotExist) || got == nil {
		t.Fatalf("missing file: %v, %v", got, err)
	}
	s, _ := filled(t, []string{"a", "b"}, 150, 5)
	for range 2 { // the second replaces the first
		if err := s.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	got, err = Load(path, Options{Tiers: smallTiers})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := got.AddSeries(id); err != nil {
			t.Fatal(err)
		}
	}
	if w, g := readAll(t, s, []string{"a", "b"}), readAll(t, got, []string{"a", "b"}); w != g {
		t.Fatalf("loaded:\n%s\nwant:\n%s", g, w)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after saving, want 1", len(entries))
	}
	if err := s.Save(filepath.Join(dir, "missing", "x")); err == nil {
		t.Error("saved into a missing directory")
	}
}

// FuzzUnmarshal: any bytes, bare or in a valid header, load or give an
// error, never a panic; what loads saves and loads again.
func FuzzUnmarshal(f *testing.F) {
	s, _ := filled(f, []string{"a", "b", "c"}, 70, 6)
	good, _ := s.AppendBinary(nil)
	f.Add(good)
	f.Add(good[headerLen : len(good)-4])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range [][]byte{data, withHeader(fileVersion, data)} {
			got, err := Unmarshal(d, Options{Tiers: smallTiers})
			if got == nil {
				t.Fatal("nil store")
			}
			if err != nil {
				continue
			}
			for _, id := range got.ids {
				if _, err := got.AddSeries(id); err != nil {
					t.Fatal(err)
				}
			}
			var r Range
			for ti := range got.tiers {
				if err := got.Read(&r, ti, math.MinInt64/2, math.MaxInt64/2); err != nil {
					t.Fatalf("loaded, then reading tier %d: %v", ti, err)
				}
			}
			last, _ := got.Last()
			_ = got.Append(last+1000, make([]float64, got.Len()))
			again, _ := got.AppendBinary(nil)
			if _, err := Unmarshal(again, Options{Tiers: smallTiers}); err != nil {
				t.Fatalf("saved again, then: %v", err)
			}
		}
	})
}
