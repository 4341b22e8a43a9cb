package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"kiosk/render"
	"kiosk/tui/contrast"
)

// The two display modes every screen offers: 长者模式 (high contrast,
// bigger spacing, fewer items, plain-word hints) and 繁體 (all text shown
// in traditional characters). Switching keeps the citizen's place: the
// screens stay, only how they are drawn changes.

func (m *Model) setElder(on bool) {
	m.elder = on
	m.restyle()
}

// restyle picks the palette for the terminal's colour profile (Bubble
// Tea reports it in a tea.ColorProfileMsg), the configured style and
// 长者模式, and builds the styles and the Markdown renderer's colours from
// it: colours chosen for what the terminal can show, not 256 colours
// downsampled blindly (which made the header 1.18:1 under TERM=xterm).
func (m *Model) restyle() {
	p := contrast.For(m.profile, m.opts.Config.Kiosk.Style, m.elder)
	if p.Name == m.st.palette.Name && p.Profile == m.st.palette.Profile {
		return
	}
	m.st = newStyles(p)
	if r, ok := m.opts.Renderer.(*render.Renderer); ok {
		m.renderer = r.WithColors(render.Colors{
			Text: p.Text.FG, Heading: p.Heading.FG, Link: p.Link.FG, UnderlineHeadings: p.HeadingUnderline,
		})
	}
	// Screens that keep drawn lines (an open section) draw them again in
	// the new colours, at the same place.
	for _, s := range m.stack {
		if r, ok := s.(restyler); ok {
			r.restyled(m.env)
		}
	}
}

func (m *Model) setTraditional(on bool) {
	if m.opts.ToTraditional == nil {
		on = false
	}
	m.trad = on
}

// modeKeys are the mode switches shown as chips in the header (and at the
// foot of the attract screen); their labels say what a tap does. typing:
// letters and ? are text on the screen, so only the F-keys switch.
func (e *env) modeKeys(typing bool) []binding {
	el, t, h := e.keys.Elder, e.keys.Traditional, e.keys.Help
	if typing {
		// The chips name the F-keys.
		el, t, h = textFree(el), textFree(t), textFree(h)
	}
	if e.elder {
		el.button = "标准模式"
	}
	bs := []binding{el}
	if e.opts.ToTraditional != nil {
		if e.trad {
			t.button = "简体"
		}
		bs = append(bs, t)
	}
	if h.Enabled() {
		bs = append(bs, h)
	}
	return bs
}

// modeBindings are the mode switches for the screen on top.
func (m *Model) modeBindings() []binding { return m.modeKeys(m.typing()) }

// typing reports whether the screen on top takes letters as text now.
func (m *Model) typing() bool {
	if len(m.stack) == 0 {
		return false
	}
	t, ok := m.top().(typist)
	return ok && t.takesText()
}

// modeAction handles the mode keys on any screen; it reports whether the
// key was one.
func (m *Model) modeAction(a action) bool {
	switch a {
	case actElder:
		m.setElder(!m.elder)
	case actTraditional:
		m.setTraditional(!m.trad)
	default:
		return false
	}
	return true
}

// chips draws bindings as tap targets on one row starting at cell x0;
// zones are on row y.
func (m *Model) chips(bs []binding, x0, y int) (string, []zone) {
	var b strings.Builder
	var zones []zone
	x := x0
	for _, bd := range bs {
		label := bd.button
		if label == "" {
			label = bd.Help().Desc
		}
		chip := m.button(bd.Help().Key, label)
		w := lipgloss.Width(chip)
		if x > x0 {
			b.WriteString(" ")
			x++
		}
		act := bd.act
		zones = append(zones, zone{x0: x, x1: x + w, y0: y, y1: y + 1, tap: func() tea.Cmd {
			return m.dispatch(act)
		}})
		b.WriteString(chip)
		x += w
	}
	return b.String(), zones
}

// fitChips draws as many of the mode chips as fit in room cells, in their
// order, dropping from the end (help, then 繁體). 长者模式's chip stays as
// long as anything fits, its label shortened if it must be (长者, 标准):
// at 40 columns it is the only sign that 长者模式 is on and the way back.
func (m *Model) fitChips(bs []binding, room int) (string, []zone) {
	for n := len(bs); n > 0; n-- {
		if chips, zones := m.chips(bs[:n], 0, 0); lipgloss.Width(chips) <= room {
			return chips, zones
		}
	}
	for _, b := range bs {
		if b.act != actElder {
			continue
		}
		b.button = "长者"
		if m.elder {
			b.button = "标准"
		}
		if chips, zones := m.chips([]binding{b}, 0, 0); lipgloss.Width(chips) <= room {
			return chips, zones
		}
	}
	return "", nil
}

// button draws one tap target. In 长者模式 the words come first and the key
// follows in brackets, so the hint reads as plain words.
func (m *Model) button(key, label string) string {
	if m.st.elder {
		if key == "" {
			return m.st.Button.Render(" " + label + " ")
		}
		return m.st.Button.Render(" "+label) + m.st.ButtonKey.Render("("+key+") ")
	}
	if key == "" {
		return m.st.Button.Render(" " + label + " ")
	}
	return m.st.ButtonKey.Render(" "+key) + m.st.Button.Render(" "+label+" ")
}

// dispatch performs an action from a tap: mode switches anywhere, the
// screen's own actions otherwise.
func (m *Model) dispatch(a action) tea.Cmd {
	if m.modeAction(a) {
		if len(m.stack) == 0 {
			return m.start() // chosen on the attract screen: the visit starts in it
		}
		return nil
	}
	if a == actHelp {
		m.push(newHelpScreen(m.env))
		return nil
	}
	if len(m.stack) == 0 {
		return m.start()
	}
	return m.top().do(m.env, a)
}

// toTraditional converts a finished frame when 繁體 is on. Only Han
// characters change, each into one of the same width, so the layout and
// the tap zones stay as they were.
func (m *Model) toTraditional(frame string) string {
	if !m.trad || m.opts.ToTraditional == nil {
		return frame
	}
	return m.opts.ToTraditional(frame)
}

// speechCommand is the read-aloud command of the config ("" = default).
func speechCommand(c string) string {
	if c == "off" {
		return ""
	}
	return c
}
