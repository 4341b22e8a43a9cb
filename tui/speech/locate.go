package speech

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Span is the part of a located sentence on one screen line, in display
// cells: columns [Col0, Col1) of line Line.
type Span struct {
	Line, Col0, Col1 int
}

// Locate finds each sentence in lines, the section as rendered for the
// screen (ANSI codes allowed), and returns where each one is shown: one
// Span per line it covers, nil for a sentence not found. The TUI marks
// the sentence being read by styling its spans (lipgloss.StyleRanges),
// as the reader's find marks matches.
//
// Only letters and digits are compared, case-folded, so what rendering
// changes does not matter: Markdown marks, table borders, wrapping, added
// spaces or bullets. Sentences are looked for in order, each after the
// previous one found and near it (a sentence missing from the screen does
// not make the next one match far ahead). A sentence is matched
// contiguously when it can be; otherwise, for sentences of six letters or
// more, short stretches the renderer added (a link's address shown after
// its text) are skipped over. A number matches only a whole number on
// screen, never in pieces. A table row's cells are found one by one (a
// renderer may wrap a cell, interleaving it with the next cells) and its
// spans cover them all. The spans run from the sentence's first letter or
// digit to its last, plus the punctuation directly after it (。！？ and
// closing quotes).
func Locate(lines []string, ss []Sentence) [][]Span {
	type ch struct {
		r         rune
		line, col int
		width     int
		word      bool
		sepBefore bool // a non-word character or a line start precedes it
	}
	var all []ch  // every visible character, margins trimmed
	var hay []int // indexes in all of the word characters
	for i, l := range lines {
		plain := ansi.Strip(l)
		trimmed := strings.TrimLeft(plain, " \u00a0")
		col := ansi.StringWidth(plain[:len(plain)-len(trimmed)])
		trimmed = strings.TrimRight(trimmed, " \u00a0")
		sep := true
		for _, r := range trimmed {
			w := ansi.StringWidth(string(r))
			c := ch{r: unicode.ToLower(r), line: i, col: col, width: w, word: isWord(r), sepBefore: sep}
			if c.word {
				hay = append(hay, len(all))
			}
			sep = !c.word
			all = append(all, c)
			col += w
		}
	}
	at := func(h int) ch { return all[hay[h]] }
	// numberEdge reports whether hay[h] starts a number, or hay[h] ends
	// one (end true), on screen.
	numberEdge := func(h int, end bool) bool {
		if end {
			return h+1 >= len(hay) || at(h+1).sepBefore || !unicode.IsDigit(at(h+1).r)
		}
		return at(h).sepBefore || !unicode.IsDigit(at(h-1).r)
	}
	// find looks for the word characters of t in hay[from:from+window]
	// and returns the indexes in hay of the first and last characters
	// matched, or -1, -1.
	find := func(t string, from, window int) (int, int) {
		var key []rune
		for _, r := range t {
			if isWord(r) {
				key = append(key, unicode.ToLower(r))
			}
		}
		if len(key) == 0 {
			return -1, -1
		}
		match := func(p, maxGap int) int {
			if unicode.IsDigit(key[0]) && !numberEdge(p, false) {
				return -1
			}
			gap := 0
			for i, k := range key {
				allowed := maxGap
				if i > 0 && unicode.IsDigit(k) && unicode.IsDigit(key[i-1]) {
					allowed = gap // a number is never matched in pieces
				}
				for p < len(hay) && at(p).r != k && gap < allowed {
					p++
					gap++
				}
				if p >= len(hay) || at(p).r != k {
					return -1
				}
				p++
			}
			if unicode.IsDigit(key[len(key)-1]) && !numberEdge(p-1, true) {
				return -1
			}
			return p - 1
		}
		gaps := []int{0}
		if len(key) >= 6 {
			gaps = append(gaps, 24+len(key)/2)
		}
		for _, maxGap := range gaps {
			for p := from; p < len(hay) && p <= from+window; p++ {
				if at(p).r == key[0] {
					if l := match(p, maxGap); l >= 0 {
						return p, l
					}
				}
			}
		}
		return -1, -1
	}
	out := make([][]Span, len(ss))
	// A sentence starts near where the previous one ended: within the
	// window, which grows by the length of every sentence not found.
	cursor, window := 0, 0
	for n, s := range ss {
		window += 64 + 2*utf8.RuneCountInString(s.Text)
		var first, last int
		if s.Cells == nil {
			first, last = find(s.Text, cursor, window)
		} else {
			// A table row: its first cell starts it; each other cell is
			// found near it.
			first, last = find(s.Cells[0], cursor, window)
			near := 16 + 2*utf8.RuneCountInString(s.Text)
			for _, c := range s.Cells[1:] {
				if first < 0 {
					break
				}
				f, l := find(c, first, near)
				if f < 0 {
					first = -1
				}
				last = max(last, l)
			}
		}
		if first < 0 {
			continue
		}
		a, z := hay[first], hay[last]
		for z+1 < len(all) && all[z+1].line == all[z].line {
			r := all[z+1].r
			if !isTerminator(r) && !isCloser(r) && r != '…' {
				break
			}
			z++
		}
		var spans []Span
		for i := a; i <= z; i++ {
			c := all[i]
			if k := len(spans) - 1; k >= 0 && spans[k].Line == c.line {
				spans[k].Col1 = c.col + c.width
				continue
			}
			spans = append(spans, Span{Line: c.line, Col0: c.col, Col1: c.col + c.width})
		}
		out[n] = spans
		cursor, window = last+1, 0
	}
	return out
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
