package tui

import (
	"fmt"
	"image/color"
	"sort"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/width"

	"kiosk/config"
	"kiosk/render"
	"kiosk/tui/contrast"
	"kiosk/visits"
)

// shot is one frame of a screen, as the test took it.
type shot struct {
	name  string
	frame string
	w, h  int
	// chrome are the rows the kiosk itself lays out to the cell: the
	// header, the footer (status and buttons), the attract screen's chips.
	chrome []int
}

// colourShots drives a session through every kind of screen under a
// colour profile, style and mode, and returns the frames it drew: attract,
// catalogue, document, reader (a heading, a find with the current match),
// search results (highlights, the selected result, filter chips), help,
// the read-aloud sentence, a warning and the PIN prompt.
func colourShots(t *testing.T, profile colorprofile.Profile, style string, elder bool) []shot {
	t.Helper()
	script, _ := recorderScript(t, "5")
	hs := newHarness(t, 80, 24, withIndex(t), func(d *Deps) {
		d.Config.Kiosk.Style = style
		d.Config.Kiosk.ElderMode = elder
		d.Config.Kiosk.SpeechCommand = script
		d.Config.Kiosk.StaffPINHash = colourTestPIN
		d.Summary = func() (visits.Summary, error) {
			s := visits.Summary{Now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local), Today: 3, Month: 45, Year: 300}
			s.Months[0], s.Months[10] = 100, 45
			return s, nil
		}
		d.Renderer = render.New(render.Options{Style: style})
	})
	// What Bubble Tea sends when it starts: the profile it detected.
	hs.send(tea.ColorProfileMsg{Profile: profile})
	var out []shot
	take := func(name string) {
		s := shot{name: name, frame: hs.frame(), w: hs.w, h: hs.h}
		if len(hs.m.stack) == 0 {
			for y, l := range strings.Split(ansi.Strip(s.frame), "\n") {
				if strings.Contains(l, "长者模式") { // the mode chips
					s.chrome = append(s.chrome, y)
				}
			}
		} else {
			footer, _ := hs.m.footer(hs.m.top(), hs.w)
			s.chrome = []int{0}
			for y := hs.h - strings.Count(footer, "\n") - 1; y < hs.h; y++ {
				s.chrome = append(s.chrome, y)
			}
		}
		out = append(out, s)
	}
	take("attract")
	hs.press("a")
	take("home")
	hs.press("1")
	take("document")
	hs.press("2")
	take("reader")
	hs.press("/")
	hs.typeText("公开")
	take("reader-finding")
	hs.press("enter")
	take("reader-match")
	hs.press("r")
	take("reader-speaking")
	hs.press("r")
	hs.m.Warn("访客记录未保存")
	take("warning")
	hs.m.Warn("")
	hs.m.idleLeft = 12 * time.Second
	take("idle-countdown")
	hs.m.idleLeft = 0
	hs.press("s")
	hs.typeText("dibao")
	hs.settle()
	hs.press("enter")
	take("search-results")
	hs.press("tab", "ctrl+u")
	hs.typeText("量子计算机")
	hs.settle()
	take("search-nothing-found")
	hs.press("f1")
	take("help")
	hs.press("esc", "esc", "f12")
	hs.typeText("1234")
	hs.press("enter")
	take("pin-wrong")
	hs.typeText("2468")
	hs.press("enter")
	take("staff")
	return out
}

// colourTestPIN is the staff PIN 2468, hashed once for all the shots.
var colourTestPIN = func() string {
	h, err := config.HashPIN("2468")
	if err != nil {
		panic(err)
	}
	return h
}()

// cellStyle is how the terminal receives a cell: the frame parsed into
// cells and its style converted to the profile, exactly as Bubble Tea's
// renderer does (uv.NewStyledString, uv.ConvertStyle).
type cellStyle struct {
	fg, bg               color.Color
	bold, reverse, faint bool
	underline            bool
}

