package index

import (
	"context"

	bindex "github.com/blevesearch/bleve_index_api"
)

// vocab answers how often characters and character pairs occur in the
// indexed content: the document frequency of a bigram of the body field
// and of a single character of the unigram field, summed over the shards.
// Query understanding reads it to split a query into words (two
// neighbouring characters that rarely stand together are a word boundary)
// and to choose between Chinese words spelt by the same pinyin. It is one
// query's view: open it per query (a snapshot of each shard) and Close it.
type vocab struct {
	readers []bindex.IndexReader
	docs    uint64
	cache   map[string]uint64 // one search's lookups: used by one goroutine
}

// openVocab takes a reader of every shard; nil (and no error) when the
// index has no advanced access (never for scorch).
func (ix *Index) openVocab() (*vocab, error) {
	v := &vocab{cache: map[string]uint64{}}
	for _, bi := range ix.shards {
		adv, err := bi.Advanced()
		if err != nil {
			v.Close()
			return nil, err
		}
		r, err := adv.Reader()
		if err != nil {
			v.Close()
			return nil, err
		}
		v.readers = append(v.readers, r)
		n, err := r.DocCount()
		if err != nil {
			v.Close()
			return nil, err
		}
		v.docs += n
	}
	return v, nil
}

// Close releases the shard snapshots. A nil vocab is fine.
func (v *vocab) Close() {
	if v == nil {
		return
	}
	for _, r := range v.readers {
		_ = r.Close()
	}
	v.readers = nil
}

// df is the number of sections whose field holds term (0 on any error: a
// damaged index shows itself in the search that follows).
func (v *vocab) df(field, term string) uint64 {
	key := field + "\x00" + term
	n, ok := v.cache[key]
	if ok {
		return n
	}
	for _, r := range v.readers {
		tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
		if err != nil {
			continue
		}
		n += tfr.Count()
		_ = tfr.Close()
	}
	v.cache[key] = n
	return n
}

// pair is the document frequency of the bigram ab.
func (v *vocab) pair(a, b rune) uint64 { return v.df(fBody, string([]rune{a, b})) }

// char is the document frequency of the character r.
func (v *vocab) char(r rune) uint64 { return v.df(fUni, string(r)) }

// cohesion of the neighbours a, b: the share of the sections holding the
// rarer of the two characters in which they stand together. Characters of
// one word score high (疗|保 in 医疗保险: most sections with 疗 have 疗保);
// a boundary between two words scores low (保|申 in 低保申请: 保 and 申
// are common, 保申 is rare or absent). 0 when the pair never occurs.
func (v *vocab) cohesion(a, b rune) float64 {
	ab := v.pair(a, b)
	if ab == 0 {
		return 0
	}
	m := min(v.char(a), v.char(b))
	if m == 0 {
		return 0
	}
	return float64(ab) / float64(m)
}
