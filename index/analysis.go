package index

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"kiosk/index/hanconv"
	"kiosk/internal/termtext"
)

// Text normalisation, shared by the index and the query side so that both
// see the same characters:
//
//   - full-width ASCII (１２３ＡＢＣ) and the ideographic space become
//     half-width, before tokenising (bleve's unicode tokenizer drops
//     full-width digits, and cjk_width runs too late);
//   - letters are lower-cased;
//   - traditional characters become simplified, character by character
//     (OpenCC TSCharacters, first candidate), so a pack written in
//     traditional characters is found by simplified queries and vice versa.
//
// The mapping is one rune to one rune, so every normalised rune has the
// byte offset of its original: match ranges are computed on normalised
// runes and reported in the original text.

type tables struct {
	fillers  map[string]bool // fillerWords, for lookups
	t2s      map[rune]rune
	readings map[rune][]string // toneless pinyin readings, most common first, ü as v
	sylls    map[string]bool   // every syllable in readings
	maxSyll  int
}

var (
	tablesOnce sync.Once
	tbl        *tables
)

// getTables builds the read-only tables once per process (~30 ms).
func getTables() *tables {
	tablesOnce.Do(func() {
		t := &tables{t2s: hanconv.T2S().CharMap(), readings: map[rune][]string{}, sylls: map[string]bool{}, fillers: map[string]bool{}}
		for _, f := range fillerWords {
			t.fillers[f] = true
		}
		for cp, s := range pinyin.PinyinDict {
			r := rune(cp)
			if !isHan(r) {
				continue
			}
			var rs []string
			for _, p := range strings.Split(s, ",") {
				p = toneless(p)
				if p == "" || !isLowerASCII(p) {
					continue
				}
				dup := false
				for _, x := range rs {
					dup = dup || x == p
				}
				if !dup {
					rs = append(rs, p)
				}
			}
			if len(rs) == 0 {
				continue
			}
			t.readings[r] = rs
			for _, p := range rs {
				t.sylls[p] = true
				if len(p) > t.maxSyll {
					t.maxSyll = len(p)
				}
			}
		}
		tbl = t
	})
	return tbl
}

var toneMarks = strings.NewReplacer(
	"ā", "a", "á", "a", "ǎ", "a", "à", "a",
	"ē", "e", "é", "e", "ě", "e", "è", "e", "ê̄", "e", "ế", "e", "ê̌", "e", "ề", "e", "ê", "e",
	"ī", "i", "í", "i", "ǐ", "i", "ì", "i",
	"ō", "o", "ó", "o", "ǒ", "o", "ò", "o",
	"ū", "u", "ú", "u", "ǔ", "u", "ù", "u",
	"ǖ", "v", "ǘ", "v", "ǚ", "v", "ǜ", "v", "ü", "v",
	"ń", "n", "ň", "n", "ǹ", "n", "ḿ", "m", "m̀", "m",
)

func toneless(p string) string { return toneMarks.Replace(strings.TrimSpace(p)) }

func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func isHan(r rune) bool { return r >= 0x3400 && unicode.Is(unicode.Han, r) }

// normRune is the one-rune-to-one-rune normalisation described above.
func (t *tables) normRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	if x, ok := t.t2s[r]; ok {
		return x
	}
	return unicode.ToLower(r)
}

// transparent reports whether r is a quotation mark that Chinese text puts
// inside a term (“三公”经费, ‘放管服’改革): the body is indexed without them,
// so that 三公经费 is one phrase.
func transparent(r rune) bool {
	switch r {
	case '“', '”', '‘', '’', '「', '」', '『', '』', '"':
		return true
	}
	return false
}

// dropTransparent removes the quotation marks of transparent from s.
func dropTransparent(s string) string {
	if !strings.ContainsFunc(s, transparent) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if transparent(r) {
			return -1
		}
		return r
	}, s)
}

// normalize returns the normalised form of s (same number of runes).
func (t *tables) normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(t.normRune(r))
	}
	return b.String()
}

// normText is a text as normalised runes with the byte offset of each
// rune in the original (off has one extra entry: len(original)).
type normText struct {
	rs  []rune
	off []int
}

// Quotation marks are left out (see transparent): a match may run across
// them, and its range then covers them.
func (t *tables) normRunes(s string) normText {
	n := normText{rs: make([]rune, 0, len(s)/2), off: make([]int, 0, len(s)/2+1)}
	for i, r := range s {
		if transparent(r) {
			continue
		}
		n.rs = append(n.rs, t.normRune(r))
		n.off = append(n.off, i)
	}
	n.off = append(n.off, len(s))
	return n
}

// readingsOf returns at most max pinyin readings of r (nil if r has none).
func (t *tables) readingsOf(r rune, max int) []string {
	rs := t.readings[r]
	if max > 0 && len(rs) > max {
		rs = rs[:max]
	}
	return rs
}

// maxIndexReadings caps the readings of a polyphone used for indexing
// (行: xing, hang; 重: zhong, chong; 长: chang, zhang; 会: hui, kuai):
// the two most common readings; a bigram has at most 4 combinations.
const maxIndexReadings = 2

