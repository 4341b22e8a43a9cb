package index

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
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
	// Popular is set when nothing matched and Hits are the most-read
	// sections instead (the screen must say so).
	Popular bool
	// Suggestions are set when nothing matched: short tips to show under
	// NoResults, in Chinese.
	Suggestions []string
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

// Search runs query (any text a citizen typed: it is never query syntax
// and never an error) and returns one page of hits with snippets. Errors
// come only from ctx or a damaged index.
func (ix *Index) Search(ctx context.Context, q string, opts Options) (*Results, error) {
	start := time.Now()
	pq := ix.t.parse(q)
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
	run := func(qq query.Query) (*bleve.SearchResult, error) {
		if len(filters) > 0 {
			qq = bleve.NewConjunctionQuery(append([]query.Query{qq}, filters...)...)
		}
		req := bleve.NewSearchRequestOptions(qq, limit, offset, false)
		req.Fields = []string{sTextSeq}
		return ix.bi.SearchInContext(ctx, req)
	}
	sr, err := run(pq.query(false, ix.lexicon))
	if err != nil {
		return res, err
	}
	if sr.Total == 0 && pq.parts() > 1 {
		if sr, err = run(pq.query(true, ix.lexicon)); err != nil {
			return res, err
		}
		res.Partial = sr.Total > 0
	}
	res.Total = sr.Total
	m := &Matcher{t: ix.t, pq: pq}
	for _, h := range sr.Hits {
		seq, err := strconv.Atoi(str(h.Fields[sTextSeq]))
		if err != nil {
			return res, fmt.Errorf("search index is damaged: %s has no text", h.ID)
		}
		data, err := ix.texts.text(seq)
		if err != nil {
			return res, err
		}
		rec, ok := decodeRecord(data)
		if !ok {
			return res, fmt.Errorf("search index is damaged: the record of %s", h.ID)
		}
		hit := Hit{
			Ref: h.ID, DocTitle: rec[recDocTitle], SectionTitle: rec[recSectionTitle],
			Publisher: rec[recPublisher], Catalogue: rec[recCatalogue], Score: h.Score,
		}
		hit.Date, _ = time.Parse("2006-01-02", rec[recDate])
		text := rec[recText]
		hit.Snippet, hit.SnippetMatches = snippet(text, m)
		hit.TitleMatches = m.Matches(hit.SectionTitle)
		res.Hits = append(res.Hits, hit)
	}
	if len(res.Hits) == 0 && offset == 0 {
		res.Suggestions = defaultSuggestions()
	}
	res.Took = time.Since(start)
	return res, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func term(field, t string, boost float64) query.Query {
	q := bleve.NewTermQuery(t)
	q.SetField(field)
	if boost > 0 {
		q.SetBoost(boost)
	}
	return q
}

func (pq *parsedQuery) parts() int {
	n := 0
	for _, v := range pq.variants {
		n = max(n, len(v.parts))
	}
	return n
}

// query builds the bleve query: variants OR'ed; within a variant, parts
// AND'ed (or OR'ed when anyPart).
func (pq *parsedQuery) query(anyPart bool, lex func() map[string][]string) query.Query {
	var vs []query.Query
	for _, v := range pq.variants {
		var ps []query.Query
		for _, p := range v.parts {
			ps = append(ps, p.query(lex))
		}
		if len(ps) == 1 {
			vs = append(vs, ps[0])
		} else if anyPart {
			vs = append(vs, bleve.NewDisjunctionQuery(ps...))
		} else {
			vs = append(vs, bleve.NewConjunctionQuery(ps...))
		}
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
	if boost > 0 {
		c.SetBoost(boost)
	}
	return c
}

// Boosts: pinyin of titles, and words in a document's metadata.
const (
	boostMeta   = 1.5
	boostPinyin = 2
)

func (p part) query(lex func() map[string][]string) query.Query {
	if p.kind == partHan {
		if len(p.han) == 1 {
			return term(fUni, string(p.han), 0)
		}
		// the body (which holds the heading, and for a lead section the
		// document title and keywords) must have every bigram
		return conj(fBody, bigrams(p.han), 0)
	}
	alts := []query.Query{conj(fBody, p.words, 0), conj(fMeta, p.words, boostMeta)}
	body := false // the body is asked through the lexicon for one split only
	for _, s := range p.splits {
		alts = append(alts, conj(fPy, pinyinTerms(s), boostPinyin))
		// splits come fewest syllables first: the first whose syllable
		// pairs are all in the lexicon is the reading meant (xingzhengfuyi
		// is xing zheng fu yi, not xi ng zheng fu yi); the others, through
		// pairs such as xi+ang = "xiang", repeated the costliest part of
		// the query for matches nobody meant
		if len(s) < 2 || body {
			continue
		}
		// the body, through the lexicon: at each syllable pair, any bigram read so
		var pos []query.Query
		for _, key := range pinyinTerms(s) {
			words := lex()[key]
			if len(words) == 0 {
				pos = nil
				break
			}
			ws := make([]query.Query, len(words))
			for i, w := range words {
				ws[i] = term(fBody, w, 0)
			}
			pos = append(pos, bleve.NewDisjunctionQuery(ws...))
		}
		if len(pos) > 0 {
			alts = append(alts, bleve.NewConjunctionQuery(pos...))
			body = true
		}
	}
	if n := len(p.letters); n >= 2 && n <= maxInitials {
		alts = append(alts, conj(fPyI, initialTerms(p.letters), boostPinyin))
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
