package stream

import (
	"encoding/binary"
	"net"
	"sync"
)

// Prepared frames. Messages leave the broker as complete WebSocket frames,
// built once. A server's frames are not masked, so a message's bytes on
// the wire are the same for every browser: a writer hands the shared frame
// to each socket in one write, with no per-browser framing or copy (the
// technique gorilla/websocket calls a prepared message). coder/websocket
// owns everything else: the handshake, every byte the client sends,
// control frames and the close handshake. A subscriber with
// permessage-deflate goes through the library's Write, since compression
// is per connection.

// maxFrameHeader is the longest header of an unmasked frame.
const maxFrameHeader = 10

// frameText returns payload as one final text frame: header and payload
// in one new slice, shared read-only from then on.
func frameText(payload []byte) []byte {
	n := len(payload)
	f := make([]byte, 0, maxFrameHeader+n)
	f = append(f, 0x81) // FIN, opcode text
	switch {
	case n < 126:
		f = append(f, byte(n))
	case n <= 0xffff:
		f = append(f, 126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}

// payloadOf returns the payload of a frame built by frameText.
func payloadOf(f []byte) []byte {
	switch f[1] & 0x7f {
	case 126:
		return f[4:]
	case 127:
		return f[10:]
	default:
		return f[2:]
	}
}

// sharedConn is a subscriber's connection, written by two parties: the
// WebSocket library (control frames: pong, close) and the broker's
// writers (prepared data frames). Every write is one whole frame and
// holds mu, so frames never interleave. The library writes through a
// bufio.Writer that flushes after each frame; its control frames (at most
// 127 bytes) are far smaller than that buffer and so reach Write in one
// call. With permessage-deflate the library writes data frames too, in
// pieces, and writeFrame is not used.
type sharedConn struct {
	net.Conn

	mu        sync.Mutex
	closeSent bool // the library wrote a close frame: no data may follow
}

// Write is the library's path: it marks the close frame when it passes.
func (c *sharedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p) > 0 && p[0]&0x0f == 0x8 {
		c.closeSent = true
	}
	return c.Conn.Write(p)
}

// writeFrame writes a prepared data frame, unless the close handshake
// has begun.
func (c *sharedConn) writeFrame(f []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		return net.ErrClosed
	}
	_, err := c.Conn.Write(f)
	return err
}
