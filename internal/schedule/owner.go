package schedule

import "github.com/livedash/dashboard/collectors"

// Registrar is a collector whose series are registered ahead of their
// first sample: the app metrics. Add attaches it, so that each metric
// name it registers is claimed in the scheduler at once and a clash is
// the registration's error rather than a refused series later. Like the
// built-in collectors, a Registrar may use the quantile label. Only this
// module's packages can implement it, as Attach takes an *Owner.
type Registrar interface {
	collectors.Collector
	// Attach is called once, by Add, before the collector's first run,
	// with the Owner that claims names for it. It returns the metric
	// names registered so far, which become the collector's where no
	// other collector has them yet.
	Attach(o *Owner) (registered []string)
}

// Owner claims metric names in a scheduler for one of its collectors.
type Owner struct {
	s    *Scheduler
	name string
}

// Claim gives the metric name to the collector, or returns an error
// wrapping collectors.ErrReserved that says who has it.
func (o *Owner) Claim(name string) error {
	return o.s.claim(o.name, "", name)
}

// hasReservedLabel returns the first reserved label name of d, or "".
func hasReservedLabel(d *collectors.Desc) string {
	for _, l := range d.Labels {
		if l.Name == collectors.LabelQuantile || l.Name == collectors.LabelLe {
			return l.Name
		}
	}
	return ""
}
