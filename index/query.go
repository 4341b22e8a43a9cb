package index

import (
	"slices"
	"strings"
	"unicode/utf8"

	"kiosk/index/hanconv"
	"kiosk/internal/termtext"
)

// Citizen input is never query syntax: the query is read as text, split
// into parts, and the bleve query is built in code from those parts.
//
//   - A run of Chinese characters is a part: a single character must occur
//     (unigram field); a longer run needs all its bigrams (AND), in the
//     body, the section heading (boosted) or the document's metadata.
//   - A run of letters and digits (words separated by spaces only) is a
//     part: its words literally, or — when it is letters only — pinyin:
//     full pinyin split into syllables (several splits tried, polyphones
//     indexed with every reading) or pinyin initials, over titles,
//     headings and keywords.
//   - All parts must match (AND). When nothing does, any part may (OR) and
//     the results say so (Partial).
//   - The whole is tried as typed (traditional folded character by
//     character) and, when it contains traditional characters, also after
//     OpenCC t2s phrase conversion and tw2sp (Taiwan phrasing: 資訊 → 信息).
const (
	maxQueryRunes = 64 // longer input is cut (a kiosk query is a few words)
	maxParts      = 8
	maxRunRunes   = 24 // a longer Chinese run is cut
	maxSplits     = 4  // pinyin splits tried per part
	maxInitials   = 12
)

type partKind int

const (
	partHan   partKind = iota // han holds a normalised Chinese run
	partWords                 // words holds normalised letters/digits words
)

// part is one run of the query as typed: Chinese characters, or words of
// letters and digits separated by spaces only.
type part struct {
	kind    partKind
	han     []rune
	typed   []rune // the run as typed (sanitised), same length as han
	words   []string
	letters string     // words joined, when every word is letters only
	splits  [][]string // pinyin readings of letters
	display string     // the part as typed (sanitised)
}

// variant is one reading of the whole query: its words.
type variant struct {
	slots []slot
}

// required counts the words a section must have.
func (v variant) required() int {
	n := 0
	for _, s := range v.slots {
		if !s.optional {
			n++
		}
	}
	return n
}

// parsedQuery is the compiled form of one query string.
type parsedQuery struct {
	clean    string
	variants []variant
}

// cleanQuery removes control characters and cuts the query to
// maxQueryRunes runes.
func cleanQuery(q string) string {
	q = strings.TrimSpace(termtext.Line(q))
	if utf8.RuneCountInString(q) > maxQueryRunes {
		rs := []rune(q)
		q = string(rs[:maxQueryRunes])
	}
	return q
}

// parse reads q in its forms (as typed; t2s and tw2sp when it has
// traditional characters) into variants of words; fine splits long words
// that the content may not hold as one phrase (see hanSlots).
func (u *understander) parse(q string, fine bool) *parsedQuery {
	pq := &parsedQuery{clean: cleanQuery(q)}
	if pq.clean == "" {
		return pq
	}
	forms := []string{pq.clean}
	t2s := hanconv.T2S().Convert(pq.clean)
	if t2s != pq.clean {
		forms = append(forms, t2s)
		if tw := hanconv.TW2SP().Convert(pq.clean); tw != t2s {
			forms = append(forms, tw)
		}
	}
	seen := map[string]bool{}
	for _, f := range forms {
		// initials are ambiguous: dbbz is 大病保障 as one word and 低保 +
		// 标准 as two; the finer reading asks both
		parts := u.t.parseForm(f)
		splits := []bool{false}
		if fine {
			splits = append(splits, true)
		}
		for _, split := range splits {
			v := u.understand(parts, fine, split)
			if len(v.slots) == 0 {
				continue
			}
			key := v.key()
			if !seen[key] {
				seen[key] = true
				pq.variants = append(pq.variants, v)
			}
		}
	}
	return pq
}

