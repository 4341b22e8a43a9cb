package index

import (
	"slices"
	"strings"
)

// Query understanding: what a citizen typed becomes a list of words, each
// with the Chinese phrases that count as that word.
//
//   - A run of Chinese characters is split into words (segment): a
//     synonym-list word is a word; so is a stretch whose neighbouring
//     characters stand together often in the content (vocab.cohesion);
//     filler and question words (fillerWords) are left out; a single
//     character left over ranks results but is not required.
//   - Letters are read as full pinyin or as pinyin initials and become
//     the Chinese words of the content (or of the synonym list) they spell
//     (pinyinWords); a run that spells nothing is a literal word, as are
//     runs with digits (文号, 索引号, amounts).
//   - Each word also matches its synonyms, and a word that does not occur
//     in the content matches the content's words with the same pinyin
//     (homophones: a pinyin input method's wrong pick, 地保 for 低保),
//     ranked below what was typed.
//
// The index asks for every word (each as a phrase: its bigrams), and when
// fewer than relaxBelow sections have them all, sections with some of them
// follow (Search).

// altKind says where an alternative of a word comes from; its boost ranks
// what was typed above what was inferred.
type altKind int

const (
	altTyped     altKind = iota // the characters as typed (traditional folded)
	altSynonym                  // a synonym of them (synonym lists)
	altPinyin                   // Chinese words the typed pinyin spells
	altInitials                 // Chinese words the typed initials spell
	altHomophone                // content words read like the typed ones
	altLiteral                  // letters/digits as typed
	altTitlePy                  // pinyin of titles, headings and keywords (py, pyi fields)
	altHint                     // what a question word asks for (多少钱 → 标准, 金额)
)

var altKindNames = [...]string{"原词", "同义词", "拼音", "拼音首字母", "同音词", "字母数字", "标题拼音", "问句提示"}

func (k altKind) String() string { return altKindNames[k] }

func (k altKind) boost() float64 {
	switch k {
	case altSynonym:
		return 0.8
	case altInitials:
		return 0.7
	case altHomophone:
		return 0.4
	case altHint:
		return 1.5
	case altTitlePy:
		return boostPinyin
	}
	return 1
}

// alt is one way a word may occur.
type alt struct {
	kind  altKind
	han   []rune   // a Chinese phrase (normalised), or
	word  string   // a literal word of letters/digits, or
	sylls []string // pinyin syllables (py field) and/or
	inits string   // pinyin initials (pyi field)
}

func (a alt) text() string {
	switch {
	case a.han != nil:
		return string(a.han)
	case a.word != "":
		return a.word
	case len(a.sylls) > 0:
		return strings.Join(a.sylls, " ")
	}
	return a.inits
}

// slot is one word of the query.
type slot struct {
	typed    string // as typed (sanitised)
	show     string // as named to the citizen: Chinese where known
	alts     []alt
	optional bool // a single character beside longer words: ranks, not required
}

// hanAlts are the Chinese phrases of the slot (what the Matcher marks).
func (s *slot) hanAlts() [][]rune {
	var out [][]rune
	for _, a := range s.alts {
		if a.han != nil {
			out = append(out, a.han)
		}
	}
	return out
}

func (s *slot) addAlt(a alt) {
	for _, x := range s.alts {
		if x.kind == a.kind && slices.Equal(x.han, a.han) && x.word == a.word &&
			slices.Equal(x.sylls, a.sylls) && x.inits == a.inits {
			return
		}
		// a phrase already present with a stronger kind stays
		if a.han != nil && slices.Equal(x.han, a.han) {
			return
		}
	}
	s.alts = append(s.alts, a)
}

// fillerWords are left out of a query when other words remain: question
// and filler words citizens type into a search box (怎么申请低保,
// 医保多少钱, 请问在哪里办身份证). Single characters are left out only
// where they stand alone between words (the 的 of 目的 stays). Listed in
// docs/search.md; keep the two in agreement.
var fillerWords = []string{
	// questions
	"怎么", "怎么样", "怎样", "如何", "怎么办", "咋", "咋办", "在哪", "在哪里", "在哪儿", "哪里", "哪儿", "哪个", "哪些",
	"多少", "多少钱", "几", "几天", "什么", "什么时候", "为什么", "为啥", "啥", "是否", "是不是", "有没有", "能不能",
	"可不可以", "可以吗", "行不行", "要不要", "需不需要", "丢了",
	// politeness and intent
	"请问", "你好", "您好", "谢谢", "我想", "我要", "想要", "我想要", "我需要", "需要", "想问", "咨询一下", "一下",
	"帮我", "查一下", "查询一下", "了解", "知道",
	// particles and pronouns
	"的", "了", "吗", "呢", "啊", "吧", "呀", "么", "嘛", "哦", "我", "你", "您", "他", "她", "我们", "在", "去", "到",
	"要", "想", "能", "会", "可以", "和", "与", "跟", "及", "或", "是", "有", "把", "给", "让", "被", "从", "对", "关于",
}

