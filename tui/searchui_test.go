package tui

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/index"
)

// fakeSearcher answers every query with what reply returns, so the search
// screen can be tested on states the real index does not produce (yet):
// relaxed rankings, did-you-mean, the popular fallback.
type fakeSearcher struct {
	mu      sync.Mutex
	reply   func(q string) index.Results
	queries []string
}

func (f *fakeSearcher) Search(_ context.Context, q string, _ index.Options) (*index.Results, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	reply := f.reply
	f.mu.Unlock()
	r := reply(q)
	r.Query = q
	return &r, nil
}

func (f *fakeSearcher) Matches(text, q string) [][2]int { return substringMatcher(q)(text) }
func (f *fakeSearcher) Catalogues() []index.Facet       { return nil }
func (f *fakeSearcher) Years() []index.Facet            { return nil }

// last is the last query searched.
func (f *fakeSearcher) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queries) == 0 {
		return ""
	}
	return f.queries[len(f.queries)-1]
}

// packHits are n hits on the default pack's sections in reading order; the
// document title of hit r (1-based) is 结果NN, so a test can find it.
func packHits(t testing.TB, n int) []index.Hit {
	t.Helper()
	secs := defaultPack(t).Docs[0].Sections
	if n > len(secs) {
		t.Fatalf("the default pack has only %d sections", len(secs))
	}
	hits := make([]index.Hit, n)
	for i := range hits {
		s := secs[i]
		hits[i] = index.Hit{Ref: s.Ref(), DocTitle: fmt.Sprintf("结果%02d", i+1), SectionTitle: s.DisplayTitle(),
			Date: time.Date(2019, 1, 22, 0, 0, 0, 0, time.UTC), Publisher: "兰山区人民政府办公室",
			Snippet: "依法公开政府信息,及时办理、回复群众提交的公开申请,切实保障人民群众的知情权、参与权、表达权和监督权。"}
	}
	return hits
}

func withFake(f *fakeSearcher) func(*Deps) { return func(d *Deps) { d.Content.Search = f } }

// hitsFake answers every query with n plain hits.
func hitsFake(t testing.TB, n int) *fakeSearcher {
	hits := packHits(t, n)
	return &fakeSearcher{reply: func(string) index.Results {
		return index.Results{Hits: hits, Total: uint64(len(hits)), Exact: uint64(len(hits))}
	}}
}

// query is what the search line shows.
func (hs *harness) query() string {
	hs.t.Helper()
	for _, l := range strings.Split(hs.plain(), "\n") {
		if _, q, ok := strings.Cut(l, "搜索:"); ok {
			return strings.TrimRight(strings.TrimSuffix(strings.TrimRight(q, " "), "▏"), " ")
		}
	}
	hs.t.Fatalf("no search line:\n%s", hs.plain())
	return ""
}

// searchFor opens the search, types q and lets the search run.
func (hs *harness) searchFor(q string) {
	hs.press("s")
	hs.typeText(q)
	hs.settle()
}

// Typing on in the results edits the query; the letters that used to be
// commands there (x 结束浏览, z 长者模式 …) are text, and the commands are
// on their function keys.
func TestResultsTypingEditsQuery(t *testing.T) {
	hs := newHarness(t, 80, 24, withFake(hitsFake(t, 5)))
	hs.press("a")
	hs.searchFor("zhengwu")
	hs.press("enter")
	if hs.searchScreen().typing {
		t.Fatal("Enter did not move to the results")
	}
	hs.typeText("x")
	if hs.visits.count("end") != 0 || hs.searchScreen() == nil {
		t.Fatalf("x in the results ended the visit: %v", hs.visits.calls)
	}
	if q := hs.query(); q != "zhengwux" {
		t.Fatalf("x in the results did not go to the query: %q", q)
	}
	hs.press("enter")
	hs.typeText("zh kj") // a space separates words: it types too
	if hs.m.elder {
		t.Fatal("z in the results switched to 长者模式")
	}
	if q := hs.query(); q != "zhengwuxzh kj" {
		t.Fatalf("typing in the results: query %q", q)
	}
	// Backspace in the results edits the query too.
	hs.settle()
	hs.press("enter", "backspace")
	if q := hs.query(); q != "zhengwuxzh k" || !hs.searchScreen().typing {
		t.Fatalf("backspace in the results: query %q, typing %v", q, hs.searchScreen().typing)
	}
	// Digits still open results.
	hs.settle()
	hs.press("enter", "2")
	if _, ok := hs.m.top().(*readerScreen); !ok {
		t.Fatalf("2 in the results did not open the second result:\n%s", hs.plain())
	}
	hs.press("esc")
	// The commands are on their function keys, and say so.
	hs.mustShow("F4 长者模式")
	hs.mustShow("F1 帮助")
	hs.press("f4")
	if !hs.m.elder {
		t.Fatal("F4 did not switch to 长者模式 in the results")
	}
	hs.press("f4", "f6")
	if !hs.m.trad {
		t.Fatal("F6 did not switch to 繁體 in the results")
	}
	hs.press("f6", "f1")
	hs.mustShow("怎样使用本机")
}

