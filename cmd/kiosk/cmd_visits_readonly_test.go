//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// runUnprivileged runs the kiosk binary as a user whom file permissions
// stop: the current user, or nobody (uid 65534) when the tests run as root
// (as in CI), for whom a 0555 folder is as writable as any other.
func runUnprivileged(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	if os.Geteuid() == 0 {
		if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errOut.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

// readOnlyData is visitsData with the folder made 0555 and visits.db 0444
// (the kiosk has closed it: no -wal or -shm beside it), reachable by the
// unprivileged user.
func readOnlyData(t *testing.T) string {
	t.Helper()
	data, _ := visitsData(t)
	if err := os.Chmod(filepath.Dir(data), 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(data, "visits.db")
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(data, 0o755) })
	return data
}

func dirState(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range ents {
		c, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		b.WriteString(e.Name() + ":" + string(c) + "\n")
	}
	return b.String()
}

// Staff export and look at the figures of a data folder they cannot
// write (a copied or read-only mounted folder, another user's kiosk): the
// commands only read, so they must work, and change nothing.
func TestVisitsOnReadOnlyDataFolder(t *testing.T) {
	data := readOnlyData(t)
	before := dirState(t, data)

	code, out, errOut := runUnprivileged(t, "--data", data, "visits", "summary")
	if code != 0 || !strings.Contains(out, "今天 today:       2\n") {
		t.Errorf("summary: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runUnprivileged(t, "--data", data, "visits", "export", "--year", "2026", "--format", "csv")
	if code != 0 || !strings.Contains(out, "zj-07,张家镇政府查阅点,乡镇政府(街道办事处),2,") {
		t.Errorf("export: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "read-only") {
		t.Errorf("export does not say it read a read-only folder: %q", errOut)
	}
	if after := dirState(t, data); after != before {
		t.Error("the read-only data folder changed")
	}
}
