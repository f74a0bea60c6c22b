package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metricsDash is a dashboard with every built-in collector and app
// metrics of each kind, labelled and not.
func metricsDash(t *testing.T) *Dashboard {
	t.Helper()
	d := newDash(t, Options{})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Gauge("app_queue_depth", "", func() float64 { return 3 }, "queue", "orders"))
	must(d.Gauge("app_queue_depth", "", func() float64 { return 4 }, "queue", "mail"))
	must(d.Counter("app_requests_total", "requests", func() float64 { return 42 }))
	h, err := d.Histogram("app_request_duration_seconds", "seconds", nil, "route", "/x")
	must(err)
	for i := range 100 {
		h.Observe(float64(i) / 100)
	}
	return d
}

// waitFor calls cond until it holds, failing the test after a while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scrape fetches ./metrics in the text format and parses it.
func scrape(t *testing.T, url string) (map[string]*dto.MetricFamily, []byte) {
	t.Helper()
	resp, body := get(t, http.DefaultClient, url)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("content type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	return fams, body
}

// TestMetricsTypes: counters are counters, histograms histograms, no
// gauge carries a quantile label, and names are client_golang's.
func TestMetricsTypes(t *testing.T) {
	t.Parallel()
	d := metricsDash(t)
	srv := httptest.NewServer(d)
	defer srv.Close()
	want := map[string]dto.MetricType{
		"go_goroutines":                   dto.MetricType_GAUGE,
		"go_memstats_sys_bytes":           dto.MetricType_GAUGE,
		"process_resident_memory_bytes":   dto.MetricType_GAUGE,
		"process_cpu_seconds_total":       dto.MetricType_COUNTER,
		"go_gc_cycles_total":              dto.MetricType_COUNTER,
		"go_sched_latencies_seconds":      dto.MetricType_HISTOGRAM,
		"go_gc_heap_allocs_by_size_bytes": dto.MetricType_HISTOGRAM,
		"app_requests_total":              dto.MetricType_COUNTER,
		"app_queue_depth":                 dto.MetricType_GAUGE,
		"app_request_duration_seconds":    dto.MetricType_HISTOGRAM,
		"host_memory_total_bytes":         dto.MetricType_GAUGE,
	}
	// Each collector samples on its own schedule: under a loaded machine
	// (the race detector, shuffled parallel tests) the runtime's first
	// sample can come well after the app's, so wait for every family.
	var fams map[string]*dto.MetricFamily
	waitFor(t, "every collector's series", func() bool {
		fams, _ = scrape(t, srv.URL+"/metrics")
		for name := range want {
			if fams[name] == nil {
				return false
			}
		}
		return true
	})
	for name, want := range want {
		f := fams[name]
		if f == nil {
			t.Errorf("%s missing", name)
			continue
		}
		if f.GetType() != want {
			t.Errorf("%s is a %v, want %v", name, f.GetType(), want)
		}
	}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "quantile" && f.GetType() != dto.MetricType_SUMMARY {
					t.Errorf("%s: a %v with a quantile label", name, f.GetType())
				}
			}
		}
	}
	if n := len(fams["app_queue_depth"].GetMetric()); n != 2 {
		t.Errorf("app_queue_depth has %d series, want one per label set", n)
	}
	h := fams["app_request_duration_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 100 || len(h.GetBucket()) != 12 { // 11 bounds and +Inf
		t.Errorf("app histogram: %d observations in %d buckets", h.GetSampleCount(), len(h.GetBucket()))
	}
	sl := fams["go_sched_latencies_seconds"].GetMetric()[0].GetHistogram()
	if sl.GetSampleCount() == 0 || len(sl.GetBucket()) < 5 || len(sl.GetBucket()) > 20 {
		t.Errorf("scheduler latencies: %d observations in %d buckets", sl.GetSampleCount(), len(sl.GetBucket()))
	}
}

// TestMetricsNegotiation: OpenMetrics when asked, gzip when accepted,
// 404 when turned off.
func TestMetricsNegotiation(t *testing.T) {
	t.Parallel()
	d := metricsDash(t)
	srv := httptest.NewServer(d)
	defer srv.Close()
	resp, body := get(t, http.DefaultClient, srv.URL+"/metrics", "Accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Errorf("OpenMetrics asked, got %q", ct)
	}
	if !bytes.HasSuffix(body, []byte("# EOF\n")) {
		t.Errorf("OpenMetrics body does not end in # EOF")
	}
	resp, body = get(t, http.DefaultClient, srv.URL+"/metrics", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip accepted, got Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Contains(plain, []byte("# TYPE go_goroutines gauge")) {
		t.Errorf("gunzipped body: %v %.200s", err, plain)
	}

	off := newDash(t, Options{DisableMetrics: true, DisableHost: true})
	rec := httptest.NewRecorder()
	off.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "DisableMetrics") {
		t.Errorf("DisableMetrics: %d %q", rec.Code, rec.Body.String())
	}
}

