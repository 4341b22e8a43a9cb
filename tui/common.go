package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

// commonAction handles the actions every citizen screen shares.
func commonAction(e *env, a action) tea.Cmd {
	switch a {
	case actBack:
		if e.nav.depth() > 1 {
			e.nav.pop()
		}
	case actHome:
		e.nav.home()
	case actEndVisit:
		e.nav.push(confirmEndVisit(e)) // it forgets everything: ask first
	case actSearch:
		if e.content.Search != nil {
			isSearch := func(s screen) bool { _, ok := s.(*searchScreen); return ok }
			if s, ok := e.nav.popTo(isSearch); ok {
				// Back to the search already open, with its query.
				s.(*searchScreen).typing = true
				return nil
			}
			e.nav.push(newSearchScreen(e))
		}
	}
	return nil
}

// wrapLines wraps styled or plain text to w cells without losing any
// character and returns the lines. Breaks follow Unicode line breaking
// (UAX #14), so no line starts with closing punctuation such as ，。、）
// and none ends with an opening one; styles survive the breaks.
func wrapLines(s string, w int) []string {
	w = max(w, 4)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapParagraph(para, w)...)
	}
	return out
}

// closingPunct may not start a line.
const closingPunct = ",.;:?!)]}，。、；：？！）》」』”’〕】"

func wrapParagraph(s string, w int) []string {
	plain := ansi.Strip(s)
	if ansi.StringWidth(plain) <= w {
		return []string{s}
	}
	var lines []string
	start, pos, end := 0, 0, 0 // cells: line start, consumed, end of the line's last non-space
	emit := func() {
		lines = append(lines, ansi.Cut(s, start, end))
	}
	rest, state := plain, -1
	for rest != "" {
		var seg string
		seg, rest, _, state = uniseg.FirstLineSegmentInString(rest, state)
		trimmed := strings.TrimRight(seg, " ")
		segW, trimW := ansi.StringWidth(seg), ansi.StringWidth(trimmed)
		if pos > start && pos-start+trimW > w {
			emit()
			start = pos
		}
		if trimW > w {
			// A run with no break opportunity longer than a line: cut it
			// by grapheme clusters.
			type cluster struct {
				s string
				w int
			}
			var cs []cluster
			g := uniseg.NewGraphemes(trimmed)
			for g.Next() {
				cs = append(cs, cluster{g.Str(), g.Width()})
			}
			for k := 0; k < len(cs); k++ {
				if pos-start+cs[k].w > w && pos > start {
					// Never start a line with closing punctuation: carry
					// the cluster before it along.
					if k > 0 && strings.ContainsAny(cs[k].s, closingPunct) && pos-cs[k-1].w > start {
						pos -= cs[k-1].w
						k--
					}
					end = pos
					emit()
					start = pos
				}
				pos += cs[k].w
			}
			end = pos
			pos += segW - trimW
			continue
		}
		if trimW > 0 {
			end = pos + trimW
		}
		pos += segW
	}
	if end > start {
		emit()
	}
	return lines
}

// withIntro draws a short help text above a list and shifts the list's
// tap zones below it.
func withIntro(e *env, intro string, l *list, w, h int) (string, []zone) {
	var top []string
	for _, line := range wrapLines(intro, w-1) {
		top = append(top, " "+e.st.Subtle.Render(line))
	}
	top = append(top, "")
	body, zones := l.layout(e, w, max(h-len(top), 1))
	for i := range zones {
		zones[i].y0 += len(top)
		zones[i].y1 += len(top)
	}
	return strings.Join(top, "\n") + "\n" + body, zones
}
