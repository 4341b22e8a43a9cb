// Package hanconv converts Chinese text between traditional and simplified
// characters with OpenCC's dictionaries (Apache-2.0 data, embedded from
// dict/, see dict/NOTICE), a few corrections of our own
// (dict/KioskPhrases.txt) and a small converter of our own.
//
// OpenCC's Go ports are deliberately not used: they link GPL-2.0 code.
//
// Converters are immutable once built and safe for concurrent use; each is
// built once per process on first use (about 20 ms, STPhrases ~100 ms).
package hanconv

import (
	"bufio"
	"embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed dict/*.txt
var dictFS embed.FS

// Converter rewrites text by a chain of stages. Each stage splits every run
// of Chinese characters into dictionary phrases and replaces each phrase by
// its first value (OpenCC's "group" of dictionaries, first dictionary wins
// for the same key); text with no key passes through unchanged.
//
// Every value of the simplified → traditional dictionaries has as many
// characters as its key, so S2T leaves each character where it was: a
// frame laid out for a terminal keeps its layout.
type Converter struct {
	stages []*stage
}

type stage struct {
	m      map[string]string
	maxLen int // longest key in runes
}

// Convert returns s converted. A phrase is recognised as one word wherever
// it stands: across the escape sequences that style its parts, and across
// a line break (with the spaces around it) that wrapped it between two
// Chinese characters; what lies between its characters stays where it is.
// So 发布 wrapped as 发⏎布 is 發佈 like the unwrapped word, not 發布.
// Invalid UTF-8 passes through byte by byte.
func (c *Converter) Convert(s string) string {
	for _, st := range c.stages {
		s = st.convertText(s)
	}
	return s
}

// ConvertRune converts a single character by the character dictionaries
// only (no phrases): the result is always exactly one rune, so offsets in
// a text converted rune by rune stay aligned with the original.
func (c *Converter) ConvertRune(r rune) rune {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, st := range c.stages {
		if v, ok := st.m[string(buf[:n])]; ok {
			if x, size := utf8.DecodeRuneInString(v); size == len(v) && x != utf8.RuneError {
				r = x
				n = utf8.EncodeRune(buf[:], r)
			}
		}
	}
	return r
}

// projection is the text a reader sees: the characters of s without escape
// sequences, and without the line breaks (and the spaces around them) that
// fall between two Chinese characters. at[i] is where runes[i] is in s.
type projection struct {
	runes []rune
	at    []int
}

func project(s string) projection {
	var p projection
	gap := -1 // start in p of a run of spaces holding a line break, or -1
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i = skipEscape(s, i)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++ // invalid UTF-8: not part of any word, never rewritten
			gap = -1
			p.runes, p.at = append(p.runes, utf8.RuneError), append(p.at, -1)
			continue
		}
		switch {
		case r == '\n' || r == '\r':
			if gap < 0 {
				g := len(p.runes)
				for g > 0 && (p.runes[g-1] == ' ' || p.runes[g-1] == '\u00a0') {
					g-- // a line's padding belongs to the break
				}
				if g > 0 && isWord(p.runes[g-1]) {
					gap = g
				}
			}
		case isWord(r) && gap >= 0:
			// A word wrapped at a line end: join its parts.
			p.runes, p.at = p.runes[:gap], p.at[:gap]
			gap = -1
		case r != ' ' && r != '\u00a0':
			gap = -1
		}
		p.runes, p.at = append(p.runes, r), append(p.at, i)
		i += size
	}
	return p
}

// skipEscape returns the end of the escape sequence starting at s[i]
// (ESC): a CSI (colours), an OSC (titles, links) or a two-byte one.
func skipEscape(s string, i int) int {
	if i+1 >= len(s) {
		return len(s)
	}
	switch s[i+1] {
	case '[':
		for j := i + 2; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return j + 1
			}
		}
		return len(s)
	case ']':
		for j := i + 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
		return len(s)
	}
	return i + 2
}

// isWord reports the characters phrases are made of.
func isWord(r rune) bool { return unicode.Is(unicode.Han, r) || r == '〇' || r == '．' }

