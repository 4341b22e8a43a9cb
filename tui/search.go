package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kiosk/index"
)

// searchDebounce is how long typing must pause before a search runs; the
// search itself runs off the Update loop, so keystrokes never wait.
const searchDebounce = 200 * time.Millisecond

// searchScreen: a query line (Chinese, pinyin, initials, traditional) and
// results that update as the citizen types. While typing, digits go into
// the query; Enter or ↓ moves to the results, where number keys open them.
// A tap opens a result at any time.
type searchScreen struct {
	keys     *keyMap
	input    lineInput
	typing   bool
	seq      int // bumped on every change; stale results are dropped
	query    string
	results  *index.Results
	err      error
	running  bool
	list     *list
	searched bool // a search of this visit was counted
	// rank holds the digits of a result number typed so far in the
	// results, while they are the start of a longer number shown (the
	// 1 of 12); see rankDigit.
	rank string

	// Filters, shown only when the content has more than one value:
	// index 0 is "全部" (all).
	catalogues []string
	years      []string
	cat, year  int
}

type searchTickMsg struct{ seq int }

type searchResultMsg struct {
	seq     int
	query   string
	results *index.Results
	err     error
}

func newSearchScreen(e *env) screen {
	s := &searchScreen{keys: &e.keys, input: newLineInput(100), typing: true, list: newList(nil)}
	if e.content.Search != nil {
		if cs := e.content.Search.Catalogues(); len(cs) > 1 {
			s.catalogues = []string{"全部"}
			for _, c := range cs {
				s.catalogues = append(s.catalogues, c.Value)
			}
		}
		if ys := e.content.Search.Years(); len(ys) > 1 {
			s.years = []string{"全部"}
			for _, y := range ys {
				s.years = append(s.years, y.Value)
			}
		}
	}
	return s
}

// newSearchFor opens the search with text typed in (Chinese typed on a
// screen without a text field).
func newSearchFor(e *env, text string) (screen, tea.Cmd) {
	s := newSearchScreen(e).(*searchScreen)
	s.input.insert(text)
	return s, s.changed()
}

// update takes the debounce ticks and the results of this screen's
// searches (also while a result it opened is on top).
func (s *searchScreen) update(e *env, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case searchTickMsg:
		if msg.seq == s.seq {
			return s.run(e), true
		}
		return nil, true
	case searchResultMsg:
		s.result(e, msg)
		return nil, true
	}
	return nil, false
}

// takesText: letters are typed on this screen always (typed in the
// results, they go on with the query).
func (s *searchScreen) takesText() bool { return true }

// filterBindings are shown only when there is something to choose.
func (s *searchScreen) filterBindings() []binding {
	var bs []binding
	if len(s.catalogues) > 1 {
		bs = append(bs, s.keys.FilterCatalogue)
	}
	if len(s.years) > 1 {
		bs = append(bs, s.keys.FilterYear)
	}
	return bs
}

// options are the search options with the chosen filters.
func (s *searchScreen) options() index.Options {
	o := index.Options{Limit: 50}
	if s.cat > 0 {
		o.Catalogue = s.catalogues[s.cat]
	}
	if s.year > 0 {
		o.Year, _ = strconv.Atoi(s.years[s.year])
	}
	return o
}

func (s *searchScreen) crumbs() []string { return []string{"搜索"} }

// bindings: letters, digits and the space are typed on this screen, in
// the query and in the results alike (typed on in the results, they go on
// with the query; digits there open results), so no binding here claims
// one of them: everything else is on keys that type nothing.
func (s *searchScreen) bindings() []binding {
	k := s.keys
	if s.typing {
		to, del, clear := k.ToResults, k.Delete, k.Clear
		if s.list.cursor < 0 {
			to = hidden(to) // nothing to choose
		}
		if s.input.String() == "" {
			del, clear = hidden(del), hidden(clear) // nothing to delete
		}
		bs := []binding{to, del, k.leave()}
		bs = append(bs, s.filterBindings()...)
		home, end := k.typingKeys()
		return append(bs, home, clear, end)
	}
	bs := forList([]binding{textFree(k.Up), textFree(k.Down), textFree(k.PageUp), textFree(k.PageDown), textFree(k.Open), k.BackToQuery}, s.list)
	// ⌫ edits the query from the results too; typing does that already,
	// so the footer does not spend a button on it.
	bs = append(bs, hidden(k.Delete))
	bs = append(bs, s.filterBindings()...)
	home, end := k.typingKeys()
	return append(bs, k.leave(), home, end)
}

