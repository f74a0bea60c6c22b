package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// floor is the least any server can do to send one message per tick to
// every client, the yardstick for the other two: it answers the WebSocket
// handshake, sends a statsviz-like config message, and then once per
// interval writes one prepared frame of about the size of Livedash's to
// each socket, with one write(2) per socket from one goroutine: no
// collection, no encoding beyond the timestamp, no locks or timers per
// client, no reading. Sockets are out of the runtime's poller (plain
// non-blocking descriptors); a socket that is full or gone is dropped.
//
// It speaks statsviz's framing, so the load tool measures it with
// -proto statsviz: a config message on connect, then
//
//	{"event":"metrics","data":{"series":{"x":[...]},"timestamp":<unix ms>}}
type floor struct {
	interval time.Duration
	size     int // payload bytes per frame

	mu     sync.Mutex
	socks  []sock
	closed bool

	stop chan struct{}
	done chan struct{}
}

func newFloor(interval time.Duration, size int) *floor {
	f := &floor{interval: interval, size: size, stop: make(chan struct{}), done: make(chan struct{})}
	go f.loop()
	return f
}

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if r.Method != http.MethodGet || !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || key == "" {
		http.Error(w, "WebSocket only", http.StatusBadRequest)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
	brw.Write(textFrame([]byte(`{"event":"config","data":{}}`)))
	if err := brw.Flush(); err != nil {
		conn.Close()
		return
	}
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		conn.Close()
		return
	}
	file, err := tc.File() // a duplicate descriptor, out of the poller
	conn.Close()
	if err != nil {
		return
	}
	fd := file.Fd() // before SetNonblock: Fd sets blocking mode
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		file.Close()
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		file.Close()
		return
	}
	f.socks = append(f.socks, sock{fd, file})
}

// sock is one client's socket: its descriptor, and the file that owns it
// (kept, so that no finalizer closes the descriptor).
type sock struct {
	fd   uintptr
	file *os.File
}

// loop sends one frame per interval, 200 ms past the interval's boundary
// as Livedash does.
func (f *floor) loop() {
	defer close(f.done)
	const offset = 200 * time.Millisecond
	for {
		next := time.Now().Add(-offset).Truncate(f.interval).Add(f.interval + offset)
		select {
		case <-f.stop:
			return
		case <-time.After(time.Until(next)):
		}
		f.send(f.frame(time.Now()))
	}
}

// frame builds one tick's message, padded with values to f.size bytes.
func (f *floor) frame(now time.Time) []byte {
	var p bytes.Buffer
	p.WriteString(`{"event":"metrics","data":{"series":{"x":[`)
	tail := `]},"timestamp":` + strconv.FormatInt(now.UnixMilli(), 10) + `}}`
	for i := 0; p.Len()+len(tail)+6 < f.size; i++ {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteString(strconv.Itoa(1000 + i%9000))
	}
	p.WriteString(tail)
	return textFrame(p.Bytes())
}

// send writes msg to every socket, one write each, and drops the sockets
// that were full or gone.
func (f *floor) send(msg []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.socks[:0]
	for _, s := range f.socks {
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, s.fd, uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)))
		if errno != 0 || int(n) != len(msg) {
			s.file.Close()
			continue
		}
		kept = append(kept, s)
	}
	clear(f.socks[len(kept):])
	f.socks = kept
}

// Close stops the ticks and closes every socket.
func (f *floor) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.stop)
	var errs []error
	for _, s := range f.socks {
		errs = append(errs, s.file.Close())
	}
	f.socks = nil
	f.mu.Unlock()
	<-f.done
	return errors.Join(errs...)
}

// textFrame frames p as one unmasked WebSocket text message.
func textFrame(p []byte) []byte {
	var h []byte
	switch n := len(p); {
	case n < 126:
		h = []byte{0x81, byte(n)}
	case n < 1<<16:
		h = []byte{0x81, 126, byte(n >> 8), byte(n)}
	default:
		panic(fmt.Sprintf("floor: frame of %d bytes", n))
	}
	return append(h, p...)
}
