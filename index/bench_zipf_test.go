package index

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kiosk/content"
)

// The "zipf" corpus (KIOSK_BENCH_CORPUS=zipf). The seed corpus recombines
// the clauses of one 25 KB report, so its common words occur in most
// sections (政府信息公开 in three quarters) and every query matches a large
// part of the index. Real content has a large vocabulary in which a common word occurs
// in a few per cent of sections. This corpus writes the same shape of
// documents (benchDocs) with text made of words drawn from a Zipf frequency
// list (exponent 1: the word of rank r has weight 1/r) over zipfVocabSize
// words.
//
// Independent draws would make every pair of mid-frequency words rare
// together (a few per cent times a few per cent), whereas in real content
// words of one subject meet in the same documents. So each document has a
// topic (the one named in its title), and the words of ranks
// zipfTopicalFrom..zipfTopicalTo-1 are dealt out to the topics: such a word
// is drawn only in documents of its topic, len(benchTopics) times as often,
// so its share of all words still follows its rank. The words and relaxed
// queries rely on this: words of one topic co-occur in a few per cent of
// sections, words of two topics hardly ever.

const (
	zipfVocabSize   = 40000
	zipfTopicalFrom = 50   // first rank dealt to the topics (the 49 most frequent words are everywhere)
	zipfTopicalTo   = 3000 // ranks from here on are general again (rare words)
	zipfPlacedFrom  = 200  // rank of the first government word of the queries,
	zipfPlacedStep  = 100  // and of each next one
)

// benchFillers are the question and filler words of the question kind. They
// are kept out of the zipf vocabulary: a question's content words are the
// rest of it.
var benchFillers = []string{"怎么", "如何", "在哪里", "多少钱", "请问", "我想"}

// zipfFunctionWords head the vocabulary, most frequent in the pack first:
// function words head every Chinese frequency list, and pieces of 2–4
// characters cannot be them. Without them the pack's most frequent words
// (政府信息, 公开) take ranks 1 and 2 and stand side by side in a third of
// the sections.
const zipfFunctionWords = "的和及了等在是对为按并与"

// zipfModel draws the words of the zipf corpus.
type zipfModel struct {
	words      []string    // the vocabulary by rank: words[0] is rank 1
	general    []int       // indexes into words of the words drawn in every document
	generalCum []float64   // cumulative weights (1/rank) of general
	topics     [][]int     // per topic (index of benchTopics): its words, most frequent first
	topicCum   [][]float64 // cumulative weights of each topic's words
	pTopical   []float64   // per topic: chance that a word drawn in a document of it is topical
}

// zipfPlaced are the government words of the seed queries (multi, and the
// words behind pinyin, initials and traditional: 政策解读 for zhengcejiedu,
// zcjd and 政策解讀; the others are in or inside a multi query). They are
// words of the zipf vocabulary at fixed ranks zipfPlacedFrom, +Step…, so the
// same queries are measured on both corpora, and they are general words:
// they name the topics too, and are in titles and keywords of their own.
func zipfPlaced() []string { return append(slices.Clone(seedQueries["multi"]), "政策解读") }

func newZipfModel(seed *content.Pack) *zipfModel {
	m := &zipfModel{words: zipfVocabulary(seed), topics: make([][]int, len(benchTopics)),
		topicCum: make([][]float64, len(benchTopics)), pTopical: make([]float64, len(benchTopics))}
	placed := zipfPlaced()
	for i, w := range m.words {
		if r := i + 1; r >= zipfTopicalFrom && r < zipfTopicalTo && !slices.Contains(placed, w) {
			t := (r - zipfTopicalFrom) % len(benchTopics)
			m.topics[t] = append(m.topics[t], i)
		} else {
			m.general = append(m.general, i)
		}
	}
	cum := func(ids []int, scale float64) []float64 {
		c, sum := make([]float64, len(ids)), 0.0
		for k, i := range ids {
			sum += scale / float64(i+1)
			c[k] = sum
		}
		return c
	}
	m.generalCum = cum(m.general, 1)
	g := m.generalCum[len(m.generalCum)-1]
	for t, ids := range m.topics {
		m.topicCum[t] = cum(ids, float64(len(benchTopics)))
		tw := m.topicCum[t][len(ids)-1]
		m.pTopical[t] = tw / (g + tw)
	}
	return m
}

