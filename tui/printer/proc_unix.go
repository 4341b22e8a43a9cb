//go:build unix

package printer

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the command in its own process group and makes the
// context's cancellation kill the whole group (a wrapper script's
// children too).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		return cmd.Process.Kill()
	}
}
