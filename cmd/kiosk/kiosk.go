package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

	"kiosk/render"
	"kiosk/tui"
	"kiosk/visits"
)

// runKiosk starts the full-screen kiosk on the live content.
func runKiosk(a *app) error {
	pack, _, err := livePack(a)
	if err != nil {
		return err
	}
	staffLog, err := openStaffLog(a)
	if err != nil {
		return err
	}
	defer staffLog.Close()
	logger := log.New(staffLog, "", log.LstdFlags)
	deps := tui.Deps{
		Pack:     pack,
		Config:   a.cfg,
		Idle:     a.idle,
		Renderer: render.New(render.Options{Style: a.cfg.Kiosk.Style}),
		Sanitize: render.Sanitize,
		Log:      logger.Printf,
	}
	// Visits: a kiosk whose visit store cannot be opened still serves
	// citizens; the problem is logged and shown to staff on screen.
	var warning string
	tracker, closeVisits, err := openVisits(a)
	if err != nil {
		logger.Printf("visits are not counted: %v", err)
		warning = "访客记录不可用,请联系工作人员"
	} else {
		defer closeVisits()
		deps.Visits = tracker
	}
	m := tui.New(deps)
	if warning != "" {
		m.Warn(warning)
	}
	p := tea.NewProgram(m, tea.WithFilter(lockdown))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("kiosk screen: %w", err)
	}
	return nil
}

// openVisits opens DATA/visits.db (closing visits a crash left open) and
// returns the session's tracker and a function that ends an open visit and
// closes the store.
func openVisits(a *app) (*visits.Tracker, func(), error) {
	store, err := visits.Open(filepath.Join(a.dataDir, "visits.db"))
	if err != nil {
		return nil, nil, err
	}
	idle := a.idle
	if idle <= 0 {
		idle = a.cfg.Kiosk.Idle.Duration
	}
	t, err := visits.NewTracker(store, a.cfg.Point, visits.TrackerOptions{Idle: idle})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return t, func() {
		t.Close()
		store.Close()
	}, nil
}

// lockdown drops the messages that would end or suspend the program from
// outside the model (SIGINT when input is not a terminal; suspend). Keys
// such as Ctrl+C are ordinary key presses that the model ignores.
func lockdown(_ tea.Model, msg tea.Msg) tea.Msg {
	switch msg.(type) {
	case tea.InterruptMsg, tea.SuspendMsg:
		return nil
	}
	return msg
}

// openStaffLog opens DATA/staff.log, where PIN attempts and exits are
// recorded for the office.
func openStaffLog(a *app) (*os.File, error) {
	if err := os.MkdirAll(a.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", a.dataDir, err)
	}
	f, err := os.OpenFile(filepath.Join(a.dataDir, "staff.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("staff log: %w", err)
	}
	return f, nil
}