func cells(s shot, profile colorprofile.Profile, each func(x, y int, content string, st cellStyle)) {
	buf := uv.NewScreenBuffer(s.w, s.h)
	uv.NewStyledString(s.frame).Draw(buf, buf.Bounds())
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			c := buf.CellAt(x, y)
			if c == nil || c.Width == 0 {
				continue
			}
			st := uv.ConvertStyle(c.Style, profile)
			each(x, y, c.Content, cellStyle{
				fg: st.Fg, bg: st.Bg,
				bold:      st.Attrs&uv.AttrBold != 0,
				reverse:   st.Attrs&uv.AttrReverse != 0,
				faint:     st.Attrs&uv.AttrFaint != 0,
				underline: st.Underline != uv.UnderlineNone,
			})
		}
	}
}

// terminalsFor are the terminals a profile's frames are checked on: a
// 16-colour terminal may be xterm (bold drawn bright or not), the Linux
// console or an 8-colour one; 256 colours and true colour, xterm (whose
// colours 16–255 every such terminal shares). Text in no colour on no
// background is in the terminal's own colours: black on white in xterm,
// grey on black on the console — a frame that leaves either to the
// terminal is checked on both.
func terminalsFor(profile colorprofile.Profile) []contrast.Terminal {
	if profile == colorprofile.ANSI {
		return contrast.Terminals16()
	}
	return []contrast.Terminal{contrast.XtermTerminal(), contrast.ConsoleTerminal()}
}

// TestEveryScreenIsLegibleInEveryProfile is the contrast check of what
// the screens really draw: every cell with text, as the terminal receives
// it under each colour profile, passes WCAG AA (4.5:1) — 7:1 in 长者模式 —
// on every terminal of that profile, bold and reverse included.
func TestEveryScreenIsLegibleInEveryProfile(t *testing.T) {
	for _, profile := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ANSI} {
		for _, style := range []string{"dark", "light"} {
			for _, elder := range []bool{false, true} {
				name := fmt.Sprintf("%v/%s/elder=%v", profile, style, elder)
				t.Run(name, func(t *testing.T) {
					bar := contrast.AA
					if elder {
						bar = contrast.AAA
					}
					checkShots(t, colourShots(t, profile, style, elder), profile, bar)
				})
			}
		}
	}
}

func checkShots(t *testing.T, shots []shot, profile colorprofile.Profile, bar float64) {
	t.Helper()
	type key struct {
		screen               string
		fg, bg               string
		bold, reverse, faint bool
	}
	type finding struct {
		ratio float64
		where string
		text  strings.Builder
	}
	bad := map[key]*finding{}
	worst := 21.0
	for _, s := range shots {
		cells(s, profile, func(x, y int, content string, st cellStyle) {
			if strings.TrimSpace(content) == "" {
				return
			}
			r, where := 21.0, ""
			for _, term := range terminalsFor(profile) {
				if v := term.Worst(st.fg, st.bg, st.bold, st.reverse); v < r {
					r, where = v, term.Name
				}
			}
			if st.faint {
				r, where = 0, "faint text"
			}
			worst = min(worst, r)
			if r >= bar {
				return
			}
			k := key{s.name, colourName(st.fg), colourName(st.bg), st.bold, st.reverse, st.faint}
			f := bad[k]
			if f == nil {
				f = &finding{ratio: r, where: where}
				bad[k] = f
			}
			if f.text.Len() < 40 {
				f.text.WriteString(content)
			}
		})
	}
	var lines []string
	for k, f := range bad {
		attrs := ""
		if k.bold {
			attrs += " bold"
		}
		if k.reverse {
			attrs += " reverse"
		}
		lines = append(lines, fmt.Sprintf("%s: %q %s on %s%s: %.2f:1 on %s", k.screen, f.text.String(), k.fg, k.bg, attrs, f.ratio, f.where))
	}
	sort.Strings(lines)
	for _, l := range lines {
		t.Errorf("below %.1f:1 — %s", bar, l)
	}
	t.Logf("worst ratio over %d screens: %.2f:1", len(shots), worst)
}

