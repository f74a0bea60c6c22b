package static

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryModuleEmbedded checks that every module in js/ but the unit
// tests is in FS, so that a module added to the client is served.
func TestEveryModuleEmbedded(t *testing.T) {
	files, err := filepath.Glob("js/*.js")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".test.js") {
			if _, err := fs.Stat(FS, f); err == nil {
				t.Errorf("%s is a unit test, but it is embedded", f)
			}
			continue
		}
		n++
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fs.ReadFile(FS, f)
		if err != nil {
			t.Errorf("%s is not embedded: add it to the go:embed lines of embed.go", f)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s: embedded copy differs", f)
		}
	}
	if n == 0 {
		t.Fatal("no module found in js/")
	}
}
