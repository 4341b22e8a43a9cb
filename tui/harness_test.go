package tui

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kiosk/config"
	"kiosk/content"
	"kiosk/index/hanconv"
	"kiosk/render"
)

// updating reports -update: rewrite the golden files under testdata/golden.
// The flag itself is defined by teatest's golden package, which this
// package's tests import; defining it twice would panic.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// clock is a fake clock the tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recorder is a Visits that remembers the calls it got.
type recorder struct{ calls []string }

func (r *recorder) Activity() error    { r.calls = append(r.calls, "activity"); return nil }
func (r *recorder) SectionRead() error { r.calls = append(r.calls, "section"); return nil }
func (r *recorder) SearchMade() error  { r.calls = append(r.calls, "search"); return nil }
func (r *recorder) End() error         { r.calls = append(r.calls, "end"); return nil }
func (r *recorder) IdleEnd() error     { r.calls = append(r.calls, "idle-end"); return nil }

func (r *recorder) count(call string) int {
	n := 0
	for _, c := range r.calls {
		if c == call {
			n++
		}
	}
	return n
}

type harness struct {
	t      *testing.T
	m      *Model
	clock  *clock
	visits *recorder
	w, h   int
	late   chan tea.Msg // results of commands that took longer than a frame
}

func defaultPack(t testing.TB) *content.Pack {
	t.Helper()
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testConfig() config.Config {
	c := config.Default()
	c.Point = config.Point{ID: "jinqueshan", Name: "金雀山街道查阅点", Level: config.LevelTownship, Hours: "周一至周五 9:00–17:00"}
	// Read-aloud is offered only when its program exists: a command every
	// machine has keeps the frames the same with or without espeak-ng.
	c.Kiosk.SpeechCommand = "cat"
	return c
}

func newHarness(t *testing.T, w, h int, mutate ...func(*Deps)) *harness {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)}
	v := &recorder{}
	d := Deps{Content: Content{Pack: defaultPack(t)}, Options: Options{
		Config:   testConfig(),
		Renderer: render.New(render.Options{Style: "dark"}),
		Sanitize: render.Sanitize,
		Visits:   v,
		Now:      c.Now,
		ToTraditional: func(s string) string {
			return testS2T().Convert(s)
		},
	}}
	for _, f := range mutate {
		f(&d)
	}
	hs := &harness{t: t, m: New(d), clock: c, visits: v, late: make(chan tea.Msg, 64)}
	hs.resize(w, h)
	return hs
}

func (hs *harness) resize(w, h int) {
	hs.w, hs.h = w, h
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
}

// send delivers a message and runs the commands it returns that are
// immediate (not timers), as the program would.
func (hs *harness) send(msg tea.Msg) {
	_, cmd := hs.m.Update(msg)
	hs.run(cmd)
	hs.m.View() // the program renders after every update; taps and number keys act on that frame
}

func (hs *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() {
		msg := cmd()
		select {
		case done <- msg:
		default:
		}
	}()
	select {
	case msg := <-done:
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				hs.run(c)
			}
		case nil, idleMsg:
		default:
			hs.send(msg)
		}
	case <-time.After(50 * time.Millisecond):
		// A timer (idle tick, debounce) or slow work (read-aloud,
		// printing): keep waiting in the background; await collects it.
		go func() {
			if msg := <-done; msg != nil {
				hs.late <- msg
			}
		}()
	}
}

// await delivers the next late message that want accepts (waiting up to
// 10 s); timers that fire meanwhile are dropped — tests fire those by hand.
func (hs *harness) await(want func(tea.Msg) bool) {
	hs.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case msg := <-hs.late:
			if want(msg) {
				hs.send(msg)
				return
			}
		case <-deadline:
			hs.t.Fatalf("no awaited message arrived:\n%s", hs.plain())
		}
	}
}