// questionHints: what a question word asks for. The question word is left
// out of the words a section must have; these words, when a section has
// them, rank it higher (医保多少钱: the section on 缴费标准 before the one
// on 缴费时间).
var questionHints = map[string][]string{
	"多少钱": {"标准", "金额", "费用", "收费"}, "多少": {"标准", "金额", "数额"},
	"在哪": {"地点", "地址", "窗口", "大厅"}, "在哪里": {"地点", "地址", "窗口", "大厅"}, "在哪儿": {"地点", "地址", "窗口", "大厅"},
	"哪里": {"地点", "地址", "窗口", "大厅"}, "哪儿": {"地点", "地址", "窗口", "大厅"},
	"什么时候": {"时间", "日期", "期限"}, "几天": {"时限", "期限", "工作日"},
	"怎么": {"办理", "流程", "程序", "方式"}, "怎样": {"办理", "流程", "程序", "方式"}, "如何": {"办理", "流程", "程序", "方式"},
	"怎么办": {"办理", "流程", "程序", "补领"}, "咋办": {"办理", "流程", "程序"},
	"丢了": {"遗失", "丢失", "补领", "补办"},
}

// understander holds what query understanding reads: the shared tables,
// the synonym lists, and — for a query against an index — its vocabulary
// and pinyin lexicon (nil without an index: the query is read from the
// text alone).
type understander struct {
	t       *tables
	syn     *synonyms
	v       *vocab
	lexicon func() map[string][]string // the pinyin lexicon, read when first needed

	homCache map[string][][]rune // homophones, per query
}

// Segmentation costs (lower is better). A word of the synonym lists costs
// 1; so does a stretch the content has whose neighbouring characters
// stand together often (vocab.cohesion), plus a penalty for each pair
// that rarely does; a stretch the content does not have (a homophone
// mistake, a word of another pack) costs more per character, so that
// known words inside it win; a lone character costs more than a word;
// filler words cost less than nothing, so that they are cut out where
// they stand.
const (
	costWord            = 1.0
	costWeakJoint       = 0.6
	costUnknownBase     = 2.0
	costUnknownChar     = 1.0 // per character beyond two
	costHomophone       = 0.5 // added to costWord for a stretch read like a content word
	costHomophoneListed = 0.2 // taken off when that word is in the synonym lists
	// maxHomophoneRunes: longer stretches read as one homophone chained
	// two words into nonsense (医宝缴费 → 益保缴费, not 医保 + 缴费)
	maxHomophoneRunes = 3
	costSingle        = 1.5
	costFiller        = -0.5
	costSingleFiller  = -0.3
	costPiece         = 0.01
	maxWordRunes      = 16
	maxUnknownRunes   = 4
	// minCohesion: below it two neighbours are a weak joint. Joints
	// inside words score 0.3–1 on the built-in report (行|政 0.9, 疗|保
	// 0.8, 请|公 0.3), joints between a query's words 0–0.05 (保|申, 汛|预).
	minCohesion = 0.08
	// minHomophoneCohesion: a word put in place of what was typed must be
	// a firm word of the content (地保 → 低保, not 算机 → 算及 from 决算及)
	minHomophoneCohesion = 0.25
)

type pieceKind int

const (
	pieceWord    pieceKind = iota // known: synonym list or in the content
	pieceUnknown                  // not in the content
	pieceSingle
	pieceFiller
)

type piece struct {
	rs   []rune
	kind pieceKind
}

