// Package tui is the kiosk's terminal interface: a top model that owns the
// session (size, idle timer, visit, lockdown, the stack of screens) and
// hands each key, tap and message to the screen on top (attract, home,
// document, reader, staff PIN …). Screens see an env, never the model.
//
// Everything a session needs arrives in Deps; the package has no mutable
// package-level state, so many sessions (SSH) can run in one process.
package tui

import (
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"kiosk/internal/termtext"
	"kiosk/tui/printer"
	"kiosk/tui/speech"
)

// Model is the top-level Bubble Tea model of one kiosk session.
type Model struct {
	*env  // what the screens share; the model's own state follows
	w, h  int
	stack []screen // empty: the attract screen shows
	idle  time.Duration

	profile colorprofile.Profile // the terminal's, as Bubble Tea detected it

	lastInput time.Time
	idleArmed bool
	idleLeft  time.Duration // > 0 while the idle countdown shows
	frame     string        // the frame laid out at the end of Update; View shows it
	zones     []zone        // the frame's tap targets
	quitting  bool

	preparing *searchProgressMsg // the search index is being built
	pending   *Content           // new content waiting for the end of a visit
	reloading bool
}

// screen is one screen of the kiosk. Its methods get the session's env;
// optional methods (updater, typist, resumer, restyler, textScreen,
// status) add what only some screens need.
type screen interface {
	// crumbs is where the citizen is, for the header.
	crumbs() []string
	// bindings are the screen's key bindings in footer order; the footer
	// (hints and tap targets) is generated from them.
	bindings() []binding
	// do performs an action.
	do(e *env, a action) tea.Cmd
	// number handles the number keys 1–9 (list items).
	number(e *env, n int) tea.Cmd
	// layout lays the screen's body out in exactly h lines of at most w
	// cells (scroll offsets, number-key targets) and draws it, with the
	// tap zones it contains (relative to the body). It runs in Update,
	// never in View.
	layout(e *env, w, h int) (string, []zone)
	// wheel scrolls by delta lines.
	wheel(e *env, delta int)
}

// textScreen is a screen that takes typed text (PIN, search query).
type textScreen interface {
	screen
	// typed receives a key press first; it returns false to let the
	// screen's bindings handle it.
	typed(e *env, msg tea.KeyPressMsg) (bool, tea.Cmd)
}

// staffScreen marks screens used by staff: input there is not a visit.
type staffScreen interface{ staff() }

// zone is a rectangle of the screen that reacts to a tap.
type zone struct {
	x0, y0, x1, y1 int // inclusive-exclusive, screen cells
	tap            func() tea.Cmd
}

func (z zone) contains(x, y int) bool { return x >= z.x0 && x < z.x1 && y >= z.y0 && y < z.y1 }

