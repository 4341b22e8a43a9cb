// Package tui is the kiosk's terminal interface: a top model that owns the
// session (size, idle timer, visit, lockdown) and delegates to one screen
// model at a time (attract, home, document, reader, staff PIN …).
//
// Everything a session needs arrives in Deps; the package has no mutable
// package-level state, so many sessions (SSH) can run in one process.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"kiosk/config"
	"kiosk/content"
	"kiosk/index"
	"kiosk/tui/printer"
	"kiosk/tui/speech"
	"kiosk/visits"
)

// Renderer turns a section's Markdown into terminal lines at a width.
type Renderer interface {
	Render(key, markdown string, width int) (string, error)
}

// Visits records citizen visits. Calls come from the Update loop; they
// must be quick. Only citizen input reaches it, never staff mode.
type Visits interface {
	Activity() error    // any citizen input; begins a visit when none is open
	SectionRead() error // a section was opened
	SearchMade() error  // a search was run
	End() error         // the visitor tapped 结束浏览
	IdleEnd() error     // the idle timeout ended the visit at its last activity
}

// Searcher finds sections and marks matches.
type Searcher interface {
	Search(ctx context.Context, query string, opts index.Options) (*index.Results, error)
	// Matches returns the byte ranges of text that match query.
	Matches(text, query string) [][2]int
	// Catalogues and Years list the filter values present (years as
	// decimal strings, newest first).
	Catalogues() []index.Facet
	Years() []index.Facet
}

// Content is what a kiosk shows: a pack, its search index and version.
type Content struct {
	Pack    *content.Pack
	Search  Searcher // nil: no search
	Version string
	// Close releases the content's resources (the index) once the kiosk
	// switched away from it.
	Close func()
}

// Deps is everything a kiosk session is given.
type Deps struct {
	Pack     *content.Pack
	Config   config.Config
	Idle     time.Duration // 0: Config.Kiosk.Idle
	Renderer Renderer
	// Sanitize removes control characters and escape sequences from
	// untrusted text (titles, metadata) before it reaches the terminal.
	Sanitize func(string) string
	Visits   Visits           // nil: visits are not counted
	Now      func() time.Time // nil: time.Now
	// Search is the full-text index; nil: no search screen.
	Search Searcher
	// Reload is polled every ReloadEvery while the attract screen shows:
	// it returns new content when staff installed a newer version (hot
	// reload), ok=false when nothing changed. It runs off the Update loop.
	// The switch happens only between visits. nil: no hot reload.
	Reload      func() (Content, bool)
	ReloadEvery time.Duration // default 1s
	// Version names the initial content; CloseContent releases it (its
	// index) when the kiosk switches to newer content or ends.
	Version      string
	CloseContent func()
	// Summary gives the staff panel this point's visit figures; nil: not
	// available. ContentInfo describes the live content version for staff.
	Summary     func() (visits.Summary, error)
	ContentInfo func() string
	// ToTraditional converts simplified text to traditional characters
	// for 繁體; nil: the switch is not offered.
	ToTraditional func(string) string
	// PINGuard keeps the wrong-PIN count and lockout across restarts;
	// nil: kept in this session only.
	PINGuard PINGuard
	// Log records staff events (PIN attempts, exits); nil: not logged.
	Log func(format string, args ...any)
}

// Model is the top-level Bubble Tea model of one kiosk session.
type Model struct {
	d     Deps
	keys  keyMap
	st    styles
	w, h  int
	stack []screen // empty: the attract screen shows

	profile  colorprofile.Profile // the terminal's, as Bubble Tea detected it
	renderer Renderer             // Deps.Renderer; d.Renderer draws in the palette's colours

	lastInput time.Time
	idleArmed bool
	idleLeft  time.Duration // > 0 while the idle countdown shows
	zones     []zone
	warning   string // a staff-visible problem (e.g. visits not saved)
	quit      bool

	current   Content            // the content shown, for closing it on a switch
	preparing *searchProgressMsg // the search index is being built
	pending   *Content           // new content waiting for the end of a visit
	reloading bool

	elder, trad bool           // 长者模式, 繁體
	speech      *speech.Reader // this session's read-aloud
	// printed counts the print jobs of this visit per document; a new
	// visit starts with none.
	printed map[*content.Document]int

	pin PINState // wrong PINs, when no PINGuard keeps them
}

