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

func newHelpScreen(m *Model) *helpScreen {
	k := help.DefaultKeys()
	k.Up, k.Down, k.Open, k.Back, k.Home, k.EndVisit = "↑", "↓", "Enter", "Esc", "h", "x"
	k.Search = m.keys.Search.Help().Key
	k.Help = m.keys.Help.Help().Key
	k.HelpAnywhere = textFree(m.keys.Help).Help().Key // the key that works while typing
	k.Elder, k.Script = m.keys.Elder.Help().Key, m.keys.Traditional.Help().Key
	k.Speak, k.Scan, k.Print = m.keys.Speak.Help().Key, m.keys.QR.Help().Key, m.keys.Print.Help().Key
	return &helpScreen{keys: &m.keys, secs: help.Sections(help.Options{
		Keys:   k,
		Speech: m.keys.Speak.Enabled(),
		Scan:   true,
		Print:  m.keys.Print.Enabled(),
	})}
}

func (h *helpScreen) crumbs() []string { return []string{"帮助"} }

func (h *helpScreen) bindings() []binding {
	k := h.keys
	return []binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Back, k.Home, k.EndVisit}
}

func (h *helpScreen) layout(m *Model, w int) {
	if h.width == w && h.lines != nil {
		return
	}
	h.width = w
	h.lines = nil
	for i, s := range h.secs {
		if i > 0 {
			h.lines = append(h.lines, "")
		}
		h.lines = append(h.lines, " "+m.st.Title.Render(s.Title), "")
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

func (h *helpScreen) do(m *Model, a action) tea.Cmd {
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
		m.pop()
		if len(m.stack) == 0 {
			return m.start()
		}
	default:
		return commonAction(m, a)
	}
	return nil
}

func (h *helpScreen) number(m *Model, n int) tea.Cmd { return nil }

func (h *helpScreen) wheel(m *Model, delta int) { h.scroll(delta) }

func (h *helpScreen) body(m *Model, w, height int) (string, []zone) {
	h.layout(m, w)
	h.height = height
	h.scroll(0)
	end := min(h.offset+height, len(h.lines))
	return strings.Join(h.lines[h.offset:end], "\n"), nil
}

func (h *helpScreen) status(m *Model) string {
	if h.offset+h.height < len(h.lines) {
		return m.st.Status.Render(" 下面还有内容 ↓(按 PgDn 或向上滑动)")
	}
	return ""
}
