package tui

import (
	"fmt"
	"strconv"
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
	plain  bool   // a heading drawn as ordinary text (a tip, not a title)
	open   func(e *env) tea.Cmd
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
	// typing: digits go into a query, so no number labels and no
	// selection are shown that would promise otherwise.
	typing bool
	more   int // selectable items below the last frame
	// ranked labels every item with its rank (1 for the first selectable
	// item, on to the last) instead of 1–9 per frame; see rankDigits.
	ranked bool
	rank   []int // rank of each item, 0 for headings
	width  int   // body width of the last frame, for paging
	last   int   // the last item in the last frame
}

// listScreen is what the catalogue and a document's contents share: a
// list that takes the moving actions, the number keys and the wheel, and
// the common actions for the rest.
type listScreen struct {
	keys *keyMap
	list *list
}

func (s *listScreen) do(e *env, a action) tea.Cmd {
	if cmd, ok := s.list.do(e, a); ok {
		return cmd
	}
	return commonAction(e, a)
}

func (s *listScreen) number(e *env, n int) tea.Cmd { return s.list.number(e, n) }

func (s *listScreen) wheel(e *env, delta int) { s.list.wheel(delta) }

func newList(items []listItem) *list {
	l := &list{items: items, rank: make([]int, len(items))}
	n := 0
	for i, it := range items {
		if !it.header {
			n++
			l.rank[i] = n
		}
	}
	l.cursor = l.nextSelectable(0, +1)
	return l
}

// labelWidth is the width of the number labels: " 1 ", or " 12 " when a
// ranked list goes beyond nine. All the list's labels have that width, so
// the layout does not shift from page to page.
func (l *list) labelWidth() int {
	if !l.ranked {
		return 3
	}
	last := 0
	for _, r := range l.rank {
		last = max(last, r)
	}
	return len(strconv.Itoa(max(last, 1))) + 2
}

// rankMatches are the items of the last frame whose rank, written out,
// is typed exactly (exact, -1 if none) or starts with typed (prefixed).
func (l *list) rankMatches(typed string) (exact int, prefixed []int) {
	exact = -1
	for _, i := range l.numbered {
		switch r := strconv.Itoa(l.rank[i]); {
		case r == typed:
			exact = i
		case strings.HasPrefix(r, typed):
			prefixed = append(prefixed, i)
		}
	}
	return exact, prefixed
}