// screen is one screen of the kiosk.
type screen interface {
	// crumbs is where the citizen is, for the header.
	crumbs() []string
	// bindings are the screen's key bindings in footer order; the footer
	// (hints and tap targets) is generated from them.
	bindings() []binding
	// do performs an action.
	do(m *Model, a action) tea.Cmd
	// number handles the number keys 1–9 (list items).
	number(m *Model, n int) tea.Cmd
	// body renders the screen's body in exactly h lines of at most w
	// cells, with the tap zones it contains (relative to the body).
	body(m *Model, w, h int) (string, []zone)
	// wheel scrolls by delta lines.
	wheel(m *Model, delta int)
}

// textScreen is a screen that takes typed text (PIN, search query).
type textScreen interface {
	screen
	// typed receives a key press first; it returns false to let the
	// screen's bindings handle it.
	typed(m *Model, msg tea.KeyPressMsg) (bool, tea.Cmd)
}

// staffScreen marks screens used by staff: input there is not a visit.
type staffScreen interface{ staff() }

// zone is a rectangle of the screen that reacts to a tap.
type zone struct {
	x0, y0, x1, y1 int // inclusive-exclusive, screen cells
	tap            func(m *Model) tea.Cmd
}

func (z zone) contains(x, y int) bool { return x >= z.x0 && x < z.x1 && y >= z.y0 && y < z.y1 }

// New returns a session model on the attract screen.
func New(d Deps) *Model {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Idle <= 0 {
		d.Idle = d.Config.Kiosk.Idle.Duration
	}
	if d.Idle <= 0 {
		d.Idle = 120 * time.Second
	}
	if d.Sanitize == nil {
		d.Sanitize = stripControls
	}
	m := &Model{d: d, keys: newKeyMap(d.Config.Kiosk.StaffKey), renderer: d.Renderer, w: 80, h: 24}
	m.speech = speech.New(speechCommand(d.Config.Kiosk.SpeechCommand))
	// Read-aloud and printing are offered only when their program is
	// there: a control that can only answer 未找到 espeak-ng is a hint
	// that lies. Staff find the reason in the log.
	speak := d.Config.Kiosk.SpeechCommand != "off"
	if err := m.speech.Available(); speak && err != nil {
		speak = false
		m.logf("read-aloud not offered: %v", err)
	}
	m.keys.Speak.SetEnabled(speak)
	print := true
	if err := printer.Available(d.Config.Kiosk.PrintCommand); err != nil {
		print = false
		if err != printer.ErrNotConfigured {
			m.logf("printing not offered: %v", err)
		}
	}
	m.keys.Print.SetEnabled(print)
	m.setElder(d.Config.Kiosk.ElderMode)
	m.setTraditional(d.Config.Kiosk.Traditional)
	m.current = Content{Pack: d.Pack, Search: d.Search, Version: d.Version, Close: d.CloseContent}
	// A hint must never promise what the session cannot do.
	m.keys.Search.SetEnabled(d.Search != nil)
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
	if m.d.Reload == nil {
		return nil
	}
	every := m.d.ReloadEvery
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
	reload := m.d.Reload
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
	m.forceSwitch(c)
}

