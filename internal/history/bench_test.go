package history

import (
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
)

const benchStart = int64(1_700_000_000_000)

// fillTicks is enough ticks for every default tier to have turned over.
const fillTicks = 50 * 3600

// recordedStore returns a store of the default tiers holding 50 hours of
// the recorded default series, played in a loop, and the next tick.
var recordedStore = sync.OnceValues(func() (*Store, *recorded) {
	rec := loadRecorded(nil)
	s, err := New(Options{})
	if err != nil {
		panic(err)
	}
	for i := range rec.Names {
		if _, err := s.AddSeries(fmt.Sprintf("%s#%d", rec.Names[i], i)); err != nil {
			panic(err)
		}
	}
	row := make([]float64, len(rec.Names))
	for k := range fillTicks {
		for i := range row {
			row[i] = rec.at(i, k)
		}
		if err := s.Append(benchStart+int64(k)*1000, row); err != nil {
			panic(err)
		}
	}
	return s, rec
})

// BenchmarkBytesPerSeries reports the memory per series of each tier, with
// the default tiers full, for each kind of series: 16 synthetic series of
// a kind, or the recorded default series (174, together).
func BenchmarkBytesPerSeries(b *testing.B) {
	kinds := signals(0)
	for k := range kinds {
		b.Run(kinds[k].name, func(b *testing.B) {
			s := newStore(b, nil)
			var sigs []signal
			for j := range 16 {
				sigs = append(sigs, signals(uint64(j + 1))[k])
				if _, err := s.AddSeries(fmt.Sprint(j)); err != nil {
					b.Fatal(err)
				}
			}
			row := make([]float64, len(sigs))
			for i := range fillTicks {
				for j := range row {
					row[j] = sigs[j].at(i)
				}
				if err := s.Append(benchStart+int64(i)*1000, row); err != nil {
					b.Fatal(err)
				}
			}
			reportUsage(b, s)
		})
	}
	b.Run("recorded", func(b *testing.B) {
		s, _ := recordedStore()
		reportUsage(b, s)
	})
}

func reportUsage(b *testing.B, s *Store) {
	var u Usage
	for b.Loop() {
		u = s.Usage()
	}
	for i, t := range s.Tiers() {
		b.ReportMetric(float64(u.Tiers[i])/float64(u.Series), fmt.Sprintf("B/series@%v", t.Step))
	}
	b.ReportMetric(u.PerSeries(), "B/series")
}

// BenchmarkAppend appends one tick of the 174 recorded series to a warm
// store of the default tiers.
func BenchmarkAppend(b *testing.B) {
	s, rec := recordedStore()
	row := make([]float64, s.Len())
	last, _ := s.Last()
	k := int((last-benchStart)/1000) + 1
	b.ReportAllocs()
	for b.Loop() {
		for i := range row {
			row[i] = rec.at(i, k)
		}
		if err := s.Append(benchStart+int64(k)*1000, row); err != nil {
			b.Fatal(err)
		}
		k++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(s.Len()), "ns/series")
}

// The window the page asks for at 48 hours: the whole 1-minute tier.
func read48h(b *testing.B, s *Store, r *Range) {
	last, _ := s.Last()
	if err := s.Read(r, s.Choose(last-48*3600_000, 0), last-48*3600_000, last); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRead48h reads 48 hours of the 174 series (the 1-minute tier).
func BenchmarkRead48h(b *testing.B) {
	s, _ := recordedStore()
	var r Range
	b.ReportAllocs()
	for b.Loop() {
		read48h(b, s, &r)
	}
	b.ReportMetric(float64(len(r.TS)), "slots")
}

// BenchmarkEncode48h encodes 48 hours of the 174 series as JSON.
func BenchmarkEncode48h(b *testing.B) {
	s, _ := recordedStore()
	var r Range
	read48h(b, s, &r)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSON(buf[:0], &r)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(len(buf)), "B/msg")
}

// BenchmarkAppendBinary encodes the whole store of the 174 series, as done
// under the broker's lock before a save.
func BenchmarkAppendBinary(b *testing.B) {
	s, _ := recordedStore()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "B/file")
}

// BenchmarkWriteFile writes the file atomically: write, fsync, rename,
// fsync of the directory.
func BenchmarkWriteFile(b *testing.B) {
	s, _ := recordedStore()
	data, err := s.AppendBinary(nil)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "history.bin")
	for b.Loop() {
		if err := WriteFile(path, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshal loads the store of the 174 series from its file's
// bytes, checking every block.
func BenchmarkUnmarshal(b *testing.B) {
	s, _ := recordedStore()
	data, err := s.AppendBinary(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Unmarshal(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGorillaXOR is the size of the raw recorded series as Gorilla's
// XOR encoding alone would store them, for comparison with
// BenchmarkBytesPerSeries: bits per value, both ways.
func BenchmarkGorillaXOR(b *testing.B) {
	rec := loadRecorded(b)
	var xorBits, ourBits, n int
	for b.Loop() {
		xorBits, ourBits, n = 0, 0, 0
		for _, col := range rec.Cols {
			prev, lead, size := uint64(0), -1, 0
			for _, v := range col {
				x := math.Float64bits(v) ^ prev
				prev = math.Float64bits(v)
				switch l, t := leadTrail(x); {
				case x == 0:
					xorBits++
				case lead >= 0 && l >= lead && t >= 64-lead-size:
					xorBits += 2 + size
				default:
					lead, size = l, 64-l-t
					xorBits += 2 + 5 + 6 + size
				}
			}
			for _, blk := range encodeBlocks(col, 75) {
				ourBits += 8 * len(blk)
			}
			n += len(col)
		}
	}
	b.ReportMetric(float64(xorBits)/float64(n), "xor-bits/value")
	b.ReportMetric(float64(ourBits)/float64(n), "bits/value")
}

func leadTrail(x uint64) (int, int) {
	if x == 0 {
		return 64, 0
	}
	l, t := 0, 0
	for x&(1<<63>>l) == 0 {
		l++
	}
	for x&(1<<t) == 0 {
		t++
	}
	return min(l, 31), t
}
