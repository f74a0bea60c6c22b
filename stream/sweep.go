package stream

import "time"

// sweep runs once a second from the tick loop: it cuts off subscribers
// whose write is stuck past WriteTimeout and closes those that sent
// nothing for ClientTimeout (half-open connections, pages that stopped).
func (b *Broker) sweep(now time.Time) {
	silentBefore := now.Add(-b.opts.ClientTimeout).UnixNano()
	stuckBefore := now.Add(-b.opts.WriteTimeout).UnixNano()
	var silent, stuck []*subscriber
	b.subsMu.Lock()
	for s := range b.subs {
		if ws := s.writeStart.Load(); ws != 0 && ws < stuckBefore {
			stuck = append(stuck, s)
		} else if s.sse == nil && s.lastRead.Load() < silentBefore {
			// (An event stream's client sends nothing: its writes and
			// heartbeats find it gone.)
			silent = append(silent, s)
		}
	}
	b.subsMu.Unlock()
	for _, s := range stuck {
		s.end(endWriteStuck)
	}
	if len(silent) > 0 {
		r := endSilent(b.opts.ClientTimeout)
		for _, s := range silent {
			s.end(r)
		}
	}
}
