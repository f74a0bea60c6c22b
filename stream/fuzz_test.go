package stream

import (
	"strconv"
	"testing"
)

// FuzzParseClientMessage: any input either parses into a valid message or
// gives an error; never a panic, never an invalid message accepted.
func FuzzParseClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"ping"}`, `{"type":"ping","ts":1700000000000}`, `{"type":"resume","since":0}`,
		`{"type":"resume","since":1700000000000}`, `{"type":"resume"}`, `{"type":"ping","ts":-1}`,
		`{"type":"x"}`, `{}`, `[]`, `null`, `{"type":`, `{"type":"ping","ts":1e400}`, "\xff\xfe",
		`{"type":"resume","since":"1"}`, `{"type":"ping","type":"resume"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseClientMessage(data)
		// The fast path for pings must agree with the decoder.
		if ts, hasTS, ok := parsePing(data); ok {
			if err != nil || m.Type != "ping" || hasTS != (m.TS != nil) || (hasTS && ts != *m.TS) {
				t.Fatalf("parsePing(%q) = %d %v, decoder: %+v %v", data, ts, hasTS, m, err)
			}
		}
		if err != nil {
			return
		}
		switch m.Type {
		case "ping":
			if m.TS != nil && *m.TS < 0 {
				t.Fatalf("negative ts accepted: %q", data)
			}
		case "resume":
			if m.Since == nil || *m.Since < 0 {
				t.Fatalf("resume without valid since accepted: %q", data)
			}
		default:
			t.Fatalf("type %q accepted: %q", m.Type, data)
		}
	})
}

// FuzzParseSince: the since query parameter is a non-negative integer or
// absent; anything else is an error that quotes at most a bounded prefix.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"", "0", "1700000000000", "-1", "1e3", "abc", "９", "99999999999999999999", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := parseSince(q)
		if err != nil {
			if len(err.Error()) > 150 {
				t.Fatalf("error too long for %q: %d bytes", q, len(err.Error()))
			}
			return
		}
		if q == "" {
			return
		}
		if want, perr := strconv.ParseInt(q, 10, 64); perr != nil || want != v || v < 0 {
			t.Fatalf("ParseSince(%q) = %d", q, v)
		}
	})
}
