//go:build !linux

package stream

// readiness: elsewhere than Linux the poller reads every socket on each
// round (a read that finds nothing is one system call).
type readiness struct{}

func newReadiness() *readiness { return nil }

func (*readiness) watch(*subscriber) bool { return false }
func (*readiness) unwatch(int)            {}
func (*readiness) wait(dst []*subscriber) ([]*subscriber, bool) {
	return dst, true
}
func (*readiness) wake()  {}
func (*readiness) close() {}
