package main

import (
	"slices"
	"testing"
	"time"
)

func TestSpread(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	s := newSpread(at(500), at(10_000))

	// Tick 1 starts before the measurement: reported, not measured.
	s.add(1, at(0))
	s.add(1, at(3))
	// Tick 2: arrivals out of order, the earliest is the reference.
	s.add(2, at(1010))
	s.add(2, at(1000))
	s.add(2, at(1004))

	out, measured, ticks := s.take(at(2500), false)
	slices.Sort(out)
	if want := []float64{0, 3}; !slices.Equal(out, want) || len(measured) != 0 || ticks != 0 {
		t.Fatalf("take at 2.5 s: out %v measured %v ticks %d; want out %v, nothing measured", out, measured, ticks, want)
	}

	// A late arrival of a closed tick counts against its first arrival.
	s.add(2, at(3000))
	out, measured, ticks = s.take(at(3100), false)
	slices.Sort(out)
	slices.Sort(measured)
	if want := []float64{0, 4, 10, 2000}; !slices.Equal(out, want) || !slices.Equal(measured, want) || ticks != 1 {
		t.Fatalf("take at 3.1 s: out %v measured %v ticks %d; want %v twice, 1 tick", out, measured, ticks, want)
	}

	// The final take closes ticks still open.
	s.add(3, at(4000))
	if _, measured, ticks = s.take(at(4001), true); len(measured) != 1 || ticks != 1 {
		t.Fatalf("final take: measured %v ticks %d; want one arrival of one tick", measured, ticks)
	}

	// A tick first received at the end of the measurement or later is
	// reported, not measured.
	s.add(4, at(10_000))
	s.add(4, at(10_300))
	if out, measured, ticks := s.take(at(10_400), true); len(out) != 2 || len(measured) != 0 || ticks != 0 {
		t.Fatalf("take after the end: out %v measured %v ticks %d; want 2 reported, none measured", out, measured, ticks)
	}
}

func TestTickKeys(t *testing.T) {
	t.Parallel()
	ours := []byte(`{"type":"frame","t":1732240002003,"ts":1732240002000,"i":[0],"v":[1]}`)
	if ts, ok := livedashProto.tick(ours); !ok || ts != 1732240002000 {
		t.Errorf("livedash tick = %d, %v", ts, ok)
	}
	if sent, ok := livedashProto.sent(ours); !ok || sent != 1732240002003 {
		t.Errorf("livedash sent = %d, %v", sent, ok)
	}
	theirs := []byte(`{"event":"metrics","data":{"series":{"x":[1]},"timestamp":1795313086973}}`)
	if ts, ok := statsvizProto.tick(theirs); !ok || ts != 1795313086973 {
		t.Errorf("statsviz tick = %d, %v", ts, ok)
	}
	if _, ok := statsvizProto.tick([]byte(`{"event":"config","data":{}}`)); ok {
		t.Error("statsviz config has a tick key")
	}
}
