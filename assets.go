package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// asset is one embedded file, ready to serve: its bytes, a gzip copy when
// that is smaller, and its content type.
type asset struct {
	body  []byte
	gz    []byte
	ctype string
}

// assets serves the embedded static files under a content hash: the URL
// changes whenever any file changes, so responses are cached for a year.
type assets struct {
	files   map[string]*asset
	version string
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading static assets: %w", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, p := range names {
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("reading static asset %s: %w", p, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(body))
		h.Write(body)
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case "":
			ct = "text/plain; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.files[p] = &asset{body: body, gz: gzipIfSmaller(body, gzip.BestCompression), ctype: ct}
	}
	a.version = hex.EncodeToString(h.Sum(nil))[:12]
	return a, nil
}

func gzipIfSmaller(body []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
	zw.Write(body)
	zw.Close()
	if buf.Len() >= len(body) {
		return nil
	}
	return buf.Bytes()
}

// base is the relative URL prefix of the assets, from the page.
func (a *assets) base() string { return "static/" + a.version + "/" }

// serve answers GET static/{version}/{path}. A request for another version
// (a page from before a restart with other assets) is still served, but
// not cached for long.
func (a *assets) serve(w http.ResponseWriter, r *http.Request, version, name string) {
	f, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Add("Vary", "Accept-Encoding")
	if version == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	etag := `"` + a.version + `"`
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		body = f.gz
		h.Set("Content-Encoding", "gzip")
		etag = `"` + a.version + `-gz"`
	}
	h.Set("ETag", etag)
	// The ETag is the validator; a zero time leaves Last-Modified out,
	// 46 bytes on each of the page's thirty-odd responses.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(params), "=")
		if ok && strings.TrimSpace(k) == "q" {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
		return true
	}
	return false
}
