package render

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

// Closing punctuation may not start a line; opening punctuation may not end
// one (kinsoku). ASCII ,.;:?!) are included: the pack's Chinese text uses
// them.
const (
	closingPunct = "，。、；：？！）》」』”’〕】〉〗〙〛｝］．｡､｠" + ",.;:?!)"
	openingPunct = "（《「『“‘〔【〈〖〘〚｛［｟" + "("
)

func startsClosing(s string) bool {
	for _, r := range s {
		return strings.ContainsRune(closingPunct, r)
	}
	return false
}

func endsOpening(s string) bool {
	rs := []rune(s)
	return len(rs) > 0 && strings.ContainsRune(openingPunct, rs[len(rs)-1])
}

// fixKinsoku repairs the line ends that break kinsoku in lines (styled or
// plain), where a run with no break opportunity was longer than the line
// and had to be cut anywhere: glamour's hard break (…@ly.shandong.cn) then
// 。 alone), a table cell one character wide. The last character of the
// line before moves down to the line that starts with closing punctuation
// (and an opening one at a line's end moves down too); when that line
// gets wider than width, its end moves on to the next line of the block,
// or to a new line. Lines with skip set (tables) and blank lines separate
// blocks and are left alone. Nothing is lost and no line gets wider than
// width.
func fixKinsoku(lines []string, width int, skip []bool) []string {
	out := append([]string(nil), lines...)
	sk := append([]bool(nil), skip...)
	for len(sk) < len(out) {
		sk = append(sk, false)
	}
	joined := func(i int) bool { // out[i] continues the block of out[i-1]
		return i > 0 && i < len(out) && !sk[i] && !sk[i-1] && !isBlank(out[i]) && !isBlank(out[i-1])
	}
	for i := 1; i < len(out); i++ {
		if !joined(i) {
			continue
		}
		for tries := 0; tries < 4; tries++ {
			_, prev := splitIndent(out[i-1])
			_, cur := splitIndent(out[i])
			if !startsClosing(cur) && !endsOpening(prev) {
				break
			}
			p, c, ok := moveLast(out[i-1], out[i])
			if !ok {
				break
			}
			out[i-1], out[i] = p, c
		}
		if ansi.StringWidth(out[i]) <= width {
			continue
		}
		head, tail, ok := cutAt(out[i], width)
		if !ok {
			continue
		}
		out[i] = head
		ind, _ := splitIndent(head)
		if joined(i + 1) {
			nind, _ := splitIndent(out[i+1])
			if ansi.StringWidth(nind) == ansi.StringWidth(ind) {
				out[i+1] = ansi.Cut(out[i+1], 0, ansi.StringWidth(nind)) + tail + ansi.Cut(out[i+1], ansi.StringWidth(nind), ansi.StringWidth(out[i+1]))
				continue
			}
		}
		out = append(out[:i+1], append([]string{strings.Repeat(" ", ansi.StringWidth(ind)) + tail}, out[i+1:]...)...)
		sk = append(sk[:i+1], append([]bool{false}, sk[i+1:]...)...)
	}
	return out
}

// splitIndent returns a line's plain indentation (spaces) and its plain
// content without trailing spaces.
func splitIndent(l string) (indent, content string) {
	plain := strings.TrimRight(ansi.Strip(l), " \u00a0")
	content = strings.TrimLeft(plain, " \u00a0")
	return plain[:len(plain)-len(content)], content
}

// clusters returns the grapheme clusters of plain text with their widths.
func clusters(s string) (cs []string, ws []int) {
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cs = append(cs, g.Str())
		ws = append(ws, g.Width())
	}
	return cs, ws
}

// moveLast moves the last character of prev's content to the start of
// cur's content (after its indentation); prev keeps at least one.
func moveLast(prev, cur string) (string, string, bool) {
	pind, pc := splitIndent(prev)
	cs, ws := clusters(pc)
	if len(cs) < 2 {
		return prev, cur, false
	}
	end := ansi.StringWidth(pind) + ansi.StringWidth(pc)
	at := end - ws[len(ws)-1]
	moved := ansi.Cut(prev, at, end)
	cind, _ := splitIndent(cur)
	cw := ansi.StringWidth(cind)
	return ansi.Cut(prev, 0, at), ansi.Cut(cur, 0, cw) + moved + ansi.Cut(cur, cw, ansi.StringWidth(cur)), true
}

// cutAt splits a line wider than width at the last place within width
// where kinsoku allows a break, returning the line and the rest's styled
// text (without indentation).
func cutAt(l string, width int) (head, tail string, ok bool) {
	ind, content := splitIndent(l)
	cs, ws := clusters(content)
	x := ansi.StringWidth(ind)
	k := 0
	for k < len(cs) && x+ws[k] <= width {
		x += ws[k]
		k++
	}
	if k >= len(cs) {
		return l, "", false
	}
	for k > 1 && (strings.ContainsAny(cs[k], closingPunct) || strings.ContainsAny(cs[k-1], openingPunct)) {
		k--
		x -= ws[k]
	}
	if k < 1 || k >= len(cs) {
		return l, "", false
	}
	end := ansi.StringWidth(ind) + ansi.StringWidth(content)
	return ansi.Cut(l, 0, x), ansi.Cut(l, x, end), true
}