// printableKeys are the keys of bs that type text (one printable rune).
func printableKeys(bs []binding) []string {
	var out []string
	for _, b := range bs {
		if !b.Enabled() {
			continue
		}
		for _, k := range b.Keys() {
			if k == "space" || len([]rune(k)) == 1 {
				out = append(out, k)
			}
		}
	}
	return out
}

// On the search screen, in the query and in the results, no binding (and
// so no hint or tap target) claims a key that types text.
func TestSearchBindingsClaimNoTypedKeys(t *testing.T) {
	hs := newHarness(t, 80, 24, withFake(hitsFake(t, 5)))
	hs.press("a")
	hs.searchFor("zhengwu")
	for _, state := range []string{"typing", "results"} {
		s := hs.searchScreen()
		if keys := printableKeys(append(s.bindings(), hs.m.modeBindings()...)); len(keys) > 0 {
			t.Errorf("%s: bindings claim typed keys %q", state, keys)
		}
		for _, hint := range []string{"x 结束浏览", "z 长者模式", "t 繁體", "? 帮助", "h 首页"} {
			if hs.contains(hint) {
				t.Errorf("%s: the screen offers %q, but the key types text", state, hint)
			}
		}
		hs.press("enter")
	}
	// What the footer offers in the results works when tapped.
	hs.clickText("结束浏览")
	hs.clickText("确定")
	hs.mustShow("按任意键或触摸屏幕开始")
}

// rankLines maps each result number shown to the line it labels.
var rankLabel = regexp.MustCompile(`^\s*(?:►\s*)?(\d+) (\S.*)$`)

func ranksShown(screen string) map[int]string {
	out := map[int]string{}
	for _, l := range strings.Split(screen, "\n") {
		if m := rankLabel.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			out[n] = m[2]
		}
	}
	return out
}