// segment splits a normalised Chinese run into words with the least total
// cost (dynamic programming over end positions). cuts[i] forbids a word
// across run[i-1]|run[i] (nil: none).
func (u *understander) segment(run []rune, cuts []bool) []piece {
	n := len(run)
	weak := make([]bool, n) // weak[i]: run[i-1]|run[i] is a weak joint
	gone := make([]bool, n) // gone[i]: the pair never occurs
	for i := 1; i < n; i++ {
		if u.v != nil {
			c := u.v.cohesion(run[i-1], run[i])
			weak[i], gone[i] = c < minCohesion, c == 0
		}
	}
	fill := u.t.fillers
	// weak joints and missing pairs of run[i:j], for the piece being costed
	kinds := map[[2]int]pieceKind{}
	ends, _ := cheapestSplit(n, 1, maxWordRunes, cuts, func(i, j int) (float64, bool) {
		weakJoints, missing := 0, false
		for k := i + 1; k < j; k++ {
			if weak[k] {
				weakJoints++
			}
			missing = missing || gone[k]
		}
		w := string(run[i:j])
		cost, kind := 1e18, pieceWord
		try := func(c float64, pk pieceKind) {
			if c < cost {
				cost, kind = c, pk
			}
		}
		switch {
		case fill[w] && j-i == 1:
			try(costSingleFiller, pieceFiller)
		case fill[w]:
			try(costFiller, pieceFiller)
		}
		switch {
		case j-i == 1:
			try(costSingle, pieceSingle)
		case u.syn.has(w):
			try(costWord, pieceWord)
		case !missing:
			try(costWord+costWeakJoint*float64(weakJoints), pieceWord)
		case j-i <= maxUnknownRunes:
			// not in the content: a likely pinyin-input mistake when
			// the content or the synonym lists have a word read the
			// same (公基金 → 公积金; 身份正 → 身份证)
			if h := u.homophones(run[i:j]); len(h) > 0 && j-i <= maxHomophoneRunes {
				c := costWord + costHomophone
				if u.syn.has(string(h[0])) {
					c -= costHomophoneListed
				}
				try(c, pieceUnknown)
			} else {
				try(costUnknownBase+costUnknownChar*float64(j-i-2), pieceUnknown)
			}
		}
		kinds[[2]int{i, j}] = kind
		return cost, cost < 1e18
	})
	var out []piece
	i := 0
	for _, j := range ends {
		out = append(out, piece{rs: run[i:j], kind: kinds[[2]int{i, j}]})
		i = j
	}
	return out
}

// listedPart returns where rs splits into a listed word and one more
// character (低保|户, 医保|卡), or 0.
func (u *understander) listedPart(rs []rune) int {
	n := len(rs) - 1
	switch {
	case n < 2:
		return 0
	case u.syn.has(string(rs[:n])):
		return n
	case u.syn.has(string(rs[1:])):
		return 1
	}
	return 0
}

// weakestJoint returns the index i (2 ≤ i ≤ len(rs)-2) of the joint
// rs[i-1]|rs[i] that stands together least often in the content: words
// of one character are left to the citizen's typing.
func (u *understander) weakestJoint(rs []rune) int {
	at, low := len(rs)/2, 2.0
	for i := 2; i+2 <= len(rs); i++ {
		if c := u.v.cohesion(rs[i-1], rs[i]); c < low {
			at, low = i, c
		}
	}
	return at
}

// occurs reports whether every bigram of the phrase is in the content (a
// single character: whether it is); true without an index.
func (u *understander) occurs(rs []rune) bool {
	if u.v == nil {
		return true
	}
	if len(rs) == 1 {
		return u.v.char(rs[0]) > 0
	}
	for i := 0; i+1 < len(rs); i++ {
		if u.v.pair(rs[i], rs[i+1]) == 0 {
			return false
		}
	}
	return true
}