// New returns a session model on the attract screen.
func New(d Deps) *Model {
	o := d.Options
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sanitize == nil {
		o.Sanitize = termtext.Text // what render.Sanitize is
	}
	e := &env{opts: o, content: d.Content, renderer: o.Renderer, keys: newKeyMap(o.Config.Kiosk.StaffKey)}
	m := &Model{env: e, idle: o.Config.Kiosk.IdleTimeout(o.Idle), w: 80, h: 24}
	e.nav = m
	e.speech = speech.New(speechCommand(o.Config.Kiosk.SpeechCommand))
	// Read-aloud and printing are offered only when their program is
	// there: a control that can only answer 未找到 espeak-ng is a hint
	// that lies. Staff find the reason in the log.
	speak := o.Config.Kiosk.SpeechCommand != "off"
	if err := e.speech.Available(); speak && err != nil {
		speak = false
		m.logf("read-aloud not offered: %v", err)
	}
	m.keys.Speak.SetEnabled(speak)
	print := true
	if err := printer.Available(o.Config.Kiosk.PrintCommand); err != nil {
		print = false
		if err != printer.ErrNotConfigured {
			m.logf("printing not offered: %v", err)
		}
	}
	m.keys.Print.SetEnabled(print)
	m.setElder(o.Config.Kiosk.ElderMode)
	m.setTraditional(o.Config.Kiosk.Traditional)
	// A hint must never promise what the session cannot do.
	m.keys.Search.SetEnabled(d.Content.Search != nil)
	m.layout()
	return m
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd { return m.reloadTick() }

type idleMsg struct{}

type reloadTickMsg struct{}

type searchReadyMsg struct{ c Content }

// SearchReady tells a running session that the search index of the content
// it shows is open (it is opened, or built, after the first frame); c.Pack
// must be the pack the session was given. c.Search nil: the index could not
// be opened; the kiosk goes on without search.
func SearchReady(c Content) tea.Msg { return searchReadyMsg{c: c} }

type searchProgressMsg struct{ done, total int }

// SearchProgress tells a running session how far the search index of its
// content is built (done of total documents); the kiosk says, in its own
// frame, that search is being prepared until SearchReady.
func SearchProgress(done, total int) tea.Msg { return searchProgressMsg{done: done, total: total} }

type reloadMsg struct{ c Content }

func (m *Model) reloadTick() tea.Cmd {
	if m.opts.Reload == nil {
		return nil
	}
	every := m.opts.ReloadEvery
	if every <= 0 {
		every = time.Second // one small file read: a withdrawn document goes quickly
	}
	return tea.Tick(every, func(time.Time) tea.Msg { return reloadTickMsg{} })
}

// checkReload asks for new content while nobody is using the kiosk.
func (m *Model) checkReload() tea.Cmd {
	next := m.reloadTick()
	if len(m.stack) > 0 || m.reloading {
		return next
	}
	m.reloading = true
	reload := m.opts.Reload
	return tea.Batch(next, func() tea.Msg {
		c, ok := reload()
		if !ok {
			return reloadMsg{}
		}
		return reloadMsg{c: c}
	})
}

// switchContent installs new content. It never happens during a visit:
// content that arrives while a visitor is busy waits for the next attract
// screen.
func (m *Model) switchContent(c Content) {
	if c.Pack == nil {
		return
	}
	if len(m.stack) > 0 {
		m.pending = &c
		return
	}
	m.switchNow(c)
}

// switchNow installs new content now (no visit is in progress: the
// attract screen or staff mode).
func (m *Model) switchNow(c Content) {
	m.pending = nil
	old := m.content
	m.content = c
	m.keys.Search.SetEnabled(c.Search != nil)
	m.logf("content switched to version %s", c.Version)
	if old.Close != nil {
		old.Close()
	}
}

// Update implements tea.Model. The frame (layout, tap zones, number keys)
// is laid out once the message is handled; View only shows it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.layout()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = max(msg.Width, 1), max(msg.Height, 1)
		return nil
	case tea.ColorProfileMsg:
		m.profile = msg.Profile
		m.restyle()
		return nil
	case idleMsg:
		return m.checkIdle()
	case reloadTickMsg:
		return m.checkReload()
	case searchProgressMsg:
		if m.content.Search == nil {
			m.preparing = &msg
		}
		return nil
	case searchReadyMsg:
		m.preparing = nil
		if msg.c.Pack == m.content.Pack && m.content.Search == nil {
			m.content.Search, m.content.Close = msg.c.Search, msg.c.Close
			m.keys.Search.SetEnabled(msg.c.Search != nil)
		} else if msg.c.Close != nil {
			msg.c.Close() // the content changed meanwhile
		}
		return nil
	case reloadMsg:
		m.reloading = false
		m.switchContent(msg.c)
		return nil
	case tea.KeyPressMsg:
		if m.idleWarningShown() && !isLockedKey(msg.String()) {
			return m.dismissIdle() // and nothing else
		}
		return m.key(msg)
	case tea.MouseClickMsg:
		mouse := msg.Mouse()
		if mouse.Button != tea.MouseLeft {
			return nil
		}
		if m.idleWarningShown() {
			return m.dismissIdle()
		}
		cmd := m.activity()
		for _, z := range m.zones {
			if z.contains(mouse.X, mouse.Y) {
				return tea.Batch(cmd, z.tap())
			}
		}
		return cmd
	case tea.MouseWheelMsg:
		if len(m.stack) == 0 {
			return nil
		}
		if m.idleWarningShown() {
			return m.dismissIdle()
		}
		cmd := m.activity()
		delta := 3
		if msg.Mouse().Button == tea.MouseWheelUp {
			delta = -3
		}
		m.top().wheel(m.env, delta)
		return cmd
	case sessionMsg:
		msg.apply(m.env)
	}
	return m.forward(msg)
}

