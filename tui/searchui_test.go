package tui

import (
	"context"
	"fmt"
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
			Date: time.Date(2019, 1, 22, 0, 0, 0, 0, time.UTC), Publisher: "兰山区人民政府办公室"}
	}
	return hits
}

func withFake(f *fakeSearcher) func(*Deps) { return func(d *Deps) { d.Search = f } }

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
	if hs.m.searchScreen().typing {
		t.Fatal("Enter did not move to the results")
	}
	hs.typeText("x")
	if hs.visits.count("end") != 0 || hs.m.searchScreen() == nil {
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
	if q := hs.query(); q != "zhengwuxzh k" || !hs.m.searchScreen().typing {
		t.Fatalf("backspace in the results: query %q, typing %v", q, hs.m.searchScreen().typing)
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
		s := hs.m.searchScreen()
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
	hs.mustShow("按任意键或触摸屏幕开始")
}
