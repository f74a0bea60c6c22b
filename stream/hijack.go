package stream

import (
	"bufio"
	"net"
	"net/http"
)

// Buffer sizes of a subscriber's connection once hijacked. net/http hands
// a hijacked connection its 4 KB read and 4 KB write buffers; a dashboard
// socket reads only pings of a few dozen bytes and writes frames well
// under 2 KB, so smaller buffers save about 6 KB per browser. Larger
// messages (a history) still go out whole: bufio writes past its buffer.
const (
	connReadBuffer  = 256
	connWriteBuffer = 2048
)

// smallBuffers wraps a ResponseWriter so that Hijack returns the
// connection with small buffers. Bytes the client already sent and
// net/http buffered are kept by leaving the original reader in place.
type smallBuffers struct {
	http.ResponseWriter
}

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return conn, brw, err
	}
	if err := brw.Writer.Flush(); err != nil {
		return conn, brw, err
	}
	r := brw.Reader
	if r.Buffered() == 0 {
		r = bufio.NewReaderSize(conn, connReadBuffer)
	}
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, connWriteBuffer)), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }
