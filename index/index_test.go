package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"kiosk/content"
)

// The default pack is indexed once for the package's tests.
var (
	defaultOnce sync.Once
	defaultIx   *Index
	defaultPack *content.Pack
	defaultErr  error
	defaultDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if defaultIx != nil {
		defaultIx.Close()
	}
	if defaultDir != "" {
		os.RemoveAll(defaultDir)
	}
	if citizenIx != nil {
		citizenIx.Close()
		os.RemoveAll(filepath.Dir(citizenIx.dir))
	}
	os.Exit(code)
}

func testIndex(t testing.TB) (*Index, *content.Pack) {
	t.Helper()
	defaultOnce.Do(func() {
		defaultPack, defaultErr = content.Default()
		if defaultErr != nil {
			return
		}
		defaultDir, defaultErr = os.MkdirTemp("", "kiosk-index-test-")
		if defaultErr != nil {
			return
		}
		dir := filepath.Join(defaultDir, "ix")
		if defaultErr = Build(dir, defaultPack, nil); defaultErr != nil {
			return
		}
		defaultIx, defaultErr = Open(dir)
	})
	if defaultErr != nil {
		t.Fatal(defaultErr)
	}
	return defaultIx, defaultPack
}

const ref = "lanshanqulsqzf/2019-0000001#"

// qualityQueries are realistic queries with the sections (any of) that must
// be in the top 3. They are also the precision set of the benchmark.
var qualityQueries = []struct {
	kind  string // multi, single, pinyin, initials, traditional
	q     string
	want  []string // section numbers, any of them in the top 3
	means string   // the Chinese the query means (for precision judgements)
}{
	{"multi", "依申请公开", []string{"4", "10.3"}, "依申请公开"},
	{"multi", "行政复议", []string{"10.4", "6"}, "行政复议"},
	{"multi", "行政诉讼", []string{"10.5", "6"}, "行政诉讼"},
	{"multi", "财政预算", []string{"3.4"}, "财政预算"},
	{"multi", "扶贫", []string{"3.7"}, "扶贫"},
	{"multi", "政务微博", []string{"2.3", "10.1", "2.2"}, "政务微博"},
	{"multi", "人大代表建议", []string{"9"}, "人大代表建议"},
	{"multi", "门户网站", []string{"10.8"}, "门户网站"},
	{"multi", "保障经费", []string{"10.12"}, "保障经费"},
	{"multi", "图书馆", []string{"10.7"}, "图书馆"},
	{"multi", "举报投诉", []string{"10.6"}, "举报投诉"},
	{"multi", "放管服", []string{"3.3"}, "放管服"},
	{"multi", "区长信箱", []string{"7"}, "区长信箱"},
	{"multi", "政府信息公开 培训", []string{"10.13"}, "培训"},
	{"single", "网", []string{"10.8"}, "网"},
	{"single", "微", []string{"10.1", "2.3", "2.2", "10.2"}, "微"},
	{"single", "费", []string{"5", "10.12"}, "费"},
	{"pinyin", "xingzhengfuyi", []string{"10.4", "6"}, "行政复议"},
	{"pinyin", "xing zheng fu yi", []string{"10.4", "6"}, "行政复议"},
	{"pinyin", "XingZhengFuYi", []string{"10.4", "6"}, "行政复议"},
	{"pinyin", "yishenqing", []string{"4", "10.3"}, "依申请"},
	{"pinyin", "fangguanfu", []string{"3.3"}, "放管服"},
	{"pinyin", "zhongdajianshexiangmu", []string{"3.5"}, "重大建设项目"},
	{"pinyin", "quzhangxinxiang", []string{"7"}, "区长信箱"},
	{"pinyin", "zhengwu weibo", []string{"2.3", "10.1", "2.2"}, "政务微博"},
	{"initials", "xzfy", []string{"10.4", "6"}, "行政复议"},
	{"initials", "ysqgk", []string{"4", "10.3"}, "依申请公开"},
	{"initials", "ＸＺＦＹ", []string{"10.4", "6"}, "行政复议"},
	{"initials", "hygq", []string{"7"}, "回应关切"},
	{"traditional", "行政復議", []string{"10.4", "6"}, "行政复议"},
	{"traditional", "財政預算", []string{"3.4"}, "财政预算"},
	{"traditional", "扶貧", []string{"3.7"}, "扶贫"},
	{"traditional", "政府資訊公開網站", []string{"10.8"}, "政府信息公开网站"},
	{"traditional", "資訊公開", []string{"0", "3.4", "3.8", "10.8", "3.5"}, "信息公开"},
	{"traditional", "區長信箱", []string{"7"}, "区长信箱"},
}

