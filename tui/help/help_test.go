package help

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func allOptions() []Options {
	var out []Options
	for _, trad := range []bool{false, true} {
		for _, on := range []bool{false, true} {
			out = append(out, Options{Traditional: trad, Speech: on, Scan: on, Print: on})
		}
	}
	// Longer key labels (F-keys) still fit.
	k := DefaultKeys()
	k.Elder, k.Script, k.Speak, k.Scan, k.Print, k.Help = "F5", "F6", "F7", "F8", "F9", "F1"
	k.Back = "Backs"
	return append(out, Options{Keys: k, Speech: true, Scan: true, Print: true})
}

// TestWidths: every line of the help fits 80 columns (≤ 76 cells) and
// every picture fits 40 (≤ 36 cells, 38 with its indent in Text).
func TestWidths(t *testing.T) {
	for _, o := range allOptions() {
		name := fmt.Sprintf("%+v", o)
		for _, s := range Sections(o) {
			if s.Title == "" || len(s.Body) == 0 {
				t.Errorf("%s: empty section %q", name, s.Title)
			}
			for _, b := range s.Body {
				if (b.Text == "") == (b.Picture == nil) {
					t.Errorf("%s: block is neither text nor picture: %+v", name, b)
				}
				if w := ansi.StringWidth(b.Text); w > 76 {
					t.Errorf("%s: paragraph %d cells: %q", name, w, b.Text)
				}
				for _, l := range b.Picture {
					if w := ansi.StringWidth(l); w > 36 {
						t.Errorf("%s: picture line %d cells: %q", name, w, l)
					}
					if ansi.StringWidth(l) != ansi.StringWidth(b.Picture[0]) {
						t.Errorf("%s: picture lines of unequal width: %q", name, l)
					}
				}
			}
		}
		for _, l := range strings.Split(Text(o), "\n") {
			if w := ansi.StringWidth(l); w > 76 {
				t.Errorf("%s: Text line %d cells: %q", name, w, l)
			}
		}
	}
}

// TestBoxesClose: in every picture, each box-drawing corner has its
// partner directly above or below, so no box is misdrawn by a CJK
// character counted wrong.
func TestBoxesClose(t *testing.T) {
	for _, o := range allOptions() {
		for _, s := range Sections(o) {
			for _, b := range s.Body {
				grid := make([][]rune, len(b.Picture))
				for i, l := range b.Picture {
					grid[i] = cells(l)
				}
				at := func(y, x int) rune {
					if y < 0 || y >= len(grid) || x < 0 || x >= len(grid[y]) {
						return ' '
					}
					return grid[y][x]
				}
				for y := range grid {
					for x, r := range grid[y] {
						var below rune
						switch r {
						case '┌', '┐', '│':
							below = at(y+1, x)
						default:
							continue
						}
						if !strings.ContainsRune("│└┘├┤", below) {
							t.Errorf("%s: %q at (%d,%d) has %q below:\n%s", s.Title, r, x, y, below, strings.Join(b.Picture, "\n"))
						}
					}
				}
			}
		}
	}
}

// cells lays a line out by display column: a wide character takes its
// column and the next (filled with 0).
func cells(s string) []rune {
	var out []rune
	for _, r := range s {
		out = append(out, r)
		for i := 1; i < ansi.StringWidth(string(r)); i++ {
			out = append(out, 0)
		}
	}
	return out
}

func TestContent(t *testing.T) {
	simp := Text(Options{Speech: true, Scan: true, Print: true})
	for _, want := range []string{"xingzhengfuyi", "xzfy", "行政复议", "长者模式", "繁体", "扫一扫", "按 z", "按 t", "按 r", "按 m", "按 d", "按 ?", "按 s"} {
		if !strings.Contains(simp, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	trad := Text(Options{Traditional: true, Speech: true, Scan: true, Print: true})
	for _, want := range []string{"長者模式", "行政復議", "xzfy", "掃一掃", "簡體"} {
		if !strings.Contains(trad, want) {
			t.Errorf("traditional help lacks %q", want)
		}
	}
	if strings.Contains(trad, "长者") {
		t.Error("traditional help has simplified characters")
	}
	// F1 opens help everywhere, ? only where nothing is typed; the ways
	// to type a search are named with examples.
	for _, want := range []string{"随时按 F1 打开帮助", "按 ? 也可以", "dibao", "dbbz", "几个词", "繁体字"} {
		if !strings.Contains(simp, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	bare := Text(Options{})
	for _, absent := range []string{"语音播报", "扫一扫", "打印"} {
		if strings.Contains(bare, absent) {
			t.Errorf("help without the feature mentions %q", absent)
		}
	}
}