func (s *searchScreen) typed(e *env, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !s.typing {
		// In the results, digits type result numbers.
		if d, ok := digit(msg); ok {
			return true, s.rankDigit(e, d)
		}
		s.rank = ""
	}
	// The keys of the bindings (which type nothing) do what the footer
	// and the header offer; everything else that types text goes into
	// the query, from the results too.
	if _, ok := lookup(append(s.bindings(), e.modeKeys(true)...), msg); ok {
		return false, nil
	}
	if !s.typing {
		if !isText(msg) {
			return false, nil
		}
		s.typing = true
	}
	changed, consumed := s.input.update(msg)
	if changed {
		return true, s.changed()
	}
	return consumed, nil
}

// rankDigit takes a digit typed in the results. Results are numbered by
// rank, on every page (4, 5, 6 … on the second, not 1, 2, 3 again): the
// number a citizen sees is the number to press, and "the 12th" means the
// same on every page and when read out to a helper. Pressing 1–9 for the
// n-th item on the screen, under a label saying 12, would make older
// citizens press 1 and 2 and open the wrong result.
//
// So the digits spell a number shown on the screen. A number opens as soon
// as no other number shown starts with it: on a page showing 1–9 every
// digit opens at once, as before; on one showing 10–15, 1 waits for the
// second digit (the screen says so and marks the first candidate). Only
// where 1 and 10 show together (ten or more results on a tall screen)
// does 1 wait too; Enter then opens the result marked.
func (s *searchScreen) rankDigit(e *env, d byte) tea.Cmd {
	typed := s.rank + string(d)
	exact, prefixed := s.list.rankMatches(typed)
	switch {
	case exact >= 0 && len(prefixed) == 0:
		s.rank = ""
		s.list.cursor = exact
		return s.list.items[exact].open(e)
	case exact >= 0:
		s.rank = typed
		s.list.cursor = exact
	case len(prefixed) > 0:
		s.rank = typed
		s.list.cursor = prefixed[0]
	case s.rank != "":
		// No number shown goes on like that: start again from this digit.
		s.rank = ""
		return s.rankDigit(e, d)
	}
	return nil
}

// changed schedules a debounced search for the new query.
func (s *searchScreen) changed() tea.Cmd {
	s.seq++
	seq := s.seq
	return tea.Tick(searchDebounce, func(time.Time) tea.Msg { return searchTickMsg{seq: seq} })
}

// run starts the search in the background.
func (s *searchScreen) run(e *env) tea.Cmd {
	q := strings.TrimSpace(s.input.String())
	seq := s.seq
	if q == "" {
		s.results, s.err, s.query = nil, nil, ""
		s.list = newList(nil)
		return nil
	}
	s.running = true
	search := e.content.Search
	opts := s.options()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := search.Search(ctx, q, opts)
		return searchResultMsg{seq: seq, query: q, results: res, err: err}
	}
}

func (s *searchScreen) result(e *env, msg searchResultMsg) {
	if msg.seq != s.seq {
		return // the citizen typed on; a newer search is coming
	}
	s.running = false
	s.query, s.results, s.err = msg.query, msg.results, msg.err
	if !s.searched && msg.err == nil {
		s.searched = true
		e.searchMade()
	}
	s.list = newList(s.items(e, msg.results))
	s.list.ranked = true
	s.rank = ""
}

