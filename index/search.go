package index

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Options narrow a search.
type Options struct {
	Limit     int    // hits to return; 0 means 10, at most 100
	Offset    int    // hits to skip (paging)
	Catalogue string // only this 公开目录 (exact name, see Index.Catalogues); "" for all
	Year      int    // only documents published in this year; 0 for all
}

// Hit is one matching section.
type Hit struct {
	Ref          string    `json:"ref"` // content reference, e.g. lanshanqulsqzf/2019-0000001#4.2
	DocTitle     string    `json:"doc_title"`
	SectionTitle string    `json:"section_title"` // 前言 for a lead section
	Date         time.Time `json:"date"`          // 发布日期 (zero if unknown)
	Publisher    string    `json:"publisher"`     // 发布机构
	Catalogue    string    `json:"catalogue"`     // 公开目录
	Score        float64   `json:"score"`
	// Snippet is one line of plain text around the first match (no
	// control characters, no Markdown), "…" where it was cut.
	Snippet string `json:"snippet"`
	// SnippetMatches are the matches in Snippet (byte ranges of Snippet).
	SnippetMatches []Range `json:"snippet_matches,omitempty"`
	// TitleMatches are the matches in SectionTitle.
	TitleMatches []Range `json:"title_matches,omitempty"`
	// Missing are the query's words this section does not contain (only
	// in a Partial ranking).
	Missing []string `json:"missing,omitempty"`
}

// Results of a search.
type Results struct {
	Query string // the query as read (control characters removed, cut to 64 characters)
	Hits  []Hit
	Total uint64 // sections in the ranking (Hits is one page of them)
	// Words are the words the query was understood as (filler and
	// question words left out), in the order typed, as Chinese where the
	// query was pinyin: what the relaxed message names.
	Words []string
	// Exact is how many sections contain every word; they rank first.
	// Partial is set when sections containing only some of the words
	// follow them ("没有同时包含…的内容,以下是包含部分词语的结果").
	Exact   uint64
	Partial bool
	// DidYouMean is set when nothing matched: queries made of words that
	// are in the content and near the query (same pinyin, similar
	// spelling), best first; each is worth a button.
	DidYouMean []string
	// Popular is set when nothing matched and Hits are, instead, the
	// first sections of the newest documents (the screen must say so: the
	// kiosk keeps no count of what is read, so "newest" is what it knows).
	Popular bool
	// Suggestions are set when nothing matched: short tips to show under
	// NoResults, in Chinese.
	Suggestions []string
	// Explanation is how the query was understood (for staff).
	Explanation Explanation
	Took        time.Duration
}

// NoResults is the friendly line to show when Results.Hits is empty.
const NoResults = "没有找到相关内容"

// defaultSuggestions are shown when nothing matches.
func defaultSuggestions() []string {
	return []string{
		"换一个词,或用更短的词,例如“依申请”",
		"可以用拼音或拼音首字母,例如 xingzhengfuyi 或 xzfy",
		"可以按公开目录浏览全部文件",
	}
}

// relaxBelow: when fewer sections than this contain every word of a
// query of several words, sections with some of the words follow them.
const relaxBelow = 5

// rankPool is how many exact hits are read, checked and ranked again
// (titleBonus); beyond it, bleve's order.
const rankPool = 30

// titleBonus raises the score of an exact hit by this share for each word
// of the query (question hints included) in its section's heading.
const titleBonus = 0.5

// relaxPool is how many partial matches are ranked by the number of words
// they contain (beyond it, bleve's order).
const relaxPool = 60

// understander returns query understanding over this index (v may be nil).
func (ix *Index) understander(v *vocab) *understander {
	u := &understander{t: ix.t, syn: ix.syn, v: v}
	if v != nil {
		u.lexicon = ix.lexicon
	}
	return u
}

