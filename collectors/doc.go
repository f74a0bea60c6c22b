// Package collectors holds Livedash's data model (series descriptors and
// samples), the Collector interface that every source of metrics implements,
// the built-in host, process, Go runtime and app collectors, and the
// Scheduler that runs each collector on its own interval.
//
// A custom collector is a type with a Describe-free Collect method:
//
//	type queueDepth struct{ q *Queue }
//
//	func (c queueDepth) Name() string { return "queue" }
//
//	func (c queueDepth) Collect(ctx context.Context, emit collectors.Emit) error {
//		emit(collectors.Desc{Name: "app_queue_depth", Title: "Queue depth", Group: "app"}, float64(c.q.Len()))
//		return nil
//	}
//
// Collectors never import the rest of the project: they describe what they
// measure and hand the numbers on.
package collectors
