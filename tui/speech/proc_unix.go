//go:build unix

package speech

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup starts the command in a process group of its own, so that
// pause and stop reach every process it starts (a shell wrapper's
// children, an audio player it pipes into).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func suspend(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGSTOP) }

func cont(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGCONT) }

func kill(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	// Kill the leader too should it have left its group.
	_ = p.Kill()
}
