package tui

import (
	"strings"
	"testing"
	"unicode"
)

// joinWrapped is a plain frame's text as read: lines without their
// margins, a line that ends and the next that begins with a Chinese
// character joined (the word goes on), other lines kept apart.
func joinWrapped(frame string) []rune {
	var out []rune
	for _, l := range strings.Split(frame, "\n") {
		l := []rune(strings.Trim(l, " \u00a0"))
		if len(l) == 0 {
			continue
		}
		if n := len(out); n > 0 && !(unicode.Is(unicode.Han, out[n-1]) && unicode.Is(unicode.Han, l[0])) {
			out = append(out, '\n')
		}
		out = append(out, l...)
	}
	return out
}

// screenWords are words with more than one traditional form, of which a
// screen must use one: the form of the word alone.
var screenWords = []string{"发布", "制度", "面试", "复议", "答复", "规范", "制作", "公布", "考核", "信息公开", "申请", "医疗救助", "政府采购"}

// TestTraditionalScreenOneFormPerWord renders every section of the default
// pack whole (a tall screen), at a wide and a narrow width and in
// 长者模式, in 简体 and 繁體, and checks that each word has on screen the
// one form it has alone, wherever it stands — wrapped at a line end too.
func TestTraditionalScreenOneFormPerWord(t *testing.T) {
	s2t := testS2T()
	want := map[string]string{}
	for _, w := range screenWords {
		want[w] = s2t.Convert(w)
	}
	for _, sz := range [][2]int{{80, 400}, {40, 700}} {
		for _, elder := range []bool{false, true} {
			hs := newHarness(t, sz[0], sz[1])
			hs.press("a")
			if elder {
				hs.press("z")
			}
			seen := map[string]int{}
			for _, sec := range hs.m.content.Pack.Docs[0].Sections {
				hs.m.push(newReaderScreen(hs.m.env, sec))
				hs.m.layout() // what Update does after every message
				simple := joinWrapped(hs.plain())
				hs.press("t")
				trad := joinWrapped(hs.plain())
				hs.press("t")
				hs.m.pop()
				if len(simple) != len(trad) {
					t.Fatalf("%s: 繁體 changed the layout", sec.DisplayTitle())
				}
				for _, w := range screenWords {
					wr := []rune(w)
					for i := 0; i+len(wr) <= len(simple); i++ {
						if string(simple[i:i+len(wr)]) != w {
							continue
						}
						seen[w]++
						if got := string(trad[i : i+len(wr)]); got != want[w] {
							t.Errorf("%dx%d elder=%v %s: %s shows as %s (alone %s), in %q", sz[0], sz[1], elder, sec.DisplayTitle(), w, got, want[w],
								string(trad[max(i-6, 0):min(i+len(wr)+6, len(trad))]))
						}
					}
				}
			}
			for _, w := range []string{"发布", "制度", "面试", "复议"} {
				if seen[w] == 0 {
					t.Errorf("%s is on no screen: the test checks nothing for it", w)
				}
			}
		}
	}
}