// needTool returns the path of a command, skipping the test without it
// except in CI, which installs it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: .ci/run installs Debian's prometheus package", name)
		}
		t.Skipf("%s not found (Debian package prometheus)", name)
	}
	return p
}

// TestPromtoolCheckMetrics: promtool accepts ./metrics as it is.
func TestPromtoolCheckMetrics(t *testing.T) {
	t.Parallel()
	promtool := needTool(t, "promtool")
	d := metricsDash(t)
	srv := httptest.NewServer(d)
	defer srv.Close()
	var body []byte
	waitFor(t, "the app's and the process's series", func() bool {
		var fams map[string]*dto.MetricFamily
		fams, body = scrape(t, srv.URL+"/metrics")
		return fams["app_queue_depth"] != nil && fams["process_cpu_seconds_total"] != nil && fams["app_requests_total"] != nil
	})
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	t.Logf("promtool check metrics on %d bytes, %d lines: exit %v\n%s", len(body), bytes.Count(body, []byte("\n")), cmd.ProcessState.ExitCode(), out)
	if err != nil {
		t.Fatalf("promtool check metrics: %v", err)
	}
}

// TestPrometheusScrapes starts a real Prometheus server that scrapes the
// dashboard mounted under a prefix, and asks it for up and for a
// histogram it stored.
func TestPrometheusScrapes(t *testing.T) {
	t.Parallel()
	bin := needTool(t, "prometheus")
	d := metricsDash(t)
	mux := http.NewServeMux()
	mux.Handle("/debug/dashboard/", http.StripPrefix("/debug/dashboard", d))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	target := strings.TrimPrefix(srv.URL, "http://")
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"+
		"  - job_name: livedash\n    metrics_path: /debug/dashboard/metrics\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var log bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", log.String())
		}
	}()

	query := func(q string) (string, bool) {
		resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return "", false // not listening yet
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil || len(r.Data.Result) == 0 {
			return "", false
		}
		v, _ := r.Data.Result[0].Value[1].(string)
		return v, true
	}
	var up string
	waitFor(t, "Prometheus to scrape the dashboard", func() bool {
		v, ok := query(`up{job="livedash"}`)
		up = v
		return ok
	})
	if up != "1" {
		t.Fatalf("up = %s, want 1", up)
	}
	samples, _ := query(`scrape_samples_scraped{job="livedash"}`)
	var count string
	waitFor(t, "a stored histogram", func() bool {
		v, ok := query(`sum(app_request_duration_seconds_count)`)
		count = v
		return ok
	})
	t.Logf("Prometheus scraped the dashboard: up = %s, %s samples per scrape, app histogram count %s", up, samples, count)
	if count != "100" {
		t.Errorf("app_request_duration_seconds_count = %s, want 100", count)
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestGathererAndExpvar: the app's registry and its expvar variables are
// charted; ./metrics repeats the expvar ones but not the registry's, which
// the app serves itself.
func TestGathererAndExpvar(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	orders := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shop_orders_total", Help: "Orders."}, []string{"country"})
	reg.MustRegister(orders)
	orders.WithLabelValues("fr").Add(3)
	orders.WithLabelValues("de").Add(5)
	expvar.NewInt("dashboard_test_workers").Set(4)
	d := newDash(t, Options{DisableHost: true, Gatherer: reg, Expvar: true})
	srv := httptest.NewServer(d)
	defer srv.Close()
	var fams map[string]*dto.MetricFamily
	found := map[string]string{}
	waitFor(t, "the Gatherer's and the expvar series", func() bool {
		fams, _ = scrape(t, srv.URL+"/metrics")
		_, body := get(t, http.DefaultClient, srv.URL+"/api/snapshot?history=false")
		var snap struct {
			Series []struct {
				ID    string `json:"id"`
				Group string `json:"group"`
				Kind  string `json:"kind"`
			} `json:"series"`
		}
		if err := json.Unmarshal(body, &snap); err != nil {
			t.Fatal(err)
		}
		for _, s := range snap.Series {
			found[s.ID] = s.Group + " " + s.Kind
		}
		return fams["expvar_dashboard_test_workers"] != nil && found[`shop_orders_total{country="de"}`] != ""
	})
	if fams["shop_orders_total"] != nil {
		t.Error("./metrics repeats the Gatherer's families")
	}
	for id, want := range map[string]string{
		`shop_orders_total{country="fr"}`: "app counter",
		`shop_orders_total{country="de"}`: "app counter",
		"expvar_dashboard_test_workers":   "app gauge",
	} {
		if found[id] != want {
			t.Errorf("%s: %q, want %q", id, found[id], want)
		}
	}
}
