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

func newReaderScreen(e *env, s *content.Section) *readerScreen {
	return &readerScreen{keys: &e.keys, sec: s, mayPrint: e.mayPrint, input: newLineInput(64), speaking: -1}
}

// newReaderAt opens a section with the matches of a search query marked,
// scrolled to the first one.
func newReaderAt(e *env, s *content.Section, query string) *readerScreen {
	r := newReaderScreen(e, s)
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
		return []binding{r.keys.Submit, r.keys.Delete, r.keys.cancel()}
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

// renderAt renders the section at width w (cached by the renderer) and keeps
// the citizen's place in it across a resize.
func (r *readerScreen) renderAt(e *env, w int) {
	if r.width == w && r.lines != nil {
		return
	}
	if len(r.lines) > 0 {
		r.frac = float64(r.offset) / float64(len(r.lines))
	}
	out, err := e.renderer.Render(r.sec.Ref(), r.sec.Markdown(), w)
	r.err = err
	if err != nil {
		out = "本节暂时无法显示。请返回后重试,或请工作人员检查内容。"
	}
	r.lines = strings.Split(strings.TrimRight(out, "\n"), "\n")
	r.table = render.TableLines(r.lines)
	r.width = w
	r.offset = int(r.frac * float64(len(r.lines)))
	r.spans = nil // sentence places depend on the layout
	r.mark(e, false)
}

// mark finds the query's matches in the rendered lines; with jump it
// scrolls to the first match.
func (r *readerScreen) mark(e *env, jump bool) {
	r.matches, r.marked = nil, nil
	if r.query == "" || r.lines == nil {
		return
	}
	r.matches = findMatches(r.lines, e.matcherFor(r.query))
	if r.current >= len(r.matches) {
		r.current = 0
	}
	r.marked = markLines(r.lines, r.matches, r.current, e.st)
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

func (r *readerScreen) step(e *env, dir int) {
	if len(r.matches) == 0 {
		return
	}
	r.current = (r.current + dir + len(r.matches)) % len(r.matches)
	r.marked = markLines(r.lines, r.matches, r.current, e.st)
	r.showCurrent()
}

// typed takes the find query while the find line is open; the keys of
// its bindings (Enter, ⌫, Esc) do what the footer offers.
func (r *readerScreen) typed(e *env, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !r.finding {
		return false, nil
	}
	if _, ok := lookup(r.bindings(), msg); ok {
		return false, nil
	}
	_, consumed := r.input.update(msg)
	return consumed, nil
}

// takesText: letters are text while the find line is open.
func (r *readerScreen) takesText() bool { return r.finding }

// update takes the events of this reader's read-aloud and the result of
// its print job.
func (r *readerScreen) update(e *env, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case speechMsg:
		if msg.ev.Run != r.speakRun {
			return nil, false // a run this screen no longer shows
		}
		return r.speechEvent(msg), true
	case printedMsg:
		if msg.doc != r.sec.Doc {
			return nil, false
		}
		r.printed(msg)
		return nil, true
	}
	return nil, false
}

// restyled draws the section again in the new colours (its text and its
// marked matches), at the same place: colours do not change where lines
// break.
func (r *readerScreen) restyled(e *env) {
	if r.lines == nil {
		return
	}
	offset, w := r.offset, r.width
	r.width = 0
	r.renderAt(e, w)
	r.offset = offset
}

func (r *readerScreen) maxOffset() int { return max(len(r.lines)-r.height, 0) }

func (r *readerScreen) scroll(d int) {
	r.offset = min(max(r.offset+d, 0), r.maxOffset())
	if len(r.lines) > 0 {
		r.frac = float64(r.offset) / float64(len(r.lines))
	}
}

func (r *readerScreen) do(e *env, a action) tea.Cmd {
	page := max(r.height-2, 1)
	switch a {
	case actFind:
		r.finding = true
		r.input.Reset()
	case actDelete:
		r.input.update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	case actSubmit:
		r.finding = false
		r.query = strings.TrimSpace(r.input.String())
		r.current = 0
		r.mark(e, true)
	case actBack:
		if r.finding {
			r.finding = false
			return nil
		}
		r.stopSpeaking(e)
		return commonAction(e, a)
	case actNextMatch:
		r.step(e, +1)
	case actPrevMatch:
		r.step(e, -1)
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
		cmd := r.speak(e)
		r.paused = e.speech.Paused()
		return cmd
	case actPrint:
		return r.print(e)
	case actQR:
		r.stopSpeaking(e)
		if r.sec.Doc.URL != "" {
			e.nav.push(newQRScreen(e, r.sec.Doc.Title, r.sec.Doc.URL))
		}
	case actNextSection:
		r.stopSpeaking(e)
		if n := r.sec.Next(); n != nil {
			e.nav.replace(newReaderScreen(e, n))
			e.sectionRead()
		}
	case actPrevSection:
		r.stopSpeaking(e)
		if p := r.sec.Prev(); p != nil {
			e.nav.replace(newReaderScreen(e, p))
			e.sectionRead()
		}
	default:
		r.stopSpeaking(e)
		return commonAction(e, a)
	}
	return nil
}

func (r *readerScreen) number(e *env, n int) tea.Cmd { return nil }

func (r *readerScreen) wheel(e *env, delta int) { r.scroll(delta) }

func (r *readerScreen) layout(e *env, w, h int) (string, []zone) {
	first := r.lines == nil
	if r.finding {
		h = max(h-1, 1)
	}
	r.height = h
	r.renderAt(e, w)
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
			byLine[s.Line] = append(byLine[s.Line], lipgloss.NewRange(s.Col0, s.Col1, e.st.Speaking))
		}
		for ln, rs := range byLine {
			if ln < len(lines) {
				lines[ln] = lipgloss.StyleRanges(lines[ln], rs...)
			}
		}
	}
	var window []string
	if e.elder {
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
		out = fitLines(out, w, h) + "\n" + e.st.Title.Render(" 查找:") + e.sanitize(r.input.String()) + "▏" +
			e.st.Subtle.Render(" (汉字或拼音,"+r.keys.Submit.Help().Key+" 确定)")
	}
	return out, nil
}

// status is the reader's position line: which section of how many, and
// how far down the section.
func (r *readerScreen) status(e *env) string {
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
		found = fmt.Sprintf(" · 「%s」 第 %d/%d 处", e.sanitize(r.query), r.current+1, len(r.matches))
	case r.query != "":
		found = fmt.Sprintf(" · 本节没有找到「%s」", e.sanitize(r.query))
	case e.keys.Print.Enabled() && !e.mayPrint(r.sec.Doc):
		found = " · " + alreadyPrinted // why the print button is gone
	}
	return e.st.Status.Render(fmt.Sprintf(" %s · 已读 %d%%%s%s", e.sanitize(where), pct, found, more))
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
