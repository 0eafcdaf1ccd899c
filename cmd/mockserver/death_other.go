//go:build !linux

package main

import "os/exec"

// dieWithParent: only Linux lets a child be told of its parent's death.
func dieWithParent(*exec.Cmd) {}
