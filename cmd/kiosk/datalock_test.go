package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Two opens in one process are two open file descriptions: the second is
// refused with the first one's process id; a lock file left by a process
// that is gone does not block.
func TestDataLockInProcess(t *testing.T) {
	data := t.TempDir()
	f, err := lockDataDir(data)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockDataDir(data)
	if err == nil || !strings.Contains(err.Error(), "进程号 "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), data) {
		t.Fatalf("second lock: %v", err)
	}
	f.Close()
	// A stale file naming a process that no longer holds the lock.
	os.WriteFile(filepath.Join(data, dataLockFile), []byte("999999999\n"), 0o644)
	f, err = lockDataDir(data)
	if err != nil {
		t.Fatalf("a stale lock file blocked: %v", err)
	}
	defer f.Close()
	if b, _ := os.ReadFile(filepath.Join(data, dataLockFile)); string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("lock file holds %q", b)
	}
}

// holdDataLock is the helper process of TestDataLockTwoProcesses: it takes
// the lock, says so and waits to be killed.
func holdDataLock(dir string) {
	if _, err := lockDataDir(dir); err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("locked\n")
	select {}
}

// A kiosk started on a data folder that another live process holds refuses
// to start and names that process; once the holder is killed (SIGKILL: no
// clean-up, the lock file stays) a kiosk can take the folder.
func TestDataLockTwoProcesses(t *testing.T) {
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	holder := exec.Command(os.Args[0], "-test.run=^$")
	holder.Env = append(os.Environ(), "KIOSK_TEST_HOLD_DATA_LOCK="+data)
	out, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("holder: %q", line)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "--data", data)
	msg, err := second.CombinedOutput()
	if second.ProcessState == nil || second.ProcessState.ExitCode() != 1 ||
		!strings.Contains(string(msg), "另一个自助终端正在使用数据文件夹") ||
		!strings.Contains(string(msg), "进程号 "+strconv.Itoa(holder.Process.Pid)) {
		t.Fatalf("second kiosk: %v\n%s", err, msg)
	}

	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()
	f, err := lockDataDir(data)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	f.Close()
}
