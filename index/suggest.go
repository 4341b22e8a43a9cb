package index

import (
	"slices"
	"strings"
)

// maxDidYouMean is how many "您是不是要找" queries a search offers.
const maxDidYouMean = 4

// didYouMean proposes queries made of words that are in the content and
// near the query's words, when nothing matched: for each word the content
// lacks, the content's words with the same initials that share a
// character with it in the same place (依申情 → 依申请; 保章 → 保障),
// the rest of the query kept. Without an index it proposes nothing.
func (u *understander) didYouMean(pq *parsedQuery) []string {
	if u.v == nil || len(pq.variants) == 0 {
		return nil
	}
	slots := pq.variants[0].slots
	var out []string
	for i := range slots {
		s := &slots[i]
		if s.optional || u.slotOccurs(s) {
			continue
		}
		for _, c := range u.nearWords(s) {
			words := make([]string, 0, len(slots))
			for j := range slots {
				if j == i {
					words = append(words, c)
				} else if !slots[j].optional && u.slotOccurs(&slots[j]) {
					words = append(words, slots[j].show)
				}
			}
			q := strings.Join(words, " ")
			if !slices.Contains(out, q) && q != pq.clean {
				out = append(out, q)
			}
			if len(out) == maxDidYouMean {
				return out
			}
		}
	}
	return out
}

// slotOccurs reports whether any Chinese phrase of the word is in the
// content.
func (u *understander) slotOccurs(s *slot) bool {
	for _, h := range s.hanAlts() {
		if u.occurs(h) {
			return true
		}
	}
	for _, a := range s.alts {
		if a.word != "" && (u.v.df(fBody, a.word) > 0 || u.v.df(fMeta, a.word) > 0) {
			return true
		}
	}
	return false
}

// nearWords are content words near the word s: same initials and a shared
// character in the same place, or — for a word typed in pinyin that spelt
// nothing — the content's readings of its first syllables.
func (u *understander) nearWords(s *slot) []string {
	var out []string
	typed := s.alts[0].han
	if typed == nil {
		return nil
	}
	for _, sylls := range u.readingsOfRun(typed, 4) {
		var in strings.Builder
		for _, p := range sylls {
			in.WriteByte(p[0])
		}
		for _, c := range u.hanFromInitials(in.String()) {
			if len(c) != len(typed) || slices.Equal(c, typed) || !u.occurs(c) {
				continue
			}
			shared := false
			for k := range c {
				shared = shared || c[k] == typed[k]
			}
			if shared && !slices.Contains(out, string(c)) {
				out = append(out, string(c))
			}
		}
	}
	return out
}
