// Package stream is the dashboard's broker: it takes the collectors'
// samples, builds one frame per tick, encodes it once, keeps the history
// and writes the same bytes to every browser over a WebSocket. The
// dashboard package wires it up, with the collectors' scheduler
// (internal to the module) publishing every collector run to the broker;
// most programs never import stream themselves. Its package documentation
// is the wire protocol, for anyone writing a client of their own.
//
//	b := stream.NewBroker(stream.Options{Interval: time.Second})
//	defer b.Close()
//	sched := schedule.NewScheduler(b, schedule.SchedulerOptions{}) // what dashboard.New does
//	http.Handle("/ws", b)
//
// # Wire protocol
//
// Every WebSocket message is one JSON text message with a "type". The server
// sends, in order:
//
//  1. "schema": every series the dashboard knows, each with a stable index "i"
//     for the lifetime of the server process (indices are never reused; a new
//     series gets the next index and a new schema message is sent). The list
//     is in display order (section, then collector, then first appearance),
//     which need not be index order.
//
//     {"type":"schema","version":1,"interval":1000,"historyLen":600,
//     "series":[{"i":0,"id":"host_load1","name":"host_load1","labels":{},
//     "title":"1 min","help":"…","unit":"","group":"host",
//     "kind":"gauge","chart":"host_load","chartTitle":"Load average"}]}
//
//     "interval" is the frame interval in ms; "historyLen" the ring length in
//     frames. "unit" is the unit of one value; for kind "counter" the values
//     on the wire are already rates, so the unit is per second. "chart" groups
//     series drawn on one chart, in order of first appearance; "group" is the
//     page section ("host", "process", "go", "app"). "stat": true marks a
//     value that rarely changes (CPU count, a limit, a start time), shown as a
//     figure in its section's summary instead of a chart. Units: "bytes",
//     "seconds", "ratio" (0..1), "count", "timestamp" (unix seconds), "" or
//     any word (e.g. "requests"). "collector" names the collector that
//     emits the series (the name its errors carry in "status"). "limitOf":
//     "<chart>" marks a limit of that chart (memory total, the file
//     descriptor limit, GOMAXPROCS, GOMEMLIMIT), drawn as a line on it.
//     "heatmap": true marks the buckets of a histogram, one series per
//     bucket named <histogram>_bucket with an "le" label (the bucket's
//     upper bound, as in Prometheus) and kind "counter": on the wire, the
//     rate of observations at most le; their chart is drawn as a heatmap.
//
//  2. "status": the collectors' current errors (empty when all is well),
//     sent after the schema and again whenever the set changes.
//
//     {"type":"status","errors":[{"collector":"disk","error":"…","since":1732240000000}]}
//
//  3. "history": the ring buffer, dense and columnar. "ts" are tick times in
//     unix ms, ascending; "cols" has one entry per series index of the last
//     schema: an array aligned with "ts" (null for a gap) or null when the
//     series has no value in the whole window.
//
//     {"type":"history","ts":[1732240000000,1732240001000],"cols":[[0.5,0.6],null]}
//
//  4. "frame": one per tick. "ts" is the tick time in unix ms (the x of
//     every value in it), "t" the server's send time in unix ms, and "i"/"v"
//     the series indices and values that changed since the previous tick
//     (null = no value now, a gap). A series not listed keeps its previous
//     value at ts.
//
//     {"type":"frame","t":1732240002003,"ts":1732240002000,"i":[0,3],"v":[0.7,null]}
//
// A client sends small JSON text messages, at most Options.ReadLimit bytes
// each (4 KiB by default):
//
//	{"type":"ping","ts":<ms>}       at least every 5 s, with the "ts" of the
//	                                last frame received (omitted before the
//	                                first frame)
//	{"type":"resume","since":<ms>}  the server answers with a "history"
//	                                message holding only the ticks after since
//
// A client must ping: one that sends nothing for Options.ClientTimeout (10 s
// by default), or whose pings report a last frame older than that (it has
// stopped reading), is closed with 1008 and should reconnect. Messages are
// read as they arrive. WebSocket ping frames are answered with pongs but do
// not count as a client's ping.
//
// A client that reconnects passes ?since=<last ts it has> in the socket
// URL, so that its first history holds only what it missed: no tick twice,
// none missing.
//
// # Event stream
//
// Where WebSocket upgrades are refused (some proxies and CDNs), ./events
// serves the same messages as Server-Sent Events: each message is one
// event, "data: <json>", and frames and history messages carry
// "id: <tick time in ms>", so the browser's automatic reconnect sends
// Last-Event-ID and gets only the ticks it missed (?since= works too).
// The client sends nothing; comment lines (": ping") come every 15 s.
//
// # Long history
//
// The schema's "tiers" list the history's resolutions, finest first, in
// ms: [{"step":1000,"span":600000},{"step":10000,"span":21600000},…]. The
// first is the ring the "history" message holds; ./api/range?from=&to=&step=
// (unix ms; step optional) returns any window, from the finest tier that
// reaches back to from with points at least step apart:
//
//	{"type":"range","tier":1,"step":10000,"from":…,"to":…,"ts":[…],
//	 "cols":[{"min":[…],"max":[…],"mean":[…]},null,…]}
//
// with one entry of "cols" per series index: at tier 0 an array of values,
// at a coarse tier the min, max and mean of each bucket ("ts" is the
// bucket's start); null for a gap or a series without values.
//
// Close codes the server sends:
//
//	1000-1014, 3000-4999  the client's own close code, echoed
//	1001  the server is shutting down
//	1002  a protocol error (a malformed, unmasked or oversized control frame,
//	      a reserved opcode or bit, a broken fragment sequence, an invalid
//	      close code)
//	1003  a binary message
//	1007  a text message that is not UTF-8, or not JSON
//	1008  policy: an unknown or invalid message, a client too slow to take its
//	      frames, silent, or lagging behind
//	1009  a message over the read limit
//	1011  an internal error while serving this connection (logged)
package stream

// protocolVersion is the "version" field of the schema message.
const protocolVersion = 1
