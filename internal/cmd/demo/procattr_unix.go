//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts cmd in a process group of its own, so that a Ctrl-C
// in the terminal reaches only the demo, which then stops cmd itself.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
