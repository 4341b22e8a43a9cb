package render

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kiosk/content"
)

func longestSection(b *testing.B) string {
	p, err := content.Default()
	if err != nil || len(p.Docs) == 0 {
		b.Skip("default pack has no documents")
	}
	best := ""
	for _, d := range p.Docs {
		for _, s := range d.Sections {
			if m := s.Markdown(); len(m) > len(best) && s.Number != "0" && !strings.Contains(s.Number, ".") {
				best = m
			}
		}
	}
	b.Logf("longest chapter: %d bytes", len(best))
	return best
}

func BenchmarkRenderSection80(b *testing.B) {
	md := longestSection(b)
	r := New(Options{Style: StyleDark})
	if _, err := r.Render("", md, 80); err != nil { // create the TermRenderer
		b.Fatal(err)
	}
	b.SetBytes(int64(len(md)))
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := r.Render("", md, 80); err != nil { // empty key: no cache
			b.Fatal(err)
		}
	}
	// CPU time per op: on a shared machine wall time overstates the cost.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime returns the user+system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkRenderCached80(b *testing.B) {
	md := longestSection(b)
	r := New(Options{Style: StyleDark})
	if _, err := r.Render("k", md, 80); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Render("k", md, 80); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAmbiguousNarrow pins the measuring assumption: ambiguous-width
// characters are 1 cell (x/ansi reads RUNEWIDTH_EASTASIAN at start-up;
// the kiosk terminal draws them narrow, so it must not be set).
func TestAmbiguousNarrow(t *testing.T) {
	const s = "“”•─│…"
	if ansi.StringWidth(s) != 6 || lipgloss.Width(s) != 6 {
		t.Fatalf("ambiguous-width characters measure %d/%d cells, want 6 (is RUNEWIDTH_EASTASIAN set?)",
			ansi.StringWidth(s), lipgloss.Width(s))
	}
	r := New(Options{Style: StyleNoTTY})
	out, _ := r.Render("", "## 标题\n\n“引号”…省略", 40)
	for _, l := range strings.Split(out, "\n") {
		if ansi.StringWidth(l) > 40 {
			t.Errorf("too wide: %q", l)
		}
	}
	if !strings.Contains(out, "标题\n  ────") || !strings.Contains(out, "“引号”…省略") {
		t.Errorf("unexpected output:\n%s", out)
	}
}

// TestHangingIndent: continuation lines of a list item start under its
// text, not under its bullet or number.
func TestHangingIndent(t *testing.T) {
	b, err := os.ReadFile("testdata/lists.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []string{StyleDark, StyleNoTTY} {
		for _, w := range []int{40, 57, 80} {
			out, _ := New(Options{Style: style}).Render("", string(b), w)
			want, items, conts := -1, 0, 0
			for _, l := range strings.Split(Plain(out), "\n") {
				s := strings.TrimLeft(l, " ")
				indent := len(l) - len(s)
				switch {
				case strings.HasPrefix(s, "•"+nbsp):
					want, items = indent+2, items+1
				case len(s) > 0 && s[0] >= '0' && s[0] <= '9' && strings.Contains(s, "."+nbsp):
					want, items = indent+strings.Index(s, "."+nbsp)+2, items+1
				case s == "":
					want = -1
				case want >= 0:
					conts++
					if indent != want {
						want = -2 // report once below
					}
				}
				if want == -2 {
					break
				}
			}
			if want == -2 || items < 8 || conts < 8 {
				t.Errorf("%s w=%d: bad hanging indent (items %d, continuation lines %d):\n%s", style, w, items, conts, Plain(out))
			}
		}
	}
}

// TestTableLines: every line of a drawn table (header, rule, rows, a
// wrapped cell's continuation) is reported as a table line, and no line of
// text is, on every fixture and pack section.
func TestTableLines(t *testing.T) {
	inputs, _ := fixtures(t)
	tables := 0
	for _, style := range []string{StyleDark, StyleNoTTY} {
		r := New(Options{Style: style})
		for _, w := range []int{30, 52, 80, 121} {
			for _, in := range inputs {
				out, err := r.Render("", in.md, w)
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(out, "\n")
				marked := TableLines(lines)
				for i, l := range lines {
					plain := ansi.Strip(l)
					row := len(sepColumns(plain)) > 0
					switch {
					case row && !marked[i]:
						t.Errorf("%s %s %d: table line %d not reported: %q", in.name, style, w, i, plain)
					case marked[i] && !row && !isTableRule(l):
						t.Errorf("%s %s %d: text line %d reported as a table's: %q", in.name, style, w, i, plain)
					case marked[i] && isTableRule(l):
						tables++
					}
				}
			}
		}
	}
	if tables == 0 {
		t.Fatal("no table in the fixtures: nothing was checked")
	}
}

// TestKinsokuNarrow: at the narrow widths (MinWidth to 39: kiosk show
// --width 20, a narrow screen) no line and no table cell line starts with
// closing punctuation or ends with opening punctuation, also where a run
// longer than the line is cut (…@ly.shandong.c / n)。, was …cn) / 。) and
// where a table column is narrow (国家 / 安全、 was 全 / 、).
func TestKinsokuNarrow(t *testing.T) {
	inputs, _ := fixtures(t)
	for _, style := range []string{StyleDark, StyleNoTTY} {
		r := New(Options{Style: style})
		for _, in := range inputs {
			for w := MinWidth; w < 40; w++ {
				out, err := r.Render("", in.md, w)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range kinsokuViolations(Plain(out)) {
					// Forced: table.md's （“依法驳回”“维持”） needs a column of
					// 6 cells; at width 20 the table has 4 for it.
					if in.name == "table.md" && w < 22 && (strings.Contains(l, " （ ") || strings.Contains(l, "”）")) {
						continue
					}
					t.Errorf("%s %s w=%d: kinsoku violation: %q", in.name, style, w, l)
				}
			}
		}
	}
}
