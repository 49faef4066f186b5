//go:build !unix

package main

import (
	"errors"
	"os"
	"time"
)

// usage is not implemented here: the process's rusage has no peak memory.
func usage(*os.ProcessState) (time.Duration, int64, error) {
	return 0, 0, errors.New("measuring a process's CPU time and peak memory is implemented for Unix only")
}
