package collectors

import "github.com/livedash/dashboard/internal/hook"

// The dashboard's scheduler and app metrics use these helpers; they are
// handed over through internal/hook so that they are not part of this
// package's API.
func init() {
	hook.Builtin = builtin
	hook.NewHistogram = newHistogram
	hook.CollectHistogram = (*Histogram).collect
	hook.HistogramValue = (*Histogram).value
}