// forward hands a message the model does not know to the screens, from
// the top down, until one takes it (glow's way: the screen a message
// belongs to handles it, not a switch here).
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if u, ok := m.stack[i].(updater); ok {
			if cmd, handled := u.update(m.env, msg); handled {
				return cmd
			}
		}
	}
	return nil
}

func (m *Model) top() screen { return m.stack[len(m.stack)-1] }

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if isLockedKey(msg.String()) {
		return nil // lockdown: never leave, never suspend
	}
	if _, ok := lookup([]binding{m.keys.Staff}, msg); ok {
		if !m.staffOnTop() {
			m.lastInput = m.opts.Now()
			m.push(newPINScreen(m.env))
			return m.armIdle()
		}
	}
	cmd := m.activity()
	if len(m.stack) == 0 {
		if b, ok := lookup(m.modeBindings(), msg); ok {
			// A mode chosen on the attract screen starts the visit in it;
			// help opens over it.
			return tea.Batch(cmd, m.dispatch(b.act))
		}
		start := m.start()
		_, searchKey := lookup([]binding{m.keys.Search}, msg)
		if m.content.Search != nil && (hasHan(msg.Text) || searchKey) {
			// Typing Chinese or the search key on the attract screen goes
			// straight to the search.
			return tea.Batch(cmd, start, m.key(msg))
		}
		return tea.Batch(cmd, start)
	}
	s := m.top()
	if ts, ok := s.(textScreen); ok {
		if handled, c := ts.typed(m.env, msg); handled {
			return tea.Batch(cmd, c)
		}
	}
	if !m.staffOnTop() {
		if b, ok := lookup(m.modeBindings(), msg); ok {
			return tea.Batch(cmd, m.dispatch(b.act))
		}
	}
	if n := numberKey(msg); n > 0 {
		return tea.Batch(cmd, s.number(m.env, n))
	}
	if b, ok := lookup(s.bindings(), msg); ok {
		return tea.Batch(cmd, s.do(m.env, b.act))
	}
	// Chinese typed (or pasted by an input method) on a screen without a
	// text field starts a search with it: that is what the citizen means.
	if m.content.Search != nil && hasHan(msg.Text) {
		s, c := newSearchFor(m.env, msg.Text)
		m.push(s)
		return tea.Batch(cmd, c)
	}
	return cmd
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// staffOnTop reports whether a staff screen shows: input there is not a
// visit.
func (m *Model) staffOnTop() bool {
	if len(m.stack) == 0 {
		return false
	}
	_, ok := m.top().(staffScreen)
	return ok
}

// activity records citizen input: it keeps the idle timer from firing and
// counts the visit (never in staff mode).
func (m *Model) activity() tea.Cmd {
	m.lastInput = m.opts.Now()
	m.idleLeft = 0
	if !m.staffOnTop() && m.opts.Visits != nil {
		m.note(m.opts.Visits.Activity())
	}
	return m.armIdle()
}

func (m *Model) armIdle() tea.Cmd {
	if m.idleArmed {
		return nil
	}
	m.idleArmed = true
	// First look when the countdown would begin; checkIdle re-arms.
	return tea.Tick(m.idle-m.idleWarning(), func(time.Time) tea.Msg { return idleMsg{} })
}

