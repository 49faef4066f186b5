//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// usage returns the CPU time (user plus system) and the peak resident set
// size, in bytes, of an exited process.
func usage(state *os.ProcessState) (time.Duration, int64, error) {
	rusage, ok := state.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, fmt.Errorf("no rusage for the child (got %T)", state.SysUsage())
	}
	cpu := time.Duration(rusage.Utime.Nano() + rusage.Stime.Nano())
	// Maxrss is an int32 on 32-bit Linux.
	return cpu, int64(rusage.Maxrss) * maxrssUnit, nil //nolint:unconvert // not int64 on every platform
}
