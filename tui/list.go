package tui

import (
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
	// Keep the cursor visible: scroll so that it fits, measuring blocks.
	if l.cursor >= 0 && l.cursor < l.offset {
		l.offset = l.cursor
		// show the heading just above, if any
		if l.offset > 0 && l.items[l.offset-1].header {
			l.offset--
		}
	}
	for l.cursor >= 0 {
		used := 0
		visible := false
		for i := l.offset; i < len(l.items); i++ {
			used += len(draw(i, 0).lines)
			if used > h {
				break
			}
			if i == l.cursor {
				visible = true
				break
			}
		}
		if visible || l.offset >= l.cursor {
			break
		}
		l.offset++
	}
	var out []string
	var zones []zone
	l.numbered = l.numbered[:0]
	num := 0
	for i := l.offset; i < len(l.items) && len(out) < h; i++ {
		n := 0
		if !l.items[i].header && num < 9 && !l.hideNumbers {
			num++
			n = num
		}
		if m.elder && n == 0 && !l.items[i].header && !l.hideNumbers {
			break // 长者模式: at most nine items a page, each with its number
		}
		b := draw(i, n)
		if m.elder && len(out) > 0 {
			b.lines = append([]string{""}, b.lines...) // a blank line between items
		}
		if len(out)+len(b.lines) > h && len(out) > 0 {
			break
		}
		if n > 0 {
			l.numbered = append(l.numbered, i)
		}
		if !l.items[i].header {
			idx := i
			zones = append(zones, zone{x0: 0, x1: w, y0: len(out), y1: len(out) + len(b.lines), tap: func(m *Model) tea.Cmd {
				l.cursor = idx
				return l.items[idx].open(m)
			}})
		}
		out = append(out, b.lines...)
	}
	if more := l.offset > 0; more && len(out) > 0 {
		out[0] = padRight(out[0], w-2) + st.Subtle.Render("↑")
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
