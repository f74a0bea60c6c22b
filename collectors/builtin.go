package collectors

// builtin tells whether c is one of this package's collectors and, for
// those that own a name prefix, which: the scheduler reserves it for them
// and lets them use the quantile label for the percentiles they draw of a
// histogram that ./metrics exports whole. (The app metrics, which live
// outside this package, are trusted by the scheduler on their own.)
func builtin(c any) (prefix string, ok bool) {
	switch c.(type) {
	case *cpuCollector, *loadCollector, *memoryCollector, *diskCollector, *filesystemCollector,
		*networkCollector, *protocolsCollector, *uptimeCollector:
		return "host_", true
	case *processCollector:
		return "process_", true
	case *runtimeCollector:
		return "go_", true
	case *gathererCollector, *expvarCollector:
		return "", true
	}
	return "", false
}
