// Package lockfile takes exclusive flock(2) locks, the one way this program
// makes sure something is done by one process at a time. The kernel
// releases a lock when the process holding it dies, however it dies, so a
// lock file left behind by a killed process never blocks anyone: only a
// live holder does. Do not test for a lock file's existence; take the lock.
package lockfile

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// ErrLocked is returned when another open file holds the lock (another
// process, or another open(2) of the same file in this one).
var ErrLocked = errors.New("已被另一个进程锁定 (locked by another process)")

// TryLock takes an exclusive lock on the open file f (a file or a folder)
// without waiting. The lock lasts until f is closed.
func TryLock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}

// Open opens path for reading and writing, creating it if needed, and
// takes its lock, trying for up to wait (every 50 ms; 0: once). Close the
// file to release the lock; the file itself stays (removing it would let
// two processes lock two different files of the same name).
func Open(path string, wait time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		err = TryLock(f)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, ErrLocked) || !time.Now().Before(deadline) {
			f.Close()
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