// items are the results as list items. Nothing matched is never a blank
// page: the queries the engine proposes are buttons that search for them,
// then the most-read sections if the engine offers them, then tips.
// Sections with only some of the words come under a line that says so.
func (s *searchScreen) items(e *env, r *index.Results) []listItem {
	if r == nil {
		return nil
	}
	var items []listItem
	note := func(text string, indent int) {
		items = append(items, listItem{title: text, header: true, indent: indent})
	}
	tip := func(text string) {
		items = append(items, listItem{title: "· " + text, header: true, plain: true, indent: 3})
	}
	none := len(r.Hits) == 0 || r.Popular
	if none && len(r.DidYouMean) > 0 {
		note("您是不是要找:", 1)
		for _, q := range r.DidYouMean {
			q := e.sanitize(q)
			items = append(items, listItem{title: q, open: func(e *env) tea.Cmd { return s.searchFor(e, q) }})
		}
	}
	if r.Popular && len(r.Hits) > 0 {
		note("以下是最新发布的内容:", 1) // the line above the query says what was not found
	}
	for i, h := range r.Hits {
		if r.Partial && !r.Popular && uint64(i) == r.Exact {
			words := "所有词语"
			if len(r.Words) > 1 {
				words = s.quotedWords(e, r)
			}
			note("没有同时包含"+words+"的内容,以下是包含部分词语的结果", 1)
		}
		items = append(items, s.hitItem(e, h))
	}
	if none {
		tips := r.Suggestions
		if len(tips) == 0 && len(r.DidYouMean) == 0 && len(r.Hits) == 0 {
			tips = []string{"少输入几个字、换个说法,或输入拼音首字母"}
		}
		if len(tips) > 0 {
			note("可以试试:", 1)
		}
		for _, t := range tips {
			tip(e.sanitize(t))
		}
	}
	return items
}

// quotedWords names the words the query was understood as, each in
// quotation marks (the query itself if the engine named none).
func (s *searchScreen) quotedWords(e *env, r *index.Results) string {
	words := r.Words
	if len(words) == 0 {
		words = []string{shorten(s.query, 12)}
	}
	var b strings.Builder
	for _, w := range words {
		b.WriteString("“" + e.sanitize(w) + "”")
	}
	return b.String()
}

// hitItem is one result: where it is, when and by whom, what it lacks
// (in a relaxed ranking), and the text around the match.
func (s *searchScreen) hitItem(e *env, h index.Hit) listItem {
	title := h.DocTitle
	if h.SectionTitle != "" {
		title += " › " + h.SectionTitle
	}
	meta := h.Date.Format("2006-01-02") + " · " + e.sanitize(h.Publisher)
	if len(h.Missing) > 0 {
		meta += " · 缺少:" + e.sanitize(strings.Join(h.Missing, "、"))
	}
	if strings.TrimSpace(h.Snippet) != "" {
		meta += "\n" + markSnippet(e, h.Snippet, h.SnippetMatches)
	}
	return listItem{title: title, meta: meta, open: func(e *env) tea.Cmd {
		return openHit(e, h.Ref, s.query)
	}}
}

// searchFor replaces the query with q and searches for it now (a
// did-you-mean button).
func (s *searchScreen) searchFor(e *env, q string) tea.Cmd {
	s.input.Reset()
	s.input.insert(q)
	s.seq++
	return s.run(e)
}

// markSnippet marks the matched characters of a snippet (reverse video, so
// the mark does not depend on colour).
func markSnippet(e *env, snippet string, spans [][2]int) string {
	return index.Mark(e.sanitize(snippet), spans, func(m string) string { return e.st.Match.Render(m) })
}

// openHit opens the section a result refers to, scrolled to the match.
func openHit(e *env, ref, query string) tea.Cmd {
	_, sec, err := e.content.Pack.Find(ref)
	if err != nil || sec == nil {
		return nil
	}
	e.nav.push(newReaderAt(e, sec, query))
	e.sectionRead()
	return nil
}

func (s *searchScreen) do(e *env, a action) tea.Cmd {
	s.rank = ""
	switch a {
	case actToResults:
		if s.list.cursor >= 0 {
			s.typing = false
		}
		return nil
	case actToQuery:
		s.typing = true
		return nil
	case actClear:
		s.input.Reset()
		return s.changed()
	case actFilterCatalogue:
		if len(s.catalogues) > 1 {
			s.cat = (s.cat + 1) % len(s.catalogues)
			return s.changed()
		}
		return nil
	case actFilterYear:
		if len(s.years) > 1 {
			s.year = (s.year + 1) % len(s.years)
			return s.changed()
		}
		return nil
	case actDelete:
		s.typing = true
		if changed, _ := s.input.update(tea.KeyPressMsg{Code: tea.KeyBackspace}); changed {
			return s.changed()
		}
		return nil
	}
	if !s.typing {
		if cmd, ok := s.list.do(e, a); ok {
			return cmd
		}
	}
	return commonAction(e, a)
}

func (s *searchScreen) number(e *env, n int) tea.Cmd {
	if s.typing {
		return nil
	}
	return s.rankDigit(e, byte('0'+n))
}

