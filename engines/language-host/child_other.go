//go:build !linux

package main

import "os/exec"

// setParentDeathSignal has no portable equivalent off Linux; there the child still stops on the CLI's
// interrupt of the process group, on stop, and on its own health check of the engine.
func setParentDeathSignal(cmd *exec.Cmd) {}
