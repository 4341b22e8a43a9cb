package tui

import (
	"sort"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// A matcher returns the byte ranges of text that match a query (as the
// search index understands it: characters, pinyin, traditional forms).
type matcher func(text string) [][2]int

// segment is the part of one match that lies on one rendered line, in
// display cells.
type segment struct{ line, col0, col1 int }

// match is one occurrence, possibly wrapped over several lines.
type match []segment

// findMatches locates every match in rendered lines. The lines are joined
// back into the text they were wrapped from (margins dropped, a blank line
// kept as a paragraph break) so a match broken across a line end is found,
// then each match is mapped back to the cells it occupies on screen.
func findMatches(lines []string, m matcher) []match {
	var joined strings.Builder
	type pos struct{ byteAt, line, col, width int }
	var runes []pos
	for i, l := range lines {
		plain := ansi.Strip(l)
		trimmed := strings.TrimLeft(plain, " \u00a0")
		if strings.TrimSpace(trimmed) == "" {
			joined.WriteByte('\n')
			continue
		}
		col := ansi.StringWidth(plain[:len(plain)-len(trimmed)])
		trimmed = strings.TrimRight(trimmed, " \u00a0")
		for _, r := range trimmed {
			w := ansi.StringWidth(string(r))
			runes = append(runes, pos{byteAt: joined.Len(), line: i, col: col, width: w})
			joined.WriteRune(r)
			col += w
		}
	}
	text := joined.String()
	var out []match
	for _, rg := range m(text) {
		start := sort.Search(len(runes), func(k int) bool { return runes[k].byteAt >= rg[0] })
		var mt match
		for k := start; k < len(runes) && runes[k].byteAt < rg[1]; k++ {
			p := runes[k]
			if n := len(mt); n > 0 && mt[n-1].line == p.line && mt[n-1].col1 == p.col {
				mt[n-1].col1 += p.width
				continue
			}
			mt = append(mt, segment{line: p.line, col0: p.col, col1: p.col + p.width})
		}
		if len(mt) > 0 {
			out = append(out, mt)
		}
	}
	return out
}

// markLines returns lines with every match styled; the current match
// stands out (bold and underlined as well as reversed, so it does not rely
// on colour alone).
func markLines(lines []string, matches []match, current int, st styles) []string {
	byLine := map[int][]lipgloss.Range{}
	for i, mt := range matches {
		style := st.Match
		if i == current {
			style = st.MatchCurrent
		}
		for _, s := range mt {
			byLine[s.line] = append(byLine[s.line], lipgloss.NewRange(s.col0, s.col1, style))
		}
	}
	out := make([]string, len(lines))
	copy(out, lines)
	for ln, rs := range byLine {
		sort.Slice(rs, func(a, b int) bool { return rs[a].Start < rs[b].Start })
		out[ln] = lipgloss.StyleRanges(lines[ln], rs...)
	}
	return out
}

// substringMatcher finds a query literally, ignoring case: the fallback
// when no search index is available.
func substringMatcher(query string) matcher {
	q := strings.ToLower(strings.TrimSpace(query))
	return func(text string) [][2]int {
		if q == "" {
			return nil
		}
		lower := strings.ToLower(text)
		if len(lower) != len(text) {
			lower = text // case folding changed byte lengths; match exactly
		}
		var out [][2]int
		for i := 0; i < len(lower); {
			j := strings.Index(lower[i:], q)
			if j < 0 {
				break
			}
			out = append(out, [2]int{i + j, i + j + len(q)})
			_, size := utf8.DecodeRuneInString(lower[i+j:])
			i += j + max(len(q), size)
		}
		return out
	}
}