// idleWarning is how long before the reset the countdown shows.
func (m *Model) idleWarning() time.Duration { return min(15*time.Second, m.idle/4) }

func (m *Model) checkIdle() tea.Cmd {
	m.idleArmed = false
	m.idleLeft = 0
	if len(m.stack) == 0 {
		return nil
	}
	left := m.idle - m.opts.Now().Sub(m.lastInput)
	if left <= 0 {
		m.reset(true)
		return nil
	}
	// The last stretch before the reset is announced with a countdown, so
	// a slow reader is not surprised: any key or tap keeps the place.
	warn := m.idleWarning()
	next := left - warn
	if left <= warn {
		m.idleLeft = left
		next = min(left, time.Second)
	}
	m.idleArmed = true
	return tea.Tick(next, func(time.Time) tea.Msg { return idleMsg{} })
}

// reset returns to the attract screen and forgets the visitor: screens
// (with their scroll positions and typed text) are dropped, not hidden.
func (m *Model) reset(idle bool) {
	if !m.staffOnTop() && m.opts.Visits != nil && len(m.stack) > 0 {
		if idle {
			m.note(m.opts.Visits.IdleEnd())
		} else {
			m.note(m.opts.Visits.End())
		}
	}
	m.stack = nil
	m.zones = nil
	m.printed = nil
	m.speech.Stop()
	m.setElder(m.opts.Config.Kiosk.ElderMode)
	m.setTraditional(m.opts.Config.Kiosk.Traditional)
	if m.pending != nil {
		c := *m.pending
		m.pending = nil
		m.switchContent(c)
	}
}

// toAttract ends the visit (结束浏览, staff going back): the attract screen.
func (m *Model) toAttract() { m.reset(false) }

// quit ends the program: staff chose to leave the kiosk.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	return tea.Quit
}

// start leaves the attract screen for the catalogue.
func (m *Model) start() tea.Cmd {
	m.stack = []screen{newHomeScreen(m.env)}
	return nil
}

func (m *Model) push(s screen) { m.stack = append(m.stack, s) }

func (m *Model) depth() int { return len(m.stack) }

// pop closes the top screen; closing the last one shows the attract screen.
// The screen uncovered is told which one closed over it.
func (m *Model) pop() {
	if len(m.stack) == 0 {
		return
	}
	closed := m.top()
	m.stack = m.stack[:len(m.stack)-1]
	if len(m.stack) > 0 {
		if r, ok := m.top().(resumer); ok {
			r.resume(closed)
		}
	}
}

func (m *Model) popTo(match func(screen) bool) (screen, bool) {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if match(m.stack[i]) {
			for len(m.stack) > i+1 {
				m.pop()
			}
			return m.stack[i], true
		}
	}
	return nil, false
}

func (m *Model) home() { m.stack = m.stack[:1] }

// replace swaps the top screen (next/previous section).
func (m *Model) replace(s screen) { m.stack[len(m.stack)-1] = s }

// View implements tea.Model. It draws nothing: the frame was laid out at
// the end of Update; only the palette's paint, the narrow-terminal fixes
// and 繁體 are applied, which change no state.
func (m *Model) View() tea.View {
	v := tea.NewView(paint(narrow(m.toTraditional(m.frame)), m.st.palette, m.w))
	if p := m.st.palette; m.st.elder && !p.Mono() {
		// 长者模式: the terminal's own default colours become the
		// palette's too (every cell is painted anyway).
		v.BackgroundColor, v.ForegroundColor = p.Text.BG, p.Text.FG
	}
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "政府信息查阅"
	return v
}

// Close releases the content the session shows (call it after the
// program ended).
func (m *Model) Close() {
	if m.content.Close != nil {
		m.content.Close()
		m.content.Close = nil
	}
}

// Warn shows a staff-visible problem in the status line.
func (m *Model) Warn(msg string) {
	m.warning = msg
	m.layout()
}

// Quitting reports whether staff chose to leave the kiosk.
func (m *Model) Quitting() bool { return m.quitting }
