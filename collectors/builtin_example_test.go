package collectors_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/livedash/dashboard/collectors"
)

// The built-in collectors, run once by hand; the dashboard normally runs
// each on its own interval.
func ExampleHost() {
	cs := collectors.Host(collectors.HostOptions{
		NetworkInterfaces:  []string{"eth0"},
		FilesystemInterval: time.Minute,
	})
	p, err := collectors.Process()
	if err != nil {
		log.Fatal(err)
	}
	cs = append(cs, p, collectors.Runtime())

	for _, c := range cs {
		err := c.Collect(context.Background(), func(d collectors.Desc, v float64) {
			fmt.Printf("%s %g\n", d.ID(), v)
		})
		if err != nil {
			log.Printf("%s: %v", c.Name(), err)
		}
	}
}
