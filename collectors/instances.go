package collectors

import (
	"cmp"
	"slices"
)

// instances keeps the state of the instances a collector reports (CPU cores,
// disks, interfaces, mounts) from one call to the next: descriptors built
// once, previous counters, filter decisions. It hands them back in natural
// name order ("cpu2" before "cpu10") so series appear in a stable order,
// and forgets an instance as soon as a call no longer sees it, so churning
// names (container interfaces, hot-plugged disks) do not pile up.
//
// A call goes begin, get for every instance seen, then sweep.
type instances[T any] struct {
	byKey  map[string]*instance[T]
	sorted []*instance[T]
	gen    uint64
	dirty  bool
}

// instance is one entry of instances.
type instance[T any] struct {
	key string
	gen uint64 // the call that last saw it
	val T
}

// begin starts a call.
func (s *instances[T]) begin() {
	s.gen++
	if s.byKey == nil {
		s.byKey = make(map[string]*instance[T])
	}
}

// get marks key as seen in this call and returns its state. isNew reports a
// key not seen in the previous call, whose state is the zero T: the caller
// initializes it.
func (s *instances[T]) get(key string) (v *T, isNew bool) {
	in, ok := s.byKey[key]
	if !ok {
		in = &instance[T]{key: key}
		s.byKey[key] = in
		s.sorted = append(s.sorted, in)
		s.dirty = true
	}
	in.gen = s.gen
	return &in.val, !ok
}

// sweep forgets the instances this call did not see and returns the others
// in natural order of their keys. The slice is valid until the next begin.
func (s *instances[T]) sweep() []*instance[T] {
	kept := s.sorted[:0]
	for _, in := range s.sorted {
		if in.gen == s.gen {
			kept = append(kept, in)
		} else {
			delete(s.byKey, in.key)
		}
	}
	clear(s.sorted[len(kept):])
	s.sorted = kept
	if s.dirty {
		slices.SortFunc(s.sorted, func(a, b *instance[T]) int { return naturalCompare(a.key, b.key) })
		s.dirty = false
	}
	return s.sorted
}

// naturalCompare orders strings with runs of digits compared as numbers, so
// "eth2" < "eth10" and "cpu9" < "cpu10".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			ta, tb := trimZeros(na), trimZeros(nb)
			if len(ta) != len(tb) {
				return cmp.Compare(len(ta), len(tb))
			}
			if ta != tb {
				return cmp.Compare(ta, tb)
			}
			if len(na) != len(nb) { // same number, fewer leading zeros first
				return cmp.Compare(len(na), len(nb))
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitRun splits s after its leading run of digits.
func digitRun(s string) (digits, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
