package collectors

import (
	"expvar"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestGathererCollector(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shop_requests_total", Help: "Requests."}, []string{"code"})
	inFlight := prometheus.NewGauge(prometheus.GaugeOpts{Name: "shop_in_flight", Help: "In flight."})
	users := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "shop_user_sessions", Help: "Per user."}, []string{"user"})
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "shop_latency_seconds", Help: "Latency.", Buckets: []float64{0.1, 0.2, 0.5}})
	sizes := prometheus.NewSummary(prometheus.SummaryOpts{Name: "shop_size_bytes", Help: "Sizes.", Objectives: map[float64]float64{0.5: 0.01}})
	goish := prometheus.NewGauge(prometheus.GaugeOpts{Name: "go_something", Help: "Left out."})
	reg.MustRegister(requests, inFlight, users, latency, sizes, goish)
	requests.WithLabelValues("200").Add(10)
	requests.WithLabelValues("500").Add(1)
	inFlight.Set(3)
	for i := range 25 {
		users.WithLabelValues(strings.Repeat("u", i+1)).Set(1)
	}
	sizes.Observe(100)

	c := Gatherer(reg, GathererOptions{})
	g1, err := gatherErr(t, c)
	if err == nil || !strings.Contains(err.Error(), "shop_user_sessions (20 of 25)") {
		t.Errorf("overflow not reported: %v", err)
	}
	if len(g1.named("shop_user_sessions")) != 20 {
		t.Errorf("%d user series, want the cap of 20", len(g1.named("shop_user_sessions")))
	}
	if d := g1.descs[`shop_requests_total{code="200"}`]; d.Kind != Counter || g1.values[`shop_requests_total{code="200"}`] != 10 {
		t.Errorf("counter: %+v %v", d, g1.values)
	}
	if g1.value(t, "shop_in_flight") != 3 || g1.value(t, `shop_size_bytes{quantile="0.5"}`) != 100 {
		t.Error("gauge or summary quantile wrong")
	}
	if len(g1.named("go_something")) != 0 {
		t.Error("go_ family charted")
	}
	if len(g1.named("shop_latency_seconds")) != 0 {
		t.Error("histogram percentiles before a second look")
	}
	for range 9 {
		latency.Observe(0.05)
	}
	latency.Observe(0.4)
	g2, _ := gatherErr(t, c)
	if p50 := g2.value(t, `shop_latency_seconds{quantile="0.5"}`); p50 <= 0 || p50 > 0.1 {
		t.Errorf("p50 = %v", p50)
	}
	if mx := g2.value(t, `shop_latency_seconds{quantile="1"}`); mx <= 0.2 || mx > 0.5 {
		t.Errorf("max = %v", mx)
	}
	if g2.descs["shop_latency_seconds{quantile=\"0.5\"}"].Unit != UnitSeconds {
		t.Error("unit not guessed from _seconds")
	}
}

func TestExpvarCollector(t *testing.T) {
	t.Parallel()
	n := expvar.NewInt("livedash_test_jobs")
	n.Set(7)
	m := expvar.NewMap("livedash_test.queues")
	m.Add("orders", 3)
	m.AddFloat("mail", 1.5)
	m.Set("name", stringVar("not a number"))
	expvar.Publish("livedash_test_func", expvar.Func(func() any { return map[string]any{"a": 1, "b": "x"} }))
	g := gather(t, Expvar())
	if g.value(t, "expvar_livedash_test_jobs") != 7 {
		t.Error("int")
	}
	if g.value(t, `expvar_livedash_test_queues{key="orders"}`) != 3 || g.value(t, `expvar_livedash_test_queues{key="mail"}`) != 1.5 {
		t.Error("map fields")
	}
	if len(g.named("expvar_livedash_test_queues")) != 2 {
		t.Errorf("map series %v, want the numeric fields only", g.named("expvar_livedash_test_queues"))
	}
	if g.value(t, `expvar_livedash_test_func{key="a"}`) != 1 {
		t.Error("func's object")
	}
	if len(g.named("expvar_memstats")) != 0 || len(g.named("expvar_cmdline")) != 0 {
		t.Error("memstats or cmdline read")
	}
}

type stringVar string

func (s stringVar) String() string { return `"` + string(s) + `"` }
