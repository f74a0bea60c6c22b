package main

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

// netlog records the tab's network events: every HTTP resource with the
// bytes it took on the wire, and the WebSocket's messages. Its listen
// method is a chromedp.Listen callback; the rest may be called from any
// goroutine.
type netlog struct {
	mu        sync.Mutex
	resources []*resource
	byID      map[network.RequestID]*resource
	ws        wsLog
	// Page errors: uncaught exceptions and console.error calls.
	errors []string
}

// resource is one HTTP request of the page.
type resource struct {
	url       string
	typ       network.ResourceType
	status    int64
	encoding  string // Content-Encoding of the response
	start     cdp.MonotonicTime
	finished  bool
	failed    string
	wire      int64 // bytes received, headers included (loadingFinished.encodedDataLength)
	headers   int64 // bytes received when the response headers were in
	body      int64 // body bytes as sent, before content decoding
	decoded   int64 // body bytes after decoding (sum of dataReceived.dataLength)
	fromCache bool
}

// wsLog is what the page's WebSockets did. Payload sizes are those of
// the messages: the server sends them uncompressed, so they are the bytes
// on the wire less 2 to 10 bytes of frame header each.
type wsLog struct {
	sockets      int
	handshakeAt  cdp.MonotonicTime // first socket's handshake request
	openAt       cdp.MonotonicTime // first socket's 101 response
	historyAt    cdp.MonotonicTime // first "history" message
	historyBytes int64
	openingBytes int64 // schema, status and history: everything before the first frame
	recvMsgs     int64
	recvBytes    int64
	sentMsgs     int64
	sentBytes    int64
	frames       int64 // "frame" messages
}

func newNetlog() *netlog {
	return &netlog{byID: map[network.RequestID]*resource{}}
}

func (n *netlog) listen(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if r := n.byID[ev.RequestID]; r != nil && ev.RedirectResponse != nil {
			// A redirect keeps the request id: the same entry goes on
			// with the new URL; the redirect's own bytes are not counted.
			r.url = ev.Request.URL
			return
		}
		r := &resource{url: ev.Request.URL, typ: ev.Type, start: ev.Timestamp}
		n.byID[ev.RequestID] = r
		n.resources = append(n.resources, r)
	case *network.EventResponseReceived:
		if r := n.byID[ev.RequestID]; r != nil && ev.Response != nil {
			r.status = ev.Response.Status
			r.encoding = header(ev.Response.Headers, "Content-Encoding")
			r.headers = int64(ev.Response.EncodedDataLength)
			r.fromCache = ev.Response.FromDiskCache || ev.Response.FromServiceWorker || ev.Response.FromPrefetchCache
			if ev.Type != "" {
				r.typ = ev.Type
			}
		}
	case *network.EventDataReceived:
		if r := n.byID[ev.RequestID]; r != nil {
			r.decoded += ev.DataLength
		}
	case *network.EventLoadingFinished:
		if r := n.byID[ev.RequestID]; r != nil {
			r.finished = true
			r.wire = int64(ev.EncodedDataLength)
			r.body = int64(ev.EncodedBodyLength)
			if r.body == 0 && r.wire > r.headers {
				// encodedBodyLength is not always set: the body is what
				// came after the headers.
				r.body = r.wire - r.headers
			}
		}
	case *network.EventLoadingFailed:
		if r := n.byID[ev.RequestID]; r != nil {
			r.finished = true
			r.failed = ev.ErrorText
		}
	case *network.EventWebSocketWillSendHandshakeRequest:
		n.ws.sockets++
		if n.ws.handshakeAt == 0 {
			n.ws.handshakeAt = ev.Timestamp
		}
	case *network.EventWebSocketHandshakeResponseReceived:
		if n.ws.openAt == 0 {
			n.ws.openAt = ev.Timestamp
		}
	case *network.EventWebSocketFrameReceived:
		if ev.Response == nil {
			return
		}
		size := int64(len(ev.Response.PayloadData))
		n.ws.recvMsgs++
		n.ws.recvBytes += size
		switch msgType(ev.Response.PayloadData) {
		case "frame":
			n.ws.frames++
		case "history":
			if n.ws.historyAt == 0 {
				n.ws.historyAt = ev.Timestamp
				n.ws.historyBytes = size
			}
		}
		if n.ws.frames == 0 {
			n.ws.openingBytes += size
		}
	case *network.EventWebSocketFrameSent:
		if ev.Response != nil {
			n.ws.sentMsgs++
			n.ws.sentBytes += int64(len(ev.Response.PayloadData))
		}
	case *runtime.EventExceptionThrown:
		if d := ev.ExceptionDetails; d != nil {
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			n.errors = append(n.errors, "uncaught exception: "+msg)
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if a != nil {
					parts = append(parts, cmp.Or(a.Description, string(a.Value)))
				}
			}
			n.errors = append(n.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
		}
	}
}

// msgType returns the "type" of a protocol message, which the server
// always writes first: {"type":"frame",…}.
func msgType(payload []byte) string {
	rest, ok := bytes.CutPrefix(payload, []byte(`{"type":"`))
	if !ok {
		return ""
	}
	if i := bytes.IndexByte(rest, '"'); i >= 0 {
		return string(rest[:i])
	}
	return ""
}

// header returns the value of a response header, whatever the case of its
// name.
func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// pageLoad returns a copy of the HTTP resources and whether every one of
// them has finished.
func (n *netlog) pageLoad() ([]resource, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]resource, len(n.resources))
	done := true
	for i, r := range n.resources {
		out[i] = *r
		done = done && r.finished
	}
	return out, done
}

// webSocket returns a copy of the WebSocket record.
func (n *netlog) webSocket() wsLog {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ws
}

// pageErrors returns the page errors seen so far.
func (n *netlog) pageErrors() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.errors...)
}
