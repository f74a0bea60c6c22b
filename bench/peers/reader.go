package main

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// readerFloor is the other yardstick: the least a server built on
// coder/websocket does when it reads its clients as Livedash does. One
// goroutine per connection reads every client message through the library
// (and discards it); one goroutine writes, once per interval, a frame of
// Livedash's size and shape to every connection through the library's
// Write. No collection, no encoding beyond the timestamps, no queue, no
// timeout. It speaks Livedash's protocol (three opening messages, then
// {"type":"frame","t":…,"ts":…}), so the load tool measures it with
// -proto livedash, pings included.
type readerFloor struct {
	interval time.Duration
	size     int

	mu     sync.Mutex
	conns  map[*websocket.Conn]struct{}
	closed bool

	wg   sync.WaitGroup
	stop chan struct{}
}

func newReaderFloor(interval time.Duration, size int) *readerFloor {
	f := &readerFloor{interval: interval, size: size, conns: map[*websocket.Conn]struct{}{}, stop: make(chan struct{})}
	f.wg.Add(1)
	go f.loop()
	return f
}

var readerOpening = [][]byte{
	[]byte(`{"type":"schema","version":1,"interval":1000,"historyLen":600,"series":[]}`),
	[]byte(`{"type":"status","errors":[]}`),
	[]byte(`{"type":"history","ts":[],"cols":[]}`),
}

func (f *readerFloor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	for _, m := range readerOpening {
		if err := c.Write(r.Context(), websocket.MessageText, m); err != nil {
			c.CloseNow()
			return
		}
	}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		c.CloseNow()
		return
	}
	f.conns[c] = struct{}{}
	f.wg.Add(1)
	f.mu.Unlock()
	go func() {
		defer f.wg.Done()
		defer func() {
			f.mu.Lock()
			delete(f.conns, c)
			f.mu.Unlock()
			c.CloseNow()
		}()
		for {
			_, rd, err := c.Reader(context.Background())
			if err != nil {
				return
			}
			var buf [256]byte
			for {
				if _, err := rd.Read(buf[:]); err != nil {
					break
				}
			}
		}
	}()
}

func (f *readerFloor) loop() {
	defer f.wg.Done()
	const offset = 200 * time.Millisecond
	var conns []*websocket.Conn
	for {
		next := time.Now().Add(-offset).Truncate(f.interval).Add(f.interval + offset)
		select {
		case <-f.stop:
			return
		case <-time.After(time.Until(next)):
		}
		msg := f.frame(next.Add(-offset))
		f.mu.Lock()
		conns = conns[:0]
		for c := range f.conns {
			conns = append(conns, c)
		}
		f.mu.Unlock()
		for _, c := range conns {
			if c.Write(context.Background(), websocket.MessageText, msg) != nil {
				c.CloseNow()
			}
		}
	}
}

// frame builds one tick's frame, padded with values to f.size bytes.
func (f *readerFloor) frame(ts time.Time) []byte {
	var p bytes.Buffer
	p.WriteString(`{"type":"frame","t":` + strconv.FormatInt(time.Now().UnixMilli(), 10) + `,"ts":` + strconv.FormatInt(ts.UnixMilli(), 10) + `,"i":[`)
	n := (f.size - p.Len()) / 12
	for i := range n {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteString(strconv.Itoa(i))
	}
	p.WriteString(`],"v":[`)
	for i := range n {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteString(strconv.Itoa(1000 + i))
	}
	p.WriteString(`]}`)
	return p.Bytes()
}

// Close stops the ticks and closes every connection.
func (f *readerFloor) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.stop)
	for c := range f.conns {
		c.CloseNow()
	}
	f.mu.Unlock()
	f.wg.Wait()
	return nil
}
