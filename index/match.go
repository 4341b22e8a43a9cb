package index

import (
	"slices"
	"strings"
)

// Range is a match in a text: the bytes text[r[0]:r[1]].
type Range = [2]int

// Matcher finds where a query matches in any text, the way Search reads
// the query: Chinese runs (as typed, traditional folded, t2s and tw2sp
// forms), words, and pinyin or initials mapped to the Chinese characters
// they spell. It is immutable and safe for concurrent use.
type Matcher struct {
	t  *tables
	pq *parsedQuery
}

// NewMatcher compiles query for Matches. Any string is accepted.
func NewMatcher(query string) *Matcher {
	t := getTables()
	return &Matcher{t: t, pq: t.parse(query)}
}

// Matches returns every match of query in text, sorted and merged, as
// byte ranges of text. See Matcher.
func Matches(text, query string) []Range { return NewMatcher(query).Matches(text) }

// Matches is the package function Matches, as a method so that an *Index
// satisfies the kiosk's Searcher interface.
func (ix *Index) Matches(text, query string) []Range {
	return (&Matcher{t: ix.t, pq: ix.t.parse(query)}).Matches(text)
}

// Matches returns every match range in text (sorted, non-overlapping,
// adjacent matches merged), in bytes of text. For each Chinese run of the
// query its whole occurrences are marked; only when a text has none are its
// bigrams marked (a bigram AND match). Pinyin marks the characters whose
// readings spell the letters (full pinyin, or initials).
func (m *Matcher) Matches(text string) []Range {
	if m == nil || len(m.pq.variants) == 0 || text == "" {
		return nil
	}
	nt := m.t.normRunes(text)
	var spans [][2]int // rune index spans
	for _, v := range m.pq.variants {
		for _, p := range v.parts {
			switch p.kind {
			case partHan:
				found := findRunes(nt.rs, p.han, &spans)
				if !found && len(p.han) > 1 {
					for i := 0; i+1 < len(p.han); i++ {
						findRunes(nt.rs, p.han[i:i+2], &spans)
					}
				}
			case partWords:
				for _, w := range p.words {
					findWord(nt.rs, []rune(w), &spans)
				}
				if len(p.letters) >= 2 {
					m.findPinyin(nt.rs, p.letters, &spans)
				}
			}
		}
	}
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	out := make([]Range, 0, len(spans))
	for _, s := range spans {
		r := Range{nt.off[s[0]], nt.off[s[1]]}
		if n := len(out); n > 0 && r[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

func findRunes(rs, pat []rune, spans *[][2]int) bool {
	found := false
	for i := 0; i+len(pat) <= len(rs); i++ {
		if rs[i] == pat[0] && slices.Equal(rs[i:i+len(pat)], pat) {
			*spans = append(*spans, [2]int{i, i + len(pat)})
			found = true
		}
	}
	return found
}

// findWord marks pat where it is not inside a longer run of letters/digits
// (so "18" does not mark the middle of "2018").
func findWord(rs, pat []rune, spans *[][2]int) {
	for i := 0; i+len(pat) <= len(rs); i++ {
		if rs[i] != pat[0] || !slices.Equal(rs[i:i+len(pat)], pat) {
			continue
		}
		if i > 0 && isWordRune(rs[i-1]) || i+len(pat) < len(rs) && isWordRune(rs[i+len(pat)]) {
			continue
		}
		*spans = append(*spans, [2]int{i, i + len(pat)})
	}
}

// findPinyin marks runs of Chinese characters spelling letters in full
// pinyin (any reading of each character) or as initials.
func (m *Matcher) findPinyin(rs []rune, letters string, spans *[][2]int) {
	for i := range rs {
		first := m.t.readings[rs[i]]
		if first == nil {
			continue
		}
		initialOK := false
		for _, p := range first {
			initialOK = initialOK || p[0] == letters[0]
		}
		if !initialOK {
			continue
		}
		if end := m.fullFrom(rs, i, letters); end > i {
			*spans = append(*spans, [2]int{i, end})
		}
		if len(letters) <= maxInitials && i+len(letters) <= len(rs) {
			ok := true
			for k := 0; k < len(letters) && ok; k++ {
				ok = false
				for _, p := range m.t.readings[rs[i+k]] {
					if p[0] == letters[k] {
						ok = true
						break
					}
				}
			}
			if ok {
				*spans = append(*spans, [2]int{i, i + len(letters)})
			}
		}
	}
}

// fullFrom returns the end of the characters from i whose readings spell
// letters exactly, or -1. Failed (character, letter) states are memoised,
// so adversarial input stays polynomial.
func (m *Matcher) fullFrom(rs []rune, i int, letters string) int {
	dead := map[[2]int]bool{}
	var walk func(i, pos int) int
	walk = func(i, pos int) int {
		if pos == len(letters) {
			return i
		}
		if i >= len(rs) || dead[[2]int{i, pos}] {
			return -1
		}
		for _, p := range m.t.readings[rs[i]] {
			if strings.HasPrefix(letters[pos:], p) {
				if end := walk(i+1, pos+len(p)); end >= 0 {
					return end
				}
			}
		}
		dead[[2]int{i, pos}] = true
		return -1
	}
	return walk(i, 0)
}