// zipfVocabulary returns zipfVocabSize words, most frequent first: the
// function words, the pieces of the default pack's text (its clauses, and
// the topics and agencies of the titles, cut into 2–4 characters), most
// frequent there first, then generated words, with the zipfPlaced words put
// at their ranks.
func zipfVocabulary(seed *content.Pack) []string {
	rng := rand.New(rand.NewPCG(0x7a697066, 1)) // "zipf": the vocabulary does not depend on the corpus seed
	placed := zipfPlaced()
	seen := map[string]bool{}
	for _, w := range append(slices.Clone(placed), benchFillers...) {
		seen[w] = true
	}
	var words []string
	for _, r := range zipfFunctionWords {
		words = append(words, string(r))
		seen[string(r)] = true
	}
	// Cut each run of Han characters greedily into the longest piece of
	// 4, 3 or 2 characters that occurs at least twice in the pack (else 2):
	// recurring pieces are the nearest to words without a dictionary.
	clauses, headings := benchVocabulary(seed)
	var runs [][]rune
	grams := map[string]int{}
	for _, c := range slices.Concat(clauses, headings, benchTopics, benchAgencies) {
		// 的 is a word of its own (and hardly ever part of one in this text)
		for _, run := range strings.FieldsFunc(c, func(r rune) bool { return !unicode.Is(unicode.Han, r) || r == '的' }) {
			rs := []rune(run)
			runs = append(runs, rs)
			for i := range rs {
				for k := 2; k <= 4 && i+k <= len(rs); k++ {
					grams[string(rs[i:i+k])]++
				}
			}
		}
	}
	count := map[string]int{}
	var real []string
	for _, rs := range runs {
		for len(rs) >= 2 {
			k := 2
			for n := min(4, len(rs)); n > 2; n-- {
				if grams[string(rs[:n])] >= 2 {
					k = n
					break
				}
			}
			if len(rs)-k == 1 { // leave no single character behind
				if k < 4 {
					k++
				} else {
					k--
				}
			}
			w := string(rs[:k])
			rs = rs[k:]
			if !seen[w] && count[w] == 0 {
				real = append(real, w)
			}
			count[w]++
		}
	}
	slices.SortStableFunc(real, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	for _, w := range real {
		seen[w] = true
	}
	words = append(words, real...)

	// Generated words: 2–4 characters (mostly 2, as in Chinese), each
	// character drawn half the time from the default pack's characters and
	// half the time from the common characters that go-pinyin reads.
	var packChars []rune
	for _, c := range slices.Concat(clauses, headings) {
		for _, r := range c {
			if unicode.Is(unicode.Han, r) && !slices.Contains(packChars, r) {
				packChars = append(packChars, r)
			}
		}
	}
	common := commonHan()
	for len(words) < zipfVocabSize-len(placed) {
		n := []int{2, 2, 2, 2, 2, 2, 3, 3, 3, 4}[rng.IntN(10)]
		w := make([]rune, n)
		for i := range w {
			if rng.IntN(2) == 0 {
				w[i] = packChars[rng.IntN(len(packChars))]
			} else {
				w[i] = common[rng.IntN(len(common))]
			}
		}
		if s := string(w); !seen[s] {
			seen[s] = true
			words = append(words, s)
		}
	}
	for i, w := range placed {
		words = slices.Insert(words, zipfPlacedFrom-1+i*zipfPlacedStep, w)
	}
	return words
}

// commonHan returns the characters of the CJK basic block (U+4E00–U+9FA5)
// that go-pinyin has a reading for and that are in GB2312's first level
// (the 3,755 common characters), in code point order. PinyinDict alone has
// ~20,000 characters of that block, most of them rare.
func commonHan() []rune {
	enc := simplifiedchinese.GBK.NewEncoder()
	var rs []rune
	for cp := range pinyin.PinyinDict {
		if cp < 0x4E00 || cp > 0x9FA5 {
			continue
		}
		// GB2312 level 1 is rows 0xB0–0xD7, cells 0xA1–0xFE (GBK's extra
		// characters in those rows have cells below 0xA1).
		if b, err := enc.String(string(rune(cp))); err == nil && len(b) == 2 && b[0] >= 0xB0 && b[0] <= 0xD7 && b[1] >= 0xA1 {
			rs = append(rs, rune(cp))
		}
	}
	slices.Sort(rs)
	return rs
}

// draw returns a word for a document of topic, and whether it is topical.
// After a topical word comes a general one: two words of a topic never
// stand side by side, so a words query made of them (typed together) is
// not found as one phrase.
func (m *zipfModel) draw(rng *rand.Rand, topic int, afterTopical bool) (string, bool) {
	pick := func(cum []float64) int {
		return min(sort.SearchFloat64s(cum, rng.Float64()*cum[len(cum)-1]), len(cum)-1)
	}
	if !afterTopical && rng.Float64() < m.pTopical[topic] {
		return m.words[m.topics[topic][pick(m.topicCum[topic])]], true
	}
	return m.words[m.general[pick(m.generalCum)]], false
}

// text writes clauses of 2–7 words until bytes, with the seed corpus's
// punctuation (a clause ends with , or, one time in four, 。).
func (m *zipfModel) text(rng *rand.Rand, topic, bytes int) string {
	var b strings.Builder
	for b.Len() < bytes {
		topical := false
		for k := 2 + rng.IntN(6); k > 0; k-- {
			var w string
			w, topical = m.draw(rng, topic, topical)
			b.WriteString(w)
		}
		if rng.IntN(4) == 0 {
			b.WriteString("。")
		} else {
			b.WriteString(",")
		}
	}
	return strings.TrimSuffix(b.String(), ",") + "。"
}

// heading writes a chapter heading of 2–4 words.
func (m *zipfModel) heading(rng *rand.Rand, topic int) string {
	var b strings.Builder
	topical := false
	for k := 2 + rng.IntN(3); k > 0; k-- {
		var w string
		w, topical = m.draw(rng, topic, topical)
		b.WriteString(w)
	}
	return b.String()
}

// zipfPack generates n documents of the zipf corpus deterministically from
// seed.
func zipfPack(n int, seed uint64, m *zipfModel) *content.Pack {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return benchDocs(n, rng, fmt.Sprintf("zipf-%d-%d", n, seed),
		func(topic, bytes int) string { return m.text(rng, topic, bytes) },
		func(topic int) string { return m.heading(rng, topic) })
}

// queries returns the queries measured on the zipf corpus, by kind, with
// "|" between the words a query is made of (benchCorpus takes them out).
// The kinds that name government words are the seed corpus's (those words
// are placed in the vocabulary); words, relaxed and question queries are
// made of topical words, the most frequent of their topics, chosen from the
// vocabulary alone so that they are the same at every corpus size.
func (m *zipfModel) queries() map[string][]string {
	qs := map[string][]string{}
	for _, k := range []string{"multi", "single", "pinyin", "initials", "traditional"} {
		qs[k] = seedQueries[k]
	}
	// A query word must occur almost only where it was drawn: not in topic
	// or agency names (titles, keywords), and rarely as part of another
	// word or across the boundary of two drawn words (工作+机制 holds 作机制):
	// at most 1 % as often as it is drawn. Else relaxed words would meet
	// after all, and shares would be a neighbour's.
	names := strings.Join(slices.Concat(benchTopics, benchAgencies), "\n")
	// by string: the summed weights (1/rank) of the words it is a part, a
	// suffix and a prefix of (the last two including the word itself)
	part, ends, starts := map[string]float64{}, map[string]float64{}, map[string]float64{}
	sum := 0.0
	for i, w := range m.words {
		f, rs := 1/float64(i+1), []rune(w)
		sum += f
		for a := range rs {
			for b := a + 1; b <= len(rs); b++ {
				s := string(rs[a:b])
				if a == 0 {
					starts[s] += f
				}
				if b == len(rs) {
					ends[s] += f
				}
				if b-a < len(rs) {
					part[s] += f
				}
			}
		}
	}
	clean := func(i int) bool {
		w, rs := m.words[i], []rune(m.words[i])
		spurious := part[w]
		for k := 1; k < len(rs); k++ {
			spurious += ends[string(rs[:k])] * starts[string(rs[k:])] / sum
		}
		return !strings.Contains(names, w) && spurious <= 0.01/float64(i+1)
	}
	top := func(topic, n int) []string {
		var ws []string
		for _, i := range m.topics[topic] {
			if clean(i) {
				ws = append(ws, m.words[i])
				if len(ws) == n {
					break
				}
			}
		}
		return ws
	}
	half := len(benchTopics) / 2
	for t := range 8 {
		n := 2
		if t%3 == 2 { // every third words query is three words
			n = 3
		}
		qs["words"] = append(qs["words"], strings.Join(top(t, n), "|"))
		// relaxed: the first words of two topics never meet in a section
		qs["relaxed"] = append(qs["relaxed"], top(t, 1)[0]+"|"+top(t+half, 1)[0])
		// question: a filler before or after the first one or two words of
		// the words query
		f, ws := benchFillers[t%len(benchFillers)], top(t, 1+t%2)
		if f == "在哪里" || f == "多少钱" {
			qs["question"] = append(qs["question"], strings.Join(append(ws, f), "|"))
		} else {
			qs["question"] = append(qs["question"], strings.Join(append([]string{f}, ws...), "|"))
		}
	}
	return qs
}

// TestZipfCorpus checks what the benchmark relies on, quickly: the
// vocabulary is as large as said and has each word once, the placed words
// are at their ranks, the queries of the new kinds are there and made of
// vocabulary words, and the corpus is the same for the same seed.
func TestZipfCorpus(t *testing.T) {
	seed, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	m := newZipfModel(seed)
	if len(m.words) != zipfVocabSize {
		t.Errorf("%d words, want %d", len(m.words), zipfVocabSize)
	}
	rank := map[string]int{}
	for i, w := range m.words {
		if _, dup := rank[w]; dup {
			t.Errorf("%s twice", w)
		}
		rank[w] = i + 1
	}
	for i, w := range zipfPlaced() {
		if r := rank[w]; r != zipfPlacedFrom+i*zipfPlacedStep {
			t.Errorf("%s at rank %d", w, r)
		}
	}
	for k, qs := range m.queries() {
		if len(qs) == 0 {
			t.Errorf("no %s queries", k)
		}
		if k == "words" || k == "relaxed" || k == "question" {
			for _, q := range qs {
				for _, w := range strings.Split(q, "|") {
					if rank[w] == 0 && !slices.Contains(benchFillers, w) {
						t.Errorf("%s query %s: %s is not a word of the vocabulary", k, q, w)
					}
				}
			}
		}
	}
	a, b := zipfPack(20, 7, m), zipfPack(20, 7, m)
	for i := range a.Docs {
		for j, s := range a.Docs[i].Sections {
			if s.Title != b.Docs[i].Sections[j].Title || s.Text != b.Docs[i].Sections[j].Text {
				t.Fatalf("document %d section %d differs between two runs", i, j)
			}
		}
	}
}
