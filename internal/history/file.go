package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime"
)

// The file format, version 1. Integers are unsigned varints unless said.
//
//	magic      8 bytes  "\x89LDHIST\n"
//	version    4 bytes  little-endian
//	length     8 bytes  little-endian: bytes of payload
//	payload:
//	  last     signed varint: unix ms of the last Append; has-last byte (0, 1)
//	  tiers    count; per tier: step (ms), span (slots)
//	  series   count; per series: id length, id bytes
//	  per tier:
//	    start  signed varint: first slot held
//	    blocks count; per block: slots, then per column (series × 1 or 3)
//	           its length in bytes, then the columns end to end (codec.go)
//	    filling byte (coarse tiers only); when 1, per series: count, and
//	           when the count is not 0, min, max and sum as 8-byte floats
//	crc        4 bytes  little-endian: CRC-32C of all the bytes before it
//
// Blocks are contiguous from start, of at most a quarter of the span each
// (the writer uses a sixteenth); the open block is saved as a short one.
const (
	fileMagic   = "\x89LDHIST\n"
	fileVersion = 1
	headerLen   = len(fileMagic) + 4 + 8
	maxIDLen    = 4096
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	errForeign   = errors.New("not a history file")
	errOlder     = errors.New("history file of an older format")
	errNewer     = errors.New("history file of a newer format")
	errTruncated = errors.New("history file is truncated")
	errChecksum  = errors.New("history file is corrupt: checksum mismatch")
	errCorrupt   = errors.New("history file is corrupt")
)

// AppendBinary appends the whole store in the file format to b. It copies
// the encoded blocks as they are, so it is quick (a few milliseconds for
// 170 series) and can run under the caller's lock, leaving the write to
// WriteFile outside it. Series loaded from a file that were not added
// again are kept while they still have values.
func (s *Store) AppendBinary(b []byte) ([]byte, error) {
	// Columns to save, in file order.
	var keep []int
	for c := range s.ids {
		if s.owned[c] || s.hasValues(c) {
			keep = append(keep, c)
		}
	}
	start := len(b)
	b = append(b, fileMagic...)
	b = binary.LittleEndian.AppendUint32(b, fileVersion)
	b = binary.LittleEndian.AppendUint64(b, 0) // length, below
	body := len(b)
	b = binary.AppendVarint(b, s.last)
	b = append(b, boolByte(s.has))
	b = binary.AppendUvarint(b, uint64(len(s.t)))
	for _, t := range s.t {
		b = binary.AppendUvarint(b, uint64(t.step))
		b = binary.AppendUvarint(b, uint64(t.span))
	}
	b = binary.AppendUvarint(b, uint64(len(keep)))
	for _, c := range keep {
		b = binary.AppendUvarint(b, uint64(len(s.ids[c])))
		b = append(b, s.ids[c]...)
	}
	for _, t := range s.t {
		b = binary.AppendVarint(b, t.start)
		nb := len(t.blocks)
		if t.n > 0 {
			nb++
		}
		b = binary.AppendUvarint(b, uint64(nb))
		for i := range t.blocks {
			blk := &t.blocks[i]
			b = appendBlock(b, t, keep, blk.n, blk.column)
		}
		if t.n > 0 {
			b = appendBlock(b, t, keep, t.n, func(c int) []byte {
				if t.cols[c].on {
					return t.cols[c].w.buf
				}
				return nil
			})
		}
		if t.width > 1 {
			b = append(b, boolByte(t.filling))
			if t.filling {
				for _, c := range keep {
					a := t.acc[c]
					b = binary.AppendUvarint(b, uint64(a.n))
					if a.n > 0 {
						b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.min))
						b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.max))
						b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.sum))
					}
				}
			}
		}
	}
	binary.LittleEndian.PutUint64(b[body-8:], uint64(len(b)-body))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli)), nil
}

func appendBlock(b []byte, t *tier, keep []int, n int, column func(int) []byte) []byte {
	b = binary.AppendUvarint(b, uint64(n))
	for _, c := range keep {
		for k := range t.width {
			b = binary.AppendUvarint(b, uint64(len(column(c*t.width+k))))
		}
	}
	for _, c := range keep {
		for k := range t.width {
			b = append(b, column(c*t.width+k)...)
		}
	}
	return b
}

