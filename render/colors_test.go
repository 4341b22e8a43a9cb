package render

import (
	"regexp"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// TestWithColorsDrawsOnlyItsColours: whatever the Markdown holds (code,
// quotes, rules, tables, links, emphasis), a Renderer made by WithColors
// writes no colour but its own and nothing faint — so the TUI's contrast
// check of its palette covers the reader.
func TestWithColorsDrawsOnlyItsColours(t *testing.T) {
	md := "# 总标题\n\n## 一、工作概述\n\n正文**加粗**和*强调*,见[链接](http://example.com)。\n\n" +
		"> 引用的文字\n\n```go\nfunc main() { println(\"代码\") }\n```\n\n`行内代码`\n\n---\n\n" +
		"| 指标 | 数量 |\n|---|---|\n| 接待 | 56954 |\n\n- 项目一\n- 项目二\n\n### (一)小节\n\n1. 第一\n2. 第二\n"
	sgr := regexp.MustCompile(`\x1b\[([0-9;:]*)m`)
	for _, style := range []string{StyleDark, StyleLight} {
		for _, c := range []Colors{
			{Text: lipgloss.Color("252"), Heading: lipgloss.Color("39"), Link: lipgloss.Color("39")},
			{Text: lipgloss.Color("7"), Heading: lipgloss.Color("6"), Link: lipgloss.Color("6"), UnderlineHeadings: true},
			{},
		} {
			r := New(Options{Style: style}).WithColors(c)
			out, err := r.Render("", md, 60)
			if err != nil {
				t.Fatal(err)
			}
			allowed := map[string]bool{}
			for _, col := range []*string{colourString(c.Text), colourString(c.Heading), colourString(c.Link)} {
				if col != nil {
					allowed[*col] = true
				}
			}
			headingUnderlined := false
			for _, m := range sgr.FindAllStringSubmatch(out, -1) {
				ps := strings.Split(m[1], ";")
				for i := 0; i < len(ps); i++ {
					switch p := ps[i]; {
					case p == "2":
						t.Errorf("%s %+v: faint text %q", style, c, m[0])
					case p == "38" && i+2 < len(ps) && ps[i+1] == "5":
						if !allowed[ps[i+2]] {
							t.Errorf("%s %+v: colour %s not in the palette: %q", style, c, ps[i+2], m[0])
						}
						i += 2
					case p == "48":
						t.Errorf("%s %+v: a background %q", style, c, m[0])
					case len(p) == 2 && (p[0] == '3' || p[0] == '9') && p[1] <= '7':
						if n := string(p[1]); p[0] == '9' || !allowed[n] {
							t.Errorf("%s %+v: colour %s not in the palette: %q", style, c, p, m[0])
						}
					case p == "4" && strings.Contains(m[1], "1"):
						headingUnderlined = true
					}
				}
			}
			if c.Text == nil && sgr.MatchString(out) && strings.Contains(out, "38;") {
				t.Errorf("%s: colours without a palette", style)
			}
			if c.UnderlineHeadings && !headingUnderlined {
				t.Errorf("%s %+v: headings are not underlined", style, c)
			}
			for _, want := range []string{"总标题", "工作概述", "代码", "引用的文字", "56954", "项目二", "小节"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s %+v: %q lost", style, c, want)
				}
			}
		}
	}
}
