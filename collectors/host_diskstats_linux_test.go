//go:build linux

package collectors

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shirou/gopsutil/v3/disk"
)

// TestDiskstatsReaderAgreesWithGopsutil: our reader and gopsutil's, read
// one after the other, see the same devices and counters (ours first, so
// gopsutil's may only be higher).
func TestDiskstatsReaderAgreesWithGopsutil(t *testing.T) {
	r := newDiskstatsReader()
	for round := range 2 { // the second round reuses the map
		ours, err := r.read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := disk.IOCounters()
		if err != nil {
			t.Fatal(err)
		}
		if len(ours) == 0 || len(ours) != len(theirs) {
			t.Fatalf("round %d: %d devices, gopsutil %d", round, len(ours), len(theirs))
		}
		for name, o := range ours {
			g, ok := theirs[name]
			if !ok || o.Name != name {
				t.Fatalf("device %q (name %q) not in gopsutil's", name, o.Name)
			}
			pairs := [][2]uint64{
				{o.ReadCount, g.ReadCount}, {o.MergedReadCount, g.MergedReadCount}, {o.ReadBytes, g.ReadBytes}, {o.ReadTime, g.ReadTime},
				{o.WriteCount, g.WriteCount}, {o.MergedWriteCount, g.MergedWriteCount}, {o.WriteBytes, g.WriteBytes}, {o.WriteTime, g.WriteTime},
				{o.IoTime, g.IoTime}, {o.WeightedIO, g.WeightedIO},
			}
			for i, p := range pairs {
				if p[0] > p[1] || p[1]-p[0] > 1<<30 {
					t.Errorf("%s counter %d: ours %d, gopsutil %d", name, i, p[0], p[1])
				}
			}
		}
	}
}

func TestDiskstatsReaderParses(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOST_PROC", dir)
	data := "   8       0 sda 100 2 3000 40 500 6 7000 80 1 90 120 0 0 0 0 5 6\n" +
		"   7       0 loop0 1 0 8 0 0 0 0 0 0 4 0\n" +
		"   7       1 loop1 0 0 0 0 0 0 0 0 0 0 0\n" +
		"short line\n"
	if err := os.WriteFile(filepath.Join(dir, "diskstats"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := newDiskstatsReader().read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := disk.IOCountersStat{Name: "sda", ReadCount: 100, MergedReadCount: 2, ReadBytes: 3000 * 512, ReadTime: 40,
		WriteCount: 500, MergedWriteCount: 6, WriteBytes: 7000 * 512, WriteTime: 80, IopsInProgress: 1, IoTime: 90, WeightedIO: 120}
	if len(got) != 2 || got["sda"] != want || got["loop0"].IoTime != 4 || got["loop1"].Name != "" {
		t.Fatalf("got %+v", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "diskstats"), []byte("8 0 sda 1 2 x 4 5 6 7 8 9 10 11\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := newDiskstatsReader().read(context.Background()); err == nil {
		t.Fatal("a bad counter was accepted")
	}
}
