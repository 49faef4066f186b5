// Command measure runs another program as its child, with the same standard
// input, output, error and environment, and when the child exits appends the
// child's CPU time and peak resident set size to a file. It exits as the
// child did.
//
//	measure -o usage.log -- /path/to/terraform-provider-flosum [args...]
//
// Each line it appends reads "<user+system CPU seconds> <peak RSS in bytes>
// <wall seconds>". The figures come from the child's rusage (wait4), so it
// works where GNU time is missing; on Unix only (see usage_*.go).
//
// The benchmark puts a script that execs measure where Terraform looks for
// the provider, so every provider process Terraform starts is measured.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "file to append the child's usage to (required)")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure -o FILE -- PROGRAM [ARGS...]")
		os.Exit(2)
	}

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()

	// Pass signals on to the child and let it decide; measure itself must
	// outlive it to read its usage.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "measure: %v\n", err)
		os.Exit(127)
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(os.Stderr, "measure: %v\n", err)
		os.Exit(127)
	}

	state := cmd.ProcessState
	if cpu, peakRSS, err := usage(state); err != nil {
		fmt.Fprintf(os.Stderr, "measure: %v\n", err)
	} else if err := appendLine(*out, fmt.Sprintf("%.3f %d %.3f\n", cpu.Seconds(), peakRSS, wall.Seconds())); err != nil {
		fmt.Fprintf(os.Stderr, "measure: %v\n", err)
	}
	if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		os.Exit(128 + int(status.Signal()))
	}
	os.Exit(state.ExitCode())
}

func appendLine(name, line string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
