package index

import (
	"cmp"
	"slices"
	"strings"
)

// Pinyin and initials become the Chinese words they spell: the words of
// the synonym lists read so, and chains of the content's bigrams read so
// (the pinyin lexicon: for each pair of syllables, or of initials, the
// content's most frequent bigrams with that reading), consecutive bigrams
// sharing a character (xingzhengfuyi: 行政·政复·复议 → 行政复议). A chain
// scores the product of its bigrams' cohesions × its rarest bigram's
// frequency, so
// that fuyi reads 复议 (a word) and not 府议 (the end of 政府 and the
// start of 议定); chains far weaker than the best are dropped.

const (
	chainBeam     = 8   // partial chains kept per step
	maxCandidates = 4   // Chinese readings kept per word
	minChainShare = 0.2 // a reading scoring under this share of the best is dropped
	maxPySyllable = 8   // syllables (or initials) in one word
	costPySingle  = 3.0 // a syllable that is no word alone
	initialsKey   = "=" // prefix of the initials keys of the lexicon
	// minPinyinCohesion: every pair of a word read from typed pinyin
	// stands together at least this often. At 0.08 (the segmentation's
	// bar) yibao read 以保 in 以保障 on the built-in report (0.13); words
	// score 0.3–1. The citizen table and the 35-query table are unchanged
	// at 0.15, 0.2 and 0.25.
	minPinyinCohesion = 0.25
)

type chain struct {
	rs    []rune
	score float64 // product of the pairs' cohesions × the rarest pair's frequency
	df    uint64  // the rarest pair's frequency
}

// strongerChain orders chains by falling score.
func strongerChain(a, b chain) int { return cmp.Compare(b.score, a.score) }

// pairDF is the frequency of a bigram (1 without an index).
func (u *understander) pairDF(bg []rune) uint64 {
	if u.v == nil {
		return 1
	}
	return max(u.v.pair(bg[0], bg[1]), 1)
}

// bigramScore rates a content bigram as a reading: frequent and cohesive;
// 0 for a pair that rarely stands together (the end of one word and the
// start of the next: 府议 in 政府议定).
func (u *understander) bigramScore(bg []rune, least float64) float64 {
	if u.v == nil {
		return 1
	}
	c := u.v.cohesion(bg[0], bg[1])
	if c < least {
		return 0
	}
	return float64(u.v.pair(bg[0], bg[1])) * c
}

// chains returns the strongest chains of bigrams for consecutive lexicon
// keys (each key: a pair of syllables or of initials).
func (u *understander) chains(keys []string, least float64) [][]rune {
	if u.lexicon == nil || len(keys) == 0 {
		return nil
	}
	lex := u.lexicon()
	var beam []chain
	for _, bg := range lex[keys[0]] {
		rs := []rune(bg)
		if len(rs) == 2 {
			if s := u.bigramScore(rs, least); s > 0 {
				beam = append(beam, chain{rs, s, u.pairDF(rs)})
			}
		}
	}
	for _, k := range keys[1:] {
		var next []chain
		for _, c := range beam {
			last := c.rs[len(c.rs)-1]
			for _, bg := range lex[k] {
				rs := []rune(bg)
				if len(rs) != 2 || rs[0] != last {
					continue
				}
				if s := u.bigramScore(rs, least); s > 0 {
					df := min(c.df, u.pairDF(rs))
					// cohesions multiply; the rarest pair bounds how often
					// the whole can occur
					next = append(next, chain{append(slices.Clone(c.rs), rs[1]), c.score / float64(c.df) * s / float64(u.pairDF(rs)) * float64(df), df})
				}
			}
		}
		slices.SortStableFunc(next, strongerChain)
		beam = next[:min(len(next), chainBeam)]
	}
	if len(beam) == 0 {
		return nil
	}
	slices.SortStableFunc(beam, strongerChain)
	var out [][]rune
	for _, c := range beam {
		if c.score >= minChainShare*beam[0].score && len(out) < maxCandidates {
			out = append(out, c.rs)
		}
	}
	return out
}

// hanFromSyllables returns the Chinese words spelt by the syllables:
// synonym-list words first, then the content's chains whose every pair
// has at least the cohesion least.
func (u *understander) hanFromSyllables(sylls []string, least float64) [][]rune {
	if len(sylls) < 2 {
		return nil
	}
	var out [][]rune
	for _, w := range u.syn.byPinyinOf(strings.Join(sylls, "")) {
		out = appendRunes(out, []rune(w))
	}
	keys := make([]string, 0, len(sylls)-1)
	for i := 0; i+1 < len(sylls); i++ {
		keys = append(keys, sylls[i]+sylls[i+1])
	}
	for _, c := range u.chains(keys, least) {
		out = appendRunes(out, c)
	}
	return out
}

