package collectors

import "sync"

// fileGate keeps the count of open file descriptors from counting the
// files the built-in collectors open for a moment: the host collectors
// hold it for reading while they run (they read /proc files, or the
// system's equivalents, and close them before returning; the filesystem
// collector only while it reads the mount table, as a statfs may hang on
// a network mount), the count holds it for writing.
var fileGate sync.RWMutex
