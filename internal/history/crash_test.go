package history

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashEnv names the file TestCrashWriter writes, when it runs as the
// child of TestSaveSurvivesSIGKILL.
const crashEnv = "LIVEDASH_HISTORY_CRASH_FILE"

const (
	crashBase   = int64(1_700_000_000_000)
	crashSeries = 24
	crashTicks  = 90 // appended per generation
)

// crashValue is the value of series i at tick k of the writer.
func crashValue(i int, k int64) float64 {
	return RoundSig(float64(i+1)*10+float64(k%97)/7, 4)
}

// crashGeneration returns the generation of the store saved at path: the
// number of saves it went through. It checks every raw value it holds.
func crashGeneration(path string) (int64, error) {
	s, err := Load(path, Options{})
	if err != nil {
		return 0, err
	}
	last, ok := s.Last()
	if !ok {
		return 0, errors.New("loaded a store that never had a value")
	}
	for i := range crashSeries {
		if _, err := s.AddSeries(fmt.Sprint("s", i)); err != nil {
			return 0, err
		}
	}
	var r Range
	if err := s.Read(&r, 0, 0, math.MaxInt64); err != nil {
		return 0, err
	}
	for j, ts := range r.TS {
		k := (ts - crashBase) / 1000
		for i := range crashSeries {
			if got, want := r.Values[i][j], crashValue(i, k); got != want {
				return 0, fmt.Errorf("series %d at tick %d: %v, want %v", i, k, got, want)
			}
		}
	}
	k := (last - crashBase) / 1000
	if k%crashTicks != 0 {
		return 0, fmt.Errorf("last tick %d is not the end of a generation", k)
	}
	return k / crashTicks, nil
}

// TestCrashWriter is the writer TestSaveSurvivesSIGKILL starts and kills:
// it loads the file, reports the generation it found, then appends and
// saves generation after generation, reporting each once saved.
func TestCrashWriter(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the writer process of TestSaveSurvivesSIGKILL")
	}
	gen, err := crashGeneration(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Println("fresh")
	case err != nil:
		fmt.Println("error", strings.ReplaceAll(err.Error(), "\n", " "))
		return
	default:
		fmt.Println("loaded", gen)
	}
	s, err := Load(path, Options{})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for i := range crashSeries {
		if _, err := s.AddSeries(fmt.Sprint("s", i)); err != nil {
			t.Fatal(err)
		}
	}
	row := make([]float64, crashSeries)
	for range 10_000 { // until killed; bounded all the same
		gen++
		for k := (gen - 1) * crashTicks; k < gen*crashTicks; k++ {
			for i := range row {
				row[i] = crashValue(i, k+1)
			}
			if err := s.Append(crashBase+(k+1)*1000, row); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Save(path); err != nil {
			t.Fatal(err)
		}
		fmt.Println("saved", gen)
	}
}

// TestSaveSurvivesSIGKILL kills a process that saves the store over and
// over with SIGKILL, many times, at whatever point of a save it reached;
// each new process must load the last file saved in full (or the one being
// renamed into place when the kill came).
func TestSaveSurvivesSIGKILL(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs SIGKILL and a child process")
	}
	t.Parallel()
	rounds := 16
	if testing.Short() {
		rounds = 4
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "history.bin")
	saved := int64(0) // the last generation reported saved
	interrupted := 0
	for round := range rounds {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1", "-test.v=false")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		start := ""
		if lines.Scan() {
			start = lines.Text()
		}
		switch want := fmt.Sprint("loaded ", saved); {
		case round == 0 && start == "fresh":
		case start == want:
		case start == fmt.Sprint("loaded ", saved+1):
			saved++ // saved in full, killed before it said so
		default:
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("start %d: the writer says %q, want %q (or one more)", round, start, want)
		}
		// Kill it after a few saves, at whatever point it is then.
		for n := 0; n < 1+round%4 && lines.Scan(); n++ {
			saved = parseSaved(t, lines.Text(), saved)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for lines.Scan() { // what it printed before it died
			saved = parseSaved(t, lines.Text(), saved)
		}
		if err := cmd.Wait(); err == nil || ctx.Err() != nil {
			t.Fatalf("start %d: the writer ended by itself (%v) or took too long (%v)", round, err, ctx.Err())
		}
		if _, err := os.Stat(path + ".tmp"); err == nil {
			interrupted++
		}
		gen, err := crashGeneration(path)
		if err != nil || (gen != saved && gen != saved+1) {
			t.Fatalf("after kill %d: generation %d (%v), want %d or %d", round, gen, err, saved, saved+1)
		}
	}
	t.Logf("%d kills, %d of them during a write (a temporary file was left), %d generations saved", rounds, interrupted, saved)
}

func parseSaved(t *testing.T, line string, saved int64) int64 {
	t.Helper()
	g, ok := strings.CutPrefix(line, "saved ")
	n, err := strconv.ParseInt(g, 10, 64)
	if !ok || err != nil || n != saved+1 {
		t.Fatalf("the writer says %q after generation %d", line, saved)
	}
	return n
}
