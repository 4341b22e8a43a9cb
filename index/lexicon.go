package index

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strings"

	"kiosk/internal/atomicfile"
)

// The pinyin lexicon lets full pinyin find body text without indexing
// pinyin for every character of every body (which triples the index and
// makes queries slow). Build counts every Chinese bigram of the bodies and
// keeps, for each pair of syllables ("zhengwu"), the lexiconTopK most
// frequent bigrams that can be read so (政务, 正午…). A pinyin query of two
// or more syllables then also asks the body for, at each syllable pair, any
// of those bigrams — all pairs required, like a Chinese query.

const (
	lexiconFile = "pinyin-lexicon.txt"
	lexiconTopK = 12
)

type bigramCounter map[[2]rune]int32

// maxCountedBigrams bounds the counter: ordinary Chinese has a few hundred
// thousand distinct bigrams; random characters (an adversarial pack) have
// one per character, and four 4 MiB documents of them grew the counter by
// hundreds of MB. Past the bound, bigrams seen once are forgotten: the
// lexicon keeps only the most frequent readings anyway.
const maxCountedBigrams = 1 << 21

func (c bigramCounter) add(nfull string) {
	var prev rune
	for _, r := range nfull {
		if !isHan(r) {
			prev = 0
			continue
		}
		if prev != 0 {
			c[[2]rune{prev, r}]++
		}
		prev = r
	}
	if len(c) > maxCountedBigrams {
		for bg, n := range c {
			if n <= 1 {
				delete(c, bg)
			}
		}
	}
}

// write stores the lexicon: one line per syllable pair, its bigrams by
// falling frequency; keys starting with initialsKey are pairs of initials
// ("=xz": 行政, 乡镇 …).
func (c bigramCounter) write(t *tables, path string) error {
	type cand struct {
		bg string
		n  int32
	}
	lex := map[string][]cand{}
	for bg, n := range c {
		var keys []string
		for _, a := range t.readingsOf(bg[0], maxIndexReadings) {
			for _, b := range t.readingsOf(bg[1], maxIndexReadings) {
				keys = append(keys, a+b, initialsKey+a[:1]+b[:1])
			}
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			lex[k] = append(lex[k], cand{string(bg[:]), n})
		}
	}
	keys := make([]string, 0, len(lex))
	for k := range lex {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var buf bytes.Buffer
	for _, k := range keys {
		cs := lex[k]
		slices.SortFunc(cs, func(x, y cand) int {
			if x.n != y.n {
				return int(y.n - x.n)
			}
			return strings.Compare(x.bg, y.bg)
		})
		buf.WriteString(k)
		buf.WriteByte('\t')
		for i, c := range cs[:min(len(cs), lexiconTopK)] {
			if i > 0 {
				buf.WriteByte(' ')
			}
			buf.WriteString(c.bg)
		}
		buf.WriteByte('\n')
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

// loadLexicon reads a lexicon written by bigramCounter.write; a missing
// file gives an empty lexicon.
func loadLexicon(path string) map[string][]string {
	lex := map[string][]string{}
	f, err := os.Open(path)
	if err != nil {
		return lex
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "\t")
		if ok {
			lex[k] = strings.Fields(v)
		}
	}
	return lex
}
