package index

// Explanation is how a query was understood, for staff (`kiosk search
// --explain`): its readings (as typed; simplified; Taiwan phrasing), each
// a list of words with what counts as each word.
type Explanation struct {
	Query    string             `json:"query"`
	Readings []ExplainedReading `json:"readings"`
	// Relaxed is set by Search when sections with only some of the words
	// were added (fewer than relaxBelow had them all).
	Relaxed bool `json:"relaxed"`
}

// ExplainedReading is one reading of the query.
type ExplainedReading struct {
	Words []ExplainedWord `json:"words"`
}

// ExplainedWord is one word: as typed, as shown, and its alternatives.
type ExplainedWord struct {
	Typed        string           `json:"typed"`
	Word         string           `json:"word"`
	Optional     bool             `json:"optional,omitempty"` // ranks, not required
	Alternatives []ExplainedMatch `json:"alternatives"`
}

// ExplainedMatch is one way the word may occur: the text and where it
// comes from (原词, 同义词, 拼音, 拼音首字母, 同音词, 字母数字, 标题拼音).
type ExplainedMatch struct {
	Text string `json:"text"`
	Kind string `json:"kind"`
}

// Explain returns how Search reads q against this index (filler words
// left out, words, synonyms, pinyin readings). Relaxed is not known
// before searching: see Results.Explanation.
func (ix *Index) Explain(q string) Explanation {
	v, err := ix.openVocab()
	if err != nil {
		v = nil
	}
	defer v.Close()
	return ix.understander(v).parse(q, false).explain()
}

func (pq *parsedQuery) explain() Explanation {
	e := Explanation{Query: pq.clean, Readings: []ExplainedReading{}}
	for _, v := range pq.variants {
		r := ExplainedReading{Words: []ExplainedWord{}}
		for _, s := range v.slots {
			w := ExplainedWord{Typed: s.typed, Word: s.show, Optional: s.optional}
			for _, a := range s.alts {
				w.Alternatives = append(w.Alternatives, ExplainedMatch{a.text(), a.kind.String()})
			}
			r.Words = append(r.Words, w)
		}
		e.Readings = append(e.Readings, r)
	}
	return e
}
