package index

import (
	"cmp"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// runFunc runs a bleve query (with the search's filters) for size hits
// from the from-th.
type runFunc func(q query.Query, size, from int) (*bleve.SearchResult, error)

// ranking is the order of a search's hits: a typed reference first, then
// the sections with every word (checked as phrases), then — when fewer
// than relaxBelow have them all — sections with some of the words, most
// words first. Beyond what was ranked, bleve's order.
type ranking struct {
	order   []*search.DocumentMatch
	partial map[string]bool // hits that lack some word
	total   uint64
	exact   uint64
	relaxed bool
}

// rank ranks the hits of pq (as parsed from q) for the first want hits:
// the reading is made finer when the coarse one finds too little.
func (ix *Index) rank(u *understander, q string, pq *parsedQuery, run runFunc, rs *records, want int) (ranking, *parsedQuery, error) {
	rk, err := ix.rankExact(pq, run, rs, max(want, rankPool))
	if err != nil {
		return ranking{}, pq, err
	}
	if rk.verified < relaxBelow {
		// too little: the finer reading (long words split; initials also
		// read as shorter words), when it finds more sections with every
		// word, or when no section has the coarse reading's words as
		// phrases (shorter words relax better)
		if fq := u.parse(q, true); fq.key() != pq.key() {
			frk, err := ix.rankExact(fq, run, rs, max(want, rankPool))
			if err != nil {
				return ranking{}, pq, err
			}
			if frk.verified > rk.verified || rk.verified == 0 {
				// the sections with the phrase as typed stay first
				pq, rk = fq, frk.after(rk)
			}
		}
	}
	r := ranking{order: rk.order, partial: map[string]bool{}, total: rk.total, exact: rk.exact}
	for _, h := range rk.order[rk.verified:] {
		r.partial[h.ID] = true
	}
	if rk.verified < relaxBelow && pq.required() > 1 {
		if err := ix.relax(&r, rk.verified, pq, run, rs, want); err != nil {
			return r, pq, err
		}
	}
	if err := ix.byReference(&r, pq, run); err != nil {
		return r, pq, err
	}
	return r, pq, nil
}

// relax puts the sections with some of the words after the first verified
// hits of r, most words first.
func (ix *Index) relax(r *ranking, verified int, pq *parsedQuery, run runFunc, rs *records, want int) error {
	rel, err := run(pq.query(true), max(relaxPool, want+relaxBelow), 0)
	if err != nil {
		return err
	}
	m := &Matcher{t: ix.t, pq: pq}
	exact := r.order[:verified]
	in := map[string]bool{}
	for _, h := range exact {
		in[h.ID] = true
	}
	var pool []*search.DocumentMatch
	counts := map[string]int{}
	for _, h := range rel.Hits {
		if in[h.ID] {
			continue
		}
		rec, err := rs.get(h)
		if err != nil {
			return err
		}
		counts[h.ID] = m.wordsIn(rec.searchable())
		pool = append(pool, h)
		r.partial[h.ID] = true
	}
	slices.SortStableFunc(pool, func(a, b *search.DocumentMatch) int {
		if c := counts[b.ID] - counts[a.ID]; c != 0 {
			return c
		}
		return byScore(a, b)
	})
	r.order = append(slices.Clone(exact), pool...)
	r.total = max(rel.Total, uint64(len(r.order)))
	r.relaxed = len(pool) > 0
	return nil
}

// byReference puts a typed reference (索引号#3.1, or a 索引号: its first
// section) first.
func (ix *Index) byReference(r *ranking, pq *parsedQuery, run runFunc) error {
	ref := strings.Join(strings.Fields(pq.clean), "")
	if !strings.ContainsAny(ref, "/#-") {
		return nil
	}
	ids := []string{ref}
	if !strings.Contains(ref, "#") {
		ids = append(ids, ref+"#0")
	}
	sr, err := run(bleve.NewDocIDQuery(ids), 1, 0)
	if err != nil || len(sr.Hits) == 0 {
		return err
	}
	h := sr.Hits[0]
	r.order = append([]*search.DocumentMatch{h}, slices.DeleteFunc(slices.Clone(r.order), func(x *search.DocumentMatch) bool { return x.ID == h.ID })...)
	delete(r.partial, h.ID)
	r.total = max(r.total, uint64(len(r.order)))
	return nil
}

// page returns the hits offset … offset+limit of the ranking.
func (r ranking) page(pq *parsedQuery, run runFunc, offset, limit int) ([]*search.DocumentMatch, error) {
	if offset < len(r.order) {
		return r.order[offset:min(len(r.order), offset+limit)], nil
	}
	if uint64(offset) >= r.total {
		return nil, nil
	}
	// beyond what was ranked: bleve's order
	more, err := run(pq.query(r.relaxed), limit, offset)
	if err != nil {
		return nil, err
	}
	return more.Hits, nil
}

// newest returns the first sections of the newest documents (what a
// search that finds nothing offers), newest first.
func (ix *Index) newest(run runFunc, rs *records, m *Matcher, limit int) ([]Hit, error) {
	if len(ix.meta.Newest) == 0 {
		return nil, nil
	}
	sr, err := run(bleve.NewDocIDQuery(ix.meta.Newest), min(limit, len(ix.meta.Newest)), 0)
	if err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, id := range ix.meta.Newest {
		order[id] = i
	}
	slices.SortFunc(sr.Hits, func(a, b *search.DocumentMatch) int { return order[a.ID] - order[b.ID] })
	var out []Hit
	for _, h := range sr.Hits {
		rec, err := rs.get(h)
		if err != nil {
			return nil, err
		}
		out = append(out, ix.hit(h, rec, m))
	}
	return out, nil
}

// byScore orders hits by falling score, ties by reference (bleve leaves
// ties in any order).
func byScore(a, b *search.DocumentMatch) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// exactRanking is the first hits of a query that asks for every word,
// each read and checked: the verified ones (every word whole, as a phrase)
// first, then those that hold the words' bigrams scattered.
type exactRanking struct {
	order    []*search.DocumentMatch
	verified int // order[:verified] have every word
	total    uint64
	exact    uint64 // total less the hits found scattered
}

// after puts the verified hits of first before the ranking (without
// repeating them).
func (rk exactRanking) after(first exactRanking) exactRanking {
	lead := first.order[:first.verified]
	if len(lead) == 0 {
		return rk
	}
	in := map[string]bool{}
	for _, h := range lead {
		in[h.ID] = true
	}
	out := exactRanking{total: rk.total, exact: rk.exact}
	out.order = append(out.order, lead...)
	for i, h := range rk.order {
		if in[h.ID] {
			continue
		}
		out.order = append(out.order, h)
		if i < rk.verified {
			out.verified = len(out.order)
		}
	}
	out.verified = max(out.verified, len(lead))
	return out
}

func (ix *Index) rankExact(pq *parsedQuery, run runFunc, rs *records, n int) (exactRanking, error) {
	var rk exactRanking
	sr, err := run(pq.query(false), n, 0)
	if err != nil {
		return rk, err
	}
	m := &Matcher{t: ix.t, pq: pq}
	var scattered []*search.DocumentMatch
	for _, h := range sr.Hits {
		rec, err := rs.get(h)
		if err != nil {
			return rk, err
		}
		if m.hasAll(rec.searchable()) {
			h.Score *= 1 + titleBonus*float64(m.slotsIn(rec[recSectionTitle]))
			rk.order = append(rk.order, h)
		} else {
			scattered = append(scattered, h)
		}
	}
	// a section whose own heading names what was asked answers it best
	// (医保多少钱: 二、缴费标准 before the notice's preface)
	slices.SortStableFunc(rk.order, byScore)
	rk.verified = len(rk.order)
	rk.order = append(rk.order, scattered...)
	rk.total = sr.Total
	rk.exact = sr.Total - uint64(len(scattered))
	return rk, nil
}