// selected is the item shown selected: the cursor, or none (-1) while
// typing.
func (l *list) selected() int {
	if l.typing {
		return -1
	}
	return l.cursor
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

// page turns a page: PgDn shows the items after the last one on screen,
// PgUp the ones before the first, each with the cursor on its first item,
// so paging on shows every item once (moving the cursor a fixed number of
// items skipped some when items are tall). Before the first frame, and at
// either end, the cursor moves instead.
func (l *list) page(e *env, dir int) {
	if l.height == 0 || l.width == 0 {
		for range max(l.height/3, 1) {
			l.move(dir)
		}
		return
	}
	if dir > 0 {
		next := l.nextSelectable(l.last+1, +1)
		if next < 0 {
			l.cursor = l.nextSelectable(len(l.items)-1, -1)
			return
		}
		l.offset, l.cursor = l.last+1, next
		return
	}
	if l.offset == 0 {
		l.cursor = l.nextSelectable(0, +1)
		return
	}
	// The previous page ends with the item above this one: start it as
	// early as that item still shows.
	end, off := l.offset-1, l.offset-1
	for off > 0 && shows(l.place(e, off-1, l.width, l.height), end) {
		off--
	}
	l.offset = off
	if l.cursor = l.nextSelectable(off, +1); l.cursor < 0 || l.cursor > end {
		l.cursor = l.nextSelectable(end, -1)
	}
}

func (l *list) do(e *env, a action) (tea.Cmd, bool) {
	switch a {
	case actUp:
		l.move(-1)
	case actDown:
		l.move(+1)
	case actPageUp:
		l.page(e, -1)
	case actPageDown:
		l.page(e, +1)
	case actTop:
		l.cursor = l.nextSelectable(0, +1)
	case actBottom:
		l.cursor = l.nextSelectable(len(l.items)-1, -1)
	case actOpen:
		if l.cursor >= 0 {
			return l.items[l.cursor].open(e), true
		}
	default:
		return nil, false
	}
	return nil, true
}

func (l *list) number(e *env, n int) tea.Cmd {
	if n-1 < len(l.numbered) {
		i := l.numbered[n-1]
		l.cursor = i
		return l.items[i].open(e)
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

// placed is an item laid out on a page, with its number label (0: none).
type placed struct {
	i, n  int
	lines []string
}

// shows reports whether item i is on the page.
func shows(page []placed, i int) bool {
	for _, pl := range page {
		if pl.i == i {
			return true
		}
	}
	return false
}

// draw lays item i out at width w with the number label num (0: none).
func (l *list) draw(e *env, i, num, w int) []string {
	st := e.st
	it := l.items[i]
	indent := strings.Repeat(" ", it.indent)
	if it.header {
		style := st.Category
		if it.plain {
			style = st.Meta
		}
		var lines []string
		for _, t := range wrapLines(e.sanitize(it.title), w-it.indent-1) {
			lines = append(lines, indent+style.Render(t))
		}
		return lines
	}
	lw := l.labelWidth()
	label := strings.Repeat(" ", lw)
	if num > 0 {
		label = fmt.Sprintf(" %*d ", lw-2, num)
	}
	pad := strings.Repeat(" ", 2+lw) // under the marker and the label
	numStyle, textStyle := st.Number, st.Item
	marker := "  "
	if i == l.selected() {
		numStyle, textStyle = st.NumberSelected, st.ItemSelected
		marker = "▶ " // the cursor is a symbol too, not colour alone
	}
	tw := max(w-it.indent-len(pad), 4)
	var lines []string
	for j, t := range wrapLines(e.sanitize(it.title), tw) {
		prefix := indent + marker + numStyle.Render(label)
		if j > 0 {
			prefix = indent + pad
		}
		lines = append(lines, prefix+textStyle.Render(t))
	}
	if it.meta != "" {
		for _, t := range wrapLines(it.meta, tw) {
			lines = append(lines, indent+pad+st.Subtle.Render(t))
		}
	}
	return lines
}

// place lays out the items from offset that fit in h lines of width w:
// in 长者模式 a blank line between items and at most nine items (each
// with its number). Keeping the cursor visible, paging and drawing all use
// it, so they can never disagree.
func (l *list) place(e *env, offset, w, h int) (out []placed) {
	num, used := 0, 0
	for i := offset; i < len(l.items); i++ {
		n := 0
		if !l.items[i].header {
			if num == 9 && e.elder {
				break
			}
			if num < 9 || l.ranked {
				num++
				n = num
				if l.ranked {
					n = l.rank[i]
				}
			}
			if l.typing {
				n = 0
			}
		}
		lines := l.draw(e, i, n, w)
		if e.elder && len(out) > 0 {
			lines = append([]string{""}, lines...)
		}
		if used+len(lines) > h && len(out) > 0 {
			break
		}
		out = append(out, placed{i: i, n: n, lines: lines})
		used += len(lines)
	}
	return out
}

// layout draws the list in h lines of width w; zones are relative to the
// list's first line. It keeps the cursor on the page and records what the
// frame shows (numbers, first and last item) for the number keys and
// paging, which act on the frame the citizen sees.
func (l *list) layout(e *env, w, h int) (string, []zone) {
	l.height, l.width = h, w
	st := e.st
	cur := l.selected()
	if cur >= 0 && cur < l.offset {
		l.offset = cur
		if l.offset > 0 && l.items[l.offset-1].header {
			l.offset-- // show the heading just above
		}
	}
	shown := l.place(e, l.offset, w, h)
	for cur >= 0 && l.offset < cur && !shows(shown, cur) {
		l.offset++
		shown = l.place(e, l.offset, w, h)
	}
	if len(shown) > 0 {
		l.last = shown[len(shown)-1].i
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
			zones = append(zones, zone{x0: 0, x1: w, y0: len(out), y1: len(out) + len(pl.lines), tap: func() tea.Cmd {
				l.cursor = idx
				return l.items[idx].open(e)
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
		out = append(out, st.Subtle.Render(fmt.Sprintf("     ↓ 下面还有 %d 项(按 %s 或向上滑动)", l.more, e.keys.PageDown.Help().Key)))
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
