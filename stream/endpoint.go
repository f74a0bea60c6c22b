package stream

import (
	"bufio"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// ServeHTTP is the WebSocket endpoint. It upgrades the request (same
// origin only unless Options.OriginPatterns allow more), queues schema,
// status and the history after ?since=, starts the connection's one
// goroutine, which reads what the browser sends, and returns. Frames are
// written by the broker's writers.
func (b *Broker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	since, err := parseSince(r.URL.Query().Get("since"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	hj := &hijacker{ResponseWriter: w, writeBuffer: connWriteBuffer}
	compression := websocket.CompressionDisabled
	if b.opts.Compress {
		compression = websocket.CompressionNoContextTakeover
		hj.writeBuffer = connWriteBufferCompressed
	}
	conn, err := websocket.Accept(hj, r, &websocket.AcceptOptions{
		OriginPatterns:  b.opts.OriginPatterns,
		CompressionMode: compression,
	})
	if err != nil {
		// Accept has written the status: 403 foreign origin, 426 not an
		// upgrade, 400 bad handshake.
		return
	}
	conn.SetReadLimit(b.opts.ReadLimit)
	// Compression is per connection: the library frames each message.
	prepared := w.Header().Get("Sec-WebSocket-Extensions") == ""
	sock := hj.conn
	s := newSubscriber(b, conn, sock, prepared, func() { sock.SetReadDeadline(aLongTimeAgo) })
	if err := b.subscribe(s, since); err != nil {
		sock.SetDeadline(time.Now().Add(closeHandshakeTimeout))
		conn.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	go b.serve(s) // counted by subscribe
}

// aLongTimeAgo is a read deadline that makes a blocked read return.
var aLongTimeAgo = time.Unix(1, 0)

// subscribe queues the opening messages, schema, status and the history
// after since, and registers s, in one step under the broker's lock, so
// that no frame is missed or sent twice: the ticks before it are in the
// history, those after it come as frames. s's goroutine is counted in the
// broker's WaitGroup.
func (b *Broker) subscribe(s *subscriber, since int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Subscribers already connected get a pending schema first, as the
	// next tick would have sent it.
	b.sendSchemaIfDueLocked()
	b.subsMu.Lock()
	defer b.subsMu.Unlock()
	if b.closed {
		return ErrClosed
	}
	s.enqueue(b.schemaLocked(), 0)
	s.enqueue(b.status, 0)
	s.enqueue(b.historyLocked(since), b.historyIDLocked())
	b.subs[s] = struct{}{}
	b.wg.Add(1)
	return nil
}

// remove takes s out of the broker's subscribers.
func (b *Broker) remove(s *subscriber) {
	b.subsMu.Lock()
	delete(b.subs, s)
	b.subsMu.Unlock()
}

// Buffer sizes of a subscriber's connection once hijacked. net/http hands
// a hijacked connection its 4 KB read and 4 KB write buffers. A dashboard
// socket reads pings of about 40 bytes (larger messages, up to ReadLimit,
// take more reads), and the library writes only control frames through its
// buffer, at most 127 bytes each, since the broker writes its prepared
// frames to the socket itself: buffers of 64 and 128 bytes save about 8 KB
// per browser.
const (
	connReadBuffer  = 64
	connWriteBuffer = 128
	// With permessage-deflate the library writes the data frames too.
	connWriteBufferCompressed = 2048
)

// hijacker wraps the ResponseWriter given to websocket.Accept so that
// Hijack returns the connection wrapped in a sharedConn, which the
// broker's writers share with the library, and with small buffers. It
// keeps every method the library looks for on the writer it wraps.
type hijacker struct {
	http.ResponseWriter
	writeBuffer int
	conn        *sharedConn // set by Hijack
}

// Hijack takes the connection over from net/http. Bytes the client sent
// early and net/http buffered stay in the reader handed on; the library
// reads those first.
func (w *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return conn, brw, err
	}
	// The response so far (the 101) goes out before anything else.
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	w.conn = &sharedConn{Conn: conn}
	r := brw.Reader
	if r.Buffered() == 0 {
		r = bufio.NewReaderSize(w.conn, connReadBuffer)
	}
	return w.conn, bufio.NewReadWriter(r, bufio.NewWriterSize(w.conn, w.writeBuffer)), nil
}

// WriteHeaderNow sends the status line and headers now where the writer
// buffers them until the body (gin's writer does): websocket.Accept calls
// it so that the 101 is written before the connection is hijacked.
func (w *hijacker) WriteHeaderNow() {
	if wh, ok := w.ResponseWriter.(interface{ WriteHeaderNow() }); ok {
		wh.WriteHeaderNow()
	}
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *hijacker) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Subscribers returns the number of connected browsers.
func (b *Broker) Subscribers() int {
	b.subsMu.Lock()
	defer b.subsMu.Unlock()
	return len(b.subs)
}
