package main

import (
	"sync"
	"time"
)

// spreadWindow is how long a tick stays open after its first client
// received it. An arrival after that still counts, against the first.
const spreadWindow = 2 * time.Second

// spreadKeep is how long a closed tick's first arrival is remembered for
// late arrivals.
const spreadKeep = time.Minute

// spread measures how long one tick's frame takes to reach every client:
// for each client, the time from the first client receiving that tick's
// frame to this client receiving it. It needs nothing from the server but
// a key common to all copies of one tick's frame, so it measures the
// fan-out of any server alike, whatever its clock or timestamps.
//
// Ticks first received before the start of the measurement (from), or
// at or after its end (until), are reported by take but not counted as
// measured: the end keeps out ticks still arriving while the clients
// close.
type spread struct {
	from, until time.Time

	mu       sync.Mutex
	open     map[int64]*arrivals // ticks still arriving, by key
	first    map[int64]time.Time // first arrival of closed ticks, by key
	out      []float64           // spreads in ms measured since the last take
	measured []float64           // the part of out from measured ticks
	ticks    int                 // measured ticks closed since the last take
}

// arrivals are the times one tick's frame reached the clients.
type arrivals struct {
	first time.Time
	at    []time.Time
}

// newSpread returns a spread that counts the ticks first received in
// [from, until) as measured.
func newSpread(from, until time.Time) *spread {
	return &spread{from: from, until: until, open: map[int64]*arrivals{}, first: map[int64]time.Time{}}
}

func (s *spread) measures(first time.Time) bool {
	return !first.Before(s.from) && first.Before(s.until)
}

// record adds the spread of one arrival of a tick first received at first.
func (s *spread) record(first, at time.Time) {
	v := ms(max(at.Sub(first), 0))
	s.out = append(s.out, v)
	if s.measures(first) {
		s.measured = append(s.measured, v)
	}
}

// add records that a client received the frame of tick key at time at.
func (s *spread) add(key int64, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.first[key]; ok {
		s.record(f, at)
		return
	}
	a := s.open[key]
	if a == nil {
		a = &arrivals{first: at}
		s.open[key] = a
	}
	if at.Before(a.first) {
		a.first = at
	}
	a.at = append(a.at, at)
}

// take closes the ticks first received more than spreadWindow before now
// (all of them when all is set) and returns, in ms and unsorted, the
// spreads of all ticks since the last take and those of measured ticks,
// with the number of measured ticks it closed.
func (s *spread) take(now time.Time, all bool) (out, measured []float64, ticks int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, a := range s.open {
		if !all && now.Sub(a.first) < spreadWindow {
			continue
		}
		for _, at := range a.at {
			s.record(a.first, at)
		}
		s.first[key] = a.first
		delete(s.open, key)
		if s.measures(a.first) {
			s.ticks++
		}
	}
	for key, f := range s.first {
		if now.Sub(f) > spreadKeep {
			delete(s.first, key)
		}
	}
	out, measured, ticks = s.out, s.measured, s.ticks
	s.out, s.measured, s.ticks = nil, nil, 0
	return out, measured, ticks
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