func TestQualityTable(t *testing.T) {
	ix, _ := testIndex(t)
	if len(qualityQueries) < 25 {
		t.Fatalf("only %d queries", len(qualityQueries))
	}
	for _, c := range qualityQueries {
		res, err := ix.Search(context.Background(), c.q, Options{Limit: 3})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		var got []string
		ok := false
		for _, h := range res.Hits {
			num := strings.TrimPrefix(h.Ref, ref)
			got = append(got, num)
			for _, w := range c.want {
				ok = ok || num == w
			}
		}
		if !ok {
			t.Errorf("%s %q: top 3 = %v, want one of %v", c.kind, c.q, got, c.want)
		}
		// the snippet of the first hit marks what the query means, when the
		// meaning is in its text (pinyin and traditional map to the characters)
		if len(res.Hits) > 0 {
			h := res.Hits[0]
			for _, r := range h.SnippetMatches {
				if r[0] < 0 || r[1] > len(h.Snippet) || r[0] >= r[1] || !utf8.ValidString(h.Snippet[r[0]:r[1]]) {
					t.Errorf("%q: bad range %v in %q", c.q, r, h.Snippet)
				}
			}
			if strings.Contains(h.Snippet, c.means) && len(h.SnippetMatches) == 0 {
				t.Errorf("%q: snippet %q contains %s but nothing is marked", c.q, h.Snippet, c.means)
			}
		}
	}
}

func TestMatchesMapToCharacters(t *testing.T) {
	text := "因政府信息公开申请行政复议51件,行政复议案件;区长信箱与政务微博。"
	cases := []struct {
		q    string
		want []string
	}{
		{"xingzhengfuyi", []string{"行政复议", "行政复议"}},
		{"xing zheng fu yi", []string{"行政复议", "行政复议"}},
		{"xzfy", []string{"行政复议", "行政复议"}},
		{"行政復議", []string{"行政复议", "行政复议"}},
		{"資訊公開", []string{"信息公开"}},
		{"quzhangxinxiang", []string{"区长信箱"}},
		{"qzxx", []string{"区长信箱"}},
		{"政务", []string{"政务"}},
		{"微", []string{"微"}},
		{"依申请", []string{"申请"}}, // no whole occurrence: its bigrams are marked
		{"51", []string{"51"}},
		{"５１", []string{"51"}},
		{"1", nil}, // not inside 51
		{"", nil},
		{"!!!", nil},
	}
	for _, c := range cases {
		var got []string
		for _, r := range Matches(text, c.q) {
			got = append(got, text[r[0]:r[1]])
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Matches(%q) = %q, want %q", c.q, got, c.want)
		}
	}
	// traditional text is found by a simplified query, and the reverse
	trad := "本府行政復議案件"
	if got := Matches(trad, "行政复议"); len(got) != 1 || trad[got[0][0]:got[0][1]] != "行政復議" {
		t.Errorf("simplified query in traditional text: %v", got)
	}
}

func TestHostileQueries(t *testing.T) {
	ix, _ := testIndex(t)
	qs := []string{"", " ", ":", "+", "-", "\"", "*", "?", "~", "^", "\\", "/", "(", ")", "[", "]", "{", "}",
		"行政复议:", "+依申请 -公开", "\"依申请公开\"", "依申*", "title:依申请", "a:b:c", "((((", "AND OR NOT",
		strings.Repeat("政", 500), strings.Repeat("x", 500), strings.Repeat("xian", 125), strings.Repeat("a ", 250),
		"😀😀😀", "依申请😀公开", "\x00\x01\x1b[31m依申请\x1b[0m", "\u202e依申请", "\xff\xfe", "ｘｚｆｙ", "　",
		"2018", "0539-8196766", "http://www.lyls.gov.cn", "lanshanqulsqzf/2019-0000001#4", "%", "_", "'", "`"}
	for _, q := range qs {
		res, err := ix.Search(context.Background(), q, Options{Limit: 5})
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		if res.Total == 0 && strings.TrimSpace(res.Query) != "" && len(res.Suggestions) == 0 {
			t.Errorf("%q: no hits and no suggestions", q)
		}
		for _, h := range res.Hits {
			for _, r := range h.Snippet {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
					t.Errorf("%q: control character in snippet %q", q, h.Snippet)
				}
			}
		}
	}
	// nothing matches: a friendly empty result
	// nothing matches: tips, and the newest documents instead, said so
	res, err := ix.Search(context.Background(), "量子计算机", Options{})
	if err != nil || res.Total != 0 || len(res.Suggestions) == 0 || !res.Popular || len(res.Hits) == 0 {
		t.Errorf("no-match query: %+v, %v", res, err)
	}
}

func TestPartialMatch(t *testing.T) {
	ix, _ := testIndex(t)
	res, err := ix.Search(context.Background(), "行政复议 量子计算机", Options{})
	if err != nil || !res.Partial || len(res.Hits) == 0 {
		t.Fatalf("partial: %+v %v", res, err)
	}
}

