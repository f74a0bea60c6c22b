package stream

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawClient speaks WebSocket byte by byte, so that a test can send what no
// well-behaved client would: it writes frames it builds itself and reads
// the server's frames as they come.
type rawClient struct {
	conn net.Conn
	br   *bufio.Reader
}

// WebSocket opcodes (RFC 6455 §5.2), for the frames tests build.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// dialRaw opens a WebSocket to the test server at srvURL (http://…) with
// path and query, by hand.
func dialRaw(t testing.TB, srvURL, pathQuery string) *rawClient {
	t.Helper()
	c, err := tryDialRaw(srvURL, pathQuery)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.conn.Close() })
	return c
}

func tryDialRaw(srvURL, pathQuery string) (*rawClient, error) {
	u, err := url.Parse(srvURL)
	if err != nil {
		return nil, err
	}
	network, addr := "tcp", u.Host
	if u.Scheme == "unix" {
		// unix:///path/to/socket: the Host header says "dashboard".
		network, addr, u.Host = "unix", u.Path, "dashboard"
	}
	conn, err := net.DialTimeout(network, addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 16)
	rand.Read(key)
	req := "GET " + pathQuery + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key) + "\r\n\r\n"
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("handshake: %s", resp.Status)
	}
	conn.SetDeadline(time.Time{})
	return &rawClient{conn: conn, br: br}, nil
}

// frame builds a client frame: masked (unless unmasked), with the given
// first byte flags and a declared length that may differ from the payload.
type frame struct {
	fin      bool
	rsv      byte // bits 0x70
	op       byte
	payload  []byte
	length   *uint64 // declared length; nil: len(payload)
	unmasked bool
}

func (f frame) bytes() []byte {
	b0 := f.rsv | f.op
	if f.fin {
		b0 |= 0x80
	}
	n := uint64(len(f.payload))
	if f.length != nil {
		n = *f.length
	}
	var mbit byte = 0x80
	if f.unmasked {
		mbit = 0
	}
	out := []byte{b0}
	switch {
	case n < 126:
		out = append(out, mbit|byte(n))
	case n <= 0xffff:
		out = append(out, mbit|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, mbit|127)
		out = binary.BigEndian.AppendUint64(out, n)
	}
	if f.unmasked {
		return append(out, f.payload...)
	}
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	out = append(out, mask[:]...)
	for i, c := range f.payload {
		out = append(out, c^mask[i&3])
	}
	return out
}

func text(s string) frame { return frame{fin: true, op: opText, payload: []byte(s)} }

func closeWith(code uint16, reason string) frame {
	return frame{fin: true, op: opClose, payload: append(binary.BigEndian.AppendUint16(nil, code), reason...)}
}

// send writes frames, each in one write.
func (c *rawClient) send(t testing.TB, fs ...frame) {
	t.Helper()
	for _, f := range fs {
		if _, err := c.conn.Write(f.bytes()); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
}

// serverFrame is a frame read from the server.
type serverFrame struct {
	fin     bool
	op      byte
	payload []byte
}

// next reads the server's next frame, waiting at most d.
func (c *rawClient) next(d time.Duration) (serverFrame, error) {
	c.conn.SetReadDeadline(time.Now().Add(d))
	defer c.conn.SetReadDeadline(time.Time{})
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		return serverFrame{}, err
	}
	if h[1]&0x80 != 0 {
		return serverFrame{}, fmt.Errorf("server frame is masked")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(c.br, l[:]); err != nil {
			return serverFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(c.br, l[:]); err != nil {
			return serverFrame{}, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	if n > 64<<20 {
		return serverFrame{}, fmt.Errorf("server frame of %d bytes", n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(c.br, p); err != nil {
		return serverFrame{}, err
	}
	return serverFrame{fin: h[0]&0x80 != 0, op: h[0] & 0x0f, payload: p}, nil
}

// closeCode reads until the server's close frame and returns its code
// (1005 for an empty one) and reason; it fails the test when the
// connection ends without one or d passes.
func (c *rawClient) closeCode(t testing.TB, d time.Duration) (int, string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		f, err := c.next(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for a close frame: %v", err)
		}
		if f.op != opClose {
			continue
		}
		if len(f.payload) < 2 {
			return 1005, ""
		}
		return int(binary.BigEndian.Uint16(f.payload)), string(f.payload[2:])
	}
}

// message reads until a data message whose JSON "type" is typ and
// returns it; other messages and control frames are skipped.
func (c *rawClient) message(t testing.TB, typ string, d time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		f, err := c.next(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for a %q message: %v", typ, err)
		}
		if f.op == opClose {
			t.Fatalf("waiting for a %q message: closed with %v", typ, f.payload)
		}
		if f.op == opText && strings.HasPrefix(string(f.payload), `{"type":"`+typ+`"`) {
			return f.payload
		}
	}
}

// pong reads until a pong frame and returns its payload.
func (c *rawClient) pong(t testing.TB, d time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		f, err := c.next(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for a pong: %v", err)
		}
		if f.op == opClose {
			t.Fatalf("waiting for a pong: closed with %v", f.payload)
		}
		if f.op == opPong {
			return f.payload
		}
	}
}
