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
}

func newReaderScreen(m *Model, s *content.Section) *readerScreen {
	return &readerScreen{keys: &m.keys, sec: s}
}

func (r *readerScreen) crumbs() []string {
	c := []string{r.sec.Doc.Title}
	if r.sec.Parent != nil {
		c = append(c, r.sec.Parent.DisplayTitle())
	}
	return append(c, r.sec.DisplayTitle())
}

func (r *readerScreen) bindings() []binding {
	bs := r.keys.readerBindings(false)
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
	r.layout(m, w)
	r.height = h
	r.scroll(0)
	end := min(r.offset+h, len(r.lines))
	return strings.Join(r.lines[r.offset:end], "\n"), nil
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
	return m.st.Status.Render(fmt.Sprintf(" 第 %d/%d 节 · 已读 %d%%%s", pos, len(secs), pct, more))
}
