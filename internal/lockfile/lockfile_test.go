package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Two opens of one file are two open file descriptions: flock(2) makes the
// second wait even in the same process, and closing the first frees it.
func TestOpenExcludes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	a, err := Open(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := Open(p, 200*time.Millisecond); !errors.Is(err, ErrLocked) || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("second open: %v after %v", err, time.Since(start))
	}
	// Released while the second one waits.
	time.AfterFunc(100*time.Millisecond, func() { a.Close() })
	b, err := Open(p, 5*time.Second)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	b.Close()
}

func TestTryLockFolder(t *testing.T) {
	dir := t.TempDir()
	a, _ := os.Open(dir)
	defer a.Close()
	if err := TryLock(a); err != nil {
		t.Fatal(err)
	}
	b, _ := os.Open(dir)
	defer b.Close()
	if err := TryLock(b); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock of the folder: %v", err)
	}
}
