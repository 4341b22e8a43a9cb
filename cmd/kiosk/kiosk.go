package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"kiosk/content"
	"kiosk/index"
	"kiosk/index/hanconv"
	"kiosk/internal/termtext"
	"kiosk/release"
	"kiosk/render"
	"kiosk/tui"
	"kiosk/visits"
)

// runKiosk starts the full-screen kiosk on the live content.
func runKiosk(a *app) error {
	// First of all, before the visit store closes "unfinished" visits that
	// may be another kiosk's visit in progress.
	lock, err := lockDataDir(a.dataDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	lc, err := loadContent(a)
	if err != nil {
		return err
	}
	// The search index opens after the first frame (~40 ms less before
	// the kiosk shows), or is built then on a new data folder: the kiosk
	// says so in its own frame, in Chinese, and offers search when ready.
	watch := &contentWatch{lc: lc}
	staffLog, err := openStaffLog(a)
	if err != nil {
		return err
	}
	defer staffLog.Close()
	logger := log.New(staffLog, "", log.LstdFlags)
	deps := tui.Deps{Content: tui.Content{Pack: lc.Pack, Version: lc.Version}, Options: tui.Options{
		ContentInfo: watch.info,
		Config:      a.cfg,
		Idle:        a.idle,
		Renderer:    render.New(render.Options{Style: a.cfg.Kiosk.Style}),
		Sanitize:    render.Sanitize,
		Log:         logger.Printf,
		PINGuard:    &pinFile{path: filepath.Join(a.dataDir, "staff-pin.json")},
	}}
	// 繁體: the converter's dictionaries take ~0.1 s to load; load them in
	// the background so the first frame does not wait.
	s2t := sync.OnceValue(hanconv.S2T)
	time.AfterFunc(time.Second, func() { s2t() })
	deps.ToTraditional = func(s string) string { return s2t().Convert(s) }
	// Visits: a kiosk whose visit store cannot be opened still serves
	// citizens; the problem is logged and shown to staff on screen.
	var warning string
	tracker, store, closeVisits, err := openVisits(a)
	if err != nil {
		logger.Printf("visits are not counted: %v", err)
		warning = "访客记录不可用,请联系工作人员"
	} else {
		defer closeVisits()
		stopUploader, hubInfo := startUploader(a, store, watch, logger)
		defer stopUploader() // before the store closes
		deps.HubInfo = hubInfo
		deps.Visits = tracker
		deps.Summary = func() (visits.Summary, error) {
			return store.Summary(context.Background(), a.cfg.Point.ID, time.Now())
		}
	}
	if lc.Store != nil {
		// Hot reload: a version installed by `kiosk content load` while the
		// kiosk runs is picked up on the attract screen.
		// While the kiosk screen shows, warnings go to the staff log: a
		// write to the terminal would tear the screen.
		quiet := *a
		quiet.stderr = staffLog
		deps.Reload = func() (tui.Content, bool) {
			next, ok := watch.newer(&quiet)
			if !ok {
				return tui.Content{}, false
			}
			logger.Printf("content: switching to version %s", next.Version)
			return openContent(&quiet, next, nil), true
		}
	}
	m := tui.New(deps)
	defer m.Close()
	if warning != "" {
		m.Warn(warning)
	}
	p := tea.NewProgram(m, tea.WithFilter(lockdown))
	quiet := *a
	quiet.stderr = staffLog // nothing may be written over the kiosk screen
	go func() {
		progress := func(done, total int) { p.Send(tui.SearchProgress(done, total)) }
		p.Send(tui.SearchReady(openContent(&quiet, lc, progress)))
	}()
	done := make(chan struct{})
	defer close(done)
	if err := startWatchdog(p, done); err != nil {
		logger.Printf("systemd watchdog: %v", err)
	}
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("自助终端画面出错 (kiosk screen): %w", err)
	}
	return nil
}

// openVisits opens DATA/visits.db (closing visits a crash left open) and
// returns the session's tracker and a function that ends an open visit and
// closes the store.
func openVisits(a *app) (*visits.Tracker, *visits.Store, func(), error) {
	store, err := visits.Open(filepath.Join(a.dataDir, "visits.db"))
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := visits.NewTracker(store, a.cfg.Point, visits.TrackerOptions{Idle: a.cfg.Kiosk.IdleTimeout(a.idle)})
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return t, store, func() {
		t.Close()
		store.Close()
	}, nil
}

// contentWatch holds the content the kiosk shows, shared by the hot-reload
// poll (a background command) and the staff panel (the Update loop).
type contentWatch struct {
	mu sync.Mutex
	lc kioskContent
	// stamp is DATA/release/state.json's when lc was read while it shows
	// an older version than the live one.
	stamp string
}

// newer loads the content to show if staff installed or rolled back to
// another version since, or if the live version was kept off the screen
// (not signed, when signatures are required) and the release state
// changed since: a signed install switches the live version first and
// records its release just after, and a poll in between must not leave
// the screen on the older version for good.
func (l *contentWatch) newer(a *app) (kioskContent, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	stamp := releaseStamp(a.dataDir)
	if !l.lc.Changed() && (l.lc.Version == l.lc.Live || stamp == l.stamp) {
		return kioskContent{}, false
	}
	next, err := loadContent(a)
	l.stamp = stamp
	if err != nil || (next.Live == l.lc.Live && next.Version == l.lc.Version) {
		return kioskContent{}, false
	}
	l.lc = next
	return next, true
}

// releaseStamp names the state of DATA/release/state.json (its time and
// size), "" when there is none.
func releaseStamp(dataDir string) string {
	fi, err := os.Stat(filepath.Join(dataDir, release.StateDir, "state.json"))
	if err != nil {
		return ""
	}
	return fmt.Sprint(fi.ModTime().UnixNano(), fi.Size())
}

func (l *contentWatch) info() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return contentInfo(l.lc.Store, l.lc.Pack, l.lc.Version)
}

// openContent opens the search index of the live content, building it when
// it is missing or stale (the embedded default pack's index is built on the
// first start), reporting progress (nil: none). Without an index the kiosk
// runs without search.
func openContent(a *app, lc kioskContent, progress func(done, total int)) tui.Content {
	c := tui.Content{Pack: lc.Pack, Version: lc.Version}
	ix, _, err := index.OpenFor(lc.IndexDir, lc.Pack, progress)
	if err != nil {
		fmt.Fprintf(a.stderr, "kiosk: 警告: 搜索不可用 (search unavailable): %s\n", termtext.Line(err.Error()))
		return c
	}
	c.Search = ix
	c.Close = func() { ix.Close() }
	return c
}

// contentInfo describes the live content for the staff panel.
func contentInfo(store *content.Store, p *content.Pack, version string) string {
	s := p.Manifest.Title + " 版本 " + p.Manifest.Version
	if version == content.NoVersion || store == nil {
		return s + "(内置默认内容)"
	}
	if v, err := store.Version(version); err == nil {
		s += fmt.Sprintf("(%s 载入,来自 %s)", v.LoadedAt.Local().Format("2006-01-02 15:04"), v.Source)
	}
	return s
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
		return nil, fmt.Errorf("无法创建数据文件夹 (cannot create the data folder) %s: %w", a.dataDir, err)
	}
	f, err := os.OpenFile(filepath.Join(a.dataDir, "staff.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("无法打开工作人员日志 (cannot open the staff log): %w", err)
	}
	return f, nil
}
