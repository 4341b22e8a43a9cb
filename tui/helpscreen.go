package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"kiosk/tui/help"
)

// helpScreen explains the kiosk in plain Chinese with pictures made of
// text. The traditional form comes from the frame conversion like every
// other screen.
type helpScreen struct {
	keys   *keyMap
	secs   []help.Section
	width  int
	lines  []string
	offset int
	height int
}

func newHelpScreen(e *env) *helpScreen {
	// The help names the keys the footer shows: both come from the
	// session's bindings.
	b := &e.keys
	name := func(b binding) string { return b.Help().Key }
	k := help.Keys{
		Up: name(b.Up), Down: name(b.Down), Open: name(b.Open), Back: name(b.Back),
		Home: name(b.Home), EndVisit: name(b.EndVisit), Search: name(b.Search),
		Help:         name(b.Help),
		HelpAnywhere: name(textFree(b.Help)), // the key that works while typing
		Elder:        name(b.Elder), Script: name(b.Traditional),
		Speak: name(b.Speak), Scan: name(b.QR), Print: name(b.Print),
	}
	return &helpScreen{keys: b, secs: help.Sections(help.Options{
		Keys:   k,
		Speech: b.Speak.Enabled(),
		Scan:   true,
		Print:  b.Print.Enabled(),
	})}
}

func (h *helpScreen) crumbs() []string { return []string{"帮助"} }

func (h *helpScreen) bindings() []binding {
	k := h.keys
	return []binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Back, k.Home, k.EndVisit}
}

func (h *helpScreen) renderAt(e *env, w int) {
	if h.width == w && h.lines != nil {
		return
	}
	h.width = w
	h.lines = nil
	for i, s := range h.secs {
		if i > 0 {
			h.lines = append(h.lines, "")
		}
		h.lines = append(h.lines, " "+e.st.Title.Render(s.Title), "")
		for _, b := range s.Body {
			if b.Picture != nil {
				for _, l := range b.Picture {
					h.lines = append(h.lines, "  "+l)
				}
				continue
			}
			for _, l := range wrapLines(b.Text, w-3) {
				h.lines = append(h.lines, "  "+l)
			}
		}
	}
}

func (h *helpScreen) scroll(d int) {
	h.offset = min(max(h.offset+d, 0), max(len(h.lines)-h.height, 0))
}

func (h *helpScreen) do(e *env, a action) tea.Cmd {
	switch a {
	case actUp:
		h.scroll(-1)
	case actDown:
		h.scroll(1)
	case actPageUp:
		h.scroll(-max(h.height-2, 1))
	case actPageDown:
		h.scroll(max(h.height-2, 1))
	case actBack:
		e.nav.pop()
		if e.nav.depth() == 0 {
			return e.nav.start()
		}
	default:
		return commonAction(e, a)
	}
	return nil
}

func (h *helpScreen) number(e *env, n int) tea.Cmd { return nil }

func (h *helpScreen) wheel(e *env, delta int) { h.scroll(delta) }

func (h *helpScreen) layout(e *env, w, height int) (string, []zone) {
	h.renderAt(e, w)
	h.height = height
	h.scroll(0)
	end := min(h.offset+height, len(h.lines))
	return strings.Join(h.lines[h.offset:end], "\n"), nil
}

func (h *helpScreen) status(e *env) string {
	if h.offset+h.height < len(h.lines) {
		return e.st.Status.Render(" 下面还有内容 ↓(按 " + h.keys.PageDown.Help().Key + " 或向上滑动)")
	}
	return ""
}
