package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"kiosk/content"
	"kiosk/tui/contrast"
	"kiosk/tui/printer"
	"kiosk/tui/qr"
	"kiosk/tui/speech"
)

// speechMsg carries one read-aloud event into the Update loop.
type speechMsg struct {
	ev     speech.Event
	events <-chan speech.Event
}

// waitSpeech waits for the next event of a run; the channel closes after
// the run's last event, and Stop ends every run, so it never hangs.
func waitSpeech(events <-chan speech.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return nil
		}
		return speechMsg{ev: ev, events: events}
	}
}

// speak starts reading the section aloud from its first sentence; while
// reading it pauses, and resumes when paused.
func (r *readerScreen) speak(e *env) tea.Cmd {
	if r.speakRun != 0 {
		if e.speech.Paused() {
			e.speech.Resume()
		} else {
			e.speech.Pause()
		}
		return nil
	}
	if err := e.speech.Available(); err != nil {
		r.notice = err.Error() // the control says why instead of failing silently
		return nil
	}
	r.sentences = speech.Split(r.sec.Markdown())
	r.spans = nil
	if len(r.sentences) == 0 {
		r.notice = "本节没有可以朗读的文字。"
		return nil
	}
	run, events := e.speech.Start(r.sentences, 0)
	r.speakRun, r.speaking = run, -1
	r.notice = ""
	return waitSpeech(events)
}

// stopSpeaking ends read-aloud (leaving the section, idle reset).
func (r *readerScreen) stopSpeaking(e *env) {
	if r.speakRun != 0 {
		e.speech.Stop()
		r.speakRun, r.speaking = 0, -1
	}
}

// speechEvent updates what is marked as being read.
func (r *readerScreen) speechEvent(msg speechMsg) tea.Cmd {
	switch msg.ev.Kind {
	case speech.Started:
		r.speaking = msg.ev.Index
		r.showSpeaking()
		return waitSpeech(msg.events)
	case speech.Failed:
		r.notice = fmt.Sprint(msg.ev.Err)
	}
	r.speakRun, r.speaking = 0, -1
	return nil
}

// speakingSpans are the cells of the sentence being read, located in the
// rendered lines (once per layout).
func (r *readerScreen) speakingSpans() []speech.Span {
	if r.speaking < 0 || r.speaking >= len(r.sentences) {
		return nil
	}
	if r.spans == nil {
		r.spans = speech.Locate(r.lines, r.sentences)
	}
	if r.speaking >= len(r.spans) {
		return nil
	}
	return r.spans[r.speaking]
}

// showSpeaking scrolls so the sentence being read is on screen.
func (r *readerScreen) showSpeaking() {
	sp := r.speakingSpans()
	if len(sp) == 0 {
		return
	}
	if first, last := sp[0].Line, sp[len(sp)-1].Line; first < r.offset || last >= r.offset+r.height {
		r.offset = max(first-1, 0)
		r.scroll(0)
	}
}

// alreadyPrinted is what the reader says once a document has been printed
// as often as one visit may print it.
const alreadyPrinted = "本次已打印过这份文件"

// printLimit is how many jobs one visit may send per document.
func (e *env) printLimit() int { return max(e.opts.Config.Kiosk.PrintLimit, 1) }

// mayPrint reports whether this visit may still print document d.
func (e *env) mayPrint(d *content.Document) bool { return e.printed[d] < e.printLimit() }

// print sends the section to the configured print command: one job per
// document per visit (kiosk.print_limit), counted when it is sent, so
// pressing d again while it prints sends nothing more.
func (r *readerScreen) print(e *env) tea.Cmd {
	d := r.sec.Doc
	if !e.mayPrint(d) {
		r.notice = alreadyPrinted + ",请到打印机取件。"
		return nil
	}
	if e.printed == nil {
		e.printed = map[*content.Document]int{}
	}
	e.printed[d]++
	cmdLine := e.opts.Config.Kiosk.PrintCommand
	job := printer.PrintJob{Title: d.Title, IndexNo: d.IndexNo, Date: d.Date.Format("2006-01-02"),
		Section: r.sec.DisplayTitle(), Text: r.sec.Markdown()}
	r.notice = "正在打印…"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return printedMsg{doc: d, err: printer.Send(ctx, cmdLine, job)}
	}
}

// printedMsg is a print job's result.
type printedMsg struct {
	doc *content.Document
	err error
}

// apply settles a print job: a failed job does not count against the
// visit's limit (the printer may be out of paper; staff fix it and the
// citizen tries again), wherever the citizen has gone meanwhile.
func (msg printedMsg) apply(e *env) {
	if msg.err != nil {
		e.logf("print failed: %v", msg.err)
		if e.printed[msg.doc] > 0 {
			e.printed[msg.doc]--
		}
	}
}

func (r *readerScreen) printed(msg printedMsg) {
	if msg.err != nil {
		r.notice = "打印失败,请联系工作人员。"
		return
	}
	r.notice = "已送去打印,请到打印机取件。"
}

// qrScreen shows the document's web address as a QR code to open it on a
// phone.
type qrScreen struct {
	keys       *keyMap
	title, url string
	code       string
	err        error
}

func newQRScreen(e *env, title, url string) *qrScreen {
	code, err := qr.Render(url)
	return &qrScreen{keys: &e.keys, title: title, url: url, code: code, err: err}
}

func (q *qrScreen) crumbs() []string { return []string{q.title, "扫码在手机打开"} }

func (q *qrScreen) bindings() []binding { return []binding{q.keys.Back, q.keys.Home, q.keys.EndVisit} }

func (q *qrScreen) do(e *env, a action) tea.Cmd { return commonAction(e, a) }

func (q *qrScreen) number(e *env, n int) tea.Cmd { return nil }

func (q *qrScreen) wheel(e *env, delta int) {}

// body shows, top to bottom, how to scan, the code and the address; the
// code is never cut (a cut code scans as nothing, or as another address).
// When the screen is short the explanation shortens, then goes (the header
// says 扫码在手机打开); when even the code and the address do not fit, the
// screen says so and shows the address to type.
func (q *qrScreen) layout(e *env, w, h int) (string, []zone) {
	text := func(s string) []string { // a paragraph in the screen's margin
		var out []string
		for _, l := range wrapLines(s, w-1) {
			out = append(out, " "+l)
		}
		return out
	}
	url := text("网址:" + e.sanitize(q.url))
	if q.err != nil {
		lines := append(text("无法生成二维码:"+q.err.Error()), url...)
		return fitLines(strings.Join(lines, "\n"), w, h), nil
	}
	code := strings.Split(q.code, "\n")
	codeW := 1 + lipgloss.Width(code[0])
	// Light modules on black, whatever the palette: scanners need the
	// contrast of a printed code.
	style := lipgloss.NewStyle().Foreground(contrast.White).Background(contrast.Black)
	for _, intro := range [][]string{text("用手机扫描下面的二维码,在手机上打开本文:"), text("用手机扫描二维码:"), nil} {
		if codeW > w || len(intro)+len(code)+len(url) > h {
			continue
		}
		lines := intro
		for _, l := range code {
			lines = append(lines, " "+style.Render(l))
		}
		lines = append(lines, url...)
		return fitLines(strings.Join(lines, "\n"), w, h), nil
	}
	lines := text("屏幕太小,无法显示二维码。可以在手机浏览器里输入下面的网址:")
	lines = append(lines, url...)
	return fitLines(strings.Join(lines, "\n"), w, h), nil
}
