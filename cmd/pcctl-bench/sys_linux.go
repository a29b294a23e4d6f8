package main

import (
	"os"
	"syscall"
)

// peakRSS is the peak resident set size of an exited process, in bytes (Linux reports
// ru_maxrss in KiB).
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}

// flushDirty writes dirty pages back to disk, so that what one run wrote is not written
// back during the next one's timing.
func flushDirty() { syscall.Sync() }
