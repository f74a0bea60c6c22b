package main

import (
	"math"
	"testing"
	"time"
)

// The helpers that need no browser. The command itself is exercised by
// running it: it needs Chromium and takes minutes.

func TestParseFlags(t *testing.T) {
	t.Parallel()
	c, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.url != "" || c.warm != 30*time.Second || c.duration != time.Minute || c.width != 1400 || c.height != 900 {
		t.Errorf("defaults: %+v", c)
	}
	for _, args := range [][]string{
		{"-url", "http://example.com/"},
		{"-url", "http://10.0.0.1:8080/"},
		{"-url", "ftp://127.0.0.1/"},
		{"-url", "http://127.0.0.1:8080/", "-warm", "1m"},
		{"-duration", "0s"},
		{"-duration", "2h"},
		{"-hidden", "-1s"},
		{"-width", "10"},
		{"extra"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	for _, args := range [][]string{
		{"-url", "http://127.0.0.1:8080/"},
		{"-url", "http://localhost:8080/debug/dashboard/"},
		{"-url", "http://[::1]:8080/"},
		{"-warm", "0s", "-fps", "0s", "-hidden", "0s", "-trace", "0s"},
	} {
		if _, err := parseFlags(args); err != nil {
			t.Errorf("parseFlags(%q): %v", args, err)
		}
	}
}

func TestMsgType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"type":"frame","t":1,"ts":2}`: "frame",
		`{"type":"history","ts":[]}`:    "history",
		`{"ts":1,"type":"frame"}`:       "",
		`{"type":"`:                     "",
		``:                              "",
	} {
		if got := msgType([]byte(in)); got != want {
			t.Errorf("msgType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSelfTimes(t *testing.T) {
	t.Parallel()
	// A task of 100 µs holding a function call of 60 µs, which holds a
	// layout of 20 µs; then a lone task of 10 µs.
	self, top := selfTimes([]traceEvent{
		{Name: "Layout", Ph: "X", Ts: 30, Dur: 20},
		{Name: "RunTask", Ph: "X", Ts: 0, Dur: 100},
		{Name: "FunctionCall", Ph: "X", Ts: 10, Dur: 60},
		{Name: "RunTask", Ph: "X", Ts: 200, Dur: 10},
	})
	if top != 110 {
		t.Errorf("top-level time %v, want 110", top)
	}
	for name, want := range map[string]float64{"RunTask": 50, "FunctionCall": 40, "Layout": 20} {
		if a := self[name]; a == nil || math.Abs(a.share-want) > 1e-9 {
			t.Errorf("%s self time %+v, want %v", name, a, want)
		}
	}
	if n := self["RunTask"].count; n != 2 {
		t.Errorf("RunTask count %d, want 2", n)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	s := summarize([]longEntry{{T: 500, D: 60}, {T: 1500, D: 80}, {T: 2500, D: 200}}, 1000, 3000)
	if s.n != 2 || s.max != 200 || s.sum != 280 || len(s.at) != 2 || s.at[0] != 0.5 {
		t.Errorf("summarize: %+v", s)
	}
}

func TestShortURL(t *testing.T) {
	t.Parallel()
	r := &report{target: "http://127.0.0.1:8080/debug/dashboard/"}
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/debug/dashboard/":                          "./",
		"http://127.0.0.1:8080/debug/dashboard/static/3f9a1c2b/js/app.js": "static/…/js/app.js",
		"http://127.0.0.1:9999/other.js":                                  "http://127.0.0.1:9999/other.js",
	} {
		if got := r.shortURL(in); got != want {
			t.Errorf("shortURL(%q) = %q, want %q", in, got, want)
		}
	}
}
