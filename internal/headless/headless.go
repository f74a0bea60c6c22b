// Package headless finds a Chromium-family browser and starts it the way
// the browser tests and the browser benchmark both need: headless, with no
// sandbox, GPU, first-run, background networking, component updates, sync
// or QUIC, on a fresh profile.
package headless

import (
	"os/exec"

	"github.com/chromedp/chromedp"
)

// Names are the executables Find tries, in order.
var Names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// Find returns the path of the first of Names in PATH.
func Find() (string, bool) {
	for _, name := range Names {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// Options are the allocator options for the browser at path with its
// profile in dir: exactly these flags (chromedp.Headless and DisableGPU
// would add more, such as hide-scrollbars and mute-audio).
func Options(path, dir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(dir),
	}
}