// Result numbers are ranks: they go on across pages, the number shown is
// the number typed, and taps hit the item they are on.
func TestResultNumbersContinueAcrossPages(t *testing.T) {
	for _, elder := range []bool{false, true} {
		hs := newHarness(t, 80, 24, withFake(hitsFake(t, 20)))
		hs.press("a")
		if elder {
			hs.press("z")
		}
		hs.searchFor("zhengwu")
		hs.press("enter")
		first := ranksShown(hs.plain())
		if len(first) == 0 || first[1] == "" {
			t.Fatalf("page 1 shows no result 1:\n%s", hs.plain())
		}
		hs.press("pgdown")
		second := ranksShown(hs.plain())
		for r, line := range second {
			if !strings.Contains(line, fmt.Sprintf("结果%02d", r)) {
				t.Fatalf("number %d labels %q:\n%s", r, line, hs.plain())
			}
		}
		if _, again := second[1]; again || len(second) == 0 {
			t.Fatalf("page 2 numbers start again at 1 (or show none):\n%s", hs.plain())
		}
		// Typing a number shown opens that result.
		lowest := 99
		for r := range second {
			lowest = min(lowest, r)
		}
		hs.typeText(strconv.Itoa(lowest))
		r, ok := hs.m.top().(*readerScreen)
		if !ok {
			t.Fatalf("typing %d did not open it:\n%s", lowest, hs.plain())
		}
		if want := defaultPack(t).Docs[0].Sections[lowest-1]; r.sec.Ref() != want.Ref() {
			t.Fatalf("typing %d opened %s, want %s", lowest, r.sec.Ref(), want.Ref())
		}
		hs.press("esc")
		// Two-digit numbers: page on until 12 shows, type 1 then 2.
		for range 10 {
			if _, ok := ranksShown(hs.plain())[12]; ok {
				break
			}
			hs.press("pgdown")
		}
		if _, ok := ranksShown(hs.plain())[12]; !ok {
			t.Fatalf("result 12 never showed:\n%s", hs.plain())
		}
		hs.typeText("1")
		if _, ok := hs.m.top().(*searchScreen); !ok {
			t.Fatal("1 opened a result while 1x numbers show")
		}
		hs.mustShow("已按 1,请再按一个数字")
		hs.typeText("2")
		r, ok = hs.m.top().(*readerScreen)
		if !ok || r.sec.Ref() != defaultPack(t).Docs[0].Sections[11].Ref() {
			t.Fatalf("typing 1 2 did not open result 12:\n%s", hs.plain())
		}
		hs.press("esc")
		// A tap opens the item tapped.
		highest := 0
		for r := range ranksShown(hs.plain()) {
			highest = max(highest, r)
		}
		hs.clickText(fmt.Sprintf("结果%02d", highest))
		r, ok = hs.m.top().(*readerScreen)
		if !ok || r.sec.Ref() != defaultPack(t).Docs[0].Sections[highest-1].Ref() {
			t.Fatalf("tapping 结果%02d did not open it:\n%s", highest, hs.plain())
		}
	}
}

// Paging on shows every result once, in order, and paging back shows the
// pages before.
func TestResultPagesShowEveryResultOnce(t *testing.T) {
	for _, elder := range []bool{false, true} {
		hs := newHarness(t, 80, 24, withFake(hitsFake(t, 20)))
		hs.press("a")
		if elder {
			hs.press("z")
		}
		hs.searchFor("zhengwu")
		hs.press("enter")
		var pages [][2]int // first and last number of each page
		for range 20 {
			shown := ranksShown(hs.plain())
			lo, hi := 99, 0
			for r := range shown {
				lo, hi = min(lo, r), max(hi, r)
			}
			if len(pages) > 0 && lo != pages[len(pages)-1][1]+1 {
				t.Fatalf("elder %v: a page after %v starts at %d:\n%s", elder, pages, lo, hs.plain())
			}
			pages = append(pages, [2]int{lo, hi})
			if hi == 20 {
				break
			}
			hs.press("pgdown")
		}
		if pages[len(pages)-1][1] != 20 || len(pages) < 3 {
			t.Fatalf("elder %v: pages %v", elder, pages)
		}
		for k := len(pages) - 2; k >= 0; k-- {
			hs.press("pgup")
			shown := ranksShown(hs.plain())
			if _, ok := shown[pages[k+1][0]-1]; !ok {
				t.Fatalf("elder %v: paging back does not show %d:\n%s", elder, pages[k+1][0]-1, hs.plain())
			}
		}
		if _, ok := ranksShown(hs.plain())[1]; !ok {
			t.Fatalf("elder %v: paging back does not reach 1:\n%s", elder, hs.plain())
		}
	}
}

// In the search box ? is a character; F1 is help there, and says so. The
// help says which key works where.
func TestQuestionMarkTypesInSearchBox(t *testing.T) {
	hs := newHarness(t, 80, 24, withFake(hitsFake(t, 3)))
	hs.press("a", "s")
	hs.typeText("低保?")
	if q := hs.query(); q != "低保?" {
		t.Fatalf("? in the search box: query %q\n%s", q, hs.plain())
	}
	hs.mustShow("F1 帮助")
	hs.press("f1")
	hs.mustShow("怎样使用本机")
	for range 20 {
		hs.press("pgdown")
	}
	hs.mustShow("随时按 F1 打开帮助")
}

