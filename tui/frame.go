package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout lays the frame out for the current state: the screen's body
// (its scroll offsets, number keys, tap zones), the header and the footer.
// It runs at the end of every Update.
func (m *Model) layout() {
	m.frame = m.render()
}

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
	body, bzones := s.layout(m.env, w, bh)
	if footer != "" {
		// The status line reports what the body just laid out; if that
		// changes the footer's height, lay the body out again.
		footer, fzones = m.footer(s, w)
		if n := strings.Count(footer, "\n") + 1; n != fh && h-1-n >= 1 {
			fh, bh = n, h-1-n
			body, bzones = s.layout(m.env, w, bh)
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
		m.zones = []zone{{x0: 0, y0: 0, x1: w, y1: h, tap: func() tea.Cmd { return m.dismissIdle() }}}
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
		parts[i] = m.sanitize(parts[i])
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
	if st, ok := s.(interface{ status(e *env) string }); ok {
		status = st.status(m.env)
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
		if b.hidden || !b.Enabled() {
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
		zones = append(zones, zone{x0: x, x1: x + bw, y0: y, y1: y + 1, tap: func() tea.Cmd {
			return m.top().do(m.env, act)
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
