package main

import (
	"encoding/json"
	"os"
	"sync"

	"kiosk/internal/atomicfile"
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
	return atomicfile.Write(f.path, b, 0o600)
}
