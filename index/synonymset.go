package index

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"kiosk/content"
)

// synonyms is the set of synonym groups a search applies: the built-in
// list (index/synonyms.toml) and the content pack's synonyms.toml. Words
// are kept normalised (normRune), so a traditional or full-width query
// finds its group. It also reads each word in pinyin and initials, so that
// typed pinyin finds an abbreviation the content never uses (yibao → 医保
// → 医疗保险). Immutable once built; safe for concurrent use.
type synonyms struct {
	groups     [][]string
	byWord     map[string][]int    // word → its groups
	byPinyin   map[string][]string // joined toneless pinyin → words
	byInitials map[string][]string // initials → words
}

func newSynonyms(t *tables, groups ...[][]string) *synonyms {
	s := &synonyms{byWord: map[string][]int{}, byPinyin: map[string][]string{}, byInitials: map[string][]string{}}
	seen := map[string]bool{}
	for _, gs := range groups {
		for _, g := range gs {
			var ng []string
			for _, w := range g {
				w = t.normalize(strings.TrimSpace(w))
				if utf8.RuneCountInString(w) < 2 || slices.Contains(ng, w) {
					continue
				}
				ng = append(ng, w)
			}
			if len(ng) < 2 {
				continue
			}
			gi := len(s.groups)
			s.groups = append(s.groups, ng)
			for _, w := range ng {
				s.byWord[w] = append(s.byWord[w], gi)
				if seen[w] {
					continue
				}
				seen[w] = true
				u := understander{t: t}
				rs := []rune(w)
				for _, sy := range u.readingsOfRun(rs, 4) {
					k := strings.Join(sy, "")
					if !slices.Contains(s.byPinyin[k], w) {
						s.byPinyin[k] = append(s.byPinyin[k], w)
					}
					var in strings.Builder
					for _, p := range sy {
						in.WriteByte(p[0])
					}
					if !slices.Contains(s.byInitials[in.String()], w) {
						s.byInitials[in.String()] = append(s.byInitials[in.String()], w)
					}
				}
			}
		}
	}
	return s
}

// has reports whether w (normalised) is a word of some group.
func (s *synonyms) has(w string) bool {
	if s == nil {
		return false
	}
	_, ok := s.byWord[w]
	return ok
}

// of returns the other words of w's groups.
func (s *synonyms) of(w string) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, gi := range s.byWord[w] {
		for _, x := range s.groups[gi] {
			if x != w && !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	return out
}

func (s *synonyms) byPinyinOf(k string) []string {
	if s == nil {
		return nil
	}
	return s.byPinyin[k]
}

func (s *synonyms) byInitialsOf(k string) []string {
	if s == nil {
		return nil
	}
	return s.byInitials[k]
}

// builtinSynonymSet is the built-in list alone, for matching without an
// index; built once per process (it is immutable).
func builtinSynonymSet(t *tables) *synonyms {
	builtinSetOnce.Do(func() { builtinSet = newSynonyms(t, builtinGroups()) })
	return builtinSet
}

var (
	builtinSetOnce sync.Once
	builtinSet     *synonyms
)

// builtinGroups: the built-in list as word groups (parsed each call:
// builtinSynonymSet keeps the result).
func builtinGroups() [][]string { return wordGroups(BuiltinSynonyms()) }

func wordGroups(gs []content.SynonymGroup) [][]string {
	out := make([][]string, len(gs))
	for i, g := range gs {
		out[i] = g.Words
	}
	return out
}

// packSynonymGroups: the pack's synonyms.toml as word groups.
func packSynonymGroups(p *content.Pack) [][]string { return wordGroups(p.Synonyms) }
