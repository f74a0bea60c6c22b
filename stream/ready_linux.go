//go:build linux

package stream

import (
	"sync"

	"golang.org/x/sys/unix"
)

// readiness tells the poller which sockets hold something to read, so that
// it reads only those: an epoll set of the raw sockets, level-triggered so
// that a socket left unread is reported again. The poller asks it without
// waiting (epoll_wait with a zero timeout) once per round, readGap apart
// while sockets are watched: a thread blocked in epoll_wait would cost
// the runtime a hand-off of its processor and a busy sysmon on every
// wake-up, more than the round's timer does.
type readiness struct {
	epfd int

	mu     sync.Mutex
	subs   map[int32]*subscriber // by descriptor
	closed bool
	evs    []unix.EpollEvent
	added  chan struct{} // signalled when a socket is watched
}

// newReadiness returns a readiness set, or nil when the system refuses
// one (the poller then reads every socket in turn).
func newReadiness() *readiness {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	return &readiness{epfd: epfd, subs: map[int32]*subscriber{}, evs: make([]unix.EpollEvent, 256), added: make(chan struct{}, 1)}
}

// watch adds s's socket to the set. It reports false when it could not.
func (r *readiness) watch(s *subscriber) bool {
	k := s.in.sock
	k.life.RLock()
	defer k.life.RUnlock()
	if k.fd < 0 {
		return true // closed already: nothing to watch
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(k.fd)}
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, k.fd, &ev); err != nil {
		return false
	}
	r.subs[int32(k.fd)] = s
	k.watched.Store(r)
	select {
	case r.added <- struct{}{}:
	default:
	}
	return true
}

// unwatch takes descriptor fd out of the set; the caller holds its socket's
// life lock, before closing fd.
func (r *readiness) unwatch(fd int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.subs[int32(fd)]; ok && !r.closed {
		delete(r.subs, int32(fd))
		unix.EpollCtl(r.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	}
}

// watching reports how many sockets are in the set.
func (r *readiness) watching() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.subs)
}

// ready appends, without waiting, the subscribers whose sockets hold
// something. Only the poller calls it.
func (r *readiness) ready(dst []*subscriber) ([]*subscriber, error) {
	for {
		n, err := unix.EpollWait(r.epfd, r.evs, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return dst, err
		}
		r.mu.Lock()
		for _, ev := range r.evs[:n] {
			if s, ok := r.subs[ev.Fd]; ok {
				dst = append(dst, s)
			}
		}
		r.mu.Unlock()
		if n < len(r.evs) {
			return dst, nil
		}
		// More ready than one call returns: take them too.
	}
}

// close releases the set; the poller has stopped.
func (r *readiness) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	clear(r.subs)
	unix.Close(r.epfd)
}
