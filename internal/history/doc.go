// Package history keeps the dashboard's history of every series in tiers
// of decreasing resolution, in a few kilobytes per series, and saves it to
// a file that a restarted process loads. It is for the broker in stream/;
// nothing here knows about collectors, frames or sockets.
//
// # Tiers
//
// The first tier is raw: one value per Append (the broker's tick), by
// default every second for 10 minutes. Each later tier keeps buckets of
// its step, by default 10 seconds for 6 hours and 1 minute for 48 hours;
// a bucket holds the min, the max and the mean of the raw values in it
// (the mean to four significant digits, like the wire), so a one-second
// spike still shows in the 48-hour view. Gaps (NaN) stay gaps: a bucket
// without values is NaN in all three; missed ticks (a stopped process)
// become gaps in every tier. Counters are rates before they get here.
//
// # Memory
//
// Values are stored in blocks of a sixteenth of a tier, each series'
// column of a block compressed on its own (codec.go): a decimal delta
// where Gorilla would XOR float64 bits, since the broker's values are
// decimals of four significant digits, in linear or log mode, with an
// adaptive Rice code, and XOR for any other float64, so that every value
// comes back exact. With every tier full, ten minutes of the default
// series recorded on a 2-CPU Linux VM (174 series, played in a loop) take
// 18.6 KB a series, 3.2 MB in all: 0.8 KB in the raw tier, 7.2 KB in the
// 10-second tier and 10.6 KB in the 1-minute tier. Float32 min, max and
// mean would take 63 KB. Synthetic worst cases: Gaussian noise at four
// digits 29 KB, bursty rates spanning decades 37 KB; a constant 6.8 KB.
// BENCHMARKS.md has the figures and how to take them.
//
// # Use
//
// A Store is not safe for concurrent use: the broker calls it under its
// own mutex. Append allocates nothing once the blocks have turned over
// (10 to 20 µs a tick for 174 series).
//
//	h, err := history.Load(path, history.Options{}) // or history.New
//	if err != nil && !errors.Is(err, fs.ErrNotExist) {
//		log.Warn("history not loaded", "err", err) // h is empty and usable
//	}
//	i, _ := h.AddSeries(id)          // when the broker adds a series: i is its index
//	_ = h.Append(tickMs, row)        // once a tick: row[i] is series i, NaN for none
//	                                 // (ErrOutOfOrder: a tick at or before the last one)
//	tier := h.Choose(fromMs, step)   // the page's window picks a tier, or the caller does
//	_ = h.Read(&r, tier, fromMs, toMs) // columns, copied out of the store
//	// ... unlock, then:
//	msg := history.AppendJSON(buf[:0], &r) // {"type":"range",...}
//
// Read copies, so encoding happens outside the lock: for 48 hours of 174
// series, Read takes about 20 ms and AppendJSON about 30 ms (7.7 MB) on a
// free CPU. A coarse tier's last bucket is the one being filled, so a
// message cached per (tier, window) is good until the next Append, or until
// the next bucket if the page can do without the one being filled. The raw
// tier can also serve the "history" message sent on connect: its slots are
// the tick times and its columns the ring's.
//
// # Persistence
//
// Save writes the whole store atomically: AppendBinary (under the lock,
// under a millisecond) then WriteFile (outside it: a temporary file in the
// same directory, fsync, rename, fsync of the directory). Load and
// Unmarshal return an empty store and an error for a missing, truncated,
// corrupt, foreign, older or newer file, never a panic. The file is
// versioned, starts with a magic number and ends with a CRC-32C (the
// format is in file.go). Series are matched by their id when the broker
// adds them again; one that is not added again is never shown and drops
// out of the file once its values have aged out of every tier. A new
// series starts empty, and the time the process was down is a gap.
// Tiers are matched by step, so a changed configuration keeps what it can.
package history
