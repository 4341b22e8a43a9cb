package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"kiosk/tui"
)

// pinFile keeps the staff PIN lockout in DATA/staff-pin.json, so that
// restarting the kiosk does not give five more tries.
type pinFile struct {
	mu   sync.Mutex
	path string
}

func (f *pinFile) Load() tui.PINState {
	f.mu.Lock()
	defer f.mu.Unlock()
	var st tui.PINState
	if b, err := os.ReadFile(f.path); err == nil {
		_ = json.Unmarshal(b, &st) // a damaged file counts as no failures
	}
	return st
}

func (f *pinFile) Save(st tui.PINState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".staff-pin-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.path)
}
