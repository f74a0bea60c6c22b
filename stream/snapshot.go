package stream

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/livedash/dashboard/collectors"
)

// WriteSnapshot writes the schema, each series' latest value in full
// precision and (when withHistory) the whole history ring, as the page
// receives it (four significant digits), as one JSON document. Values of counters are rates per second; "total" holds a
// counter's last total.
func (b *Broker) WriteSnapshot(w io.Writer, withHistory bool) error {
	b.mu.Lock()
	buf := make([]byte, 0, 4096)
	buf = append(buf, `{"time":`...)
	buf = appendInt(buf, time.Now().UnixMilli())
	buf = append(buf, `,"version":`...)
	buf = appendInt(buf, protocolVersion)
	buf = append(buf, `,"interval":`...)
	buf = appendInt(buf, b.opts.Interval.Milliseconds())
	buf = append(buf, `,"historyLen":`...)
	buf = appendInt(buf, int64(b.ring.cap()))
	buf = append(buf, `,"series":[`...)
	for i, s := range b.all {
		if i > 0 {
			buf = append(buf, ',')
		}
		d, err := json.Marshal(describe(s))
		if err != nil {
			b.mu.Unlock()
			return err
		}
		buf = append(buf, d[:len(d)-1]...)
		buf = append(buf, `,"value":`...)
		buf = appendValue(buf, s.cur)
		if s.desc.Kind == collectors.Counter {
			buf = append(buf, `,"total":`...)
			total := math.NaN()
			if s.hasRaw {
				total = s.raw
			}
			buf = appendValue(buf, total)
		}
		buf = append(buf, '}')
	}
	buf = append(buf, `],"errors":`...)
	errs, err := json.Marshal(b.errorsLocked())
	if err != nil {
		b.mu.Unlock()
		return err
	}
	buf = append(buf, errs...)
	if withHistory {
		buf = append(buf, `,"history":{`...)
		buf = appendHistory(buf, b.ring, 0, len(b.all))
		buf = append(buf, '}')
	}
	buf = append(buf, '}', '\n')
	b.mu.Unlock()
	_, err = w.Write(buf)
	return err
}
