//go:build race

package stream

// raceEnabled: the race detector slows every goroutine several times, so
// the tests with thousands of clients in one process use fewer under it
// (the full count runs without it, in the README's test command).
const raceEnabled = true
