package history

import (
	"errors"
	"fmt"
	"time"
)

// Tier is one resolution of the history: a value (or a bucket) every Step,
// kept for Span.
type Tier struct {
	// Step is the time between two values. At the first tier it is the
	// interval of Append; at the others it is the width of a bucket.
	Step time.Duration
	// Span is how far back the tier reaches.
	Span time.Duration
}

// slots is the number of values the tier keeps.
func (t Tier) slots() int { return int(t.Span / t.Step) }

// DefaultTiers returns the tiers used when Options.Tiers is empty: every
// second for 10 minutes, 10-second buckets for 6 hours and 1-minute buckets
// for 48 hours.
func DefaultTiers() []Tier {
	return []Tier{
		{Step: time.Second, Span: 10 * time.Minute},
		{Step: 10 * time.Second, Span: 6 * time.Hour},
		{Step: time.Minute, Span: 48 * time.Hour},
	}
}

// Options configure a Store. The zero value means defaults.
type Options struct {
	// Tiers are the resolutions kept, finest first. The first is the raw
	// tier: one value per Append, its Step the interval at which Append
	// is called. Each later one keeps min, max and mean per bucket of its
	// Step. Steps are whole milliseconds and strictly increasing; each
	// Span is at least its Step and at most 2^22 steps. Defaults to
	// DefaultTiers().
	Tiers []Tier
}

// maxTiers and maxSlots bound a configuration (and what a file may claim).
const (
	maxTiers = 8
	maxSlots = 1 << 22
)

var errOptions = errors.New("invalid history options")

func (o *Options) validate() error {
	if len(o.Tiers) == 0 {
		o.Tiers = DefaultTiers()
	}
	if len(o.Tiers) > maxTiers {
		return fmt.Errorf("%w: %d tiers, at most %d", errOptions, len(o.Tiers), maxTiers)
	}
	for i, t := range o.Tiers {
		switch {
		case t.Step < time.Millisecond || t.Step%time.Millisecond != 0:
			return fmt.Errorf("%w: tier %d: step %v is not a whole number of milliseconds", errOptions, i, t.Step)
		case i > 0 && t.Step <= o.Tiers[i-1].Step:
			return fmt.Errorf("%w: tier %d: step %v is not longer than the step before it", errOptions, i, t.Step)
		case t.Span < t.Step:
			return fmt.Errorf("%w: tier %d: span %v is shorter than its step %v", errOptions, i, t.Span, t.Step)
		case t.slots() > maxSlots:
			return fmt.Errorf("%w: tier %d: span %v holds more than %d steps", errOptions, i, t.Span, maxSlots)
		}
	}
	o.Tiers = append([]Tier(nil), o.Tiers...)
	return nil
}
