package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/chromedp/chromedp"
)

// The interaction phase: what a user waits for after typing in the filter,
// switching the time window and toggling the theme. Each action is done
// by a snippet in the page, as the control's own event would do it, and
// timed by the page's clock from just before the action to the next frame
// (an animation frame, then a task after it, i.e. once that frame's
// style, layout and paint are done).

// interactJS does one action and resolves with its time in ms. kind is
// "filter" (one character typed into an empty filter, or the filter
// cleared, in turn), "window" (the shortest and the longest window, in
// turn) or "theme" (the theme toggle).
const interactJS = `(async (kind, round) => {
  const next = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  await next();
  const t0 = performance.now();
  if (kind === 'filter') {
    const f = document.getElementById('filter');
    f.value = round %% 2 === 0 ? 'c' : '';
    f.dispatchEvent(new Event('input', { bubbles: true }));
  } else if (kind === 'window') {
    const bs = [...document.querySelectorAll('#windows button')];
    (round %% 2 === 0 ? bs[0] : bs[bs.length - 1]).click();
  } else {
    document.getElementById('theme').click();
  }
  await next();
  return performance.now() - t0;
})(%q, %d)`

// interactKinds are the actions timed, in the order of a round.
var interactKinds = []string{"filter", "window", "theme"}

// interactResult holds each action's times, ms.
type interactResult struct {
	times map[string][]float64
}

// interact does -interact rounds of every action, 300 ms apart. An even
// number of rounds leaves the page as it was (filter empty, the longest
// window, the theme it had).
func (b *bench) interact() (*interactResult, error) {
	r := &interactResult{times: map[string][]float64{}}
	for round := range b.cfg.interact {
		for _, kind := range interactKinds {
			ms, err := chromedp.Run(b.tab, chromedp.Evaluate[float64](fmt.Sprintf(interactJS, kind, round), chromedp.EvalAwaitPromise))
			if err != nil {
				return nil, fmt.Errorf("%s, round %d: %w", kind, round, err)
			}
			r.times[kind] = append(r.times[kind], ms)
			if err := sleep(b.tab, 300*time.Millisecond); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// stats returns the median and the largest time of kind.
func (r *interactResult) stats(kind string) (median, maxMs float64, n int) {
	t := slices.Clone(r.times[kind])
	if len(t) == 0 {
		return 0, 0, 0
	}
	slices.Sort(t)
	return quantile(t, 0.5), t[len(t)-1], len(t)
}
