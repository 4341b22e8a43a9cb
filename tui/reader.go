package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kiosk/content"
	"kiosk/render"
	"kiosk/tui/speech"
)

// readerScreen shows one section rendered through the Markdown renderer,
// scrolling, with next/previous section without going back.
type readerScreen struct {
	keys *keyMap
	sec  *content.Section
	// mayPrint reports whether this visit may still print a document.
	mayPrint func(*content.Document) bool

	width  int      // width the lines were rendered at
	lines  []string // rendered section
	table  []bool   // which lines are a table's (kept together in 长者模式)
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

	// Read-aloud: the sentences of the section, where they are on screen
	// (per layout), the run that reads them and the sentence being read.
	sentences []speech.Sentence
	spans     [][]speech.Span
	speakRun  int
	speaking  int
	paused    bool
	notice    string // a message for the citizen in the status line
}

func newReaderScreen(m *Model, s *content.Section) *readerScreen {
	return &readerScreen{keys: &m.keys, sec: s, mayPrint: m.mayPrint, input: newLineInput(64), speaking: -1}
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
	speak := r.keys.Speak
	if r.speakRun != 0 {
		speak.button = "暂停朗读"
		if r.paused {
			speak.button = "继续朗读"
		}
	}
	bs = append(bs, speak)
	if r.sec.Doc.URL != "" {
		bs = append(bs, r.keys.QR)
	}
	print := r.keys.Print
	if !r.mayPrint(r.sec.Doc) {
		print = hidden(print) // d still says why it does not print
	}
	bs = append(bs, print)
	out := bs[:0:0]
	for _, b := range bs {
		switch {
		case b.act == actPrevSection && r.sec.Prev() == nil,
			b.act == actNextSection && r.sec.Next() == nil:
			continue // no such section: no hint that would lie
		case r.lines != nil && r.height > 0 && r.maxOffset() == 0 &&
			(b.act == actUp || b.act == actDown || b.act == actPageUp || b.act == actPageDown):
			continue // the section fits: nothing to scroll
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
	r.table = render.TableLines(r.lines)
	r.width = w
	r.offset = int(r.frac * float64(len(r.lines)))
	r.spans = nil // sentence places depend on the layout
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
		r.stopSpeaking(m)
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
	case actSpeak:
		cmd := r.speak(m)
		r.paused = m.speech.Paused()
		return cmd
	case actPrint:
		return r.print(m)
	case actQR:
		r.stopSpeaking(m)
		if r.sec.Doc.URL != "" {
			m.push(newQRScreen(m, r.sec.Doc.Title, r.sec.Doc.URL))
		}
	case actNextSection:
		r.stopSpeaking(m)
		if n := r.sec.Next(); n != nil {
			m.replace(newReaderScreen(m, n))
			m.sectionRead()
		}
	case actPrevSection:
		r.stopSpeaking(m)
		if p := r.sec.Prev(); p != nil {
			m.replace(newReaderScreen(m, p))
			m.sectionRead()
		}
	default:
		r.stopSpeaking(m)
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
	if sp := r.speakingSpans(); len(sp) > 0 {
		lines = append([]string(nil), lines...)
		byLine := map[int][]lipgloss.Range{}
		for _, s := range sp {
			byLine[s.Line] = append(byLine[s.Line], lipgloss.NewRange(s.Col0, s.Col1, m.st.Speaking))
		}
		for ln, rs := range byLine {
			if ln < len(lines) {
				lines[ln] = lipgloss.StyleRanges(lines[ln], rs...)
			}
		}
	}
	var window []string
	if m.elder {
		// 长者模式: a blank line between lines (line spacing 2), but not
		// inside a table: there a blank line would make a wrapped cell's
		// end look like a row of its own. Scrolling still counts source
		// lines; height becomes how many fit.
		n := 0
		for i := r.offset; i < len(lines) && len(window) < h; i++ {
			window = append(window, lines[i])
			n++
			if i+1 < len(lines) && !(r.table[i] && r.table[i+1]) &&
				strings.TrimSpace(ansi.Strip(lines[i])) != "" && strings.TrimSpace(ansi.Strip(lines[i+1])) != "" && len(window) < h {
				window = append(window, "")
			}
		}
		r.height = max(n, 1)
	} else {
		window = lines[r.offset:min(r.offset+h, len(lines))]
	}
	out := strings.Join(window, "\n")
	if r.finding {
		out = fitLines(out, w, h) + "\n" + m.st.Title.Render(" 查找:") + m.d.Sanitize(r.input.String()) + "▏" +
			m.st.Subtle.Render(" (汉字或拼音,Enter 确定)")
	}
	return out, nil
}

// status is the reader's position line: which section of how many, and
// how far down the section.
func (r *readerScreen) status(m *Model) string {
	// Where: chapters count among chapters, subsections among their
	// chapter's subsections — the same steps ← and → take.
	where := ""
	siblings := r.sec.Doc.Chapters()
	if r.sec.Parent != nil {
		siblings = r.sec.Parent.Children
	}
	pos := 0
	for i, s := range siblings {
		if s == r.sec {
			pos = i + 1
		}
	}
	if r.sec.Parent != nil {
		where = fmt.Sprintf("%s第 %d/%d 节", shortTitle(r.sec.Parent), pos, len(siblings))
	} else {
		where = fmt.Sprintf("第 %d/%d 章", pos, len(siblings))
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
	case r.notice != "":
		found = " · " + r.notice
	case r.speakRun != 0 && r.paused:
		found = fmt.Sprintf(" · ♪ 朗读已暂停(第 %d/%d 句)", r.speaking+1, len(r.sentences))
	case r.speakRun != 0 && r.speaking >= 0:
		found = fmt.Sprintf(" · ♪ 正在朗读第 %d/%d 句", r.speaking+1, len(r.sentences))
	case r.query != "" && len(r.matches) > 0:
		found = fmt.Sprintf(" · 「%s」 第 %d/%d 处", m.d.Sanitize(r.query), r.current+1, len(r.matches))
	case r.query != "":
		found = fmt.Sprintf(" · 本节没有找到「%s」", m.d.Sanitize(r.query))
	case m.keys.Print.Enabled() && !m.mayPrint(r.sec.Doc):
		found = " · " + alreadyPrinted // why the print button is gone
	}
	return m.st.Status.Render(fmt.Sprintf(" %s · 已读 %d%%%s%s", m.d.Sanitize(where), pct, found, more))
}

// shortTitle is a chapter's numeral ("二、") or, without one, its title
// and a space.
func shortTitle(s *content.Section) string {
	t := s.DisplayTitle()
	if i := strings.Index(t, "、"); i > 0 && i <= 9 {
		return t[:i+len("、")]
	}
	return t + " "
}
