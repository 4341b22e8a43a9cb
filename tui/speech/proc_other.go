//go:build !unix

package speech

import (
	"os"
	"os/exec"
)

// On systems without process groups and job-control signals, Pause takes
// effect between sentences and Stop kills only the command itself.
func ownGroup(*exec.Cmd) {}

func suspend(*os.Process) {}

func cont(*os.Process) {}

func kill(p *os.Process) { _ = p.Kill() }
