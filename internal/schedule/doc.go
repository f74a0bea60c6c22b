// Package schedule runs the dashboard's collectors: each on its own
// interval in its own goroutine, every run's samples handed to a Sink (the
// stream package's broker) as one Batch. It checks each new series a
// collector emits (a valid descriptor, the reserved labels, a metric name
// no other collector owns) and keeps a collector that errors, panics or
// hangs from affecting the others.
//
// It is for the dashboard package, which runs it, and the stream package,
// whose broker is its Sink: a program gets the same through dashboard.New
// and Dashboard.AddCollector, and a collector author needs only package
// collectors.
package schedule
