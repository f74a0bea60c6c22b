//go:build !linux

package stream

// readiness: elsewhere than Linux the poller reads every socket on each
// round (a read that finds nothing is one system call).
type readiness struct{ added chan struct{} }

func newReadiness() *readiness { return nil }

func (*readiness) watch(*subscriber) bool { return false }
func (*readiness) unwatch(int)            {}
func (*readiness) watching() int          { return 0 }
func (*readiness) ready(dst []*subscriber) ([]*subscriber, error) {
	return dst, nil
}
func (*readiness) close() {}
