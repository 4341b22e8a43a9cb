package main

import (
	"path/filepath"
	"testing"
	"time"

	"kiosk/tui"
)

func TestPINLockoutSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "staff-pin.json")
	until := time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)
	if err := (&pinFile{path: path}).Save(tui.PINState{Failures: 0, LockedUntil: until}); err != nil {
		t.Fatal(err)
	}
	// A new process reads it back.
	if st := (&pinFile{path: path}).Load(); !st.LockedUntil.Equal(until) {
		t.Fatalf("lockout lost: %+v", st)
	}
	if st := (&pinFile{path: filepath.Join(t.TempDir(), "none.json")}).Load(); st != (tui.PINState{}) {
		t.Fatalf("no file should mean no failures: %+v", st)
	}
}