// pinyinTokens returns the pinyin terms of the Han runs of the normalised
// text s: full syllables and syllable bigrams ("xing", "xingzheng") in
// full, and initial bigrams and trigrams ("xz", "xzf") in initials. All
// readings of a polyphone are indexed.
func (t *tables) pinyinTokens(s string) (full, initials []string) {
	seenF, seenI := map[string]bool{}, map[string]bool{}
	add := func(list *[]string, seen map[string]bool, tok string) {
		if !seen[tok] {
			seen[tok] = true
			*list = append(*list, tok)
		}
	}
	var run [][]string
	flush := func() {
		for i := range run {
			for _, a := range run[i] {
				add(&full, seenF, a)
				if i+1 < len(run) {
					for _, b := range run[i+1] {
						add(&full, seenF, a+b)
					}
				}
			}
			if i+1 < len(run) {
				for _, a := range initialsOf(run[i]) {
					for _, b := range initialsOf(run[i+1]) {
						add(&initials, seenI, string([]byte{a, b}))
						if i+2 < len(run) {
							for _, c := range initialsOf(run[i+2]) {
								add(&initials, seenI, string([]byte{a, b, c}))
							}
						}
					}
				}
			}
		}
		run = run[:0]
	}
	for _, r := range s {
		if rd := t.readingsOf(r, maxIndexReadings); rd != nil {
			run = append(run, rd)
			continue
		}
		flush()
	}
	flush()
	return full, initials
}

func initialsOf(readings []string) []byte {
	var out []byte
	for _, p := range readings {
		if strings.IndexByte(string(out), p[0]) < 0 {
			out = append(out, p[0])
		}
	}
	return out
}

// splitPinyin returns up to max ways to read the letters w as a sequence
// of pinyin syllables, fewest syllables first (xian → [xian] [xi an]).
func (t *tables) splitPinyin(w string, max int) [][]string {
	if w == "" || len(w) > 64 {
		return nil
	}
	var out [][]string
	dead := make([]bool, len(w)+1) // positions from which no split completes
	var cur []string
	var walk func(i int) bool
	walk = func(i int) bool {
		if i == len(w) {
			out = append(out, append([]string(nil), cur...))
			return true
		}
		if dead[i] {
			return false
		}
		ok := false
		for l := min(t.maxSyll, len(w)-i); l >= 1 && len(out) < max; l-- {
			if t.sylls[w[i:i+l]] {
				cur = append(cur, w[i:i+l])
				if walk(i + l) {
					ok = true
				}
				cur = cur[:len(cur)-1]
			}
		}
		if !ok {
			dead[i] = true
		}
		return ok
	}
	walk(0)
	return out
}

// Markdown → plain text.

var (
	mdLink     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdHeading  = regexp.MustCompile(`(?m)^[ \t]{0,3}#{1,6}[ \t]+`)
	mdQuote    = regexp.MustCompile(`(?m)^[ \t]{0,3}>[ \t]?`)
	mdList     = regexp.MustCompile(`(?m)^[ \t]*(?:[-*+]|\d+[.)])[ \t]+`)
	mdRule     = regexp.MustCompile(`(?m)^[ \t]*(?:[-*_][ \t]*){3,}$`)
	mdTableSep = regexp.MustCompile(`(?m)^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*(?::?-+:?[ \t]*)?\n?`)
	mdTag      = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	mdInline   = strings.NewReplacer("**", "", "__", "", "`", "", "\\*", "*", "\\_", "_", "|", " ")
)

// mdRewrites turn Markdown into plain text, in this order. Each runs only
// when its trigger is present: most Chinese prose has none, and the
// regular expressions dominated indexing time.
var mdRewrites = []struct {
	present func(string) bool
	re      *regexp.Regexp
	with    string
}{
	{contains("<"), mdTag, ""},
	{contains("]("), mdLink, "$1"},
	{contains("-"), mdTableSep, ""},
	{containsAny("-*_"), mdRule, ""},
	{contains("#"), mdHeading, ""},
	{contains(">"), mdQuote, ""},
	{containsAny("-*+.)"), mdList, ""},
}

func contains(sub string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, sub) }
}

func containsAny(chars string) func(string) bool {
	return func(s string) bool { return strings.ContainsAny(s, chars) }
}

// PlainText returns the text of a Markdown section as a reader sees it:
// no heading marks, emphasis, link targets, list markers or table rules;
// table cells separated by spaces; control characters removed (newlines
// kept). Use it for the text given to Matches when the rendered text is
// not at hand.
func PlainText(md string) string {
	s := strings.ReplaceAll(md, "\r\n", "\n")
	for _, r := range mdRewrites {
		if r.present(s) {
			s = r.re.ReplaceAllString(s, r.with)
		}
	}
	if strings.ContainsAny(s, "*_`\\|") {
		s = mdInline.Replace(s)
	}
	s = termtext.Text(s)
	// tidy blank runs
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