// partialFake: words 低保 申请, exact exact hits, then partial ones lacking 申请.
func partialFake(t testing.TB, exact, n int) *fakeSearcher {
	hits := packHits(t, n)
	for i := exact; i < n; i++ {
		hits[i].Missing = []string{"申请"}
	}
	return &fakeSearcher{reply: func(string) index.Results {
		return index.Results{Hits: hits, Total: uint64(n), Words: []string{"低保", "申请"}, Exact: uint64(exact), Partial: exact < n}
	}}
}

const partialLine = "没有同时包含“低保”“申请”的内容,以下是包含部分词语的结果"

// checkKinsoku fails on a line of the frame that starts with closing
// punctuation.
func checkKinsoku(t *testing.T, screen string) {
	t.Helper()
	for i, l := range strings.Split(screen, "\n") {
		l = strings.TrimLeft(l, " ►")
		if l != "" && strings.ContainsRune(closing, []rune(l)[0]) {
			t.Errorf("line %d starts with closing punctuation: %q\n%s", i, l, screen)
		}
	}
}

// joined is the screen's text without line breaks and indents, to find a
// sentence wherever it wrapped.
func joined(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		b.WriteString(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(l), "⬆⬇")))
	}
	return b.String()
}

func TestPartialResultsAreExplained(t *testing.T) {
	hs := newHarness(t, 120, 40, withFake(partialFake(t, 2, 6)))
	hs.press("a")
	hs.searchFor("低保申请")
	out := hs.plain()
	at := strings.Index(out, partialLine)
	if at < 0 {
		t.Fatalf("no explanation of the partial results:\n%s", out)
	}
	if !(strings.Index(out, "结果02") < at && at < strings.Index(out, "结果03")) {
		t.Fatalf("the explanation is not between the exact and the partial hits:\n%s", out)
	}
	hs.mustShow("缺少:申请")
	// Nothing exact: the explanation comes first.
	hs = newHarness(t, 120, 40, withFake(partialFake(t, 0, 4)))
	hs.press("a")
	hs.searchFor("低保申请")
	out = hs.plain()
	if at := strings.Index(out, partialLine); at < 0 || at > strings.Index(out, "结果01") {
		t.Fatalf("the explanation is not above the first hit:\n%s", out)
	}
	// The engine named no words: the line does not quote the whole query
	// as if it were several.
	f := partialFake(t, 0, 4)
	reply := f.reply
	f.reply = func(q string) index.Results { r := reply(q); r.Words = nil; return r }
	hs2 := newHarness(t, 120, 40, withFake(f))
	hs2.press("a")
	hs2.searchFor("政府信息x")
	hs2.mustShow("没有同时包含所有词语的内容,以下是包含部分词语的结果")
	// Every width: whole, wrapped, never over the width (frame checks it).
	for w := 40; w <= 200; w += 3 {
		hs.resize(w, 30)
		out := hs.plain()
		if !strings.Contains(joined(out), partialLine) {
			t.Fatalf("width %d: the explanation is cut:\n%s", w, out)
		}
		checkKinsoku(t, out)
	}
}

func didYouMeanFake(popular bool, n int, t testing.TB) *fakeSearcher {
	var hits []index.Hit
	if popular {
		hits = packHits(t, n)
	}
	f := &fakeSearcher{}
	f.reply = func(q string) index.Results {
		switch q {
		case "低保 申请", "低保标准":
			h := packHits(t, 2)
			return index.Results{Hits: h, Total: 2, Exact: 2}
		}
		return index.Results{Hits: hits, Popular: popular, Words: []string{"低宝"},
			DidYouMean:  []string{"低保 申请", "低保标准"},
			Suggestions: []string{"换一个词,或用更短的词,例如“依申请”", "可以用拼音或拼音首字母,例如 xingzhengfuyi 或 xzfy"}}
	}
	return f
}

