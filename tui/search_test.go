package tui

import (
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	tea "charm.land/bubbletea/v2"

	"kiosk/content"
	"kiosk/index"
)

// testIndex builds one real bleve index of the default pack per test run.
var testIndexOnce = sync.OnceValues(func() (*index.Index, error) {
	dir := filepath.Join(testDir, "index")
	p, err := content.Default()
	if err != nil {
		return nil, err
	}
	if err := index.Build(dir, p, nil); err != nil {
		return nil, err
	}
	return index.Open(dir)
})

func withIndex(t *testing.T) func(*Deps) {
	t.Helper()
	ix, err := testIndexOnce()
	if err != nil {
		t.Fatal(err)
	}
	return func(d *Deps) { d.Content.Search = ix }
}

// typeText types text key by key, as a citizen (or an input method) would.
func (hs *harness) typeText(s string) {
	for _, r := range s {
		hs.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// settle waits for the debounced search to run and deliver its results.
func (hs *harness) settle() {
	s := hs.searchScreen()
	if s == nil {
		hs.t.Fatal("no search screen")
	}
	hs.send(searchTickMsg{seq: s.seq})
}

func TestSearchChineseAndOpenResult(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	hs.press("a", "s")
	hs.mustShow("搜索:")
	hs.typeText("查阅点")
	hs.settle()
	hs.mustShow("找到")
	hs.mustShow("查阅点")
	if hs.visits.count("search") != 1 {
		t.Fatalf("the search was not counted: %v", hs.visits.calls)
	}
	hs.press("enter", "1")
	hs.mustShow("第 1/")
	hs.mustShow("处")
	// n steps to the next match and the footer counts it.
	before := hs.plain()
	hs.press("n")
	if hs.plain() == before {
		t.Fatal("n did not move to the next match")
	}
}

func TestSearchPinyinWithoutInputMethod(t *testing.T) {
	hs := newHarness(t, 120, 40, withIndex(t))
	hs.press("a", "s")
	hs.typeText("xzfy")
	hs.settle()
	hs.mustShow("行政复议")
	hs.clickText("行政复议")
	hs.mustShow("处")
}

func TestSearchDigitsTypeUntilResultsChosen(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	hs.press("a", "s")
	hs.typeText("2018")
	hs.mustShow("搜索:2018")
	hs.settle()
	hs.press("enter")
	hs.press("1")
	if _, ok := hs.m.top().(*readerScreen); !ok {
		t.Fatalf("number key 1 did not open the first result:\n%s", hs.plain())
	}
}

func TestSearchNothingFoundIsFriendly(t *testing.T) {
	for _, q := range []string{"量子计算机", `"*:(+`, strings.Repeat("查", 200), "🙂\x1b[31m"} {
		hs := newHarness(t, 80, 24, withIndex(t))
		hs.press("a", "s")
		hs.send(tea.PasteMsg{Content: q})
		hs.typeText(q)
		hs.settle()
		out := hs.plain()
		if strings.Contains(out, "\x1b[31m") {
			t.Fatal("an escape sequence from the query reached the screen")
		}
		if !strings.Contains(out, "没有找到") && !strings.Contains(out, "找到") {
			t.Fatalf("query %q: neither results nor 没有找到:\n%s", q, out)
		}
	}
}

func TestFindInSection(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	hs.press("a", "1", "3") // 二、主动公开政府信息情况
	hs.press("/")
	hs.mustShow("查找:")
	hs.typeText("培训")
	hs.press("enter")
	hs.mustShow("「培训」 第 1/")
	hs.press("n")
	hs.mustShow("「培训」 第 2/")
	hs.press("N")
	hs.mustShow("「培训」 第 1/")
}

func TestIdleClearsSearch(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t), func(d *Deps) { d.Idle = time.Second })
	hs.press("a", "s")
	hs.typeText("扶贫")
	hs.settle()
	hs.clock.Add(2 * time.Second)
	hs.send(idleMsg{})
	hs.mustShow("按任意键或触摸屏幕开始")
	hs.press("a", "s")
	if strings.Contains(hs.plain(), "扶贫") {
		t.Fatal("the previous visitor's query survived the idle reset")
	}
}

func TestHotReloadWaitsForAttract(t *testing.T) {
	newer := defaultPack(t)
	newer.Manifest.Version = "2026.11.25"
	reloads := 0
	hs := newHarness(t, 80, 24, func(d *Deps) {
		d.Reload = func() (Content, bool) {
			reloads++
			return Content{Pack: newer, Version: "v2"}, true
		}
	})
	hs.press("a") // a visit is on
	hs.send(reloadTickMsg{})
	if reloads != 0 {
		t.Fatal("reload was polled during a visit")
	}
	hs.press("x", "enter") // 结束浏览, 确定: back to attract
	hs.send(reloadTickMsg{})
	hs.mustShow("2026.11.25")
}

