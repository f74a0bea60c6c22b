package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
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
	// Chart frames (animation frames in which the charts drew) and draws
	// during the trace, to give the main thread's time per frame.
	frames, draws int64
	// With -cpuprofile: the page's JavaScript by function, self time.
	functions []jsFunction
	profiled  time.Duration // the profile's span
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
	st0, err := b.state()
	if err != nil {
		return nil, err
	}
	prof, err := b.startProfile()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	sleepErr := sleep(b.tab, b.cfg.trace)
	window := time.Since(start)
	var profile *profiler.Profile
	if prof && sleepErr == nil {
		res, err := chromedp.Call(b.tab, profiler.Stop, cdp.Empty{})
		if err != nil {
			return nil, fmt.Errorf("stopping the profiler: %w", err)
		}
		profile = res.Profile
	}
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
	st1, err := b.state()
	if err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	r := analyze(raw, window)
	r.dataLoss = loss
	r.frames, r.draws = st1.Frames-st0.Frames, st1.Draws-st0.Draws
	if profile != nil {
		if err := writeProfile(b.cfg.cpuprofile, profile); err != nil {
			return nil, err
		}
		r.functions, r.profiled = selfByFunction(profile)
	}
	return r, nil
}

// startProfile starts V8's sampling profiler when -cpuprofile asks for it.
func (b *bench) startProfile() (bool, error) {
	if b.cfg.cpuprofile == "" {
		return false, nil
	}
	if _, err := chromedp.Call(b.tab, profiler.Enable, cdp.Empty{}); err != nil {
		return false, fmt.Errorf("enabling the profiler: %w", err)
	}
	if _, err := chromedp.Call(b.tab, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: profileInterval}); err != nil {
		return false, fmt.Errorf("setting the profiler's interval: %w", err)
	}
	if _, err := chromedp.Call(b.tab, profiler.Start, cdp.Empty{}); err != nil {
		return false, fmt.Errorf("starting the profiler: %w", err)
	}
	return true, nil
}

// profileInterval is the profiler's sampling period in µs.
const profileInterval = 100

// writeProfile writes a profile in the .cpuprofile form DevTools opens.
func writeProfile(path string, p *profiler.Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("writing the profile: %w", err)
	}
	return nil
}

// jsFunction is one function's self time in a CPU profile.
type jsFunction struct {
	name string // function name, file and line
	self time.Duration
}

// selfByFunction sums each function's self time (the time between a
// sample and the next, credited to the sample's top frame) and returns the
// functions by decreasing self time, and the span of the profile. The
// profiler's own entries ("(idle)", "(program)", "(garbage collector)")
// are kept: GC and engine work are part of what a page costs.
func selfByFunction(p *profiler.Profile) ([]jsFunction, time.Duration) {
	names := make(map[int64]string, len(p.Nodes))
	for _, n := range p.Nodes {
		f := n.CallFrame
		name := f.FunctionName
		if name == "" {
			name = "(anonymous)"
		}
		if f.URL != "" {
			file := f.URL
			if i := strings.LastIndexByte(file, '/'); i >= 0 {
				file = file[i+1:]
			}
			name = fmt.Sprintf("%s %s:%d", name, file, f.LineNumber+1)
		}
		names[n.ID] = name
	}
	self := map[string]time.Duration{}
	for i, id := range p.Samples {
		// timeDeltas[i] is the time from sample i-1 to sample i: credit
		// the interval after a sample to it.
		if i+1 < len(p.TimeDeltas) {
			self[names[id]] += time.Duration(p.TimeDeltas[i+1]) * time.Microsecond
		}
	}
	out := make([]jsFunction, 0, len(self))
	for name, d := range self {
		out = append(out, jsFunction{name, d})
	}
	slices.SortFunc(out, func(a, b jsFunction) int {
		if c := cmp.Compare(b.self, a.self); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	span := time.Duration(p.EndTime-p.StartTime) * time.Microsecond
	return out, span
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
