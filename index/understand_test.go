package index

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"kiosk/content"
)

// words returns the required words Search understood q as, on ix.
func understood(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), q, Options{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	return res.Words
}

func TestUnderstandWords(t *testing.T) {
	ix, _ := citizenIndex(t)
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"低保申请", []string{"低保", "申请"}},           // two words, 保申 never stands together
		{"怎么申请低保", []string{"申请", "低保"}},         // question word left out
		{"请问在哪里办身份证", []string{"身份证"}},           // filler words; 办 alone only ranks
		{"医保多少钱", []string{"医保"}},                // 多少钱 asks for 标准, not required
		{"防汛预警", []string{"防汛", "预警"}},           // neither is in the synonym lists
		{"dibao biaozhun", []string{"低保", "标准"}}, // pinyin of two words
		{"yibaojiaofei", []string{"医保", "缴费"}},   // pinyin without spaces
		{"地保申请", []string{"低保", "申请"}},           // a pinyin-input mistake
		{"公基金提取", []string{"公积金", "提取"}},
		{"醫療保險繳費", []string{"医疗保险", "缴费"}}, // 繁體
	} {
		if got := understood(t, ix, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%q understood as %q, want %q", c.q, got, c.want)
		}
	}
}

func TestRelaxedSaysSo(t *testing.T) {
	ix, _ := citizenIndex(t)
	// no section has both: the ones with one of them follow, said so
	res, err := ix.Search(context.Background(), "防汛 营业执照", Options{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Partial || res.Exact != 0 || len(res.Hits) == 0 || !slices.Equal(res.Words, []string{"防汛", "营业执照"}) {
		t.Fatalf("relaxed: partial %v exact %d hits %d words %v", res.Partial, res.Exact, len(res.Hits), res.Words)
	}
	for _, h := range res.Hits {
		if len(h.Missing) != 1 {
			t.Errorf("%s: missing %v, want one of the two words", h.Ref, h.Missing)
		}
	}
	// sections with every word rank first; the screen is told how many
	res, _ = ix.Search(context.Background(), "低保 临时救助", Options{Limit: 10})
	if res.Exact == 0 {
		t.Fatalf("低保 临时救助: no exact hits")
	}
	for i, h := range res.Hits {
		if exact := len(h.Missing) == 0; exact != (uint64(i) < res.Exact) {
			t.Errorf("hit %d (%s) missing %v, exact count %d", i, h.Ref, h.Missing, res.Exact)
		}
	}
}

func TestPinyinMarksWholeWords(t *testing.T) {
	ix, _ := testIndex(t)
	// fuyi is 复议, never the end of 政府 and the start of 议定
	text := "区政府议定事项;行政复议案件51件"
	var got []string
	for _, r := range ix.Matches(text, "fuyi") {
		got = append(got, text[r[0]:r[1]])
	}
	if !slices.Equal(got, []string{"复议"}) {
		t.Errorf("fuyi marks %q", got)
	}
	// yibao is 医保, never the 以保 of 以保障 (the report has no 医保)
	if got := ix.Matches("以保障人民群众知情权", "yibao"); len(got) != 0 {
		t.Errorf("yibao marks %v in 以保障", got)
	}
	// initials find the bodies as the characters do
	a, _ := ix.Search(context.Background(), "xzfy", Options{Limit: 20})
	b, _ := ix.Search(context.Background(), "行政复议", Options{Limit: 20})
	found := map[string]int{}
	for i, h := range a.Hits {
		found[h.Ref] = i
	}
	for i, h := range b.Hits {
		if j, ok := found[h.Ref]; !ok || i < 2 && j != i {
			t.Errorf("行政复议 hit %d %s is hit %d of xzfy (found %v)", i, h.Ref, j, ok)
		}
	}
	if len(b.Hits) < 4 {
		t.Errorf("行政复议: %d hits", len(b.Hits))
	}
}

func TestEveryHitHasASnippet(t *testing.T) {
	ix, _ := testIndex(t)
	for _, q := range []string{"政府信息", "公开", "统计", "报表", "工作"} {
		res, err := ix.Search(context.Background(), q, Options{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if strings.TrimSpace(h.Snippet) == "" {
				t.Errorf("%q: %s has no snippet", q, h.Ref)
			}
		}
	}
}

func TestNothingFoundOffersSomething(t *testing.T) {
	ix, _ := citizenIndex(t)
	res, err := ix.Search(context.Background(), "宇宙飞船", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 || !res.Popular || len(res.Hits) == 0 || len(res.Suggestions) == 0 {
		t.Fatalf("nothing found: total %d popular %v hits %d", res.Total, res.Popular, len(res.Hits))
	}
	// newest first
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Date.After(res.Hits[i-1].Date) {
			t.Errorf("popular not newest first: %v after %v", res.Hits[i].Date, res.Hits[i-1].Date)
		}
	}
	// a word near one of the content's: did you mean
	res, _ = ix.Search(context.Background(), "临时救注", Options{})
	if res.Total == 0 && len(res.DidYouMean) == 0 {
		t.Errorf("临时救注: nothing and no suggestion")
	}
}

func TestExplain(t *testing.T) {
	ix, _ := citizenIndex(t)
	e := ix.Explain("怎么申请低保")
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{`"word":"低保"`, `"kind":"同义词"`, `"text":"最低生活保障"`, `"kind":"问句提示"`, `"optional":true`} {
		if !strings.Contains(s, want) {
			t.Errorf("explanation lacks %s: %s", want, s)
		}
	}
}

// FuzzUnderstand: any input is read without panicking into at most
// maxParts words of valid, control-free text.
func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{"怎么申请低保", "dibao biaozhun", "dbbz", "地保", "醫療保險", "兰民发〔2024〕12号",
		"lanhequgaj/2024-0000052#2", "\xff\xfe\x00", "\x1b]0;x\a", strings.Repeat("政务", 5000), strings.Repeat("xian", 2500),
		"title:依申请 AND NOT", "((((", "\u202e低保"} {
		f.Add(s)
	}
	ix, _ := citizenIndex(f)
	f.Fuzz(func(t *testing.T, q string) {
		e := ix.Explain(q)
		for _, r := range e.Readings {
			if len(r.Words) > maxParts {
				t.Fatalf("%.40q: %d words", q, len(r.Words))
			}
			for _, w := range r.Words {
				for _, s := range append([]string{w.Word, w.Typed}, altTexts(w)...) {
					if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
						t.Fatalf("%.40q: unsafe word %q", q, s)
					}
				}
			}
		}
		res, err := ix.Search(context.Background(), q, Options{Limit: 3})
		if err != nil {
			t.Fatalf("%.40q: %v", q, err)
		}
		for _, h := range res.Hits {
			for _, r := range h.SnippetMatches {
				if r[0] < 0 || r[1] > len(h.Snippet) || r[0] >= r[1] {
					t.Fatalf("%.40q: bad range %v", q, r)
				}
			}
		}
	})
}

func altTexts(w ExplainedWord) []string {
	var out []string
	for _, a := range w.Alternatives {
		out = append(out, a.Text)
	}
	return out
}

// The pack's synonyms.toml applies when searching: the same index, opened
// for a pack with a new group, finds what the group names.
func TestPackSynonymsApplyWhenSearching(t *testing.T) {
	_, p := citizenIndex(t)
	dir := filepath.Join(t.TempDir(), "ix")
	ix, _, err := OpenFor(dir, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := ix.Search(context.Background(), "娃娃上学", Options{})
	ix.Close()
	if res.Exact != 0 {
		t.Fatalf("娃娃上学 found %d sections before the group exists", res.Exact)
	}
	withSyn := *p
	withSyn.Synonyms = append(slices.Clone(p.Synonyms), content.SynonymGroup{Words: []string{"娃娃上学", "义务教育"}, Line: 1})
	ix, rebuilt, err := OpenFor(dir, &withSyn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if rebuilt {
		t.Errorf("a new synonym list rebuilt the index")
	}
	res, _ = ix.Search(context.Background(), "娃娃上学", Options{Limit: 3})
	if res.Exact == 0 || len(res.Hits) == 0 || !strings.Contains(res.Hits[0].DocTitle, "义务教育") {
		t.Errorf("娃娃上学 with the pack's group: exact %d, hits %v", res.Exact, res.Hits)
	}
}

// The reader marks what the search found: when the search used the finer
// reading (dbbz as 低保 + 标准), so do the marks.
func TestMatchesFollowTheReadingUsed(t *testing.T) {
	ix, p := citizenIndex(t)
	_, s, err := p.Find("lanhequmzj/2024-0000123#1")
	if err != nil {
		t.Fatal(err)
	}
	text := PlainText(s.Text)
	var got []string
	for _, r := range ix.Matches(text, "dbbz") {
		got = append(got, text[r[0]:r[1]])
	}
	if !slices.Contains(got, "最低生活保障标准") && !slices.Contains(got, "最低生活保障") {
		t.Errorf("dbbz marks %q in the 低保 standards section", got)
	}
}
