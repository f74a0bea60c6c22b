package stream

import (
	"bufio"
	"net"
	"net/http"
)

// Buffer sizes of a subscriber's connection once hijacked. net/http hands
// a hijacked connection its 4 KB read and 4 KB write buffers; a dashboard
// socket reads only pings of a few dozen bytes, and the library writes
// only control frames (the broker writes its prepared frames directly),
// so smaller buffers save about 6 KB per browser.
const (
	connReadBuffer  = 256
	connWriteBuffer = 512
	// With permessage-deflate the library writes the data frames too.
	connWriteBufferCompressed = 2048
)

// hijacker wraps a ResponseWriter so that Hijack returns the connection
// with small buffers, wrapped in a sharedConn the broker can write
// prepared frames to. Bytes the client already sent and net/http buffered
// are kept by leaving the original reader in place.
type hijacker struct {
	http.ResponseWriter
	writeBuffer int
	conn        *sharedConn // set by Hijack
	early       []byte      // bytes the client sent before the upgrade completed
}

func (w *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return conn, brw, err
	}
	if err := brw.Writer.Flush(); err != nil {
		return conn, brw, err
	}
	w.conn = &sharedConn{Conn: conn}
	r := brw.Reader
	if n := r.Buffered(); n == 0 {
		r = bufio.NewReaderSize(w.conn, connReadBuffer)
	} else {
		p, _ := r.Peek(n)
		w.early = append([]byte(nil), p...)
	}
	return w.conn, bufio.NewReadWriter(r, bufio.NewWriterSize(w.conn, w.writeBuffer)), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *hijacker) Unwrap() http.ResponseWriter { return w.ResponseWriter }
