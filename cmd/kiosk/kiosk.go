package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

	"kiosk/render"
	"kiosk/tui"
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
	m := tui.New(tui.Deps{
		Pack:     pack,
		Config:   a.cfg,
		Idle:     a.idle,
		Renderer: render.New(render.Options{Style: a.cfg.Kiosk.Style}),
		Sanitize: render.Sanitize,
		Log:      logger.Printf,
	})
	p := tea.NewProgram(m, tea.WithFilter(lockdown))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("kiosk screen: %w", err)
	}
	return nil
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
