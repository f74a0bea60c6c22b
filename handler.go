package dashboard

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/livedash/dashboard/views"
)

// contentSecurityPolicy allows only the dashboard's own scripts, styles and
// socket: no inline script, no other origin.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// routes builds the router. Every URL the page uses is relative, so the
// router never needs to know where it is mounted.
func (d *Dashboard) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(d.secure)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "404 page not found: the dashboard serves ./, ./ws, ./static/, ./events, ./api/snapshot, ./api/range and ./metrics", http.StatusNotFound)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		m := r.Method
		if len(m) > 16 {
			m = m[:16] + "…"
		}
		http.Error(w, "405 method not allowed: "+m, http.StatusMethodNotAllowed)
	})
	getHead := func(p string, h http.HandlerFunc) {
		r.Get(p, h)
		r.Head(p, h)
	}
	getHead("/", d.page)
	r.Get("/ws", d.broker.ServeHTTP)
	r.Get("/events", d.broker.ServeEvents)
	getHead("/static/{version}/*", func(w http.ResponseWriter, r *http.Request) {
		d.assets.serve(w, r, chi.URLParam(r, "version"), chi.URLParam(r, "*"))
	})
	getHead("/api/snapshot", d.snapshot)
	getHead("/api/range", d.broker.ServeRange)
	if d.opts.DisableMetrics {
		r.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "404 page not found: ./metrics is turned off (Options.DisableMetrics)", http.StatusNotFound)
		})
	} else {
		m := metricsHandler(newExporter(d.broker, d.histogramSources, func(c string) bool { return c == gathererName }), d.opts.Logger)
		r.Get("/metrics", m.ServeHTTP)
		r.Head("/metrics", m.ServeHTTP)
	}
	return r
}

// secure applies the Authorize hook and the security headers.
func (d *Dashboard) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.opts.Authorize != nil && !d.opts.Authorize(r) {
			http.Error(w, "403 forbidden", http.StatusForbidden)
			return
		}
		h := w.Header()
		if needsPolicy(r.URL.Path) {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// needsPolicy reports whether the response to path needs the
// Content-Security-Policy: a policy applies to documents and workers, not
// to the scripts, styles and images a page loads, so the static assets go
// without it (27 of them: 5 KB less per page load), except the worker.
func needsPolicy(path string) bool {
	return !strings.Contains(path, "/static/") || strings.HasSuffix(path, "worker.js")
}

// page renders the dashboard page. A request for the mount point without
// its trailing slash ("/debug/dashboard") is redirected to it, or the
// page's relative URLs would resolve one level up.
func (d *Dashboard) page(w http.ResponseWriter, r *http.Request) {
	if p := requestPath(r); !strings.HasSuffix(p, "/") {
		target := path.Base(p) + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		// A relative Location, written by hand: http.Redirect would make it
		// absolute from r.URL.Path, which StripPrefix has cut.
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	var buf bytes.Buffer
	err := views.Page(views.PageData{
		Title:     d.opts.Title,
		AssetBase: d.assets.base(),
		Config: views.ClientConfig{
			Title:    d.opts.Title,
			WSPath:   "ws",
			Interval: int(d.opts.Interval.Milliseconds()),
		},
		Facts: d.facts,
	}).Render(r.Context(), &buf)
	if err != nil {
		http.Error(w, "rendering page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	writeMaybeGzip(w, r, buf.Bytes())
}

// requestPath is the path the client asked for, before any StripPrefix.
func requestPath(r *http.Request) string {
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.Path != "" {
		return u.EscapedPath()
	}
	return r.URL.EscapedPath()
}

// snapshot serves the schema, the latest values and, unless
// ?history=false, the history, as JSON.
func (d *Dashboard) snapshot(w http.ResponseWriter, r *http.Request) {
	withHistory := true
	switch v := r.URL.Query().Get("history"); v {
	case "", "1", "true":
	case "0", "false":
		withHistory = false
	default:
		http.Error(w, "400 bad request: history must be true or false", http.StatusBadRequest)
		return
	}
	var buf bytes.Buffer
	if err := d.broker.WriteSnapshot(&buf, withHistory); err != nil {
		http.Error(w, "encoding snapshot: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	writeMaybeGzip(w, r, buf.Bytes())
}

// writeMaybeGzip writes body, gzip-compressed when the client accepts it
// and it is worth it.
func writeMaybeGzip(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Add("Vary", "Accept-Encoding")
	if len(body) > 1024 && acceptsGzip(r) {
		if gz := gzipIfSmaller(body, gzip.BestSpeed); gz != nil {
			w.Header().Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}
