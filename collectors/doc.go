// Package collectors is for writing a collector of your own: a source of
// metrics that the dashboard samples beside its built-in ones. Most
// programs import only the dashboard package, and this one besides to
// pass a collector of their own (Options.Collectors,
// Dashboard.AddCollector), to set HostOptions, or to hold the *Histogram
// that Dashboard.Histogram returns.
//
// It holds Livedash's data model (Desc, Label and L, Kind, the Unit
// constants), the Collector interface that every source of metrics
// implements (with CollectorFunc, Emit and Periodic), and the built-in
// host, process, Go runtime, Prometheus gatherer and expvar collectors,
// which the dashboard adds itself and which can also be run by hand.
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
// handed to the dashboard with d.AddCollector(queueDepth{q}). The
// dashboard runs each collector on its own interval and checks every
// series the first time it appears: Desc.Validate; the labels "quantile"
// and "le" are reserved; a metric name belongs to the first collector that
// emits it, and names starting "host_", "process_" and "go_" to the
// built-in collectors (ErrReserved). A refused series is left out and
// named in the page.
//
// Collectors never import the rest of the project: they describe what they
// measure and hand the numbers on. A collector that implements
// HistogramSource has ./metrics export its histograms whole.
//
// Info and HostInfo, which the dashboard shows in its header, are here
// rather than in the dashboard package because they read the host
// through gopsutil, which stays behind this package's boundary. The
// scheduler that runs the collectors and the app metrics behind
// Dashboard.Gauge, Counter and Histogram are internal to the module.
package collectors