// forceSwitch installs new content now (no visit is in progress: the
// attract screen or staff mode).
func (m *Model) forceSwitch(c Content) {
	m.pending = nil
	old := m.current
	m.d.Pack, m.d.Search, m.current = c.Pack, c.Search, c
	m.keys.Search.SetEnabled(c.Search != nil)
	m.logf("content switched to version %s", c.Version)
	if old.Close != nil {
		old.Close()
	}
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = max(msg.Width, 1), max(msg.Height, 1)
		return m, nil
	case tea.ColorProfileMsg:
		m.profile = msg.Profile
		m.restyle()
		return m, nil
	case idleMsg:
		return m, m.checkIdle()
	case speechMsg:
		if r, ok := m.topReader(); ok {
			return m, r.speechEvent(m, msg)
		}
		return m, nil
	case printedMsg:
		m.printDone(msg)
		return m, nil
	case reloadTickMsg:
		return m, m.checkReload()
	case staffReloadMsg:
		if sp, ok := m.top().(*staffPanel); ok && len(m.stack) > 0 {
			sp.reloaded(m, msg)
		}
		return m, nil
	case searchProgressMsg:
		if m.d.Search == nil {
			m.preparing = &msg
		}
		return m, nil
	case searchReadyMsg:
		m.preparing = nil
		if msg.c.Pack == m.d.Pack && m.d.Search == nil {
			m.d.Search, m.current.Search, m.current.Close = msg.c.Search, msg.c.Search, msg.c.Close
			m.keys.Search.SetEnabled(msg.c.Search != nil)
		} else if msg.c.Close != nil {
			msg.c.Close() // the content changed meanwhile
		}
		return m, nil
	case reloadMsg:
		m.reloading = false
		m.switchContent(msg.c)
		return m, nil
	case searchTickMsg:
		if s := m.searchScreen(); s != nil && msg.seq == s.seq {
			return m, s.run(m)
		}
		return m, nil
	case searchResultMsg:
		if s := m.searchScreen(); s != nil {
			s.result(m, msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.idleWarningShown() && !isLockedKey(msg.String()) {
			return m, m.dismissIdle() // and nothing else
		}
		return m, m.key(msg)
	case tea.MouseClickMsg:
		mouse := msg.Mouse()
		if mouse.Button != tea.MouseLeft {
			return m, nil
		}
		if m.idleWarningShown() {
			return m, m.dismissIdle()
		}
		cmd := m.activity()
		for _, z := range m.zones {
			if z.contains(mouse.X, mouse.Y) {
				return m, tea.Batch(cmd, z.tap(m))
			}
		}
		return m, cmd
	case tea.MouseWheelMsg:
		if len(m.stack) == 0 {
			return m, nil
		}
		if m.idleWarningShown() {
			return m, m.dismissIdle()
		}
		cmd := m.activity()
		delta := 3
		if msg.Mouse().Button == tea.MouseWheelUp {
			delta = -3
		}
		m.top().wheel(m, delta)
		return m, cmd
	}
	return m, nil
}

func (m *Model) top() screen { return m.stack[len(m.stack)-1] }

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if isLockedKey(msg.String()) {
		return nil // lockdown: never leave, never suspend
	}
	if _, ok := lookup([]binding{m.keys.Staff}, msg); ok {
		if _, staff := m.topStaff(); !staff {
			m.lastInput = m.d.Now()
			m.push(newPINScreen(m))
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
		if m.d.Search != nil && (hasHan(msg.Text) || searchKey) {
			// Typing Chinese or the search key on the attract screen goes
			// straight to the search.
			return tea.Batch(cmd, start, m.key(msg))
		}
		return tea.Batch(cmd, start)
	}
	s := m.top()
	if ts, ok := s.(textScreen); ok {
		if handled, c := ts.typed(m, msg); handled {
			return tea.Batch(cmd, c)
		}
	}
	if _, staff := m.topStaff(); !staff {
		if b, ok := lookup(m.modeBindings(), msg); ok {
			return tea.Batch(cmd, m.dispatch(b.act))
		}
	}
	if n := numberKey(msg); n > 0 {
		return tea.Batch(cmd, s.number(m, n))
	}
	if b, ok := lookup(s.bindings(), msg); ok {
		return tea.Batch(cmd, s.do(m, b.act))
	}
	// Chinese typed (or pasted by an input method) on a screen without a
	// text field starts a search with it: that is what the citizen means.
	if m.d.Search != nil && hasHan(msg.Text) {
		ss := newSearchScreen(m).(*searchScreen)
		m.push(ss)
		ss.input.insert(msg.Text)
		return tea.Batch(cmd, ss.changed())
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

func (m *Model) topStaff() (screen, bool) {
	if len(m.stack) == 0 {
		return nil, false
	}
	s := m.top()
	_, ok := s.(staffScreen)
	return s, ok
}

// activity records citizen input: it keeps the idle timer from firing and
// counts the visit (never in staff mode).
func (m *Model) activity() tea.Cmd {
	m.lastInput = m.d.Now()
	m.idleLeft = 0
	if _, staff := m.topStaff(); !staff && m.d.Visits != nil {
		m.note(m.d.Visits.Activity())
	}
	return m.armIdle()
}

// matcherFor returns how matches of query are found in text: through the
// search index's analysis when there is one (pinyin, traditional forms),
// literally otherwise.
func (m *Model) matcherFor(query string) matcher {
	if m.d.Search != nil {
		return func(text string) [][2]int { return m.d.Search.Matches(text, query) }
	}
	return substringMatcher(query)
}

func (m *Model) logf(format string, args ...any) {
	if m.d.Log != nil {
		m.d.Log(format, args...)
	}
}

// topReader is the reader on top, if that is what shows.
func (m *Model) topReader() (*readerScreen, bool) {
	if len(m.stack) == 0 {
		return nil, false
	}
	r, ok := m.top().(*readerScreen)
	return r, ok
}

// searchScreen returns the open search screen, if any.
func (m *Model) searchScreen() *searchScreen {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if s, ok := m.stack[i].(*searchScreen); ok {
			return s
		}
	}
	return nil
}

// searchMade counts a search for the visit (never its text).
func (m *Model) searchMade() {
	if _, staff := m.topStaff(); !staff && m.d.Visits != nil {
		m.note(m.d.Visits.SearchMade())
	}
}

// sectionRead counts an opened section for the visit.
func (m *Model) sectionRead() {
	if _, staff := m.topStaff(); !staff && m.d.Visits != nil {
		m.note(m.d.Visits.SectionRead())
	}
}

func (m *Model) note(err error) {
	if err != nil {
		m.warning = "访客记录未保存: " + err.Error()
	}
}

func (m *Model) armIdle() tea.Cmd {
	if m.idleArmed {
		return nil
	}
	m.idleArmed = true
	// First look when the countdown would begin; checkIdle re-arms.
	return tea.Tick(m.d.Idle-m.idleWarning(), func(time.Time) tea.Msg { return idleMsg{} })
}

// idleWarning is how long before the reset the countdown shows.
func (m *Model) idleWarning() time.Duration { return min(15*time.Second, m.d.Idle/4) }

func (m *Model) checkIdle() tea.Cmd {
	m.idleArmed = false
	m.idleLeft = 0
	if len(m.stack) == 0 {
		return nil
	}
	left := m.d.Idle - m.d.Now().Sub(m.lastInput)
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
	if _, staff := m.topStaff(); !staff && m.d.Visits != nil && len(m.stack) > 0 {
		if idle {
			m.note(m.d.Visits.IdleEnd())
		} else {
			m.note(m.d.Visits.End())
		}
	}
	m.stack = nil
	m.zones = nil
	m.printed = nil
	m.speech.Stop()
	m.setElder(m.d.Config.Kiosk.ElderMode)
	m.setTraditional(m.d.Config.Kiosk.Traditional)
	if m.pending != nil {
		c := *m.pending
		m.pending = nil
		m.switchContent(c)
	}
}

// start leaves the attract screen for the catalogue.
func (m *Model) start() tea.Cmd {
	m.stack = []screen{newHomeScreen(m)}
	return nil
}

func (m *Model) push(s screen) { m.stack = append(m.stack, s) }

// pop closes the top screen; closing the last one shows the attract screen.
// Back from the reader, the contents point at the section last read.
func (m *Model) pop() {
	if len(m.stack) == 0 {
		return
	}
	closed := m.top()
	m.stack = m.stack[:len(m.stack)-1]
	if r, ok := closed.(*readerScreen); ok && len(m.stack) > 0 {
		if d, ok := m.top().(*documentScreen); ok {
			d.point(r.sec)
		}
	}
}

func (m *Model) home() { m.stack = m.stack[:1] }

// replace swaps the top screen (next/previous section).
func (m *Model) replace(s screen) { m.stack[len(m.stack)-1] = s }

// View implements tea.Model.
func (m *Model) View() tea.View {
	v := tea.NewView(paint(narrow(m.toTraditional(m.render())), m.st.palette, m.w))
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
	if m.current.Close != nil {
		m.current.Close()
		m.current.Close = nil
	}
}

// Warn shows a staff-visible problem in the status line.
func (m *Model) Warn(msg string) { m.warning = msg }

// Quitting reports whether staff chose to leave the kiosk.
func (m *Model) Quitting() bool { return m.quit }

func (m *Model) render() string {
	w, h := m.w, m.h
	if len(m.stack) == 0 {
		body, zones := m.attract(w, h)
		m.zones = zones
		return body
	}
	s := m.top()
	header, hzones := m.header(s, w)
	footer, fzones := m.footer(s, w)
	fh := strings.Count(footer, "\n") + 1
	bh := h - 1 - fh
	if bh < 1 {
		// A tiny terminal: the body matters more than the footer.
		footer, fzones, fh = "", nil, 0
		bh = max(h-1, 1)
	}
	body, bzones := s.body(m, w, bh)
	if footer != "" {
		// The status line reports what the body just laid out; if that
		// changes the footer's height, lay the body out again.
		footer, fzones = m.footer(s, w)
		if n := strings.Count(footer, "\n") + 1; n != fh && h-1-n >= 1 {
			fh, bh = n, h-1-n
			body, bzones = s.body(m, w, bh)
			footer, fzones = m.footer(s, w)
		}
	}
	m.zones = append(m.zones[:0], hzones...)
	for _, z := range bzones {
		z.y0++
		z.y1++
		m.zones = append(m.zones, z)
	}
	for _, z := range fzones {
		z.y0 += 1 + bh
		z.y1 += 1 + bh
		m.zones = append(m.zones, z)
	}
	if m.idleWarningShown() {
		// The countdown covers the page; the footer offers what works now
		// (keeping its height, so nothing under the box moves); any tap
		// only dismisses it.
		body = strings.Join(m.idleOverlay(strings.Split(body, "\n"), w, bh), "\n")
		if footer != "" {
			fh := strings.Count(footer, "\n") + 1
			c := m.keys.Continue
			footer = m.button(c.Help().Key, c.Help().Desc) + strings.Repeat("\n", fh-1)
		}
		m.zones = []zone{{x0: 0, y0: 0, x1: w, y1: h, tap: func(m *Model) tea.Cmd { return m.dismissIdle() }}}
	}
	out := header + "\n" + fitLines(body, w, bh)
	if footer != "" {
		out += "\n" + footer
	}
	return out
}

// header is one line: the breadcrumb, cut from the left when too long so
// the citizen always sees where they are now.
// The mode switches sit at its right end as tap targets.
func (m *Model) header(s screen, w int) (string, []zone) {
	parts := s.crumbs()
	for i := range parts {
		parts[i] = m.d.Sanitize(parts[i])
	}
	var chips string
	var zones []zone
	if _, staff := s.(staffScreen); !staff {
		// The breadcrumb keeps at least half the line.
		chips, zones = m.fitChips(m.modeBindings(), w/2)
	}
	cw := lipgloss.Width(chips)
	room := w - cw
	text := " " + strings.Join(parts, " › ") + "  "
	if lipgloss.Width(text) > room {
		text = " …" + ansi.TruncateLeft(text, lipgloss.Width(text)-room+2, "")
	}
	for i := range zones {
		zones[i].x0 += room
		zones[i].x1 += room
	}
	return m.st.Header.Width(room).MaxWidth(room).Render(text) + chips, zones
}

// footer lays out the status line and the buttons generated from the
// screen's bindings, wrapping buttons onto more rows when needed.
func (m *Model) footer(s screen, w int) (string, []zone) {
	var rows []string
	var zones []zone
	status := ""
	if st, ok := s.(interface{ status(m *Model) string }); ok {
		status = st.status(m)
	}
	if m.warning != "" {
		status = m.st.Error.Render("! "+m.warning) + "  " + status
	}
	if status == "" && m.preparing != nil {
		status = m.st.Status.Render(" " + m.preparingText())
	}
	if status != "" {
		rows = append(rows, ansi.Truncate(status, w, "…"))
	}
	var row strings.Builder
	x := 0
	y := len(rows)
	for _, b := range s.bindings() {
		hk, desc := b.Help().Key, b.Help().Desc
		if desc == "" || !b.Enabled() {
			continue
		}
		label := b.button
		if label == "" {
			label = desc
		}
		btn := m.button(hk, label)
		bw := lipgloss.Width(btn)
		if x > 0 && x+1+bw > w {
			rows = append(rows, row.String())
			row.Reset()
			x = 0
			y++
		}
		if x > 0 {
			row.WriteString(" ")
			x++
		}
		act := b.act
		zones = append(zones, zone{x0: x, x1: x + bw, y0: y, y1: y + 1, tap: func(m *Model) tea.Cmd {
			return m.top().do(m, act)
		}})
		row.WriteString(btn)
		x += bw
	}
	if row.Len() > 0 {
		rows = append(rows, row.String())
	}
	return strings.Join(rows, "\n"), zones
}

// preparingText says that search is not there yet, and how far it is.
func (m *Model) preparingText() string {
	p := m.preparing
	if p.total > 1 {
		return fmt.Sprintf("搜索功能正在准备中(%d%%),请稍候…", p.done*100/p.total)
	}
	return "搜索功能正在准备中,请稍候…"
}

// fitLines pads or cuts s to exactly h lines, none wider than w.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// stripControls is the fallback sanitizer: it drops C0/C1 controls and ESC.
func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}
