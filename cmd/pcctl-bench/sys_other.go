//go:build !linux

package main

import "os"

// peakRSS is unknown outside Linux (ru_maxrss has other units or does not exist); the
// figures are taken and quoted on Linux.
func peakRSS(*os.ProcessState) int64 { return 0 }

func flushDirty() {}

// watchPeak is unknown outside Linux.
func watchPeak(int) func() int64 { return func() int64 { return 0 } }

// vmHWM is unknown outside Linux.
func vmHWM(int) int64 { return 0 }