func colourName(c color.Color) string {
	switch c := c.(type) {
	case nil:
		return "default"
	case ansi.BasicColor:
		return fmt.Sprintf("c%d", int(c))
	case ansi.IndexedColor:
		return fmt.Sprint(int(c))
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// TestStateShowsWithoutColour: with NO_COLOR (colorprofile.Ascii) the
// terminal gets no colour at all, yet the header, the selected item, the
// buttons, the matches (the current one apart), the sentence being read
// and warnings still stand out by reverse, bold or underline; on a
// terminal that shows no attributes either (NoTTY), the selected item and
// warnings keep their symbols.
func TestStateShowsWithoutColour(t *testing.T) {
	for _, elder := range []bool{false, true} {
		shots := map[string]shot{}
		for _, s := range colourShots(t, colorprofile.ASCII, "dark", elder) {
			shots[s.name] = s
		}
		// attrs collects the attributes of the cells of the row showing text.
		type attrs struct{ reverse, bold, underline, colour, currentMatch bool }
		row := func(screen, text string, profile colorprofile.Profile) attrs {
			t.Helper()
			s := shots[screen]
			y := -1
			for i, l := range strings.Split(ansi.Strip(s.frame), "\n") {
				if strings.Contains(l, text) {
					y = i
					break
				}
			}
			if y < 0 {
				t.Fatalf("%s: no row shows %q:\n%s", screen, text, ansi.Strip(s.frame))
			}
			var a attrs
			cells(s, profile, func(x, cy int, content string, st cellStyle) {
				if cy != y {
					return
				}
				a.reverse = a.reverse || st.reverse
				a.bold = a.bold || st.bold
				a.underline = a.underline || st.underline
				a.colour = a.colour || st.fg != nil || st.bg != nil
				a.currentMatch = a.currentMatch || st.reverse && st.underline
			})
			return a
		}
		ascii := colorprofile.ASCII
		checks := []struct {
			what, screen, text string
			ok                 func(attrs) bool
		}{
			{"header", "home", "公开目录", func(a attrs) bool { return a.reverse }},
			{"selected item", "home", "兰山区人民政府2018年", func(a attrs) bool { return a.reverse }},
			{"footer buttons", "home", "结束浏览", func(a attrs) bool { return a.reverse }},
			{"call to action", "attract", "按任意键或触摸屏幕开始", func(a attrs) bool { return a.reverse }},
			{"current find match", "reader-match", "中华人民共和国政府信息公开条例", func(a attrs) bool { return a.currentMatch }},
			{"search match", "search-results", "低保", func(a attrs) bool { return a.reverse }},
			{"sentence read aloud", "reader-speaking", "2018年,兰山区深入贯彻", func(a attrs) bool { return a.bold && a.underline }},
			{"warning", "warning", "访客记录未保存", func(a attrs) bool { return a.bold && a.underline }},
		}
		for _, c := range checks {
			a := row(c.screen, c.text, ascii)
			if a.colour {
				t.Errorf("elder=%v %s: colour sent under NO_COLOR", elder, c.what)
			}
			if !c.ok(a) {
				t.Errorf("elder=%v %s (%s, row with %q) does not stand out without colour: %+v", elder, c.what, c.screen, c.text, a)
			}
		}
		// NoTTY: no attributes at all; symbols remain.
		home := ansi.Strip(shots["home"].frame)
		if !strings.ContainsAny(home, "►▶") {
			t.Errorf("elder=%v: the selected item has no marker:\n%s", elder, home)
		}
		if w := ansi.Strip(shots["warning"].frame); !strings.Contains(w, "! 访客记录未保存") {
			t.Errorf("elder=%v: the warning has no !:\n%s", elder, w)
		}
	}
}

// TestPaint: every line starts in the palette's text colours, comes back
// to them after a reset, is padded to the width; without bold, bold goes
// but a colour numbered 1 stays.
func TestPaint(t *testing.T) {
	p := contrast.For(colorprofile.ANSI256, "dark", false)
	got := paint("ab\x1b[1;38;5;39mcd\x1b[mef\n\x1b[39mgh", p, 8)
	base := "\x1b[38;5;252m\x1b[48;5;234m"
	want := base + "ab\x1b[1;38;5;39mcd\x1b[m" + base + "ef  \x1b[m\n" +
		base + "\x1b[39m\x1b[38;5;252mgh      \x1b[m"
	if got != want {
		t.Errorf("paint:\n got %q\nwant %q", got, want)
	}
	light := contrast.For(colorprofile.ANSI, "light", false)
	if !light.NoBold {
		t.Fatal("the 16-colour light palette allows bold")
	}
	got = paint("\x1b[1m粗\x1b[1;38;5;1;48;2;1;1;1m红\x1b[m", light, 6)
	if strings.Contains(got, "\x1b[1m") || strings.Contains(got, "[1;") || !strings.Contains(got, "\x1b[38;5;1;48;2;1;1;1m红") {
		t.Errorf("bold not removed, or a colour lost: %q", got)
	}
	if mono := contrast.For(colorprofile.ASCII, "dark", false); paint("x\x1b[1my", mono, 5) != "x\x1b[1my" {
		t.Error("a mono frame was painted")
	}
}

// TestModeSwitchRepaintsReader: switching to 长者模式 in a section with
// marked matches draws the text and the marks in 长者模式's colours (the
// 16-colour light palette's blue headings are 5.7:1 on the console, under
// 长者模式's 7:1).
func TestModeSwitchRepaintsReader(t *testing.T) {
	hs := newHarness(t, 80, 24, func(d *Deps) {
		d.Config.Kiosk.Style = "light"
		d.Renderer = render.New(render.Options{Style: "light"})
	})
	hs.send(tea.ColorProfileMsg{Profile: colorprofile.ANSI})
	hs.press("a", "1", "2", "/")
	hs.typeText("公开")
	hs.press("enter", "z")
	hs.mustShow("标准模式")
	checkShots(t, []shot{{name: "reader-match, switched to 长者模式", frame: hs.frame(), w: hs.w, h: hs.h}}, colorprofile.ANSI, contrast.AAA)
}

// cjkWidth is a string's width in a terminal that draws East Asian
// ambiguous-width characters two cells wide (xterm -cjk_width).
func cjkWidth(s string) int {
	n := 0
	for _, r := range s {
		n += ansi.StringWidth(string(r))
		if width.LookupRune(r).Kind() == width.EastAsianAmbiguous {
			n++
		}
	}
	return n
}

// TestAmbiguousWidthsKeptOutOfLayout: the rows the kiosk lays out to
// the cell (header with the breadcrumb, footer with the status line and
// the button hints, the attract screen) and the list markers hold no East
// Asian ambiguous-width character, so they are the same width, and fit,
// whether the terminal draws those narrow (xterm) or wide (xterm
// -cjk_width); every replacement narrow makes keeps the width it had.
func TestAmbiguousWidthsKeptOutOfLayout(t *testing.T) {
	for _, r := range "↑↓←→·…▶♪⏳" {
		n := narrowRune(r)
		if n == r || width.LookupRune(n).Kind() == width.EastAsianAmbiguous || ansi.StringWidth(string(n)) != ansi.StringWidth(string(r)) {
			t.Errorf("%c → %c: not an unambiguous character of the same width", r, n)
		}
	}
	for _, elder := range []bool{false, true} {
		for _, s := range colourShots(t, colorprofile.ANSI256, "dark", elder) {
			rows := strings.Split(ansi.Strip(s.frame), "\n")
			check := func(y int, what string) {
				for _, r := range rows[y] {
					if width.LookupRune(r).Kind() == width.EastAsianAmbiguous {
						t.Errorf("elder=%v %s, %s row %d: ambiguous-width %q in %q", elder, s.name, what, y, r, strings.TrimRight(rows[y], " "))
						break
					}
				}
				if w := cjkWidth(rows[y]); w > s.w {
					t.Errorf("elder=%v %s, %s row %d: %d cells wide where ambiguous characters are wide", elder, s.name, what, y, w)
				}
			}
			for _, y := range s.chrome {
				check(y, "chrome")
			}
			for y, l := range rows {
				if strings.ContainsAny(l, "►▶") {
					check(y, "selected item")
				}
			}
		}
	}
}