// Nothing found is never a blank page: the engine's line, did-you-mean
// buttons (numbered, tappable: they search), tips, and the popular
// sections when the engine offers them.
func TestNothingFoundOffersWaysOn(t *testing.T) {
	f := didYouMeanFake(false, 0, t)
	hs := newHarness(t, 80, 24, withFake(f))
	hs.press("a")
	hs.searchFor("dibao")
	hs.mustShow(index.NoResults)
	hs.mustShow("您是不是要找:")
	hs.mustShow("换一个词")
	hs.press("enter")
	shown := ranksShown(hs.plain())
	if !strings.Contains(shown[1], "低保 申请") || !strings.Contains(shown[2], "低保标准") {
		t.Fatalf("the suggestions are not numbered buttons: %v\n%s", shown, hs.plain())
	}
	hs.typeText("2")
	hs.settle()
	if q := hs.query(); q != "低保标准" || f.last() != "低保标准" {
		t.Fatalf("2 did not search for the second suggestion: query %q, searched %q", q, f.last())
	}
	hs.mustShow("结果01")
	// A tap runs it too.
	hs.press("tab", "ctrl+u")
	hs.typeText("dibao")
	hs.settle()
	hs.clickText("低保 申请")
	hs.settle()
	if q := hs.query(); q != "低保 申请" || f.last() != "低保 申请" {
		t.Fatalf("tapping a suggestion: query %q, searched %q", q, f.last())
	}
	// Nothing at all: the line, tips, and no offer to choose a result.
	hs = newHarness(t, 80, 24, withFake(&fakeSearcher{reply: func(string) index.Results { return index.Results{} }}))
	hs.press("a")
	hs.searchFor("qqqq")
	hs.mustShow(index.NoResults)
	hs.mustShow("可以试试:")
	if hs.contains("选择结果") {
		t.Fatalf("the footer offers results to choose where there are none:\n%s", hs.plain())
	}
	// Popular: said so above the hits.
	hs = newHarness(t, 80, 24, withFake(didYouMeanFake(true, 5, t)))
	hs.press("a")
	hs.searchFor("dibao")
	out := hs.plain()
	hs.mustShow("没有找到“低宝”的内容。")
	at := strings.Index(joined(out), "以下是最新发布的内容:")
	if at < 0 || at > strings.Index(joined(out), "结果01") {
		t.Fatalf("the popular sections are not introduced:\n%s", out)
	}
	if strings.Contains(out, "找到 5 条") {
		t.Fatalf("popular sections are counted as found:\n%s", out)
	}
}

// The new states fit every width in every mode, and no line starts with
// closing punctuation. One session per state and mode, resized through the
// widths (typing each query at each width would take minutes: every key
// waits out the debounce timer in the harness).
func TestSearchStatesFitEveryWidth(t *testing.T) {
	states := []struct {
		name string
		f    func() *fakeSearcher
	}{
		{"partial", func() *fakeSearcher { return partialFake(t, 2, 8) }},
		{"did-you-mean", func() *fakeSearcher { return didYouMeanFake(false, 0, t) }},
		{"popular", func() *fakeSearcher { return didYouMeanFake(true, 12, t) }},
		{"many", func() *fakeSearcher { return hitsFake(t, 30) }},
	}
	sweep := func(hs *harness) {
		if _, ok := hs.m.top().(*searchScreen); !ok {
			return
		}
		for w := 40; w <= 200; w += 2 {
			hs.resize(w, 24)
			checkKinsoku(t, hs.plain()) // plain checks the frame's geometry
		}
		hs.resize(80, 24)
	}
	for _, mode := range [][]string{nil, {"z"}, {"t"}, {"z", "t"}} {
		for _, st := range states {
			hs := newHarness(t, 80, 24, withFake(st.f()))
			hs.press("a")
			hs.press(mode...)
			hs.searchFor("db")
			sweep(hs)
			hs.press("enter")
			sweep(hs)
			hs.press("pgdown", "pgdown", "pgdown")
			sweep(hs)
			hs.press("1") // a pending first digit, or a result opened
			sweep(hs)
		}
	}
}
