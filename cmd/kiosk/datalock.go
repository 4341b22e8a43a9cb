package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kiosk/internal/lockfile"
)

// dataLockFile is the file in the data folder whose flock(2) a running
// kiosk screen holds; it holds the kiosk's process id for the message a
// second kiosk gives.
const dataLockFile = "kiosk.lock"

// lockDataDir makes this process the only kiosk screen on the data folder
// until the returned file is closed (or the process dies: the kernel then
// releases the lock, so a lock file left by a killed kiosk never blocks).
// A second kiosk on the same folder would count the first one's visit in
// progress as ended by a crash ("recovered") and poll the same content;
// it is refused with the first one's process id. Staff commands do not take
// this lock: they run beside the kiosk.
func lockDataDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("无法创建数据文件夹 (cannot create the data folder) %s: %w", dir, err)
	}
	path := filepath.Join(dir, dataLockFile)
	// A kiosk killed a moment ago may not have released the lock yet
	// (its files close as it exits): wait a little before refusing.
	f, err := lockfile.Open(path, time.Second)
	if errors.Is(err, lockfile.ErrLocked) {
		holder := "进程号未知 (PID unknown)"
		if pid := lockHolder(path); pid > 0 {
			holder = fmt.Sprintf("进程号 %d (PID %d)", pid, pid)
		}
		return nil, fmt.Errorf("另一个自助终端正在使用数据文件夹 %s(%s);一个数据文件夹只能运行一个自助终端 (another kiosk is running on this data folder)", dir, holder)
	}
	if err != nil {
		return nil, fmt.Errorf("无法锁定数据文件夹 (cannot lock the data folder) %s: %w", path, err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(pid, 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("无法写入锁文件 (cannot write the lock file) %s: %w", path, err)
	}
	return f, nil
}

// lockHolder reads the process id the lock's holder wrote, 0 when there is
// none yet (the holder has just taken the lock).
func lockHolder(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
