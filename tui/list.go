package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// listItem is one row of a list: a title (wrapped, never cut, so no
// character is lost) and an optional line of metadata below it.
type listItem struct {
	title  string // plain, untrusted: sanitized when drawn
	meta   string // may be styled: sanitize untrusted parts when building it
	indent int    // cells
	header bool   // a heading between items; not selectable
	open   func(m *Model) tea.Cmd
}

// list is a scrolling list with a cursor, number keys for the first nine
// visible items and a tap zone per item. Items are tall (title and
// metadata) so a finger can hit them.
type list struct {
	items  []listItem
	cursor int // index into items; always a selectable item
	offset int // first visible item
	// numbered maps the number keys 1–9 to the items shown with them in
	// the last rendered frame.
	numbered []int
	height   int // body height of the last frame, for paging
	// hideNumbers shows no number labels (the digits are typed instead).
	hideNumbers bool
	more        int // selectable items below the last frame

}

func newList(items []listItem) *list {
	l := &list{items: items}
	l.cursor = l.nextSelectable(0, +1)
	return l
}

func (l *list) nextSelectable(from, dir int) int {
	for i := from; i >= 0 && i < len(l.items); i += dir {
		if !l.items[i].header {
			return i
		}
	}
	return -1
}

func (l *list) move(dir int) {
	if l.cursor < 0 {
		return
	}
	if n := l.nextSelectable(l.cursor+dir, dir); n >= 0 {
		l.cursor = n
	}
}

func (l *list) page(dir int) {
	steps := max(l.height/3, 1)
	for range steps {
		l.move(dir)
	}
}

func (l *list) do(m *Model, a action) (tea.Cmd, bool) {
	switch a {
	case actUp:
		l.move(-1)
	case actDown:
		l.move(+1)
	case actPageUp:
		l.page(-1)
	case actPageDown:
		l.page(+1)
	case actTop:
		l.cursor = l.nextSelectable(0, +1)
	case actBottom:
		l.cursor = l.nextSelectable(len(l.items)-1, -1)
	case actOpen:
		if l.cursor >= 0 {
			return l.items[l.cursor].open(m), true
		}
	default:
		return nil, false
	}
	return nil, true
}

func (l *list) number(m *Model, n int) tea.Cmd {
	if n-1 < len(l.numbered) {
		i := l.numbered[n-1]
		l.cursor = i
		return l.items[i].open(m)
	}
	return nil
}

func (l *list) wheel(delta int) {
	dir := 1
	if delta < 0 {
		dir, delta = -1, -delta
	}
	for range delta {
		l.move(dir)
	}
}

// render draws the list in h lines of width w; zones are relative to the
// list's first line.
func (l *list) render(m *Model, w, h int) (string, []zone) {
	l.height = h
	st := m.st
	type block struct {
		lines []string
		item  int
	}
	draw := func(i int, num int) block {
		it := l.items[i]
		indent := strings.Repeat(" ", it.indent)
		sel := i == l.cursor
		if it.header {
			var lines []string
			for _, t := range wrapLines(m.d.Sanitize(it.title), w-it.indent-1) {
				lines = append(lines, indent+st.Category.Render(t))
			}
			return block{lines: lines, item: i}
		}
		label := "   "
		if num > 0 {
			label = " " + string(rune('0'+num)) + " "
		}
		numStyle, textStyle := st.Number, st.Item
		marker := "  "
		if sel {
			numStyle, textStyle = st.NumberSelected, st.ItemSelected
			marker = "▶ " // the cursor is a symbol too, not colour alone
		}
		tw := max(w-it.indent-5, 4)
		var lines []string
		for j, t := range wrapLines(m.d.Sanitize(it.title), tw) {
			prefix := indent + marker + numStyle.Render(label)
			if j > 0 {
				prefix = indent + "     "
			}
			lines = append(lines, prefix+textStyle.Render(t))
		}
		if it.meta != "" {
			for _, t := range wrapLines(it.meta, tw) {
				lines = append(lines, indent+"     "+st.Subtle.Render(t))
			}
		}
		return block{lines: lines, item: i}
	}
	// page lays out the items from offset that fit in h lines: in 长者模式
	// a blank line between items and at most nine items (each with its
	// number). It is used both to keep the cursor visible and to draw, so
	// the two can never disagree.
	type placed struct {
		i, n  int
		lines []string
	}
	page := func(offset int) (out []placed, used int) {
		num := 0
		for i := offset; i < len(l.items); i++ {
			n := 0
			if !l.items[i].header && !l.hideNumbers {
				if num == 9 {
					if m.elder {
						break
					}
				} else {
					num++
					n = num
				}
			}
			b := draw(i, n)
			if m.elder && len(out) > 0 {
				b.lines = append([]string{""}, b.lines...)
			}
			if used+len(b.lines) > h && len(out) > 0 {
				break
			}
			out = append(out, placed{i: i, n: n, lines: b.lines})
			used += len(b.lines)
		}
		return out, used
	}
	if l.cursor >= 0 && l.cursor < l.offset {
		l.offset = l.cursor
		if l.offset > 0 && l.items[l.offset-1].header {
			l.offset-- // show the heading just above
		}
	}
	shown, _ := page(l.offset)
	visible := func() bool {
		for _, pl := range shown {
			if pl.i == l.cursor {
				return true
			}
		}
		return false
	}
	for l.cursor >= 0 && l.offset < l.cursor && !visible() {
		l.offset++
		shown, _ = page(l.offset)
	}
	var out []string
	var zones []zone
	l.numbered = l.numbered[:0]
	for _, pl := range shown {
		if pl.n > 0 {
			l.numbered = append(l.numbered, pl.i)
		}
		if !l.items[pl.i].header {
			idx := pl.i
			zones = append(zones, zone{x0: 0, x1: w, y0: len(out), y1: len(out) + len(pl.lines), tap: func(m *Model) tea.Cmd {
				l.cursor = idx
				return l.items[idx].open(m)
			}})
		}
		out = append(out, pl.lines...)
	}
	// Say that there is more, above and below (a symbol and words).
	if l.offset > 0 && len(out) > 0 {
		out[0] = padRight(out[0], w-2) + st.Subtle.Render("↑")
	}
	l.more = 0
	if len(shown) > 0 {
		for i := shown[len(shown)-1].i + 1; i < len(l.items); i++ {
			if !l.items[i].header {
				l.more++
			}
		}
	}
	if l.more > 0 && len(out) < h {
		out = append(out, st.Subtle.Render(fmt.Sprintf("     ↓ 下面还有 %d 项(按 PgDn 或向上滑动)", l.more)))
	} else if l.more > 0 && len(out) > 0 {
		out[len(out)-1] = padRight(out[len(out)-1], w-2) + st.Subtle.Render("↓")
	}
	return strings.Join(out, "\n"), zones
}

// padRight pads a styled line with spaces to width w (never cuts).
func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