// convertText converts the runs of word characters of s.
func (st *stage) convertText(s string) string {
	p := project(s)
	var b strings.Builder
	last := 0 // bytes of s written
	rs := p.runes
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && isWord(rs[j]) {
			j++
		}
		if j == i {
			i++
			continue
		}
		for _, seg := range st.segment(rs[i:j]) {
			a, z := i+seg[0], i+seg[1]
			v, ok := st.m[string(rs[a:z])]
			if !ok || v == string(rs[a:z]) {
				continue
			}
			if b.Len() == 0 {
				b.Grow(len(s) + 16)
			}
			vr := []rune(v)
			if len(vr) == z-a {
				// Character for character: whatever lies between them
				// (a line break, a colour) stays.
				for k := a; k < z; k++ {
					if vr[k-a] == rs[k] {
						continue
					}
					b.WriteString(s[last:p.at[k]])
					b.WriteRune(vr[k-a])
					last = p.at[k] + utf8.RuneLen(rs[k])
				}
				continue
			}
			// A phrase of another length (Taiwan phrasing: 主機板 →
			// 主板) takes the place of its first character; the others
			// go.
			b.WriteString(s[last:p.at[a]])
			b.WriteString(v)
			last = p.at[a] + utf8.RuneLen(rs[a])
			for k := a + 1; k < z; k++ {
				b.WriteString(s[last:p.at[k]])
				last = p.at[k] + utf8.RuneLen(rs[k])
			}
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// segment splits a run of Chinese characters into dictionary keys (and
// single characters where no key starts), the longest key from the left
// first, as OpenCC does: its dictionaries are written for that reading.
// Where two keys overlap and the left one is wrong (和面|试 for 和|面试),
// KioskPhrases holds the longer phrase that reads it right (和面试).
// Reading from the right, or both ways and choosing, was tried on the
// default pack: it fixed 和面试, 认定制度 and 公开发布 but broke 答复数
// (答|复数 → 答複數), 规范进行 (规|范进 → 規范進) and 制作 (→ 制作), as
// no rule without word frequencies can tell those apart.
func (st *stage) segment(rs []rune) [][2]int {
	var segs [][2]int
	for i := 0; i < len(rs); {
		n := 1
		for k := min(st.maxLen, len(rs)-i); k > 1; k-- {
			if _, ok := st.m[string(rs[i:i+k])]; ok {
				n = k
				break
			}
		}
		segs = append(segs, [2]int{i, i + n})
		i += n
	}
	return segs
}

// newStage loads dictionaries in priority order into one stage.
func newStage(files ...string) *stage {
	st := &stage{m: map[string]string{}}
	for _, f := range files {
		data, err := dictFS.ReadFile("dict/" + f + ".txt")
		if err != nil {
			panic("hanconv: missing embedded dictionary " + f) // embedded at build time
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				continue
			}
			key, vals, ok := strings.Cut(line, "\t")
			if !ok {
				// One line of STPhrases separates key and value by a
				// space (开户 開戶).
				key, vals, ok = strings.Cut(line, " ")
			}
			if !ok || key == "" {
				continue
			}
			val, _, _ := strings.Cut(vals, " ") // first candidate
			if _, dup := st.m[key]; dup {
				continue
			}
			st.m[key] = val
			if n := utf8.RuneCountInString(key); n > st.maxLen {
				st.maxLen = n
			}
		}
	}
	return st
}

var (
	t2sOnce, s2tOnce, tw2spOnce sync.Once
	t2s, s2t, tw2sp             *Converter
)

// T2S converts traditional to simplified characters (OpenCC t2s:
// TSPhrases, TSCharacters): 行政復議 → 行政复议.
func T2S() *Converter {
	t2sOnce.Do(func() { t2s = &Converter{stages: []*stage{newStage("TSPhrases", "TSCharacters")}} })
	return t2s
}

// S2T converts simplified to traditional characters (OpenCC s2t:
// STPhrases, STCharacters, after our corrections in KioskPhrases):
// 行政复议 → 行政復議, 面试 → 面試.
func S2T() *Converter {
	s2tOnce.Do(func() { s2t = &Converter{stages: []*stage{newStage("KioskPhrases", "STPhrases", "STCharacters")}} })
	return s2t
}

// TW2SP converts Taiwan traditional phrasing to mainland simplified
// phrasing (OpenCC tw2sp: TWPhrasesRev, TWVariantsRevPhrases, TWVariantsRev,
// then t2s): 資訊公開 → 信息公开. Beware that it also rewrites some
// simplified text, so use it as an alternative, not as a normaliser.
func TW2SP() *Converter {
	tw2spOnce.Do(func() {
		tw2sp = &Converter{stages: []*stage{
			newStage("TWPhrasesRev", "TWVariantsRevPhrases", "TWVariantsRev"),
			T2S().stages[0],
		}}
	})
	return tw2sp
}

// CharMap returns the single-character mappings of the converter's last
// stage (its character dictionary, first candidate) as a new map, for
// callers that normalise text rune by rune.
func (c *Converter) CharMap() map[rune]rune {
	out := map[rune]rune{}
	st := c.stages[len(c.stages)-1]
	for k, v := range st.m {
		kr, ks := utf8.DecodeRuneInString(k)
		vr, vs := utf8.DecodeRuneInString(v)
		if ks == len(k) && vs == len(v) && kr != utf8.RuneError && vr != utf8.RuneError && kr != vr {
			out[kr] = vr
		}
	}
	return out
}
