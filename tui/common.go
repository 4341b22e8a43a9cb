package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// commonAction handles the actions every citizen screen shares.
func commonAction(m *Model, a action) tea.Cmd {
	switch a {
	case actBack:
		if len(m.stack) > 1 {
			m.pop()
		}
	case actHome:
		m.home()
	case actEndVisit:
		m.reset(false)
	case actSearch:
		if m.d.Search != nil {
			if s := m.searchScreen(); s != nil {
				// Back to the search already open, with its query.
				for len(m.stack) > 0 && m.top() != screen(s) {
					m.pop()
				}
				s.typing = true
				return nil
			}
			m.push(newSearchScreen(m))
		}
	}
	return nil
}

// wrapLines wraps styled or plain text to w cells without losing any
// character and returns the lines.
func wrapLines(s string, w int) []string {
	return strings.Split(lipgloss.Wrap(s, max(w, 4), ""), "\n")
}

// withIntro draws a short help text above a list and shifts the list's
// tap zones below it.
func withIntro(m *Model, intro string, l *list, w, h int) (string, []zone) {
	var top []string
	for _, line := range wrapLines(intro, w-1) {
		top = append(top, " "+m.st.Subtle.Render(line))
	}
	top = append(top, "")
	body, zones := l.render(m, w, max(h-len(top), 1))
	for i := range zones {
		zones[i].y0 += len(top)
		zones[i].y1 += len(top)
	}
	return strings.Join(top, "\n") + "\n" + body, zones
}
