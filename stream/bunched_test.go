package stream

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/schedule"
)

// Traffic shaped like the real thing: pages ping right after a frame, so
// their messages bunch; after a server restart they all reconnect at once.

// TestBunchedPings: N clients each answer every frame with a ping at once
// (the page pings right after a frame when one is due), and once all ping
// in the same instant. Every one stays open and receives every tick.
func TestBunchedPings(t *testing.T) {
	for _, n := range []int{600, 2000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			if testing.Short() && n > 600 {
				t.Skip("short mode")
			}
			if raceEnabled && n > 600 {
				n = 1000
			}
			bunchedPings(t, n)
		})
	}
}

func bunchedPings(t *testing.T, n int) {
	const iv = 250 * time.Millisecond
	// A generous ClientTimeout: on a machine too busy to keep time (the
	// race detector, other tests) the broker may skip ticks, and the
	// clients, which ping after frames, then fall silent; that is the
	// timeout's business, tested elsewhere, not this test's.
	b, srv := servedBroker(t, Options{Interval: iv, ClientTimeout: time.Minute, QueueLen: 16})
	clients := make([]*rawClient, n)
	var dials sync.WaitGroup
	var failed atomic.Int64
	for i := range clients {
		dials.Add(1)
		go func() {
			defer dials.Done()
			c, err := tryDialRaw(srv.URL, "/")
			if err != nil {
				failed.Add(1)
				return
			}
			clients[i] = c
		}()
	}
	dials.Wait()
	t.Cleanup(func() {
		for _, c := range clients {
			if c != nil {
				c.conn.Close()
			}
		}
	})
	if f := failed.Load(); f > 0 {
		t.Fatalf("%d of %d dials failed", f, n)
	}

	// Each client reads its frames and answers every one with a ping at
	// once; at the barrier, all ping together besides.
	const ticks = 12
	barrier := make(chan struct{})
	type result struct {
		ts  []int64
		err error
	}
	results := make([]result, n)
	var readers sync.WaitGroup
	for i, c := range clients {
		readers.Add(1)
		go func() {
			defer readers.Done()
			go func() {
				<-barrier
				c.conn.Write(text(`{"type":"ping"}`).bytes())
			}()
			var ts []int64
			for len(ts) < ticks {
				f, err := c.next(20 * time.Second)
				if err != nil {
					results[i] = result{ts, err}
					return
				}
				if f.op == opClose {
					results[i] = result{ts, fmt.Errorf("closed: %q", f.payload)}
					return
				}
				var m struct {
					Type string `json:"type"`
					TS   int64  `json:"ts"`
				}
				if f.op != opText || json.Unmarshal(f.payload, &m) != nil || m.Type != "frame" {
					continue
				}
				ts = append(ts, m.TS)
				if _, err := c.conn.Write(text(`{"type":"ping","ts":` + strconv.FormatInt(m.TS, 10) + `}`).bytes()); err != nil {
					results[i] = result{ts, err}
					return
				}
			}
			results[i] = result{ts: ts}
		}()
	}
	time.Sleep(3 * iv)
	close(barrier)
	readers.Wait()

	// Every client got every tick the broker made in its window, in
	// order (a tick the broker itself skipped, on a machine too busy to
	// keep time, is missing for everyone and from the history too).
	b.mu.Lock()
	var made []int64
	for k := range b.ring.n {
		made = append(made, b.ring.ts[(b.ring.head+k)%b.ring.cap()])
	}
	b.mu.Unlock()
	index := map[int64]int{}
	for k, ts := range made {
		index[ts] = k
	}
	bad := 0
	for i, r := range results {
		gap := len(r.ts) == 0
		for k := 1; k < len(r.ts); k++ {
			gap = gap || index[r.ts[k]] != index[r.ts[k-1]]+1
		}
		if r.err != nil || gap {
			if bad < 5 {
				t.Errorf("client %d: %v, frames %v", i, r.err, r.ts)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d clients lost frames or were closed; the broker made %v", bad, n, made)
	}
	if late := (made[len(made)-1]-made[0])/iv.Milliseconds() + 1 - int64(len(made)); late > 0 {
		t.Logf("the broker skipped %d of %d ticks (the machine was too busy to keep time)", late, len(made)+int(late))
	}
	if got := b.Subscribers(); got != n {
		t.Fatalf("%d subscribers left, want %d", got, n)
	}
}

// TestReconnectStorm: 2,000 pages reconnect in the same instant with
// ?since=, as after a server restart; every one gets schema, status and
// exactly the ticks it missed, nobody is refused, and the history is
// encoded once for all of them.
func TestReconnectStorm(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	} else if raceEnabled {
		n = 1000
	}
	b, srv := servedBroker(t, Options{Interval: time.Hour, History: 600 * time.Hour})
	// 600 ticks of 100 series.
	descs := make([]*collectors.Desc, 100)
	for i := range descs {
		descs[i] = &collectors.Desc{Name: "storm_" + strconv.Itoa(i), Group: "app"}
	}
	t0 := time.Unix(1_700_000_000, 0)
	samples := make([]schedule.Sample, len(descs))
	for k := range 600 {
		ts := t0.Add(time.Duration(k) * time.Hour)
		for i, d := range descs {
			samples[i] = schedule.Sample{Desc: d, Value: math.Sin(float64(k*i)) * 1000}
		}
		b.Publish(schedule.Batch{Collector: "storm", Time: ts, Samples: samples})
		b.tick(ts)
	}
	since := t0.Add(589 * time.Hour).UnixMilli() // misses ticks 590..599
	allocBefore, liveBefore := heapAllocated(), heapLive()

	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := tryDialRaw(srv.URL, "/?since="+strconv.FormatInt(since, 10))
			if err != nil {
				errs <- err
				return
			}
			defer c.conn.Close()
			var got []string
			for len(got) < 3 {
				f, err := c.next(30 * time.Second)
				if err != nil {
					errs <- fmt.Errorf("after %v: %w", got, err)
					return
				}
				var m struct {
					Type string  `json:"type"`
					TS   []int64 `json:"ts"`
				}
				if err := json.Unmarshal(f.payload, &m); err != nil || f.op != opText {
					errs <- fmt.Errorf("after %v: op %d %.80q", got, f.op, f.payload)
					return
				}
				got = append(got, m.Type)
				if m.Type == "history" && (len(m.TS) != 10 || m.TS[0] != since+3_600_000) {
					errs <- fmt.Errorf("history of %d ticks from %v, want 10 from %d", len(m.TS), m.TS[:min(1, len(m.TS))], since+3_600_000)
					return
				}
			}
			if got[0] != "schema" || got[1] != "status" || got[2] != "history" {
				errs <- fmt.Errorf("opening messages %v", got)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed < 5 {
			t.Error(err)
		}
		failed++
	}
	if failed > 0 {
		t.Fatalf("%d of %d reconnects failed", failed, n)
	}
	alloc, live := heapAllocated()-allocBefore, heapLive()-liveBefore
	t.Logf("%d reconnects: %.1f KiB allocated and %.1f KiB more live heap per client", n,
		float64(alloc)/1024/float64(n), float64(live)/1024/float64(n))
	// Far below one history per client (about 7 KB each here), let alone
	// the full history (about 400 KB).
	if perClient := alloc / int64(n); perClient > 64<<10 {
		t.Fatalf("%d bytes allocated per reconnect", perClient)
	}
}

func heapLive() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
