package contrast

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
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

// TestElderPalettes is the acceptance test of 长者模式's colours: every
// pair passes AA; text pairs pass AAA; every pair is drawn on the
// palette's background or on a bar whose text also passes.
func TestElderPalettes(t *testing.T) {
	aaa := map[string]bool{"Text": true, "Dim": true, "Selected": true, "Header": true, "Number": true}
	for _, p := range []Palette{ElderDark(), ElderLight()} {
		var b strings.Builder
		fmt.Fprintf(&b, "%s:\n", p.Name)
		for _, np := range p.Pairs() {
			if np.FG == nil || np.BG == nil {
				t.Fatalf("%s.%s has a nil colour", p.Name, np.Name)
			}
			r := np.Ratio()
			fmt.Fprintf(&b, "  %-10s %-7s on %-7s %5.2f\n", np.Name, hex(np.FG), hex(np.BG), r)
			if r < AA {
				t.Errorf("%s.%s: %.2f:1 is below AA 4.5:1", p.Name, np.Name, r)
			}
			if aaa[np.Name] && r < AAA {
				t.Errorf("%s.%s: %.2f:1 is below AAA 7:1", p.Name, np.Name, r)
			}
		}
		if r := Ratio(p.Text.BG, p.Background); r != 1 {
			t.Errorf("%s: text background differs from the palette background", p.Name)
		}
		t.Log(b.String())
	}
}

func hex(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// TestCurrentPalettesReport computes the ratios of the palettes in
// tui/styles.go (copied here by index; keep in step) against a black and
// a white terminal background. It reports and does not fail: the report
// tells which pairs the ordinary mode would have to change.
// Run: go test ./tui/contrast -run Current -v
func TestCurrentPalettesReport(t *testing.T) {
	type pal struct {
		name, bg                                         string
		fg, dim, accent, accentFg, sel, selFg, bar, warn string
	}
	pals := []pal{
		{"dark", "16", "252", "245", "39", "16", "24", "231", "236", "203"},
		{"dark on a grey terminal", "235", "252", "245", "39", "16", "24", "231", "236", "203"},
		{"light", "231", "235", "240", "25", "231", "153", "16", "254", "124"},
	}
	c := func(s string) color.Color { return lipgloss.Color(s) }
	for _, p := range pals {
		pairs := []struct {
			use    string
			fg, bg string
		}{
			{"Item/Meta/Category (fg on screen)", p.fg, p.bg},
			{"Subtle/Status/Rule (dim on screen)", p.dim, p.bg},
			{"Title/Number/Notice (accent on screen)", p.accent, p.bg},
			{"Header (accentFg on accent)", p.accentFg, p.accent},
			{"ItemSelected (selFg on sel)", p.selFg, p.sel},
			{"Button (fg on bar)", p.fg, p.bar},
			{"ButtonKey (accent on bar)", p.accent, p.bar},
			{"Error (warn on screen)", p.warn, p.bg},
		}
		var b strings.Builder
		fmt.Fprintf(&b, "styles.go %s palette, screen background %s (%s):\n", p.name, p.bg, hex(c(p.bg)))
		for _, q := range pairs {
			r := Ratio(c(q.fg), c(q.bg))
			verdict := "AAA"
			switch {
			case r < AA:
				verdict = "FAIL"
			case r < AAA:
				verdict = "AA"
			}
			fmt.Fprintf(&b, "  %-40s %3s on %3s  %5.2f  %s\n", q.use, q.fg, q.bg, r, verdict)
		}
		t.Log(b.String())
	}
}