func TestFiltersAndFacets(t *testing.T) {
	ix, p := testIndex(t)
	d := p.Docs[0]
	cats := ix.Catalogues()
	if len(cats) == 0 || cats[0].Value != d.Catalogue {
		t.Fatalf("catalogues %v", cats)
	}
	years := ix.Years()
	if len(years) == 0 || years[0].Value != fmt.Sprint(d.Date.Year()) {
		t.Fatalf("years %v", years)
	}
	for _, c := range []struct {
		opts Options
		some bool
	}{
		{Options{Catalogue: d.Catalogue}, true},
		{Options{Catalogue: "没有这个目录"}, false},
		{Options{Year: d.Date.Year()}, true},
		{Options{Year: 1999}, false},
		{Options{Catalogue: d.Catalogue, Year: d.Date.Year()}, true},
	} {
		res, err := ix.Search(context.Background(), "公开", c.opts)
		if err != nil || (len(res.Hits) > 0) != c.some {
			t.Errorf("%+v: %d hits, %v", c.opts, len(res.Hits), err)
		}
	}
	res, _ := ix.Search(context.Background(), "公开", Options{Limit: 3})
	if len(res.Hits) != 3 || res.Total <= 3 {
		t.Errorf("limit: %d of %d", len(res.Hits), res.Total)
	}
	h := res.Hits[0]
	if h.DocTitle != d.Title || h.Publisher != d.Publisher || h.Catalogue != d.Catalogue || !h.Date.Equal(d.Date) || h.Score <= 0 {
		t.Errorf("hit fields: %+v", h)
	}
	if _, s, err := p.Find(h.Ref); err != nil || s == nil || s.DisplayTitle() != h.SectionTitle {
		t.Errorf("ref %q does not resolve: %v", h.Ref, err)
	}
}

func TestOpenStaleAndRebuild(t *testing.T) {
	_, p := testIndex(t)
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Open(dir); !errors.Is(err, ErrNoIndex) {
		t.Fatalf("Open(missing) = %v", err)
	}
	var calls, last int
	ix, rebuilt, err := OpenFor(dir, p, func(done, total int) { calls++; last = done })
	if err != nil || !rebuilt || calls == 0 || last != len(p.Docs) {
		t.Fatalf("OpenFor: %v rebuilt=%v calls=%d last=%d", err, rebuilt, calls, last)
	}
	if ix.Fingerprint() != p.Fingerprint || ix.Sections() == 0 {
		t.Errorf("fingerprint %q sections %d", ix.Fingerprint(), ix.Sections())
	}
	ix.Close()
	ix, rebuilt, err = OpenFor(dir, p, nil)
	if err != nil || rebuilt {
		t.Fatalf("second OpenFor rebuilt=%v %v", rebuilt, err)
	}
	ix.Close()
	// another content: rebuilt
	q := *p
	q.Fingerprint = "other"
	ix, rebuilt, err = OpenFor(dir, &q, nil)
	if err != nil || !rebuilt || ix.Fingerprint() != "other" {
		t.Fatalf("OpenFor(other) rebuilt=%v %v", rebuilt, err)
	}
	ix.Close()
	// another mapping version: stale
	mf := filepath.Join(dir, metaFile)
	data, _ := os.ReadFile(mf)
	os.WriteFile(mf, []byte(strings.Replace(string(data), MappingVersion, "kiosk-search-2", 1)), 0o644)
	if _, err := Open(dir); !errors.Is(err, ErrStale) {
		t.Errorf("Open(old mapping) = %v", err)
	}
	// no temporary folders are left beside dir
	ents, _ := os.ReadDir(filepath.Dir(dir))
	if len(ents) != 1 {
		t.Errorf("left beside the index: %v", ents)
	}
}

func TestConcurrentSearch(t *testing.T) {
	ix, _ := testIndex(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for _, c := range qualityQueries[i:] {
				if _, err := ix.Search(context.Background(), c.q, Options{Limit: 5}); err != nil {
					t.Error(err)
				}
				ix.Matches("行政复议和区长信箱", c.q)
			}
		}(i)
	}
	wg.Wait()
}

func TestPlainText(t *testing.T) {
	md := "## 标题\n\n**加粗**和[链接](http://x)。\n\n| 指标 | 数 |\n|---|---|\n| 申请 | 1 |\n\n- 项目\x1b[31m\n"
	got := PlainText(md)
	// the escape sequence goes whole, not only its ESC
	want := "标题\n\n加粗和链接。\n\n指标   数\n申请   1\n\n项目"
	if got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}

func FuzzQuery(f *testing.F) {
	for _, c := range qualityQueries {
		f.Add(c.q)
	}
	for _, s := range []string{"行政复议:", "\"", "*", "((", "\x00", "😀", strings.Repeat("xian", 30)} {
		f.Add(s)
	}
	ix, _ := testIndex(f)
	text := "因政府信息公开申请行政复议51件;区长信箱与政务微博。2018年"
	f.Fuzz(func(t *testing.T, q string) {
		res, err := ix.Search(context.Background(), q, Options{Limit: 3})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		for _, h := range res.Hits {
			for _, r := range h.SnippetMatches {
				if r[0] < 0 || r[1] > len(h.Snippet) || r[0] >= r[1] {
					t.Fatalf("%q: bad range %v", q, r)
				}
			}
		}
		last := 0
		for _, r := range ix.Matches(text, q) {
			if r[0] < last || r[1] <= r[0] || r[1] > len(text) || !utf8.ValidString(text[r[0]:r[1]]) {
				t.Fatalf("%q: bad match %v", q, r)
			}
			last = r[1]
		}
	})
}
