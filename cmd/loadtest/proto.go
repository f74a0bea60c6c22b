package main

import "bytes"

// protocol is what the load tool needs to know about a server's messages.
type protocol struct {
	// frame is the prefix of the message a server sends every tick.
	frame []byte
	// tick reads a frame's key, the same in every client's copy of one
	// tick's frame and different from tick to tick.
	tick func(frame []byte) (int64, bool)
	// sent reads the server's time for a frame, in unix ms, for latency.
	sent func(frame []byte) (int64, bool)
	// ping tells the clients to ping (every -ping), as the server's page does.
	ping bool
	// opening is how many messages the server sends on connect, before
	// its first frame; churn mode reads them and disconnects.
	opening int
	// latencyFrom says where the latency is measured from.
	latencyFrom string
}

// livedashProto is Livedash's protocol (the stream package doc): schema,
// status and history on connect, then one frame per tick with its tick
// time "ts" and send time "t", in unix ms. The page pings with the last
// frame's ts.
var livedashProto = &protocol{
	frame:       []byte(`{"type":"frame"`),
	tick:        func(msg []byte) (int64, bool) { return field(msg, tsKey) },
	sent:        func(msg []byte) (int64, bool) { return field(msg, tKey) },
	ping:        true,
	opening:     3,
	latencyFrom: `the frame's send time "t"`,
}

// statsvizProto is the protocol of github.com/arl/statsviz (v0.8): on
// connect {"event":"config","data":{...}}, then every interval
//
//	{"event":"metrics","data":{"series":{...},"timestamp":<unix ms>}}
//
// where timestamp is when the runtime metrics were read, just before the
// message is encoded and sent. Its page never writes to the socket (and the
// server never reads from it), so the clients do not ping.
var statsvizProto = &protocol{
	frame:       []byte(`{"event":"metrics"`),
	tick:        func(msg []byte) (int64, bool) { return lastField(msg, timestampKey) },
	sent:        func(msg []byte) (int64, bool) { return lastField(msg, timestampKey) },
	opening:     1,
	latencyFrom: `the frame's "timestamp" (statsviz: metrics read, before encoding)`,
}

var timestampKey = []byte(`"timestamp":`)

// lastField reads the integer after the last occurrence of key in msg:
// statsviz's timestamp comes after the series, whose names are free.
func lastField(msg, key []byte) (int64, bool) {
	i := bytes.LastIndex(msg, key)
	if i < 0 {
		return 0, false
	}
	return field(msg[i:], key)
}
