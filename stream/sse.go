package stream

import (
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Server-Sent Events: the same messages as the WebSocket, for browsers
// behind a proxy or CDN that refuses WebSocket upgrades. Each message is
// one event, "data: <json>", with "id: <tick ms>" on frames and history
// messages, so that the browser's automatic reconnect sends Last-Event-ID
// and gets only what it missed. The client sends nothing: the stream's
// writes (and a comment every heartbeat) find a browser that is gone.
//
// An event-stream subscriber is served by its own request's goroutine,
// which writes and flushes each event (so a compressing middleware does
// not hold the stream back), with a deadline on each write; it has the
// same bounded queue as a WebSocket one, fed by the same broadcast of the
// same encoding.

// heartbeat is the time between two comment lines on an idle stream, so
// that proxies keep it open.
const heartbeat = 15 * time.Second

// sseStream is an event-stream subscriber's wake-up: notify never blocks.
type sseStream struct {
	wake chan struct{}
}

func (e *sseStream) notify() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// ServeEvents is the event-stream endpoint, ./events: schema, status and
// the history after ?since= (or after the Last-Event-ID header on a
// reconnect), then one frame per tick, until the client goes, falls
// behind (QueueLen), stops taking its writes (WriteTimeout) or the broker
// closes. Foreign origins are refused unless Options.OriginPatterns allow
// them, as for the WebSocket.
func (b *Broker) ServeEvents(w http.ResponseWriter, r *http.Request) {
	if err := b.checkOrigin(r); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	q := r.URL.Query().Get("since")
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		q = id
	}
	since, err := parseSince(q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	es := &sseStream{wake: make(chan struct{}, 1)}
	s := newSubscriber(b, nil, nil, false, es.notify)
	s.sse = es
	if err := b.subscribe(s, since); err != nil {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	defer b.wg.Done()
	defer s.end(endPeerGone)
	defer func() {
		if p := recover(); p != nil {
			b.logPanic(p)
		}
	}()
	w.WriteHeader(http.StatusOK)
	// "retry" tells the browser how soon to reconnect.
	if !b.writeEvent(w, rc, []byte("retry: 2000\n\n")) {
		return
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	done := r.Context().Done()
	var buf []byte
	for {
		select {
		case <-done:
			return
		case <-beat.C:
			if !b.writeEvent(w, rc, []byte(": ping\n\n")) {
				return
			}
			continue
		case <-es.wake:
		}
		if s.ending.Load() != nil {
			return
		}
		buf = buf[:0]
		for {
			m, ok := s.next()
			if !ok {
				break
			}
			buf = appendEvent(buf, m)
		}
		if len(buf) > 0 && !b.writeEvent(w, rc, buf) {
			return
		}
		if cap(buf) > 64<<10 {
			buf = nil // a history keeps no memory
		}
	}
}

// appendEvent appends message m as one event.
func appendEvent(buf []byte, m qmsg) []byte {
	if m.id > 0 {
		buf = append(buf, "id: "...)
		buf = strconv.AppendInt(buf, m.id, 10)
		buf = append(buf, '\n')
	}
	buf = append(buf, "data: "...)
	buf = append(buf, payloadOf(m.frame)...) // one line: JSON with no newline
	return append(buf, "\n\n"...)
}

// writeEvent writes and flushes p within WriteTimeout; false means the
// stream is over.
func (b *Broker) writeEvent(w http.ResponseWriter, rc *http.ResponseController, p []byte) bool {
	// Not every writer supports deadlines (then the sweep of a stuck
	// write is left to the server's own WriteTimeout).
	rc.SetWriteDeadline(time.Now().Add(b.opts.WriteTimeout))
	if _, err := w.Write(p); err != nil {
		return false
	}
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return false
	}
	return true
}

// checkOrigin refuses a request from a foreign origin, as
// websocket.Accept does: the Origin's host must be the request's, or match
// one of Options.OriginPatterns. A request without Origin (same-origin
// EventSource, curl) passes.
func (b *Broker) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil {
		return errors.New("invalid Origin header")
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	for _, p := range b.opts.OriginPatterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = origin
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return nil
		}
	}
	return errors.New("origin " + quoteShort(origin, 60) + " is not allowed")
}