// Search runs query (any text a citizen typed: it is never query syntax
// and never an error) and returns one page of hits with snippets. Errors
// come only from ctx or a damaged index.
func (ix *Index) Search(ctx context.Context, q string, opts Options) (*Results, error) {
	start := time.Now()
	v, err := ix.openVocab()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	u := ix.understander(v)
	pq := u.parse(q, false)
	res := &Results{Query: pq.clean}
	limit := opts.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 100)
	offset := max(opts.Offset, 0)
	if len(pq.variants) == 0 {
		if pq.clean != "" {
			res.Suggestions = defaultSuggestions()
		}
		res.Took = time.Since(start)
		return res, nil
	}
	var filters []query.Query
	if opts.Catalogue != "" {
		filters = append(filters, term(fCatalogue, opts.Catalogue, 0))
	}
	if opts.Year > 0 {
		filters = append(filters, term(fYear, strconv.Itoa(opts.Year), 0))
	}
	run := func(qq query.Query, size, from int) (*bleve.SearchResult, error) {
		if len(filters) > 0 {
			qq = bleve.NewConjunctionQuery(append([]query.Query{qq}, filters...)...)
		}
		req := bleve.NewSearchRequestOptions(qq, size, from, false)
		req.Fields = []string{sTextSeq}
		return ix.bi.SearchInContext(ctx, req)
	}
	rs := ix.records()
	rk, pq, err := ix.rank(u, q, pq, run, rs, offset+limit)
	if err != nil {
		return res, err
	}
	m := &Matcher{t: ix.t, pq: pq}
	res.Words = pq.words()
	res.Exact, res.Total, res.Partial = rk.exact, rk.total, rk.relaxed
	page, err := rk.page(pq, run, offset, limit)
	if err != nil {
		return res, err
	}
	for _, h := range page {
		rec, err := rs.get(h)
		if err != nil {
			return res, err
		}
		hit := ix.hit(h, rec, m)
		if rk.partial[h.ID] {
			hit.Missing = m.missing(rec.searchable())
		}
		res.Hits = append(res.Hits, hit)
	}
	res.Explanation = pq.explain()
	res.Explanation.Relaxed = res.Partial
	if res.Total == 0 && offset == 0 {
		res.DidYouMean = u.didYouMean(pq)
		res.Suggestions = defaultSuggestions()
		if len(filters) == 0 {
			if res.Hits, err = ix.newest(run, rs, m, limit); err != nil {
				return res, err
			}
			res.Popular = len(res.Hits) > 0
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// hit is what a search shows of a match.
func (ix *Index) hit(h *search.DocumentMatch, rec sectionRecord, m *Matcher) Hit {
	hit := Hit{
		Ref: h.ID, DocTitle: rec[recDocTitle], SectionTitle: rec[recSectionTitle],
		Publisher: rec[recPublisher], Catalogue: rec[recCatalogue], Score: h.Score,
	}
	hit.Date, _ = time.Parse("2006-01-02", rec[recDate])
	hit.Snippet, hit.SnippetMatches = snippet(rec[recText], m)
	hit.TitleMatches = m.Matches(hit.SectionTitle)
	return hit
}

// records reads the stored records of hits for one search, each once.
type records struct {
	ix     *Index
	byID   map[string]sectionRecord
	blocks map[int]string
}

func (ix *Index) records() *records {
	return &records{ix: ix, byID: map[string]sectionRecord{}, blocks: map[int]string{}}
}

// get returns the record of a hit.
func (rs *records) get(h *search.DocumentMatch) (sectionRecord, error) {
	if rec, ok := rs.byID[h.ID]; ok {
		return rec, nil
	}
	rec, err := rs.ix.record(h, rs.blocks)
	if err == nil {
		rs.byID[h.ID] = rec
	}
	return rec, err
}

// record reads the stored record of a hit (blocks: see textReader.text).
func (ix *Index) record(h *search.DocumentMatch, blocks map[int]string) (sectionRecord, error) {
	seq, err := strconv.Atoi(str(h.Fields[sTextSeq]))
	if err != nil {
		return sectionRecord{}, fmt.Errorf("搜索索引已损坏:%s 没有正文 (search index is damaged: %s has no text)", h.ID, h.ID)
	}
	data, err := ix.texts.text(seq, blocks)
	if err != nil {
		return sectionRecord{}, err
	}
	rec, ok := decodeRecord(data)
	if !ok {
		return sectionRecord{}, fmt.Errorf("搜索索引已损坏:%s 的记录 (search index is damaged: the record of %s)", h.ID, h.ID)
	}
	return rec, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func term(field, t string, boost float64) query.Query {
	q := bleve.NewTermQuery(t)
	q.SetField(field)
	if boost > 0 && boost != 1 {
		q.SetBoost(boost)
	}
	return q
}

// key identifies the reading (two parses with one key ask the same).
func (pq *parsedQuery) key() string {
	var b strings.Builder
	for _, v := range pq.variants {
		b.WriteString(v.key())
		b.WriteByte('/')
	}
	return b.String()
}

// required is the number of words the first reading requires.
func (pq *parsedQuery) required() int {
	n := 0
	for _, v := range pq.variants {
		n = max(n, v.required())
	}
	return n
}

// words are the first reading's required words, as shown to citizens.
func (pq *parsedQuery) words() []string {
	var out []string
	for _, s := range pq.variants[0].slots {
		if !s.optional && !slices.Contains(out, s.show) {
			out = append(out, s.show)
		}
	}
	return out
}

// query builds the bleve query: readings OR'ed; within a reading, every
// required word (anyWord: at least one word), the optional ones adding
// to the score.
func (pq *parsedQuery) query(anyWord bool) query.Query {
	var vs []query.Query
	for _, v := range pq.variants {
		var must, should []query.Query
		for _, s := range v.slots {
			if s.optional || anyWord {
				should = append(should, s.query())
			} else {
				must = append(must, s.query())
			}
		}
		if len(must) == 1 && len(should) == 0 {
			vs = append(vs, must[0])
			continue
		}
		if len(must) == 0 && len(should) == 1 {
			vs = append(vs, should[0])
			continue
		}
		bq := bleve.NewBooleanQuery()
		if len(must) > 0 {
			bq.AddMust(must...)
		}
		if len(should) > 0 {
			bq.AddShould(should...)
			if len(must) == 0 {
				bq.SetMinShould(1)
			}
		}
		vs = append(vs, bq)
	}
	if len(vs) == 1 {
		return vs[0]
	}
	return bleve.NewDisjunctionQuery(vs...)
}

func conj(field string, terms []string, boost float64) query.Query {
	if len(terms) == 1 {
		return term(field, terms[0], boost)
	}
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		qs[i] = term(field, t, 0)
	}
	c := bleve.NewConjunctionQuery(qs...)
	if boost > 0 && boost != 1 {
		c.SetBoost(boost)
	}
	return c
}

// boostMeta weighs words in a document's metadata (索引号, 文号).
const boostMeta = 1.5

// query matches any alternative of the word.
func (s slot) query() query.Query {
	var alts []query.Query
	for _, a := range s.alts {
		b := a.kind.boost()
		switch {
		case len(a.han) == 1:
			alts = append(alts, term(fUni, string(a.han), b))
		case a.han != nil:
			// a phrase: every bigram (the body holds the heading, and for a
			// lead section the document title and keywords)
			alts = append(alts, conj(fBody, bigrams(a.han), b))
		case a.word != "":
			alts = append(alts, term(fBody, a.word, b), term(fMeta, a.word, b*boostMeta))
		case len(a.sylls) > 0:
			alts = append(alts, conj(fPy, pinyinTerms(a.sylls), b))
		case a.inits != "":
			if n := len(a.inits); n >= 2 && n <= maxInitials {
				alts = append(alts, conj(fPyI, initialTerms(a.inits), b))
			}
		}
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// Snippet length in characters, and context kept before the first match.
const (
	snippetRunes = 80
	snippetLead  = 16
)

// snippet returns a one-line window of text around its first match (the
// start of text when the match is only in the title) and the matches in it.
func snippet(text string, m *Matcher) (string, []Range) {
	line := strings.Map(func(r rune) rune {
		if r == '\n' {
			return ' ' // same byte length: offsets stay valid
		}
		return r
	}, text)
	ranges := m.Matches(line)
	from := 0
	if len(ranges) > 0 {
		from = ranges[0][0]
		for k := 0; k < snippetLead && from > 0; k++ {
			_, size := utf8.DecodeLastRuneInString(line[:from])
			from -= size
		}
	}
	to := from
	for k := 0; k < snippetRunes && to < len(line); k++ {
		_, size := utf8.DecodeRuneInString(line[to:])
		to += size
	}
	out := line[from:to]
	shift := 0
	if from > 0 {
		out = "…" + out
		shift = len("…")
	}
	if to < len(line) {
		out += "…"
	}
	var in []Range
	for _, r := range ranges {
		if r[1] <= from || r[0] >= to {
			continue
		}
		in = append(in, Range{max(r[0], from) - from + shift, min(r[1], to) - from + shift})
	}
	return out, in
}
