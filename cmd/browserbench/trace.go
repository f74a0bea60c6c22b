package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// traceCategories are those of the DevTools Performance panel's main
// thread track, plus the scheduler's top-level tasks.
var traceCategories = []string{
	"toplevel",
	"devtools.timeline",
	"disabled-by-default-devtools.timeline",
	"v8.execute",
}

// traceResult is the main thread's time by activity over the trace
// window: the self time of each trace event name (its duration less that
// of the events nested in it), as a share of the wall time.
type traceResult struct {
	window     time.Duration
	busy       float64 // % of the wall time in top-level events
	activities []activity
	events     int
	dataLoss   bool
}

type activity struct {
	name  string
	share float64 // % of the wall time
	count int
}

// traceEvent is the part of a Chrome trace event that is used here.
type traceEvent struct {
	Name string  `json:"name"`
	Ph   string  `json:"ph"`
	Ts   float64 `json:"ts"`  // µs
	Dur  float64 `json:"dur"` // µs
	Pid  int64   `json:"pid"`
	Tid  int64   `json:"tid"`
	Args struct {
		Name string `json:"name"` // of a thread_name metadata event
	} `json:"args"`
}

// trace records the -trace window with the Tracing domain and breaks the
// renderer main thread's time down by activity.
func (b *bench) trace() (*traceResult, error) {
	var (
		mu     sync.Mutex
		raw    [][]byte
		loss   bool
		once   sync.Once
		doneCh = make(chan struct{})
	)
	ctx, cancel := context.WithCancel(b.tab)
	defer cancel()
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			for _, v := range ev.Value {
				raw = append(raw, []byte(v))
			}
			mu.Unlock()
		case *tracing.EventTracingComplete:
			mu.Lock()
			loss = ev.DataLossOccurred
			mu.Unlock()
			once.Do(func() { close(doneCh) })
		}
	})
	if err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(b.tab, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  &tracing.TraceConfig{IncludedCategories: traceCategories},
	}); err != nil {
		return nil, fmt.Errorf("starting the trace: %w", err)
	}
	start := time.Now()
	sleepErr := sleep(b.tab, b.cfg.trace)
	window := time.Since(start)
	// End the trace even when the sleep was cut short.
	if _, err := chromedp.Call(context.WithoutCancel(b.tab), tracing.End, cdp.Empty{}); err != nil {
		return nil, fmt.Errorf("ending the trace: %w", err)
	}
	if sleepErr != nil {
		return nil, sleepErr
	}
	select {
	case <-doneCh:
	case <-time.After(hideTimeout):
		return nil, fmt.Errorf("the trace did not complete within %v", hideTimeout)
	case <-b.tab.Done():
		return nil, b.tab.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	r := analyze(raw, window)
	r.dataLoss = loss
	return r, nil
}

// analyze picks the renderer main thread (the CrRendererMain thread with
// the most time in top-level events: the page's) and sums the self time of
// its complete events by name.
func analyze(raw [][]byte, window time.Duration) *traceResult {
	type thread struct{ pid, tid int64 }
	mains := map[thread]bool{}
	events := map[thread][]traceEvent{}
	for _, v := range raw {
		var e traceEvent
		if json.Unmarshal(v, &e) != nil {
			continue
		}
		t := thread{e.Pid, e.Tid}
		switch {
		case e.Ph == "M" && e.Name == "thread_name":
			if e.Args.Name == "CrRendererMain" {
				mains[t] = true
			}
		case e.Ph == "X":
			events[t] = append(events[t], e)
		}
	}
	best, bestBusy := thread{}, -1.0
	var bestSelf map[string]*activity
	for t := range mains {
		self, busy := selfTimes(events[t])
		if busy > bestBusy {
			best, bestBusy, bestSelf = t, busy, self
		}
	}
	r := &traceResult{window: window, events: len(events[best])}
	wallUs := float64(window.Microseconds())
	if bestBusy <= 0 || wallUs <= 0 {
		return r
	}
	r.busy = bestBusy / wallUs * 100
	for _, a := range bestSelf {
		a.share = a.share / wallUs * 100
		r.activities = append(r.activities, *a)
	}
	slices.SortFunc(r.activities, func(a, b activity) int { return cmp.Compare(b.share, a.share) })
	return r
}

// selfTimes nests one thread's complete events by time and returns each
// name's self time (µs, in activity.share) and count, and the time in
// top-level events.
func selfTimes(evs []traceEvent) (map[string]*activity, float64) {
	slices.SortFunc(evs, func(a, b traceEvent) int {
		if c := cmp.Compare(a.Ts, b.Ts); c != 0 {
			return c
		}
		return cmp.Compare(b.Dur, a.Dur) // the enclosing event first
	})
	self := map[string]*activity{}
	add := func(name string, us float64) {
		a := self[name]
		if a == nil {
			a = &activity{name: name}
			self[name] = a
		}
		a.share += us
	}
	type open struct {
		name     string
		end      float64
		children float64
		dur      float64
	}
	var stack []open
	var top float64
	closeTo := func(ts float64) {
		for len(stack) > 0 && stack[len(stack)-1].end <= ts {
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			add(o.name, max(0, o.dur-o.children))
		}
	}
	for _, e := range evs {
		closeTo(e.Ts)
		if len(stack) == 0 {
			top += e.Dur
		} else {
			stack[len(stack)-1].children += e.Dur
		}
		self[e.Name] = cmp.Or(self[e.Name], &activity{name: e.Name})
		self[e.Name].count++
		stack = append(stack, open{name: e.Name, end: e.Ts + e.Dur, dur: e.Dur})
	}
	closeTo(float64(1 << 62))
	return self, top
}
