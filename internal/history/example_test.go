package history_test

import (
	"fmt"
	"math"

	"github.com/livedash/dashboard/internal/history"
)

func Example() {
	h, err := history.New(history.Options{}) // the default tiers
	if err != nil {
		panic(err)
	}
	cpu, _ := h.AddSeries(`host_cpu_ratio{mode="user"}`)
	mem, _ := h.AddSeries("process_resident_memory_bytes")
	start := int64(1_700_000_040_000) // unix ms, on a minute
	row := make([]float64, h.Len())
	for s := range int64(120) {
		row[cpu] = 0.25
		if s == 42 {
			row[cpu] = 0.97 // a one-second spike
		}
		row[mem] = 1.2e8
		if s >= 100 {
			row[mem] = math.NaN() // the collector failed
		}
		if err := h.Append(start+s*1000, row); err != nil {
			panic(err)
		}
	}
	var r history.Range
	if err := h.Read(&r, 2, start, start+119_000); err != nil { // the 1-minute tier
		panic(err)
	}
	fmt.Println("minutes:", len(r.TS))
	fmt.Println("cpu max:", r.Max[cpu], "mean:", r.Mean[cpu])
	fmt.Println(string(history.AppendJSON(nil, &r)))
	// Output:
	// minutes: 2
	// cpu max: [0.97 0.25] mean: [0.262 0.25]
	// {"type":"range","tier":2,"step":60000,"from":1700000040000,"to":1700000159000,"ts":[1700000040000,1700000100000],"cols":[{"min":[0.25,0.25],"max":[0.97,0.25],"mean":[0.262,0.25]},{"min":[12e7,12e7],"max":[12e7,12e7],"mean":[12e7,12e7]}]}
}
