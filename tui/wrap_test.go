package tui

import (
	"strings"
	"testing"
	"unicode"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

const closing = ",。、;:?!)》」』”’〕】"

func TestWrapLinesKinsokuAndNoLoss(t *testing.T) {
	texts := []string{
		"请输入要找的内容:汉字、拼音(如 xingzhengfuyi)或拼音首字母(如 xzfy)都可以。",
		"没有找到“量子计算机”。可以试试:少输入几个字、换个说法,或输入拼音首字母。",
		"本报告由临沂市兰山区人民政府办公室按照《中华人民共和国政府信息公开条例》(以下简称《条例》)和《山东省政府信息公开办法》要求编制。",
		lipgloss.NewStyle().Bold(true).Render("兰山区人民政府2018年政府信息公开工作年度报告") + ",第二段。",
		strings.Repeat("x", 50) + "长长的英文单词之后。",
	}
	for _, text := range texts {
		for w := 8; w <= 60; w++ {
			lines := wrapLines(text, w)
			var got strings.Builder
			for i, l := range lines {
				if lw := lipgloss.Width(l); lw > w {
					t.Fatalf("width %d: line %d is %d cells: %q", w, i, lw, l)
				}
				plain := ansi.Strip(l)
				if i > 0 && plain != "" && strings.ContainsRune(closing, []rune(plain)[0]) {
					t.Fatalf("width %d: line %d starts with closing punctuation: %q", w, i, plain)
				}
				got.WriteString(plain)
			}
			want := strings.ReplaceAll(ansi.Strip(text), " ", "")
			if g := strings.ReplaceAll(got.String(), " ", ""); g != want {
				t.Fatalf("width %d: characters lost or changed:\n got %q\nwant %q", w, g, want)
			}
		}
	}
}

func TestWrapLinesKeepsStyles(t *testing.T) {
	s := lipgloss.NewStyle().Reverse(true).Render("行政复议") + "是一种法律救济途径,行政复议案件51件。"
	lines := wrapLines(s, 10)
	if !strings.Contains(lines[0], "\x1b[") {
		t.Fatalf("the style was lost: %q", lines[0])
	}
	for _, l := range lines {
		for _, r := range ansi.Strip(l) {
			if unicode.IsControl(r) {
				t.Fatalf("control character in %q", l)
			}
		}
	}
}