// twoCataloguePack is the default pack plus a 2026 notice in another 公开目录.
func twoCataloguePack(t *testing.T) *content.Pack {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(content.DefaultFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content.DefaultFS(), p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fsys["notice.md"] = &fstest.MapFile{Data: []byte("---\n标题: 兰山区关于做好查阅点适老化改造的通知\n索引号: lanshanqulsqzf/2026-0000123\n发布机构: 兰山区政府办公室\n发布日期: 2026-11-20\n公开目录: 通知公告\n公开方式: 主动公开\n---\n\n## 一、工作目标\n\n全区政府信息查阅点完成适老化改造。\n")}
	p, probs := content.Load(fsys)
	if p == nil {
		t.Fatal(probs)
	}
	return p
}

func TestSearchFiltersByCatalogueAndYear(t *testing.T) {
	p := twoCataloguePack(t)
	dir := t.TempDir()
	if err := index.Build(dir, p, nil); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	hs := newHarness(t, 100, 40, func(d *Deps) { d.Content.Pack, d.Content.Search = p, ix })
	hs.press("a", "s")
	hs.typeText("查阅点")
	hs.settle()
	hs.mustShow("目录:全部")
	hs.mustShow("年份:全部")
	hs.mustShow("适老化改造的通知")
	hs.mustShow("2018年政府信息公开工作年度报告")
	// F3 picks the newest year: only the 2026 notice is left.
	hs.send(tea.KeyPressMsg{Code: tea.KeyF3})
	hs.settle()
	hs.mustShow("年份:2026")
	if hs.contains("2018年政府信息公开工作年度报告") {
		t.Fatalf("the year filter let a 2019 document through:\n%s", hs.plain())
	}
	// A tap on the year chip moves on to 2019.
	hs.clickText("年份:2026")
	hs.settle()
	hs.mustShow("年份:2019")
	if hs.contains("适老化改造的通知") {
		t.Fatalf("the year filter let a 2026 document through:\n%s", hs.plain())
	}
}

func TestSearchArrivesAfterFirstFrame(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a")
	if hs.contains("搜索") {
		t.Fatal("search offered before the index is open")
	}
	ix, err := testIndexOnce()
	if err != nil {
		t.Fatal(err)
	}
	hs.send(SearchReady(Content{Pack: hs.m.content.Pack, Search: ix}))
	hs.mustShow("s 搜索")
	hs.press("s")
	hs.typeText("扶贫")
	hs.settle()
	hs.mustShow("找到")
}

func TestTypingChineseStartsASearch(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	hs.typeText("扶贫") // on the attract screen, as an input method would send it
	hs.mustShow("搜索:扶贫")
	hs.settle()
	hs.mustShow("找到")
	hs = newHarness(t, 80, 24, withIndex(t))
	hs.press("s") // the search key on the attract screen
	hs.mustShow("搜索:")
	hs = newHarness(t, 80, 24, withIndex(t))
	hs.press("a", "1")
	hs.typeText("查阅点") // on the contents screen
	hs.mustShow("搜索:查阅点")
}

// The search footer offers only what can happen: nothing to choose
// without results, nothing to delete or clear in an empty query.
func TestSearchFooterHintsAreTrue(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	footer := func() string {
		lines := strings.Split(hs.plain(), "\n")
		return lines[len(lines)-1]
	}
	hs.press("a", "s")
	for _, lie := range []string{"选择结果", "删除", "清空"} {
		if strings.Contains(footer(), lie) {
			t.Fatalf("empty query: the footer offers %s:\n%s", lie, hs.plain())
		}
	}
	hs.typeText("。")
	hs.settle()
	hs.mustShow("没有找到")
	if strings.Contains(footer(), "选择结果") || !strings.Contains(footer(), "⌫ 删除") || !strings.Contains(footer(), "^U 清空") {
		t.Fatalf("no results: the footer should offer ⌫ and ^U, not Enter:\n%s", hs.plain())
	}
	hs.press("backspace")
	if strings.Contains(footer(), "删除") {
		t.Fatalf("query emptied: the footer still offers ⌫:\n%s", hs.plain())
	}
	hs.typeText("查阅点")
	hs.settle()
	if !strings.Contains(footer(), "Enter 选择结果") {
		t.Fatalf("results: no Enter 选择结果:\n%s", hs.plain())
	}
	// The help names the key that opens it everywhere, F1 (? is typed
	// into the search box).
	hs.press("f1")
	for range 20 {
		hs.press("pgdown")
	}
	hs.mustShow("随时按 F1 打开帮助")
	if hs.contains("随时按 ?") {
		t.Fatal("the help says ? opens it anywhere")
	}
}

// While the search index is built (a new data folder, a big pack) the
// kiosk says so in its own frame, in Chinese only, and offers search when
// it is ready; an index that fails leaves the kiosk without search and
// without the message.
func TestSearchBeingPreparedShownInFrame(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.send(SearchProgress(0, 1))
	hs.mustShow("搜索功能正在准备中")
	hs.send(SearchProgress(3, 12))
	hs.mustShow("搜索功能正在准备中(25%)")
	hs.press("a")
	hs.mustShow("搜索功能正在准备中(25%)")
	for _, l := range strings.Split(hs.plain(), "\n") {
		if strings.Contains(l, "准备") && strings.ContainsAny(strings.ToLower(l), "abcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("the progress line is not Chinese only: %q", l)
		}
	}
	if hs.contains("s 搜索") {
		t.Fatal("search offered before the index is ready")
	}
	ix, err := testIndexOnce()
	if err != nil {
		t.Fatal(err)
	}
	hs.send(SearchReady(Content{Pack: hs.m.content.Pack, Search: ix}))
	hs.mustShow("s 搜索")
	if hs.contains("准备中") {
		t.Fatalf("the progress line stays after search is ready:\n%s", hs.plain())
	}
	// A failed build: no search, no message.
	hs = newHarness(t, 80, 24)
	hs.send(SearchProgress(0, 1))
	hs.send(SearchReady(Content{Pack: hs.m.content.Pack}))
	hs.press("a")
	if hs.contains("准备中") || hs.contains("搜索") {
		t.Fatalf("after a failed build:\n%s", hs.plain())
	}
}
