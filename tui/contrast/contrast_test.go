package contrast

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

func near(a, b float64) bool { return math.Abs(a-b) < 0.01 }

func TestRatioKnownValues(t *testing.T) {
	black, white := color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}
	cases := []struct {
		fg, bg color.Color
		want   float64
	}{
		{black, white, 21},
		{white, black, 21},
		{white, white, 1},
		{color.RGBA{0x77, 0x77, 0x77, 255}, white, 4.48},  // the classic "#777 fails AA"
		{color.RGBA{0x76, 0x76, 0x76, 255}, white, 4.54},  // …and #767676 just passes
		{color.RGBA{0xff, 0x00, 0x00, 255}, white, 3.998}, // pure red on white
		{color.RGBA{0x00, 0x00, 0xff, 255}, white, 8.59},
	}
	for _, c := range cases {
		if got := Ratio(c.fg, c.bg); !near(got, c.want) {
			t.Errorf("Ratio(%v, %v) = %.3f, want %.3f", c.fg, c.bg, got, c.want)
		}
	}
	if l := Luminance(white); !near(l, 1) {
		t.Errorf("Luminance(white) = %f", l)
	}
}

func TestXtermMatchesLipgloss(t *testing.T) {
	for i := 0; i < 256; i++ {
		want := lipgloss.Color(fmt.Sprint(i))
		got := Xterm(uint8(i))
		wr, wg, wb, _ := want.RGBA()
		gr, gg, gb, _ := got.RGBA()
		if wr != gr || wg != gg || wb != gb {
			t.Errorf("Xterm(%d) = %v, lipgloss has %v", i, got, want)
		}
	}
	spot := map[uint8]color.RGBA{16: {0, 0, 0, 255}, 231: {255, 255, 255, 255}, 39: {0x00, 0xaf, 0xff, 255}, 252: {0xd0, 0xd0, 0xd0, 255}, 232: {8, 8, 8, 255}}
	for i, want := range spot {
		if got := Xterm(i); got != want {
			t.Errorf("Xterm(%d) = %v, want %v", i, got, want)
		}
	}
}

// palettes are every palette For returns: colour profiles × style × 长者模式.
func palettes() []Palette {
	var out []Palette
	for _, prof := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ANSI, colorprofile.ASCII} {
		for _, style := range []string{"dark", "light"} {
			for _, elder := range []bool{false, true} {
				out = append(out, For(prof, style, elder))
			}
		}
	}
	return out
}

// TestPalettes is the acceptance test of the palettes the TUI draws with
// (tui/styles.go builds its styles from For): every ink passes AA, and
// AAA (7:1) in 长者模式, on every terminal its profile is checked on —
// bold colours 0–7 drawn bright (xterm, console) and not (VTE, 8
// colours), xterm's and the console's basic colours. The TUI's frame
// test (tui/colours_test.go) checks the screens drawn with them.
// The report: go test ./tui/contrast -run Palettes -v
func TestPalettes(t *testing.T) {
	for _, p := range palettes() {
		var b strings.Builder
		worst := 21.0
		for _, ni := range p.Inks() {
			r, where := p.InkRatio(ni.Name, ni.Ink)
			worst = min(worst, r)
			fmt.Fprintf(&b, "  %-12s %-16s %5.2f  %s\n", ni.Name, describe(ni.Ink, p.NoBold), r, where)
		}
		t.Logf("%s (%v), worst %.2f:1, bar %.1f:1\n%s", p.Name, p.Profile, worst, p.Min, b.String())
		for name, s := range p.Shortfalls() {
			t.Errorf("%s (%v) %s: %v, below %.1f:1", p.Name, p.Profile, name, s, p.Min)
		}
	}
}

// describe names an ink's colours and attributes: "252 on 234 bold".
func describe(i Ink, noBold bool) string {
	name := func(c color.Color) string {
		switch c := c.(type) {
		case nil:
			return "default"
		case ansi.BasicColor:
			return fmt.Sprintf("c%d", int(c))
		case ansi.IndexedColor:
			return fmt.Sprint(int(c))
		}
		return hex(c)
	}
	s := name(i.FG) + " on " + name(i.BG)
	if i.Bold && !noBold {
		s += " b"
	}
	if i.Underline {
		s += " u"
	}
	if i.Reverse {
		s += " r"
	}
	return s
}