func (s *searchScreen) wheel(e *env, delta int) {
	s.rank = "" // the numbers shown change
	s.list.wheel(delta)
}

func (s *searchScreen) layout(e *env, w, h int) (string, []zone) {
	st := e.st
	var top []string
	cursor := ""
	if s.typing {
		cursor = "▏"
	}
	// The query line shows the end of a long query: that is where typing
	// happens.
	q := e.sanitize(s.input.String())
	if room := w - 8; ansi.StringWidth(q) > room {
		q = "…" + ansi.TruncateLeft(q, ansi.StringWidth(q)-room+1, "")
	}
	top = append(top, st.Title.Render(" 搜索:")+q+cursor)
	var zones []zone
	if len(s.catalogues) > 1 || len(s.years) > 1 {
		// The filter row: each chip is a tap target and names its key.
		x := 1
		var row strings.Builder
		row.WriteString(" ")
		chip := func(label string, act action) {
			text := e.st.Button.Render(" " + label + " ▸ ")
			w := lipgloss.Width(text)
			zones = append(zones, zone{x0: x, x1: x + w, y0: len(top), y1: len(top) + 1, tap: func() tea.Cmd { return s.do(e, act) }})
			row.WriteString(text + "  ")
			x += w + 2
		}
		if len(s.catalogues) > 1 {
			chip("目录:"+e.sanitize(s.catalogues[s.cat]), actFilterCatalogue)
		}
		if len(s.years) > 1 {
			chip("年份:"+s.years[s.year], actFilterYear)
		}
		top = append(top, row.String())
	}
	var help string
	switch {
	case s.input.String() == "":
		help = "请输入要找的内容:汉字、拼音(如 xingzhengfuyi)或拼音首字母(如 xzfy)都可以。"
	case s.running && s.results == nil:
		help = "正在搜索…"
	case s.err != nil:
		help = "搜索暂时不可用,请稍后再试或请工作人员帮助。"
	case s.rank != "":
		help = s.rankHelp()
	case s.results != nil && (len(s.results.Hits) == 0 || s.results.Popular):
		help = index.NoResults + "。"
		if s.results.Popular && len(s.results.Hits) > 0 {
			// The most-read sections follow: name what was not found, as
			// the words the query was understood as (低保 for dibao).
			help = "没有找到" + s.quotedWords(e, s.results) + "的内容。"
		}
		if s.cat > 0 || s.year > 0 {
			help += "现在只在所选的目录或年份里找,可以点上面的筛选改回“全部”。"
		}
	case s.results != nil && s.typing:
		help = fmt.Sprintf("找到 %d 条。按 %s 后按号码打开,也可以直接点。", len(s.results.Hits), s.keys.ToResults.Help().Key)
	case s.results != nil:
		help = fmt.Sprintf("找到 %d 条。按前面的号码打开", len(s.results.Hits))
		if len(s.results.Hits) >= 10 {
			help += "(12 就按 1 再按 2)"
		}
		help += ",或直接点一下。"
	}
	for _, l := range wrapLines(help, w-2) {
		top = append(top, " "+st.Subtle.Render(l))
	}
	top = append(top, "")
	if len(s.list.items) == 0 {
		return strings.Join(top, "\n"), zones
	}
	s.list.typing = s.typing // digits belong to the query while typing
	list, lzones := s.list.layout(e, w, max(h-len(top), 1))
	for _, z := range lzones {
		z.y0 += len(top)
		z.y1 += len(top)
		zones = append(zones, z)
	}
	return strings.Join(top, "\n") + "\n" + list, zones
}

// rankHelp says what the digits typed so far wait for.
func (s *searchScreen) rankHelp() string {
	exact, prefixed := s.list.rankMatches(s.rank)
	if exact >= 0 {
		return fmt.Sprintf("已按 %s:按 %s 打开第 %s 条,或再按一个数字。", s.rank, s.keys.Open.Help().Key, s.rank)
	}
	if len(prefixed) == 0 {
		return ""
	}
	r := strconv.Itoa(s.list.rank[prefixed[0]])
	return fmt.Sprintf("已按 %s,请再按一个数字:比如按 %s 打开第 %s 条。", s.rank, r[len(s.rank):], r)
}

// shorten cuts s to n runes with an ellipsis (for echoing long input).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
