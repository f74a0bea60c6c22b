//go:build linux

package stream

import (
	"sync"

	"golang.org/x/sys/unix"
)

// readiness tells the poller which sockets hold something to read, so that
// it reads only those: an epoll set of the raw sockets (level-triggered,
// so that a socket left unread is reported again), plus an eventfd that
// wakes the poller when the broker closes. The poller waits in epoll_wait
// only between rounds at least readGap apart: under a steady flow of pings
// it wakes at most once per gap for a batch of them, and with nothing
// arriving it sleeps.
type readiness struct {
	epfd, wakefd int

	mu     sync.Mutex
	subs   map[int32]*subscriber // by descriptor
	closed bool
	evs    []unix.EpollEvent
}

// newReadiness returns a readiness set, or nil when the system refuses
// one (the poller then reads every socket in turn).
func newReadiness() *readiness {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(wakefd)
		unix.Close(epfd)
		return nil
	}
	return &readiness{epfd: epfd, wakefd: wakefd, subs: map[int32]*subscriber{}, evs: make([]unix.EpollEvent, 256)}
}

// watch adds s's socket to the set. It reports false when it could not,
// and the poller must then read s on every round.
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

// wait blocks until a watched socket holds something or wake is called,
// and appends the subscribers whose sockets hold something; woken reports
// a call to wake. Only the poller calls it.
func (r *readiness) wait(dst []*subscriber) (_ []*subscriber, woken bool) {
	timeout := -1
	for {
		n, err := unix.EpollWait(r.epfd, r.evs, timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return dst, true // the set is gone: treat as closing
		}
		r.mu.Lock()
		for _, ev := range r.evs[:n] {
			if ev.Fd == int32(r.wakefd) {
				woken = true
			} else if s, ok := r.subs[ev.Fd]; ok {
				dst = append(dst, s)
			}
		}
		r.mu.Unlock()
		if n < len(r.evs) || woken {
			return dst, woken
		}
		timeout = 0 // more ready than one call returns: take them too
	}
}

// wake ends a wait under way, and every later one.
func (r *readiness) wake() {
	var one = [8]byte{1}
	unix.Write(r.wakefd, one[:])
}

// close releases the set; the poller has stopped.
func (r *readiness) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	clear(r.subs)
	unix.Close(r.epfd)
	unix.Close(r.wakefd)
}