func hex(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// TestSixteenColourPalettesUseEightColours: the 16-colour palettes use
// colours 0–7 only — the console has no bright backgrounds and an
// 8-colour terminal no bright anything; brightness comes from bold.
func TestSixteenColourPalettesUseEightColours(t *testing.T) {
	for _, p := range palettes() {
		if p.Profile != colorprofile.ANSI {
			continue
		}
		for _, ni := range p.Inks() {
			for _, c := range []color.Color{ni.FG, ni.BG} {
				if b, ok := c.(ansi.BasicColor); !ok || b > 7 {
					t.Errorf("%s.%s uses %v, not one of the colours 0–7", p.Name, ni.Name, c)
				}
			}
		}
	}
}

// TestMonoPalettesShowState: without colours every state differs from
// plain text by an attribute the terminal shows (reverse, bold, underline).
func TestMonoPalettesShowState(t *testing.T) {
	for _, elder := range []bool{false, true} {
		p := For(colorprofile.ASCII, "dark", elder)
		if !p.Mono() || p.Text != (Ink{}) && !elder {
			t.Fatalf("%s is not a plain mono palette: %+v", p.Name, p.Text)
		}
		for _, ni := range p.Inks() {
			if ni.FG != nil || ni.BG != nil {
				t.Errorf("%s.%s has a colour", p.Name, ni.Name)
			}
		}
		state := map[string]Ink{"Header": p.Header, "Selected": p.Selected, "Button": p.Button, "ButtonKey": p.ButtonKey,
			"Match": p.Match, "MatchCurrent": p.MatchCurrent, "Speaking": p.Speaking, "Error": p.Error, "Title": p.Title, "Link": p.Link}
		for name, i := range state {
			if i == p.Text {
				t.Errorf("%s.%s looks like plain text", p.Name, name)
			}
		}
		if p.MatchCurrent == p.Match || p.Selected == p.Item {
			t.Errorf("%s: the current match or the selected item cannot be told from the others", p.Name)
		}
	}
}

// TestTerminalsDrawBoldBright pins the measured facts the checks rest on
// (NOTES, "Colours on real terminals"): xterm draws bold black #7f7f7f,
// so the old header (bold 16→0 on 39→12 under TERM=xterm) was 1.18:1;
// the console has no bright backgrounds.
func TestTerminalsDrawBoldBright(t *testing.T) {
	x := XtermTerminal()
	if r := x.Worst(ansi.Black, ansi.BrightBlue, true, false); !near(r, 1.18) {
		t.Errorf("xterm bold black on bright blue = %.2f, measured 1.18", r)
	}
	if got := x.RGB(ansi.Black, false, true); got != (color.RGBA{0x7f, 0x7f, 0x7f, 0xff}) {
		t.Errorf("xterm bold black = %v", got)
	}
	c := ConsoleTerminal()
	if got := c.RGB(ansi.BrightBlue, true, false); got != c.Basic[4] {
		t.Errorf("console background 12 = %v, want colour 4", got)
	}
	if got := c.RGB(ansi.Yellow, false, false); got != (color.RGBA{0xaa, 0x55, 0x00, 0xff}) {
		t.Errorf("console colour 3 = %v, want brown", got)
	}
	if got := XtermPlainBold().RGB(ansi.Black, false, true); got != (color.RGBA{0, 0, 0, 0xff}) {
		t.Errorf("bold not bright: bold black = %v", got)
	}
	// Reverse: xterm brightens the colour asked as foreground, the
	// console the one shown as foreground; both readings are kept.
	if n := len(c.Draw(ansi.Black, ansi.White, true, true)); n != 2 {
		t.Errorf("reverse gives %d readings, want 2", n)
	}
	// 256-colour indices are the xterm cube on every terminal.
	if got := c.RGB(lipgloss.Color("39"), false, true); got != Xterm(39) {
		t.Errorf("console 39 = %v", got)
	}
}
