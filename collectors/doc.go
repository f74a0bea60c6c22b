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
//
// Who it is for: most programs import only the dashboard package, and this
// one to write a collector of their own (Collector, CollectorFunc, Desc,
// Label and L, Emit, Kind, the Unit constants, Periodic) or to use an app
// histogram (*Histogram). The rest (Scheduler, Sink, Batch, Sample, App,
// HostInfo, the built-in collectors' constructors) is what the dashboard
// package wires together; it is exported for that package, and gopsutil
// stays behind this package's boundary.
package collectors