var keyNames = map[string]tea.Key{
	"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "backspace": {Code: tea.KeyBackspace},
	"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
	"pgdown": {Code: tea.KeyPgDown}, "pgup": {Code: tea.KeyPgUp}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
	"f12": {Code: tea.KeyF12}, "space": {Code: tea.KeySpace, Text: " "}, "tab": {Code: tea.KeyTab},
	"f1": {Code: tea.KeyF1}, "f2": {Code: tea.KeyF2}, "f3": {Code: tea.KeyF3}, "f4": {Code: tea.KeyF4}, "f6": {Code: tea.KeyF6},
	"ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "ctrl+z": {Code: 'z', Mod: tea.ModCtrl}, "ctrl+d": {Code: 'd', Mod: tea.ModCtrl},
	"ctrl+\\": {Code: '\\', Mod: tea.ModCtrl},
	"ctrl+u":  {Code: 'u', Mod: tea.ModCtrl}, "ctrl+x": {Code: 'x', Mod: tea.ModCtrl},
}

// press sends a key by name ("enter", "ctrl+c") or a single character.
func (hs *harness) press(keys ...string) {
	for _, k := range keys {
		key, ok := keyNames[k]
		if !ok {
			r := []rune(k)
			if len(r) != 1 {
				hs.t.Fatalf("unknown key %q", k)
			}
			key = tea.Key{Code: r[0], Text: k}
		}
		hs.send(tea.KeyPressMsg(key))
	}
}

func (hs *harness) click(x, y int) {
	hs.send(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
}

// clickText taps the first place on screen showing text.
func (hs *harness) clickText(text string) {
	hs.t.Helper()
	for y, line := range strings.Split(hs.plain(), "\n") {
		if i := strings.Index(line, text); i >= 0 {
			hs.click(ansi.StringWidth(line[:i]), y)
			return
		}
	}
	hs.t.Fatalf("%q is not on screen:\n%s", text, hs.plain())
}

// frame renders the current view and checks the frame's geometry: exactly
// h lines, none wider than w, no escape sequence but SGR.
func (hs *harness) frame() string {
	hs.t.Helper()
	out := hs.m.View().Content
	lines := strings.Split(out, "\n")
	if len(lines) != hs.h {
		hs.t.Errorf("frame has %d lines, want %d", len(lines), hs.h)
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > hs.w {
			hs.t.Errorf("line %d is %d cells wide (> %d): %q", i, w, hs.w, ansi.Strip(l))
		}
	}
	if bad := nonSGR.FindString(out); bad != "" {
		hs.t.Errorf("frame contains a non-SGR escape sequence %q", bad)
	}
	return out
}

var nonSGR = regexp.MustCompile(`\x1b(\[[0-9;:?]*[A-Za-ln-z@]|[^\[])|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]`)

func (hs *harness) plain() string { return ansi.Strip(hs.frame()) }

func (hs *harness) contains(s string) bool { return strings.Contains(hs.plain(), s) }

func (hs *harness) mustShow(s string) {
	hs.t.Helper()
	if !hs.contains(s) {
		hs.t.Fatalf("screen does not show %q:\n%s", s, hs.plain())
	}
}

// golden compares the plain frame with testdata/golden/NAME.golden.
func (hs *harness) golden(name string) {
	hs.t.Helper()
	got := hs.plain()
	// Trailing spaces are padding, not content; keep the files readable.
	var lines []string
	for _, l := range strings.Split(got, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	got = strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", "golden", name+".golden")
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			hs.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		hs.t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if string(want) != got {
		hs.t.Errorf("frame %s differs from golden file (run go test ./tui -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// searchScreen is the open search screen, if any.
func (hs *harness) searchScreen() *searchScreen {
	for i := len(hs.m.stack) - 1; i >= 0; i-- {
		if s, ok := hs.m.stack[i].(*searchScreen); ok {
			return s
		}
	}
	return nil
}

// testS2T is the simplified→traditional converter, loaded once.
var testS2T = sync.OnceValue(hanconv.S2T)

// testDir holds what the tests of this package share (one search index);
// TestMain removes it.
var testDir string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "kiosk-tui-test-")
	if err != nil {
		panic(err)
	}
	testDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}
