package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/livedash/dashboard/internal/headless"
)

// findBrowser returns path if it is set, or the first browser in PATH.
func findBrowser(path string) (string, error) {
	if path != "" {
		return exec.LookPath(path)
	}
	if p, ok := headless.Find(); ok {
		return p, nil
	}
	return "", fmt.Errorf("no Chromium or Chrome in PATH (looked for %s): install one, e.g. `apt-get install chromium`, or pass -chromium",
		strings.Join(headless.Names, ", "))
}

// chrome is a headless browser with one tab open on a fresh profile.
type chrome struct {
	ctx     context.Context // the first tab
	version string          // e.g. "Chrome/156.0.8078.79"
	stop    func()
}

// startBrowser starts the browser at path, with exactly the flags the
// browser tests use, and sets the first tab's viewport. parent must have no
// deadline: the browser lives as long as it. stop ends the browser and
// removes its profile.
func startBrowser(parent context.Context, path string, width, height int) (*chrome, error) {
	dir, err := os.MkdirTemp("", "browserbench-profile-")
	if err != nil {
		return nil, err
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, headless.Options(path, dir)...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	c := &chrome{ctx: ctx, stop: func() {
		cancelCtx()
		cancelAlloc() // waits for the browser to exit
		os.RemoveAll(dir)
	}}
	// The first action starts the browser.
	if err := chromedp.Do(ctx); err != nil {
		c.stop()
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	if v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{}); err == nil {
		c.version = v.Product
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// targetID is the DevTools id of the tab of ctx.
func targetID(ctx context.Context) (target.ID, error) {
	c := chromedp.FromContext(ctx)
	if c == nil || c.Target == nil {
		return "", errors.New("no tab")
	}
	return c.Target.TargetID, nil
}

// coverTab opens a second tab in the window of ctx's tab and brings it to
// the front, so that ctx's page becomes hidden as in a browser where the
// user switched tabs. uncover brings ctx's tab back to the front and
// closes the second one.
func coverTab(ctx context.Context) (uncover func() error, err error) {
	first, err := targetID(ctx)
	if err != nil {
		return nil, err
	}
	// A tab of the same window, not a new window: only then does the tab
	// in front hide the others.
	tab, closeTab := chromedp.NewContext(ctx, chromedp.WithNewWindow(false))
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		closeTab()
		return nil, fmt.Errorf("opening a second tab: %w", err)
	}
	id, err := targetID(tab)
	if err == nil {
		_, err = chromedp.CallBrowser(ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: id})
	}
	if err != nil {
		closeTab()
		return nil, fmt.Errorf("bringing the second tab to the front: %w", err)
	}
	return func() error {
		_, err := chromedp.CallBrowser(ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: first})
		closeTab()
		return err
	}, nil
}
