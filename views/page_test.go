package views

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func render(t *testing.T, d PageData) string {
	t.Helper()
	var b bytes.Buffer
	if err := Page(d).Render(context.Background(), &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

func testData() PageData {
	return PageData{
		Title:     "Livedash",
		AssetBase: "static/3f9a1c2b/",
		Config:    ClientConfig{Title: "Livedash", WSPath: "ws", Interval: 1000},
	}
}

func TestPageAssetsAreRelative(t *testing.T) {
	t.Parallel()
	html := render(t, testData())

	if !strings.HasPrefix(strings.ToLower(html), "<!doctype html>") {
		t.Errorf("page does not start with a doctype: %.40q", html)
	}
	for _, want := range []string{
		`<html lang="en">`,
		`<meta charset="utf-8">`,
		`<title>Livedash</title>`,
		`<link rel="stylesheet" href="static/3f9a1c2b/vendor/uplot/uPlot.min.css">`,
		`<link rel="stylesheet" href="static/3f9a1c2b/css/app.css">`,
		`<script src="static/3f9a1c2b/vendor/uplot/uPlot.iife.min.js" defer></script>`,
		`<script type="module" src="static/3f9a1c2b/js/app.js"></script>`,
		`id="status"`,
		`id="errors"`,
		`id="charts"`,
		`<noscript>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// No URL may be absolute: the page is served under any prefix.
	for _, m := range regexp.MustCompile(`(?:href|src)="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		if u := m[1]; strings.HasPrefix(u, "/") || strings.Contains(u, "://") {
			t.Errorf("absolute URL %q", u)
		}
	}
}

func TestPageConfigIsJSON(t *testing.T) {
	t.Parallel()
	html := render(t, testData())
	m := regexp.MustCompile(`(?s)<script id="livedash-config" type="application/json"[^>]*>(.*?)</script>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no livedash-config script in\n%s", html)
	}
	var got ClientConfig
	if err := json.Unmarshal([]byte(m[1]), &got); err != nil {
		t.Fatalf("config is not JSON: %v: %s", err, m[1])
	}
	if want := testData().Config; got != want {
		t.Errorf("config = %+v, want %+v", got, want)
	}
}

// A strict CSP (script-src 'self'; style-src 'self') must work: no inline
// executable script, no inline event handler, no style attribute or element.
func TestPageIsCSPClean(t *testing.T) {
	t.Parallel()
	html := render(t, testData())
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(m, ` src="`) && !strings.Contains(m, `type="application/json"`) {
			t.Errorf("inline executable script: %s", m)
		}
	}
	for _, re := range []string{`\son[a-z]+=`, `\sstyle=`, `<style`} {
		if loc := regexp.MustCompile(re).FindStringIndex(html); loc != nil {
			t.Errorf("page has %q at %q", re, html[loc[0]:min(len(html), loc[1]+30)])
		}
	}
}

func TestPageEscapesTitle(t *testing.T) {
	t.Parallel()
	d := testData()
	d.Title = `</title><script>alert(1)</script>`
	d.Config.Title = d.Title
	html := render(t, d)
	if strings.Contains(html, "<script>alert(1)") {
		t.Fatalf("title not escaped:\n%s", html)
	}
	if !strings.Contains(html, `&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;`) {
		t.Errorf("escaped title missing:\n%s", html)
	}
	// Inside the JSON block, "<" must not appear raw either, or
	// "</script>" in a title would end the block.
	m := regexp.MustCompile(`(?s)<script id="livedash-config"[^>]*>(.*?)</script>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no config block")
	}
	if strings.Contains(m[1], "<") {
		t.Errorf("raw < in config JSON: %s", m[1])
	}
	var got ClientConfig
	if err := json.Unmarshal([]byte(m[1]), &got); err != nil || got.Title != d.Title {
		t.Errorf("config title = %q, %v; want %q", got.Title, err, d.Title)
	}
}

func TestPageFacts(t *testing.T) {
	t.Parallel()
	d := testData()
	d.Facts = []Fact{{"host", "web-1"}, {"os", ""}, {"kernel", `<b>6.1</b>`}}
	html := render(t, d)
	for _, want := range []string{
		`<ul class="facts"`,
		`<li title="host web-1" data-fact="host"><span class="fact-label">host</span> <span class="fact-value">web-1</span></li>`,
		`<span class="fact-value">&lt;b&gt;6.1&lt;/b&gt;</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s in\n%s", want, html)
		}
	}
	if strings.Contains(html, `fact-label">os<`) {
		t.Error("a fact with an empty value is shown")
	}
	if html := render(t, testData()); strings.Contains(html, `class="facts"`) {
		t.Error("facts list rendered without facts")
	}
}

// TestPreloadsAreTheStaticImports: the page preloads exactly the modules
// app.js imports statically, directly or not, so that none is fetched a
// level of imports late, and none of those it loads on first use
// (import('./x.js')), which a visit that never uses them must not fetch.
func TestPreloadsAreTheStaticImports(t *testing.T) {
	t.Parallel()
	static := regexp.MustCompile(`(?m)^import\s[^;]*?from\s+'\./([a-z]+\.js)';`)
	dynamic := regexp.MustCompile(`import\('\./([a-z]+\.js)'\)`)
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "static", "js", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := map[string]bool{}
	lazy := map[string]bool{}
	queue := []string{"app.js"}
	for len(queue) > 0 {
		src := read(queue[0])
		queue = queue[1:]
		for _, m := range static.FindAllStringSubmatch(src, -1) {
			if !want[m[1]] {
				want[m[1]] = true
				queue = append(queue, m[1])
			}
		}
		for _, m := range dynamic.FindAllStringSubmatch(src, -1) {
			lazy[m[1]] = true
		}
	}
	if len(want) < 10 || len(lazy) < 3 {
		t.Fatalf("found %d static and %d dynamic imports: the patterns no longer match the modules", len(want), len(lazy))
	}
	html := render(t, testData())
	got := map[string]bool{}
	for _, m := range regexp.MustCompile(`<link rel="modulepreload" href="static/3f9a1c2b/js/([a-z]+\.js)">`).FindAllStringSubmatch(html, -1) {
		got[m[1]] = true
	}
	for m := range want {
		if !got[m] {
			t.Errorf("%s is imported statically but not preloaded: add it to modules in page.templ", m)
		}
	}
	for m := range got {
		if !want[m] {
			t.Errorf("%s is preloaded but app.js does not import it statically", m)
		}
		if lazy[m] && !want[m] {
			t.Errorf("%s is loaded on first use, yet preloaded", m)
		}
	}
}
