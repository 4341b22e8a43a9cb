package index

import (
	"slices"
	"strings"
)

// Range is a match in a text: the bytes text[r[0]:r[1]].
type Range = [2]int

// Mark returns s with the text of each range passed through mark (a range
// out of order, overlapping or outside s is skipped): how a snippet's
// matches are shown, bracketed by kiosk search, in reverse video on the
// kiosk screen.
func Mark(s string, ranges []Range, mark func(string) string) string {
	var b strings.Builder
	last := 0
	for _, r := range ranges {
		if r[0] < last || r[1] > len(s) || r[0] >= r[1] {
			continue
		}
		b.WriteString(s[last:r[0]])
		b.WriteString(mark(s[r[0]:r[1]]))
		last = r[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Matcher finds where a query matches in any text, the way Search reads
// the query: Chinese runs (as typed, traditional folded, t2s and tw2sp
// forms), words, and pinyin or initials mapped to the Chinese characters
// they spell. It is immutable and safe for concurrent use.
type Matcher struct {
	t  *tables
	pq *parsedQuery
}

// NewMatcher compiles query for Matches without an index: the words are
// read from the query alone (the built-in synonyms apply; pinyin marks the
// characters whose readings spell it). Any string is accepted.
func NewMatcher(query string) *Matcher {
	t := getTables()
	u := &understander{t: t, syn: builtinSynonymSet(t)}
	return &Matcher{t: t, pq: u.parse(query, false)}
}

// Matches returns every match of query in text, sorted and merged, as
// byte ranges of text. See Matcher.
func Matches(text, query string) []Range { return NewMatcher(query).Matches(text) }

// Matches marks query in text the way Search reads it against this index
// (the same words, synonyms and pinyin readings), so that the reader marks
// what the search found; it satisfies the kiosk's Searcher interface.
func (ix *Index) Matches(text, query string) []Range {
	v, err := ix.openVocab()
	if err != nil {
		return Matches(text, query)
	}
	defer v.Close()
	u := ix.understander(v)
	m := &Matcher{t: ix.t, pq: u.parse(query, false)}
	if !m.hasAll(text) {
		// the search may have used the finer reading (Index.rank): when
		// the text has its words and not the coarse ones, mark those
		if fine := (&Matcher{t: ix.t, pq: u.parse(query, true)}); fine.hasAll(text) {
			m = fine
		}
	}
	return m.Matches(text)
}

// Matches returns every match range in text (sorted, non-overlapping,
// adjacent matches merged), in bytes of text: the whole occurrences of
// every word of the query and of the phrases that count as it (synonyms,
// the Chinese its pinyin spells); only when a text has none of them are
// the bigrams of what was typed marked (a bigram AND match).
func (m *Matcher) Matches(text string) []Range {
	if m == nil || len(m.pq.variants) == 0 || text == "" {
		return nil
	}
	nt := m.t.normRunes(text)
	var spans [][2]int // rune index spans
	for _, v := range m.pq.variants {
		for i := range v.slots {
			m.markSlot(nt.rs, &v.slots[i], &spans, true)
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

// markSlot adds the spans of the word s in rs and reports whether it
// occurs whole. With fallback, a word that does not occur whole has the
// bigrams of what was typed marked, and a word without a Chinese reading
// the characters whose pinyin spells it.
func (m *Matcher) markSlot(rs []rune, s *slot, spans *[][2]int, fallback bool) bool {
	found, hasHan := false, false
	for _, a := range s.alts {
		inferred := a.kind == altPinyin || a.kind == altInitials || a.kind == altHomophone
		if found && inferred {
			// a reading of pinyin, initials or a homophone is a guess, best
			// first: only the first that the text has is marked (xzfy marks
			// 行政, not the 省政 of 山东省政府)
			break
		}
		switch {
		case a.han != nil:
			hasHan = true
			found = findRunes(rs, a.han, spans) || found
		case a.word != "":
			found = findWord(rs, []rune(a.word), spans) || found
		}
	}
	if found || !fallback {
		return found
	}
	if hasHan {
		if h := s.alts[0].han; len(h) > 1 {
			for i := 0; i+1 < len(h); i++ {
				findRunes(rs, h[i:i+2], spans)
			}
		}
		return false
	}
	for _, a := range s.alts {
		switch {
		case len(a.sylls) > 0:
			m.findPinyin(rs, strings.Join(a.sylls, ""), spans)
		case a.inits != "":
			m.findPinyin(rs, a.inits, spans)
		}
	}
	return false
}

// hasAll reports whether text holds every required word of some reading
// whole (a word with no Chinese or literal form — pinyin of titles that
// spelt nothing — cannot be checked and counts as present).
func (m *Matcher) hasAll(text string) bool {
	nt := m.t.normRunes(text)
	for _, v := range m.pq.variants {
		ok := true
		for i := range v.slots {
			s := &v.slots[i]
			if s.optional || !s.checkable() {
				continue
			}
			if !m.markSlot(nt.rs, s, &[][2]int{}, false) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// checkable: the word has a form a text can be searched for.
func (s *slot) checkable() bool {
	for _, a := range s.alts {
		if a.han != nil || a.word != "" {
			return true
		}
	}
	return false
}

// slotsIn counts the words of the first reading, optional ones and
// question hints included, that occur whole in text.
func (m *Matcher) slotsIn(text string) int {
	if len(m.pq.variants) == 0 || text == "" {
		return 0
	}
	nt := m.t.normRunes(text)
	n := 0
	v := m.pq.variants[0]
	for i := range v.slots {
		if m.markSlot(nt.rs, &v.slots[i], &[][2]int{}, false) {
			n++
		}
	}
	return n
}

// wordsIn counts the required words of the query that occur whole in
// text (the best reading's count).
func (m *Matcher) wordsIn(text string) int {
	nt := m.t.normRunes(text)
	best := 0
	for _, v := range m.pq.variants {
		n := 0
		for i := range v.slots {
			if !v.slots[i].optional && m.markSlot(nt.rs, &v.slots[i], &[][2]int{}, false) {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// missing lists the first reading's required words that text lacks.
func (m *Matcher) missing(text string) []string {
	if len(m.pq.variants) == 0 {
		return nil
	}
	nt := m.t.normRunes(text)
	var out []string
	v := m.pq.variants[0]
	for i := range v.slots {
		s := &v.slots[i]
		if !s.optional && !m.markSlot(nt.rs, s, &[][2]int{}, false) && !slices.Contains(out, s.show) {
			out = append(out, s.show)
		}
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
func findWord(rs, pat []rune, spans *[][2]int) bool {
	found := false
	for i := 0; i+len(pat) <= len(rs); i++ {
		if rs[i] != pat[0] || !slices.Equal(rs[i:i+len(pat)], pat) {
			continue
		}
		if i > 0 && isWordRune(rs[i-1]) || i+len(pat) < len(rs) && isWordRune(rs[i+len(pat)]) {
			continue
		}
		*spans = append(*spans, [2]int{i, i + len(pat)})
		found = true
	}
	return found
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
