package stream

// The wire protocol between the broker and the browser.
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
//      "series":[{"i":0,"id":"host_load1","name":"host_load1","labels":{},
//                 "title":"1 min","help":"…","unit":"","group":"host",
//                 "kind":"gauge","chart":"host_load","chartTitle":"Load average"}]}
//
//     "interval" is the frame interval in ms; "historyLen" the ring length in
//     frames. "unit" is the unit of one value; for kind "counter" the values
//     on the wire are already rates, so the unit is per second. "chart" groups
//     series drawn on one chart, in order of first appearance; "group" is the
//     page section ("host", "process", "go", "app"). "stat": true marks a
//     value that rarely changes (CPU count, a limit, a start time), shown as a
//     figure in its section's summary instead of a chart. Units: "bytes",
//     "seconds", "ratio" (0..1), "count", "timestamp" (unix seconds), "" or
//     any word (e.g. "requests").
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
//  4. "frame": one per broker tick. "ts" is the tick time in unix ms (the x
//     of every value in it), "t" the server's send time in unix ms, and "i"/"v"
//     the series indices and values that changed since the previous tick
//     (null = no value now, a gap). A series not listed keeps its previous
//     value at ts.
//
//     {"type":"frame","t":1732240002003,"ts":1732240002000,"i":[0,3],"v":[0.7,null]}
//
// The client may send small JSON messages (at most ReadLimit bytes):
//
//	{"type":"ping","ts":<ms>}        at least every 5 s, with the "ts" of the
//	                                 last frame received (omitted before the
//	                                 first); a client silent for ClientTimeout,
//	                                 or whose ts lags that far behind, is
//	                                 closed (1008)
//	{"type":"resume","since":<ms>}   the server answers with a "history"
//	                                 message holding only ticks after since
//
// The server reads client messages in batches, not the moment they
// arrive: on Linux within a quarter of a second, elsewhere every few seconds (a
// quarter of ClientTimeout, at most about 3 s); a resume or a close is
// answered within that time.
//
// A client that reconnects passes ?since=<last ts it has> in the socket URL,
// so the first history holds only what it missed. Close codes the server
// uses: 1001 server shutting down, 1003 binary message, 1007 malformed JSON,
// 1008 policy (too slow, silent, unknown message type), 1009 message too big,
// 1013 try again later (the server could not take the socket in).

// ProtocolVersion is the "version" field of the schema message.
const ProtocolVersion = 1