// understand turns the parts of one form into words.
func (u *understander) understand(parts []part, fine, splitInitials bool) variant {
	var v variant
	for _, p := range parts {
		switch {
		case p.kind == partHan:
			v.slots = append(v.slots, u.hanSlots(p.han, p.typed, fine)...)
		case p.letters != "":
			if slots, ok := u.pinyinSlots(p, fine, splitInitials); ok {
				v.slots = append(v.slots, slots...)
				break
			}
			s := slot{typed: p.display, show: p.display}
			if len(p.words) == 1 {
				s.addAlt(alt{kind: altLiteral, word: p.words[0]})
			}
			for _, sp := range p.splits {
				s.addAlt(alt{kind: altTitlePy, sylls: sp})
			}
			if n := len(p.letters); n >= 2 && n <= maxInitials {
				s.addAlt(alt{kind: altTitlePy, inits: p.letters})
			}
			if len(s.alts) > 0 {
				v.slots = append(v.slots, s)
			}
		default:
			for _, w := range p.words {
				s := slot{typed: w, show: w}
				s.addAlt(alt{kind: altLiteral, word: w})
				v.slots = append(v.slots, s)
			}
		}
		if len(v.slots) >= maxParts {
			v.slots = v.slots[:maxParts]
			break
		}
	}
	// a lone character is required only when it is all there is
	long := false
	for _, s := range v.slots {
		long = long || utf8.RuneCountInString(s.show) > 1 || s.alts[0].han == nil
	}
	for i := range v.slots {
		if long && len(v.slots[i].alts) > 0 && len(v.slots[i].alts[0].han) == 1 {
			v.slots[i].optional = true
		}
	}
	return v
}

func (v variant) key() string {
	var b strings.Builder
	for _, s := range v.slots {
		for _, a := range s.alts {
			b.WriteString(a.kind.String())
			b.WriteString(a.text())
			b.WriteByte(',')
		}
		b.WriteByte('|')
	}
	return b.String()
}

func isWordRune(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }

// parseForm splits a query form into parts (runs of Chinese characters,
// runs of letter/digit words); everything else separates them.
func (t *tables) parseForm(s string) []part {
	var parts []part
	rs := []rune(s)
	n := make([]rune, len(rs))
	for i, r := range rs {
		n[i] = t.normRune(r)
	}
	for i := 0; i < len(n) && len(parts) < maxParts; {
		switch {
		case isHan(n[i]):
			j := i
			for j < len(n) && isHan(n[j]) {
				j++
			}
			end := min(j, i+maxRunRunes)
			parts = append(parts, part{kind: partHan, han: slices.Clone(n[i:end]), typed: slices.Clone(rs[i:end]), display: string(rs[i:j])})
			i = j
		case isWordRune(n[i]):
			// words separated by spaces only
			j := i
			var words []string
			for j < len(n) {
				k := j
				for k < len(n) && isWordRune(n[k]) {
					k++
				}
				if k == j {
					break
				}
				words = append(words, string(n[j:k]))
				j = k
				sp := j
				for sp < len(n) && n[sp] == ' ' {
					sp++
				}
				if sp == j || sp >= len(n) || !isWordRune(n[sp]) {
					break
				}
				j = sp
			}
			p := part{kind: partWords, words: words, display: strings.TrimSpace(string(rs[i:j]))}
			t.pinyinOf(&p)
			parts = append(parts, p)
			i = j
		default:
			i++
		}
	}
	return parts
}

// pinyinOf fills letters and splits when the words are letters only.
func (t *tables) pinyinOf(p *part) {
	for _, w := range p.words {
		if !isLowerASCII(w) {
			return
		}
	}
	p.letters = strings.Join(p.words, "")
	if len(p.letters) < 2 || len(p.letters) > 64 {
		return
	}
	add := func(s []string) {
		if len(p.splits) >= maxSplits {
			return
		}
		for _, x := range p.splits {
			if strings.Join(x, "'") == strings.Join(s, "'") {
				return
			}
		}
		p.splits = append(p.splits, s)
	}
	if len(p.words) > 1 { // the typed spaces are syllable boundaries
		var joined []string
		for _, w := range p.words {
			sp := t.splitPinyin(w, 1)
			if sp == nil {
				joined = nil
				break
			}
			joined = append(joined, sp[0]...)
		}
		if joined != nil {
			add(joined)
		}
	}
	for _, s := range t.splitPinyin(p.letters, maxSplits) {
		add(s)
	}
}

// bigrams of a Chinese run (the run itself when it has one character).
func bigrams(run []rune) []string {
	if len(run) < 2 {
		return []string{string(run)}
	}
	out := make([]string, 0, len(run)-1)
	seen := map[string]bool{}
	for i := 0; i+1 < len(run); i++ {
		b := string(run[i : i+2])
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

// pinyinTerms are the py-field terms of one split.
func pinyinTerms(split []string) []string {
	if len(split) == 1 {
		return split
	}
	var out []string
	for i := 0; i+1 < len(split); i++ {
		out = append(out, split[i]+split[i+1])
	}
	return out
}

// initialTerms are the pyi-field terms of typed initials.
func initialTerms(letters string) []string {
	if len(letters) == 2 {
		return []string{letters}
	}
	var out []string
	for i := 0; i+2 < len(letters); i++ {
		out = append(out, letters[i:i+3])
	}
	return out
}
