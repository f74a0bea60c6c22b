package stream

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/livedash/dashboard/collectors"
	"github.com/livedash/dashboard/internal/schedule"
)

// benchDescs returns n gauge descriptors, a realistic mix of labels.
func benchDescs(n int) []*collectors.Desc {
	ds := make([]*collectors.Desc, n)
	for i := range ds {
		ds[i] = &collectors.Desc{Name: "bench_value", Labels: collectors.L("n", strconv.Itoa(i)), Group: "app", Chart: "bench", ChartTitle: "Bench"}
		ds[i].Normalize()
	}
	return ds
}

// benchBatch fills b with values that change from tick to tick like real
// ones: most vary, some stay put.
func benchBatch(ds []*collectors.Desc, tick int, b []schedule.Sample) []schedule.Sample {
	b = b[:0]
	for i, d := range ds {
		v := float64(i)
		if i%4 != 0 {
			v = 1000 * math.Sin(float64(tick+i)/7)
		}
		b = append(b, schedule.Sample{Desc: d, Value: v})
	}
	return b
}

// BenchmarkTick measures one broker tick end to end: publish 150 series,
// build and encode the frame once, push the history row, queue it for
// every subscriber and have the writers hand it to each (fake) socket.
// Allocations per tick stay constant as subscribers grow.
func BenchmarkTick(b *testing.B) {
	for _, subs := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("subs=%d", subs), func(b *testing.B) {
			br := NewBroker(Options{Interval: time.Hour, History: 600 * time.Hour, QueueLen: 64})
			defer br.Close()
			conns := make([]*fakeConn, subs)
			for i := range conns {
				conns[i] = newFakeConn()
				conns[i].countOnly = true
				s := newSubscriber(br, conns[i], nil, false, conns[i].interrupt)
				if err := br.subscribe(s, math.MinInt64); err != nil {
					b.Fatal(err)
				}
				go br.serve(s) // counted by subscribe
			}
			ds := benchDescs(150)
			var batch []schedule.Sample
			ts := time.Unix(1_700_000_000, 0)
			want := int64(3)
			step := func(i int) {
				ts = ts.Add(time.Second)
				batch = benchBatch(ds, i, batch)
				br.Publish(schedule.Batch{Collector: "bench", Time: ts, Samples: batch})
				br.tick(ts)
				want++
				for _, c := range conns {
					for c.written.Load() < want {
						time.Sleep(20 * time.Microsecond)
					}
				}
			}
			step(0) // the schema for the new series
			want++
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step(i + 1)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(subs), "ns/sub")
		})
	}
}

// BenchmarkEncodeFrame: building one frame of 150 series, most changed.
func BenchmarkEncodeFrame(b *testing.B) {
	br := NewBroker(Options{Interval: time.Hour, History: 600 * time.Hour})
	defer br.Close()
	ds := benchDescs(150)
	var batch []schedule.Sample
	ts := time.Unix(1_700_000_000, 0)
	var size int
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ts = ts.Add(time.Second)
		batch = benchBatch(ds, i, batch)
		br.Publish(schedule.Batch{Collector: "bench", Time: ts, Samples: batch})
		br.mu.Lock()
		size = len(br.frameLocked(ts))
		br.mu.Unlock()
	}
	b.ReportMetric(float64(size), "B/frame")
}

// BenchmarkHistory: encoding a full 10-minute history of 150 series, as a
// new browser receives it (once per tick at most, whatever the number of
// browsers connecting).
func BenchmarkHistory(b *testing.B) {
	r := newRing(600)
	row := make([]float64, 150)
	for t := range 600 {
		for i := range row {
			row[i] = roundSig(1000*math.Sin(float64(t+i)/7), wireDigits) // as the broker stores them
		}
		r.push(int64(1_700_000_000_000+t*1000), row)
	}
	var size int
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		size = len(encodeHistory(r, math.MinInt64, 150))
	}
	b.ReportMetric(float64(size), "B/history")
}

// BenchmarkRingPush: recording one tick of 150 series in the history.
func BenchmarkRingPush(b *testing.B) {
	r := newRing(600)
	row := make([]float64, 150)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.push(int64(i), row)
	}
}

// BenchmarkRange48h: one ./api/range request for 48 hours of 170 series
// (the 1-minute tier), as a page asks when its window is 48 h: read and
// encode (uncached: a new window each time), and served from the cache.
func BenchmarkRange48h(b *testing.B) {
	br := NewBroker(Options{Interval: time.Second, History: 10 * time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), manualTicks: true})
	defer br.Close()
	ds := benchDescs(170)
	var batch []schedule.Sample
	t0 := time.Unix(1_700_000_000, 0)
	const n = 48 * 3600
	for k := range n {
		ts := t0.Add(time.Duration(k) * time.Second)
		batch = benchBatch(ds, k, batch)
		br.Publish(schedule.Batch{Collector: "bench", Time: ts, Samples: batch})
		br.tick(ts)
	}
	to := t0.Add(n * time.Second).UnixMilli()
	from := to - 48*3600*1000
	// Over loopback HTTP, gzip as a browser asks, body read to its end.
	srv := httptest.NewServer(http.HandlerFunc(br.ServeRange))
	defer srv.Close()
	serve := func(from int64) int {
		resp, err := srv.Client().Get(srv.URL + "/api/range?from=" + strconv.FormatInt(from, 10) + "&to=" + strconv.FormatInt(to, 10))
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("status %d: %v", resp.StatusCode, err)
		}
		return len(body)
	}
	b.Run("uncached", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			size := serve(from + int64(i%1000)*60_000)
			b.ReportMetric(float64(size), "B/msg")
		}
	})
	b.Run("cached", func(b *testing.B) {
		serve(from)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			serve(from)
		}
	})
}
