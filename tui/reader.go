package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"kiosk/content"
)

// readerScreen shows one section rendered through the Markdown renderer,
// scrolling, with next/previous section without going back.
type readerScreen struct {
	keys *keyMap
	sec  *content.Section

	width  int      // width the lines were rendered at
	lines  []string // rendered section
	offset int      // first visible line
	height int      // body height of the last frame
	frac   float64  // scroll position kept across a resize
	err    error

	// Find: the query whose matches are marked, the matches in the
	// rendered lines, and which one is current. finding is true while
	// the citizen types a query after "/".
	query   string
	matches []match
	current int
	marked  []string // lines with the matches styled
	finding bool
	input   lineInput
}

func newReaderScreen(m *Model, s *content.Section) *readerScreen {
	return &readerScreen{keys: &m.keys, sec: s, input: newLineInput(64)}
}

// newReaderAt opens a section with the matches of a search query marked,
// scrolled to the first one.
func newReaderAt(m *Model, s *content.Section, query string) *readerScreen {
	r := newReaderScreen(m, s)
	r.query = query
	return r
}

func (r *readerScreen) crumbs() []string {
	c := []string{r.sec.Doc.Title}
	if r.sec.Parent != nil {
		c = append(c, r.sec.Parent.DisplayTitle())
	}
	return append(c, r.sec.DisplayTitle())
}

func (r *readerScreen) bindings() []binding {
	if r.finding {
		return []binding{r.keys.Submit, r.keys.Delete, r.keys.Cancel}
	}
	bs := r.keys.readerBindings(len(r.matches) > 0)
	out := bs[:0:0]
	for _, b := range bs {
		switch {
		case b.act == actPrevSection && r.sec.Prev() == nil,
			b.act == actNextSection && r.sec.Next() == nil:
			continue // no such section: no hint that would lie
		}
		out = append(out, b)
	}
	return out
}

// layout renders the section at width w (cached by the renderer) and keeps
// the citizen's place in it across a resize.
func (r *readerScreen) layout(m *Model, w int) {
	if r.width == w && r.lines != nil {
		return
	}
	if len(r.lines) > 0 {
		r.frac = float64(r.offset) / float64(len(r.lines))
	}
	out, err := m.d.Renderer.Render(r.sec.Ref(), r.sec.Markdown(), w)
	r.err = err
	if err != nil {
		out = "本节暂时无法显示。请返回后重试,或请工作人员检查内容。"
	}
	r.lines = strings.Split(strings.TrimRight(out, "\n"), "\n")
	r.width = w
	r.offset = int(r.frac * float64(len(r.lines)))
	r.mark(m, false)
}

// mark finds the query's matches in the rendered lines; with jump it
// scrolls to the first match.
func (r *readerScreen) mark(m *Model, jump bool) {
	r.matches, r.marked = nil, nil
	if r.query == "" || r.lines == nil {
		return
	}
	r.matches = findMatches(r.lines, m.matcherFor(r.query))
	if r.current >= len(r.matches) {
		r.current = 0
	}
	r.marked = markLines(r.lines, r.matches, r.current, m.st)
	if jump && len(r.matches) > 0 {
		r.showCurrent()
	}
}

// showCurrent scrolls so the current match is in the upper third.
func (r *readerScreen) showCurrent() {
	if len(r.matches) == 0 {
		return
	}
	line := r.matches[r.current][0].line
	if line < r.offset || line >= r.offset+r.height {
		r.offset = max(line-r.height/3, 0)
		r.scroll(0)
	}
}

func (r *readerScreen) step(m *Model, dir int) {
	if len(r.matches) == 0 {
		return
	}
	r.current = (r.current + dir + len(r.matches)) % len(r.matches)
	r.marked = markLines(r.lines, r.matches, r.current, m.st)
	r.showCurrent()
}

// typed takes the find query while the find line is open.
func (r *readerScreen) typed(m *Model, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !r.finding {
		return false, nil
	}
	switch msg.String() {
	case "enter", "esc":
		return false, nil
	}
	_, consumed := r.input.update(msg)
	return consumed, nil
}

func (r *readerScreen) maxOffset() int { return max(len(r.lines)-r.height, 0) }

func (r *readerScreen) scroll(d int) {
	r.offset = min(max(r.offset+d, 0), r.maxOffset())
	if len(r.lines) > 0 {
		r.frac = float64(r.offset) / float64(len(r.lines))
	}
}

func (r *readerScreen) do(m *Model, a action) tea.Cmd {
	page := max(r.height-2, 1)
	switch a {
	case actFind:
		r.finding = true
		r.input.Reset()
	case actSubmit:
		r.finding = false
		r.query = strings.TrimSpace(r.input.String())
		r.current = 0
		r.mark(m, true)
	case actBack:
		if r.finding {
			r.finding = false
			return nil
		}
		return commonAction(m, a)
	case actNextMatch:
		r.step(m, +1)
	case actPrevMatch:
		r.step(m, -1)
	case actUp:
		r.scroll(-1)
	case actDown:
		r.scroll(+1)
	case actPageUp:
		r.scroll(-page)
	case actPageDown:
		r.scroll(+page)
	case actTop:
		r.scroll(-len(r.lines))
	case actBottom:
		r.scroll(len(r.lines))
	case actNextSection:
		if n := r.sec.Next(); n != nil {
			m.replace(newReaderScreen(m, n))
			m.sectionRead()
		}
	case actPrevSection:
		if p := r.sec.Prev(); p != nil {
			m.replace(newReaderScreen(m, p))
			m.sectionRead()
		}
	default:
		return commonAction(m, a)
	}
	return nil
}

func (r *readerScreen) number(m *Model, n int) tea.Cmd { return nil }

func (r *readerScreen) wheel(m *Model, delta int) { r.scroll(delta) }

func (r *readerScreen) body(m *Model, w, h int) (string, []zone) {
	first := r.lines == nil
	if r.finding {
		h = max(h-1, 1)
	}
	r.height = h
	r.layout(m, w)
	if first {
		r.showCurrent() // opened from a search: show the first match
	}
	r.scroll(0)
	lines := r.lines
	if r.marked != nil {
		lines = r.marked
	}
	end := min(r.offset+h, len(lines))
	out := strings.Join(lines[r.offset:end], "\n")
	if r.finding {
		out = fitLines(out, w, h) + "\n" + m.st.Title.Render(" 查找:") + m.d.Sanitize(r.input.String()) + "▏" +
			m.st.Subtle.Render(" (汉字或拼音,Enter 确定)")
	}
	return out, nil
}

// status is the reader's position line: which section of how many, and
// how far down the section.
func (r *readerScreen) status(m *Model) string {
	secs := r.sec.Doc.Sections
	pos := 0
	for i, s := range secs {
		if s == r.sec {
			pos = i + 1
		}
	}
	pct := 100
	if mo := r.maxOffset(); mo > 0 {
		pct = r.offset * 100 / mo
	}
	more := ""
	if r.offset < r.maxOffset() {
		more = " · 下面还有内容 ↓"
	}
	found := ""
	switch {
	case r.query != "" && len(r.matches) > 0:
		found = fmt.Sprintf(" · “%s” 第 %d/%d 处", m.d.Sanitize(r.query), r.current+1, len(r.matches))
	case r.query != "":
		found = fmt.Sprintf(" · 本节没有找到“%s”", m.d.Sanitize(r.query))
	}
	return m.st.Status.Render(fmt.Sprintf(" 第 %d/%d 节 · 已读 %d%%%s%s", pos, len(secs), pct, found, more))
}
