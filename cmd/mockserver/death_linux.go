package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the command receive SIGTERM should mockserver itself be killed (SIGKILL)
// while it runs, rather than live on without its mock.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
