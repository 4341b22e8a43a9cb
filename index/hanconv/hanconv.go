// Package hanconv converts Chinese text between traditional and simplified
// characters with OpenCC's dictionaries (Apache-2.0 data, embedded from
// dict/, see dict/NOTICE) and a small longest-match converter of our own.
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
	"unicode/utf8"
)

//go:embed dict/*.txt
var dictFS embed.FS

// Converter rewrites text by a chain of stages. Each stage scans the text
// left to right and replaces the longest key found at each position by its
// first value (OpenCC's "group" of dictionaries, first dictionary wins on
// equal length); text with no key passes through unchanged.
type Converter struct {
	stages []*stage
}

type stage struct {
	m      map[string]string
	maxLen int // longest key in runes
}

// Convert returns s converted. Invalid UTF-8 passes through byte by byte.
func (c *Converter) Convert(s string) string {
	for _, st := range c.stages {
		s = st.convert(s)
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

func (st *stage) convert(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	ends := make([]int, 0, st.maxLen) // offsets of the next maxLen rune boundaries
	for i := 0; i < len(s); {
		matched := false
		ends = ends[:0]
		for j, k := i, 0; j < len(s) && k < st.maxLen; k++ {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
			ends = append(ends, j)
		}
		for k := len(ends) - 1; k >= 0; k-- {
			if v, ok := st.m[s[i:ends[k]]]; ok {
				b.WriteString(v)
				i = ends[k]
				matched = true
				break
			}
		}
		if !matched {
			_, size := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
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
			key, vals, ok := strings.Cut(sc.Text(), "\t")
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
// STPhrases, STCharacters): 行政复议 → 行政復議.
func S2T() *Converter {
	s2tOnce.Do(func() { s2t = &Converter{stages: []*stage{newStage("STPhrases", "STCharacters")}} })
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
