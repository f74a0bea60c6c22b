// Package hook hands the module's internal packages the few helpers that
// package collectors keeps unexported, so that its exported API stays what
// a collector author needs: which collectors are its own built-in ones
// (for the scheduler, in internal/schedule) and the making and reading of
// app histograms (for the app metrics, in internal/appmetrics).
//
// Package collectors sets every variable in its init, so they are set
// before any package that imports collectors initializes. A hook whose
// type names the collectors package's types, which this package cannot
// import, is an any; its comment gives the function type it holds, and
// its user asserts that type once, when it initializes.
package hook

var (
	// Builtin reports whether c is one of package collectors' own
	// collectors and, for those that own a metric-name prefix, which
	// ("host_", "process_", "go_"). The scheduler reserves the prefix for
	// them and lets them use the quantile label.
	Builtin func(c any) (prefix string, ok bool)

	// NewHistogram holds a
	// func(d collectors.Desc, upper []float64) *collectors.Histogram:
	// the histogram of the series d, whose descriptor is normalized,
	// with the finite upper bounds upper, ascending and not empty, and
	// a +Inf bucket above them.
	NewHistogram any

	// CollectHistogram holds a
	// func(h *collectors.Histogram, emit collectors.Emit):
	// it emits the percentiles and the maximum of the observations since
	// its previous call, and nothing when there were none. Calls must
	// not overlap.
	CollectHistogram any

	// HistogramValue holds a
	// func(h *collectors.Histogram) collectors.HistogramValue:
	// h's state since it was made, as ./metrics exports it.
	HistogramValue any
)
