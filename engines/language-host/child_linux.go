package main

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal asks the kernel to kill the child when this host dies, so a SIGKILL to this
// host alone (no chance to run stop) does not leave the v3.68.0 host behind.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
