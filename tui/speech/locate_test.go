package speech

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"kiosk/content"
	"kiosk/render"
)

// marked returns what the spans cover, one string per span.
func marked(lines []string, spans []Span) []string {
	var out []string
	for _, sp := range spans {
		out = append(out, ansi.Strip(ansi.Cut(lines[sp.Line], sp.Col0, sp.Col1)))
	}
	return out
}

func TestLocateSimple(t *testing.T) {
	md := "## 一、概述\n\n共受理**申请** 92 件。详见[网站](http://www.lyls.gov.cn)。\n\n| 指标 | 统计数 |\n|---|---:|\n| 收到申请数 | 92 |\n| 其中:当面申请数(不含电话咨询) | 6 |\n"
	// What a renderer might show: marks gone, address appended, colours,
	// a wrapped table cell, table borders drawn.
	shown := []string{
		"  \x1b[1m一、概述\x1b[0m",
		"",
		"  共受理\x1b[1m申请\x1b[0m 92 件。详见网站 http://www.lyls.gov.cn。",
		"",
		"  指标             │ 统计数",
		" ──────────────────┼───────",
		"  收到申请数       │     92",
		"  其中:当面申请数( │      6",
		"  不含电话咨询)    │",
	}
	ss := Split(md)
	got := Locate(shown, ss)
	want := [][]string{
		{"一、概述"},
		{"共受理申请 92 件。"},
		{"详见网站"},
		{"指标             │ 统计数"},
		{"收到申请数       │     92"},
		{"其中:当面申请数( │      6", "不含电话咨询)"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results for %d sentences", len(got), len(ss))
	}
	for i := range got {
		if m := marked(shown, got[i]); strings.Join(m, "\n") != strings.Join(want[i], "\n") {
			t.Errorf("sentence %d %q: marked %q, want %q", i, ss[i].Text, m, want[i])
		}
	}
	if got := Locate([]string{"完全不同的内容"}, Split("第一句。")); got[0] != nil {
		t.Errorf("found %v in unrelated text", got[0])
	}
	// A number is matched whole: 6 is not found inside 56954.
	if got := Locate([]string{"接待 56954 人"}, Split("| 接待 | 6 |")); got[0] != nil {
		t.Errorf("6 found inside 56954: %v", got[0])
	}
}

// TestLocateKioskRenderer locates every sentence of the built-in content
// in the kiosk's own rendering (kiosk/render: glamour plus its own table
// layout), at the widths of a 40- and an 80-column screen and between: all
// must be found, in order.
func TestLocateKioskRenderer(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []string{"dark", "notty"} {
		rd := render.New(render.Options{Style: style})
		for _, width := range []int{36, 58, 76} {
			total := 0
			for _, d := range p.Docs {
				for _, sec := range d.Sections {
					md := sec.Markdown()
					out, err := rd.Render("", md, width)
					if err != nil {
						t.Fatal(err)
					}
					lines := strings.Split(out, "\n")
					ss := Split(md)
					prevLine, prevCol := 0, 0
					for i, spans := range Locate(lines, ss) {
						total++
						if spans == nil {
							t.Errorf("%s width %d, %s: sentence %q not found", style, width, sec.Ref(), ss[i].Text)
							continue
						}
						if s := spans[0]; s.Line < prevLine || (s.Line == prevLine && s.Col0 < prevCol) {
							t.Errorf("%s width %d, %s: sentence %d found before the previous one", style, width, sec.Ref(), i)
						}
						l := spans[len(spans)-1]
						prevLine, prevCol = l.Line, l.Col1
					}
				}
			}
			if total < 400 {
				t.Errorf("only %d sentences", total)
			}
		}
	}
}
