package tui

import (
	tea "charm.land/bubbletea/v2"

	"kiosk/content"
	"kiosk/tui/speech"
)

// env is what a screen is given of its session instead of the top model
// (the idea of soft-serve's common.Common, without globals or a context
// bag): how to draw (styles, keys, the sanitiser), what is shown (the
// content, in this one place), the session's options, the visit's print and
// PIN bookkeeping, and the navigation. A screen never sees *Model: it asks
// nav to push, pop or replace screens, end the visit or quit.
type env struct {
	opts     Options  // fixed for the session
	content  Content  // the content shown
	renderer Renderer // opts.Renderer in the palette's colours
	keys     keyMap
	st       styles
	elder    bool // 长者模式 (st follows it)
	trad     bool // 繁體 (the frame is converted)
	speech   *speech.Reader
	// printed counts the print jobs of this visit per document; a new
	// visit starts with none.
	printed map[*content.Document]int
	pin     PINState // wrong PINs, when no PINGuard keeps them
	warning string   // a staff-visible problem (e.g. visits not saved)
	nav     navigator
}

// navigator is the stack of screens, as a screen may change it. The top
// model implements it; screens reach it only through env.nav.
type navigator interface {
	push(s screen)
	pop()             // closing the last screen shows the attract screen
	replace(s screen) // swap the top screen (next/previous section)
	home()            // back to the first screen of the visit
	start() tea.Cmd   // begin the visit on the catalogue
	depth() int       // how many screens are open
	// popTo closes screens down to the highest one match accepts and
	// returns it; ok=false (and nothing closed) when none does.
	popTo(match func(screen) bool) (s screen, ok bool)
	toAttract()        // forget the visitor: the attract screen
	switchNow(Content) // install content now (staff reloaded it)
	staffOnTop() bool  // input goes to a staff screen: it is not a visit
	quit() tea.Cmd     // staff leave the kiosk
}

// updater is a screen that takes messages of its own (search results,
// read-aloud events …): the top model forwards every message it does not
// know to the screens, from the top down, until one reports it handled.
type updater interface {
	update(e *env, msg tea.Msg) (tea.Cmd, bool)
}

// sessionMsg is a message that settles session state whatever screen shows
// (a print job's result); it is applied to env, then forwarded.
type sessionMsg interface {
	apply(e *env)
}

// typist is a screen that may take letters as text (the search query, the
// reader's find line): the mode chips then name only their F-keys.
type typist interface {
	takesText() bool
}

// resumer is a screen told which screen closed over it (the contents point
// at the section last read).
type resumer interface {
	resume(closed screen)
}

// restyler is a screen that keeps drawn lines in the palette's colours and
// redraws them when the palette changes.
type restyler interface {
	restyled(e *env)
}

// sanitize makes untrusted text (titles, metadata, queries) safe for the
// terminal.
func (e *env) sanitize(s string) string { return e.opts.Sanitize(s) }

func (e *env) logf(format string, args ...any) {
	if e.opts.Log != nil {
		e.opts.Log(format, args...)
	}
}

// note shows a failure to record a visit to staff.
func (e *env) note(err error) {
	if err != nil {
		e.warning = "访客记录未保存: " + err.Error()
	}
}

// searchMade counts a search for the visit (never its text).
func (e *env) searchMade() {
	if !e.nav.staffOnTop() && e.opts.Visits != nil {
		e.note(e.opts.Visits.SearchMade())
	}
}

// sectionRead counts an opened section for the visit.
func (e *env) sectionRead() {
	if !e.nav.staffOnTop() && e.opts.Visits != nil {
		e.note(e.opts.Visits.SectionRead())
	}
}

// matcherFor returns how matches of query are found in text: through the
// search index's analysis when there is one (pinyin, traditional forms),
// literally otherwise.
func (e *env) matcherFor(query string) matcher {
	if s := e.content.Search; s != nil {
		return func(text string) [][2]int { return s.Matches(text, query) }
	}
	return substringMatcher(query)
}

func (e *env) pinState() PINState {
	if e.opts.PINGuard != nil {
		return e.opts.PINGuard.Load()
	}
	return e.pin
}

func (e *env) setPINState(st PINState) {
	e.pin = st
	if e.opts.PINGuard != nil {
		if err := e.opts.PINGuard.Save(st); err != nil {
			e.logf("staff PIN state not saved: %v", err)
		}
	}
}