// hanSlots turns a normalised Chinese run into slots. With fine, a word
// of four characters or more that the synonym lists do not know is split
// at its weakest joint: the reading tried when the coarse one finds too
// little (义务教育招生: 义务教育 + 招生, when no section has the phrase).
func (u *understander) hanSlots(run []rune, typed []rune, fine bool) []slot {
	pieces := u.segment(run, nil)
	if fine && u.v != nil {
		cuts := make([]bool, len(run))
		for round := 0; round < 3; round++ {
			split := false
			pos := 0
			for _, p := range pieces {
				// four characters are split once; longer stretches until
				// they are four or shorter
				switch {
				case p.kind == pieceWord && (len(p.rs) >= 5 || len(p.rs) == 4 && round == 0) && !u.syn.has(string(p.rs)):
					cuts[pos+u.weakestJoint(p.rs)] = true
					split = true
				case round == 0 && len(p.rs) >= 3 && u.syn.has(string(p.rs)):
					// a listed word that holds a shorter listed word
					// (低保户 → 低保 + 户: sections on 低保 that never say 户)
					if k := u.listedPart(p.rs); k > 0 {
						cuts[pos+k] = true
						split = true
					}
				}
				pos += len(p.rs)
			}
			if !split {
				break
			}
			pieces = u.segment(run, cuts)
		}
	}
	words := 0
	for _, p := range pieces {
		if p.kind != pieceFiller {
			words++
		}
	}
	var out []slot
	pos := 0
	for _, p := range pieces {
		ty := string(typed[pos : pos+len(p.rs)])
		pos += len(p.rs)
		if p.kind == pieceFiller && words > 0 {
			if hints := questionHints[string(p.rs)]; len(hints) > 0 {
				s := slot{typed: ty, show: ty, optional: true}
				for _, h := range hints {
					s.addAlt(alt{kind: altHint, han: []rune(h)})
				}
				out = append(out, s)
			}
			continue
		}
		s := slot{typed: ty, show: string(p.rs)}
		s.addAlt(alt{kind: altTyped, han: p.rs})
		u.expandSynonyms(&s)
		if p.kind == pieceUnknown && len(s.alts) == 1 {
			u.addHomophones(&s, p.rs)
		}
		out = append(out, s)
	}
	return out
}

// expandSynonyms adds the synonyms of every Chinese alternative.
func (u *understander) expandSynonyms(s *slot) {
	for _, h := range s.hanAlts() {
		for _, w := range u.syn.of(string(h)) {
			s.addAlt(alt{kind: altSynonym, han: []rune(w)})
		}
	}
}

// addHomophones adds the content's words read like rs (地保 → 低保), and
// their synonyms.
func (u *understander) addHomophones(s *slot, rs []rune) {
	if u.v == nil || len(rs) < 2 {
		return
	}
	for _, c := range u.homophones(rs) {
		s.addAlt(alt{kind: altHomophone, han: c})
	}
	if len(s.alts) > 1 && s.show == string(rs) {
		s.show = string(s.alts[1].han)
	}
	for _, h := range s.hanAlts() {
		for _, w := range u.syn.of(string(h)) {
			s.addAlt(alt{kind: altHomophone, han: []rune(w)})
		}
	}
}

// homophones are the words of the content (or of the synonym lists) read
// like rs, other than rs itself; remembered per query.
func (u *understander) homophones(rs []rune) [][]rune {
	if u.v == nil || len(rs) < 2 {
		return nil
	}
	key := string(rs)
	if c, ok := u.homCache[key]; ok {
		return c
	}
	var out [][]rune
	for _, sylls := range u.readingsOfRun(rs, 4) {
		for _, c := range u.hanFromSyllables(sylls, minHomophoneCohesion) {
			if !slices.Equal(c, rs) && (u.syn.has(string(c)) || u.firm(c)) {
				out = appendRunes(out, c)
			}
		}
	}
	if u.homCache == nil {
		u.homCache = map[string][][]rune{}
	}
	u.homCache[key] = out
	return out
}

// firm reports whether every pair of rs occurs in at least two sections:
// one occurrence may be the end of one word and the start of the next.
func (u *understander) firm(rs []rune) bool {
	for i := 0; i+1 < len(rs); i++ {
		if u.v.pair(rs[i], rs[i+1]) < 2 {
			return false
		}
	}
	return true
}

// readingsOfRun lists up to max syllable sequences of rs (each character
// with each of its two most common readings).
func (u *understander) readingsOfRun(rs []rune, max int) [][]string {
	out := [][]string{nil}
	for _, r := range rs {
		rd := u.t.readingsOf(r, maxIndexReadings)
		if rd == nil {
			return nil
		}
		var next [][]string
		for _, prefix := range out {
			for _, p := range rd {
				if len(next) < max {
					next = append(next, append(slices.Clone(prefix), p))
				}
			}
		}
		out = next
	}
	return out
}

// boostPinyin weighs a match of typed pinyin in titles and keywords.
const boostPinyin = 2