// hanFromInitials returns the Chinese words spelt by the initials.
func (u *understander) hanFromInitials(letters string) [][]rune {
	if len(letters) < 2 {
		return nil
	}
	var out [][]rune
	for _, w := range u.syn.byInitialsOf(letters) {
		out = appendRunes(out, []rune(w))
	}
	keys := make([]string, 0, len(letters)-1)
	for i := 0; i+1 < len(letters); i++ {
		keys = append(keys, initialsKey+letters[i:i+2])
	}
	for _, c := range u.chains(keys, minCohesion) {
		out = appendRunes(out, c)
	}
	return out
}

func appendRunes(xs [][]rune, x []rune) [][]rune {
	for _, y := range xs {
		if slices.Equal(x, y) {
			return xs
		}
	}
	return append(xs, x)
}

// pinyinSlots reads a run of letters as pinyin words (or, failing that,
// initials). ok is false when it spells no Chinese word. With fine, a
// word of four syllables or more is split at the weakest joint of its
// best reading (see hanSlots).
func (u *understander) pinyinSlots(p part, fine, splitInitials bool) (out []slot, ok bool) {
	if u.v == nil {
		// without an index the letters are marked where the characters'
		// readings spell them (Matcher.findPinyin)
		return nil, false
	}
	bestCost := 1e18
	for _, split := range p.splits {
		slots, cost := u.syllableWords(split, nil)
		if fine && u.v != nil && slots != nil {
			cuts := make([]bool, len(split))
			cut, pos := false, 0
			for _, s := range slots {
				n := len(s.sylls())
				if h := s.hanAlts(); n >= 4 && len(h) > 0 && len(h[0]) == n && !u.syn.has(string(h[0])) {
					cuts[pos+u.weakestJoint(h[0])] = true
					cut = true
				}
				pos += n
			}
			if cut {
				slots, cost = u.syllableWords(split, cuts)
			}
		}
		if slots != nil && cost < bestCost {
			out, bestCost = slots, cost
		}
	}
	if out != nil {
		return out, true
	}
	if len(p.letters) <= maxInitials {
		if slots := u.initialWords(p.letters, splitInitials); slots != nil {
			return slots, true
		}
	}
	return nil, false
}

// sylls are the syllables of a word read from pinyin.
func (s *slot) sylls() []string {
	for _, a := range s.alts {
		if len(a.sylls) > 0 {
			return a.sylls
		}
	}
	return nil
}

// weakJoints counts the pairs of rs that rarely stand together.
func (u *understander) weakJoints(rs []rune) int {
	n := 0
	for i := 1; u.v != nil && i < len(rs); i++ {
		if u.v.cohesion(rs[i-1], rs[i]) < minCohesion {
			n++
		}
	}
	return n
}

// syllableWords splits syllables into words that spell Chinese words, at
// the least cost; nil when no word spells anything. cuts[i] forbids a word
// across syllables i-1|i (nil: none).
func (u *understander) syllableWords(sylls []string, cuts []bool) ([]slot, float64) {
	cands := map[[2]int][][]rune{}
	ends, total := cheapestSplit(len(sylls), 1, maxPySyllable, cuts, func(i, j int) (float64, bool) {
		if j-i == 1 {
			return costPySingle, true
		}
		cs := u.hanFromSyllables(sylls[i:j], minPinyinCohesion)
		if len(cs) == 0 {
			return 0, false
		}
		cands[[2]int{i, j}] = cs
		cost := costWord
		if !u.syn.has(string(cs[0])) {
			cost += costWeakJoint * float64(u.weakJoints(cs[0]))
		}
		return cost, true
	})
	var out []slot
	words, i := 0, 0
	for _, j := range ends {
		cs := cands[[2]int{i, j}]
		s := slot{typed: strings.Join(sylls[i:j], "")}
		for _, c := range cs {
			s.addAlt(alt{kind: altPinyin, han: c})
		}
		s.addAlt(alt{kind: altTitlePy, sylls: slices.Clone(sylls[i:j])})
		if len(cs) > 0 {
			s.show = string(cs[0])
			words++
		} else {
			s.show = s.typed
			s.optional = true
		}
		u.expandSynonyms(&s)
		out = append(out, s)
		i = j
	}
	if words == 0 {
		return nil, 1e18
	}
	return out, total
}

// initialWords splits initials into words that spell Chinese words; nil
// when they cannot all be read. short limits words to three letters (for
// four letters or more).
func (u *understander) initialWords(letters string, short bool) []slot {
	longest := maxPySyllable
	if short && len(letters) >= 4 {
		longest = 3
	}
	cands := map[[2]int][][]rune{}
	ends, _ := cheapestSplit(len(letters), 2, longest, nil, func(i, j int) (float64, bool) {
		cs := u.hanFromInitials(letters[i:j])
		cands[[2]int{i, j}] = cs
		return costWord, len(cs) > 0
	})
	var out []slot
	i := 0
	for _, j := range ends {
		cs := cands[[2]int{i, j}]
		s := slot{typed: letters[i:j], show: string(cs[0])}
		for _, c := range cs {
			s.addAlt(alt{kind: altInitials, han: c})
		}
		s.addAlt(alt{kind: altTitlePy, inits: letters[i:j]})
		u.expandSynonyms(&s)
		out = append(out, s)
		i = j
	}
	return out
}