// hasValues tells whether column c holds a value in some tier.
func (s *Store) hasValues(c int) bool {
	for _, t := range s.t {
		for k := range t.width {
			col := c*t.width + k
			if t.cols[col].on {
				return true
			}
			for i := range t.blocks {
				if len(t.blocks[i].column(col)) > 0 {
					return true
				}
			}
		}
		if t.filling && t.acc[c].n > 0 {
			return true
		}
	}
	return false
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// Unmarshal returns the store saved in data, configured by opts. Tiers
// are matched by their step (the raw tier only with the raw tier): a tier
// of the file that opts do not have is dropped, one of opts that the file
// does not have starts empty, and a span that changed keeps what fits.
// The series of the file wait for AddSeries with their id.
//
// On any problem with data (foreign, older or newer format, truncated,
// corrupt) it returns an empty store and an error saying which; it never
// panics. It returns a nil store only when opts are invalid.
func Unmarshal(data []byte, opts Options) (*Store, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	if err := s.unmarshal(data); err != nil {
		s, _ = New(opts)
		return s, err
	}
	return s, nil
}

func (s *Store) unmarshal(data []byte) error {
	if len(data) < len(fileMagic) || string(data[:len(fileMagic)]) != fileMagic {
		return errForeign
	}
	if len(data) < headerLen {
		return fmt.Errorf("%w: %d bytes", errTruncated, len(data))
	}
	switch v := binary.LittleEndian.Uint32(data[len(fileMagic):]); {
	case v < fileVersion:
		return fmt.Errorf("%w (version %d, this program reads %d)", errOlder, v, fileVersion)
	case v > fileVersion:
		return fmt.Errorf("%w (version %d, this program reads %d)", errNewer, v, fileVersion)
	}
	n := binary.LittleEndian.Uint64(data[headerLen-8:])
	if have := uint64(len(data) - headerLen); have < 4 || n > have-4 {
		return fmt.Errorf("%w: %d of %d bytes", errTruncated, len(data), uint64(headerLen)+n+4)
	} else if n < have-4 {
		return fmt.Errorf("%w: %d bytes after the end", errCorrupt, have-4-n)
	}
	end := len(data) - 4
	if crc32.Checksum(data[:end], castagnoli) != binary.LittleEndian.Uint32(data[end:]) {
		return errChecksum
	}
	if err := s.decodePayload(&reader{b: data[headerLen:end]}); err != nil {
		return fmt.Errorf("%w: %w", errCorrupt, err)
	}
	return nil
}

func (s *Store) decodePayload(r *reader) error {
	s.last = r.varint()
	s.has = r.byte() == 1
	nt := r.count(maxTiers, 2)
	type fileTier struct{ step, span int64 }
	ft := make([]fileTier, nt)
	for i := range ft {
		ft[i] = fileTier{int64(r.uvarint()), int64(r.uvarint())}
		if r.err == nil && (ft[i].step <= 0 || ft[i].span <= 0 || ft[i].span > maxSlots || (i > 0 && ft[i].step <= ft[i-1].step)) {
			return fmt.Errorf("tier %d: step %d ms, span %d", i, ft[i].step, ft[i].span)
		}
	}
	ns := r.count(len(r.b), 1)
	for range ns {
		id := string(r.bytes(r.count(maxIDLen, 1)))
		if r.err != nil {
			return r.err
		}
		if _, dup := s.byID[id]; dup || id == "" {
			return fmt.Errorf("series id %q empty or twice", id)
		}
		s.newColumn(id)
	}
	if r.err != nil {
		return r.err
	}
	if s.has {
		s.lastSlot = floorDiv(s.last, s.t[0].step)
	}
	for i, f := range ft {
		target := -1
		for j, t := range s.t {
			if t.step == f.step && (i == 0) == (j == 0) {
				target = j
			}
		}
		into := newTier(Tier{Step: s.tiers[0].Step, Span: s.tiers[0].Step}, i == 0) // a scratch tier for a dropped one
		if target >= 0 {
			into = s.t[target]
		}
		into.grow(ns)
		if err := readTier(r, into, ns, int(f.span)); err != nil {
			return fmt.Errorf("tier %d: %w", i, err)
		}
	}
	if len(r.b) > 0 {
		return fmt.Errorf("%d bytes after the last tier", len(r.b))
	}
	return r.err
}

// readTier reads one tier's blocks and bucket into t, dropping the oldest
// blocks that t's span does not need. The file's tier kept span slots.
func readTier(r *reader, t *tier, ns, span int) error {
	t.start = r.varint()
	nb := r.count(len(r.b), 1)
	var vals []float64
	held := 0
	for range nb {
		n := r.count(max(1, (span+3)/4), 0)
		if held += n; held > 2*span+1 {
			return fmt.Errorf("%d slots in a tier of %d", held, span)
		}
		b := block{n: n, ends: make([]uint32, ns*t.width)}
		size := 0
		for c := range b.ends {
			size += r.count(len(r.b), 0)
			if r.err == nil && size > len(r.b) {
				return errShort
			}
			b.ends[c] = uint32(size)
		}
		b.data = bytes.Clone(r.bytes(size))
		if r.err != nil {
			return r.err
		}
		if n == 0 {
			return errors.New("empty block")
		}
		for c := range b.ends {
			col := b.column(c)
			if len(col) == 0 {
				continue // all gaps
			}
			if n > 8*len(col) { // a value takes a bit at least
				return fmt.Errorf("block of %d slots, column %d: %w", n, c, errShort)
			}
			if cap(vals) < n {
				vals = make([]float64, n)
			}
			if err := decodeColumn(col, vals[:n]); err != nil {
				return fmt.Errorf("block of %d slots, column %d: %w", n, c, err)
			}
		}
		t.blocks = append(t.blocks, b)
		t.held += n
	}
	if t.width > 1 {
		if t.filling = r.byte() == 1; t.filling {
			for c := range ns {
				a := &t.acc[c]
				a.n = int64(r.count(math.MaxInt32, 0))
				if a.n > 0 {
					a.min = math.Float64frombits(r.u64())
					a.max = math.Float64frombits(r.u64())
					a.sum = math.Float64frombits(r.u64())
				}
			}
		}
	}
	for len(t.blocks) > 0 && t.held-t.blocks[0].n >= t.span {
		t.held -= t.blocks[0].n
		t.start += int64(t.blocks[0].n)
		t.blocks = t.blocks[1:]
	}
	return r.err
}

// reader decodes the payload; its first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errShort
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) u64() uint64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if n > len(r.b) {
		r.fail()
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// count reads a count of at most limit things of at least size bytes each
// in what is left: a corrupt count fails here rather than in make.
func (r *reader) count(limit, size int) int {
	v := r.uvarint()
	if r.err != nil {
		return 0
	}
	if v > uint64(limit) || (size > 0 && v > uint64(len(r.b)/size+1)) {
		if r.err == nil {
			r.err = fmt.Errorf("count %d out of range", v)
		}
		r.b = nil
		return 0
	}
	return int(v)
}

// Load reads the store saved at path (see Unmarshal). A missing file gives
// an error for which errors.Is(err, fs.ErrNotExist) holds, and an empty
// store.
func Load(path string, opts Options) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		s, nerr := New(opts)
		if nerr != nil {
			return nil, nerr
		}
		return s, fmt.Errorf("loading history: %w", err)
	}
	s, err := Unmarshal(data, opts)
	if err != nil && s != nil {
		return s, fmt.Errorf("loading history from %s: %w", path, err)
	}
	return s, err
}

// Save writes the store to path atomically (see WriteFile).
func (s *Store) Save(path string) error {
	data, err := s.AppendBinary(nil)
	if err != nil {
		return err
	}
	return WriteFile(path, data)
}

// WriteFile replaces the file at path with data atomically: it writes
// path+".tmp", syncs it, renames it over path and syncs the directory, so
// that after a crash at any point path holds either its old or its new
// content. One process at a time may write a given path.
func WriteFile(path string, data []byte) (err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("saving history: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("saving history: %w", err)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable. Windows cannot sync a directory
// (and its renames are durable once done).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
