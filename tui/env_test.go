package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"kiosk/render"
	"kiosk/tui/contrast"
)

// stackNav is a navigator without a top model: a plain stack that records
// what the screens asked for.
type stackNav struct {
	stack    []screen
	attract  bool
	switched []Content
}

func (n *stackNav) push(s screen)    { n.stack = append(n.stack, s) }
func (n *stackNav) replace(s screen) { n.stack[len(n.stack)-1] = s }
func (n *stackNav) home()            { n.stack = n.stack[:1] }
func (n *stackNav) start() tea.Cmd   { return nil }
func (n *stackNav) depth() int       { return len(n.stack) }
func (n *stackNav) toAttract()       { n.stack, n.attract = nil, true }
func (n *stackNav) switchNow(c Content) {
	n.switched = append(n.switched, c)
}
func (n *stackNav) staffOnTop() bool { return false }
func (n *stackNav) quit() tea.Cmd    { return nil }

func (n *stackNav) pop() {
	closed := n.stack[len(n.stack)-1]
	n.stack = n.stack[:len(n.stack)-1]
	if len(n.stack) > 0 {
		if r, ok := n.stack[len(n.stack)-1].(resumer); ok {
			r.resume(closed)
		}
	}
}

func (n *stackNav) popTo(match func(screen) bool) (screen, bool) {
	for i := len(n.stack) - 1; i >= 0; i-- {
		if match(n.stack[i]) {
			n.stack = n.stack[:i+1]
			return n.stack[i], true
		}
	}
	return nil, false
}

func (n *stackNav) top() screen { return n.stack[len(n.stack)-1] }

// TestScreenThroughItsEnv drives the catalogue, a document and the reader
// through an env alone: no top model, no Bubble Tea program. What a
// screen needs arrives in env; what it changes beyond itself goes through
// env.nav.
func TestScreenThroughItsEnv(t *testing.T) {
	nav := &stackNav{}
	v := &recorder{}
	e := &env{
		opts:    Options{Config: testConfig(), Sanitize: render.Sanitize, Visits: v},
		content: Content{Pack: defaultPack(t)}, renderer: render.New(render.Options{Style: "dark"}),
		keys: newKeyMap("f12"), st: newStyles(contrast.For(colorprofile.ANSI256, "dark", false)),
		nav: nav,
	}
	nav.push(newHomeScreen(e))
	frame := func() string {
		body, _ := nav.top().layout(e, 80, 20)
		return ansi.Strip(body)
	}
	if !strings.Contains(frame(), "1 ") {
		t.Fatalf("the catalogue shows no numbered item:\n%s", frame())
	}
	nav.top().number(e, 1) // the number keys act on the last layout
	doc, ok := nav.top().(*documentScreen)
	if !ok {
		t.Fatalf("1 opened %T, want the document", nav.top())
	}
	frame()
	nav.top().do(e, actDown)
	nav.top().do(e, actOpen)
	r, ok := nav.top().(*readerScreen)
	if !ok || v.count("section") != 1 {
		t.Fatalf("Enter opened %T (sections read %d), want the reader", nav.top(), v.count("section"))
	}
	if body := frame(); strings.TrimSpace(body) == "" {
		t.Fatal("the reader shows nothing")
	}
	before := r.offset
	r.do(e, actPageDown)
	if r.offset <= before && r.maxOffset() > 0 {
		t.Errorf("PgDn did not scroll: offset %d → %d", before, r.offset)
	}
	r.do(e, actBack)
	if nav.top() != screen(doc) || doc.list.cursor != 1 {
		t.Errorf("back from the reader: top %T, contents cursor %d (want the section read, 1)", nav.top(), doc.list.cursor)
	}
	doc.do(e, actEndVisit)
	nav.top().do(e, actSubmit) // 确定: the visit ends
	if !nav.attract || v.count("end") != 0 {
		// The visit's end is the top model's to record; the screen only
		// asked for the attract screen.
		t.Errorf("结束浏览 → 确定: attract %v, ends recorded by the screen %d", nav.attract, v.count("end"))
	}
}

// TestViewChangesNothing: the frame is laid out at the end of Update; View
// only shows it, however often it is called.
func TestViewChangesNothing(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "1", "enter") // the catalogue, a document, its first section
	r, ok := hs.m.top().(*readerScreen)
	if !ok {
		t.Fatalf("not reading: %T", hs.m.top())
	}
	frame, zones, offset, height := hs.m.frame, len(hs.m.zones), r.offset, r.height
	first := hs.m.View().Content
	for range 3 {
		if hs.m.View().Content != first {
			t.Fatal("View drew a different frame")
		}
	}
	if hs.m.frame != frame || len(hs.m.zones) != zones || r.offset != offset || r.height != height {
		t.Error("View changed the layout")
	}
}
