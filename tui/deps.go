package tui

import (
	"context"
	"time"

	"kiosk/config"
	"kiosk/content"
	"kiosk/index"
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
	Search  Searcher // nil: no search (yet: see SearchReady)
	Version string
	// Close releases the content's resources (the index) once the kiosk
	// switched away from it or ended.
	Close func()
}

// Deps is everything a kiosk session is given: the content it shows first
// and its options.
type Deps struct {
	Content Content
	Options
}

// Options are the session's settings and services; they do not change
// while it runs.
type Options struct {
	Config   config.Config
	Idle     time.Duration // 0: Config.Kiosk.Idle
	Renderer Renderer
	// Sanitize removes control characters and escape sequences from
	// untrusted text (titles, metadata) before it reaches the terminal.
	Sanitize func(string) string
	Visits   Visits           // nil: visits are not counted
	Now      func() time.Time // nil: time.Now
	// Reload is polled every ReloadEvery while the attract screen shows:
	// it returns new content when staff installed a newer version (hot
	// reload), ok=false when nothing changed. It runs off the Update loop.
	// The switch happens only between visits. nil: no hot reload.
	Reload      func() (Content, bool)
	ReloadEvery time.Duration // default 1s
	// Summary gives the staff panel this point's visit figures; nil: not
	// available. ContentInfo describes the live content version for staff.
	Summary     func() (visits.Summary, error)
	ContentInfo func() string
	// HubInfo says how uploading to the office hub goes (last contact,
	// last failure, visits not yet sent), for the staff panel; nil: the
	// kiosk is not enrolled with a hub.
	HubInfo func() string
	// ToTraditional converts simplified text to traditional characters
	// for 繁體; nil: the switch is not offered.
	ToTraditional func(string) string
	// PINGuard keeps the wrong-PIN count and lockout across restarts;
	// nil: kept in this session only.
	PINGuard PINGuard
	// Log records staff events (PIN attempts, exits); nil: not logged.
	Log func(format string, args ...any)
}
