package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"kiosk/content"
	"kiosk/index"
	"kiosk/internal/termtext"
)

func cmdSearch(a *app, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	asJSON := fs.Bool("json", false, "one JSON object per hit and line: ref, doc_title, section_title, score, snippet")
	limit := fs.Int("limit", 10, "hits to print (1–100)")
	catalogue := fs.String("catalogue", "", "only this 公开目录")
	year := fs.Int("year", 0, "only documents published in this year")
	explain := fs.Bool("explain", false, "first print how the query was understood: words, synonyms, pinyin readings, relaxed or not (--json: one object {\"explanation\": …} before the hits)")
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, `Usage: kiosk search [--json] [--explain] [--limit N] [--catalogue NAME] [--year YYYY] QUERY...

Searches the live content as the kiosk does: Chinese words or single
characters, pinyin (xingzhengfuyi, "xing zheng fu yi"), pinyin initials
(xzfy) or traditional characters (行政復議), several words together,
questions (怎么申请低保) and abbreviations (医保). Prints ranked hits; exits 0
with no hits printed (--json: no lines) when nothing matches. Builds the
search index first if it is missing or stale.

Flags:`)
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	if *limit < 1 || *limit > 100 {
		return fmt.Errorf("--limit 应在 1 到 100 之间,不是 %d (--limit must be between 1 and 100)", *limit)
	}
	kc, err := loadContent(a)
	if err != nil {
		return err
	}
	p, dir := kc.Pack, kc.IndexDir
	ix, err := openIndex(a, dir, p)
	if err != nil {
		return err
	}
	defer ix.Close()
	res, err := ix.Search(context.Background(), strings.Join(fs.Args(), " "), index.Options{Limit: *limit, Catalogue: *catalogue, Year: *year})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		if *explain {
			if err := enc.Encode(struct {
				Explanation index.Explanation `json:"explanation"`
				Words       []string          `json:"words"`
				Exact       uint64            `json:"exact"`
				Total       uint64            `json:"total"`
				Partial     bool              `json:"partial"`
				DidYouMean  []string          `json:"did_you_mean,omitempty"`
			}{res.Explanation, res.Words, res.Exact, res.Total, res.Partial, res.DidYouMean}); err != nil {
				return err
			}
		}
		for _, h := range res.Hits {
			if res.Popular {
				break // not matches: the newest documents, offered on screen
			}
			if err := enc.Encode(jsonHit{h.Ref, h.DocTitle, h.SectionTitle, h.Score, h.Snippet}); err != nil {
				return err
			}
		}
		return nil
	}
	if *explain {
		printExplanation(a.stdout, res)
	}
	if res.Total == 0 {
		fmt.Fprintln(a.stdout, index.NoResults)
		if len(res.DidYouMean) > 0 {
			fmt.Fprintln(a.stdout, "您是不是要找:", termtext.Line(strings.Join(res.DidYouMean, " / ")))
		}
		for _, s := range res.Suggestions {
			fmt.Fprintln(a.stdout, "  ·", termtext.Line(s))
		}
		if !res.Popular {
			return nil
		}
		fmt.Fprintln(a.stdout, "以下是最新发布的文件:")
	}
	if res.Partial {
		fmt.Fprintf(a.stdout, "没有同时包含%s的内容,第 %d 条起是包含部分词语的结果:\n", quoteWords(res.Words), res.Exact+1)
	}
	for i, h := range res.Hits {
		date := ""
		if !h.Date.IsZero() {
			date = h.Date.Format("2006-01-02") + "  "
		}
		// index text is made safe when the index is built; an index built
		// by an older program may not be
		fmt.Fprintf(a.stdout, "%2d. %s  %s › %s  (%.3f)\n    %s%s  [%s]\n    %s\n", i+1, termtext.Line(h.Ref), termtext.Line(h.DocTitle), termtext.Line(h.SectionTitle), h.Score,
			date, termtext.Line(h.Publisher), termtext.Line(h.Catalogue), termtext.Text(markPlain(h.Snippet, h.SnippetMatches)))
	}
	fmt.Fprintf(a.stdout, "共 %d 条,显示 %d 条 (%s)\n", res.Total, len(res.Hits), res.Took.Round(time.Millisecond/10))
	return nil
}

// quoteWords writes words as “低保”“申请”.
func quoteWords(ws []string) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString("“" + termtext.Line(w) + "”")
	}
	return b.String()
}

// printExplanation prints how the query was understood, one word a line.
func printExplanation(w io.Writer, res *index.Results) {
	e := res.Explanation
	fmt.Fprintf(w, "查询 (query): %s\n", termtext.Line(e.Query))
	for i, r := range e.Readings {
		if len(e.Readings) > 1 {
			fmt.Fprintf(w, "读法 %d (reading %d):\n", i+1, i+1)
		}
		for _, wd := range r.Words {
			opt := ""
			if wd.Optional {
				opt = " (可选 optional)"
			}
			var alts []string
			for _, a := range wd.Alternatives {
				alts = append(alts, a.Kind+":"+a.Text)
			}
			fmt.Fprintf(w, "  词 %s ← %s%s: %s\n", termtext.Line(wd.Word), termtext.Line(wd.Typed), opt, termtext.Line(strings.Join(alts, "  ")))
		}
	}
	fmt.Fprintf(w, "全部词语都有的章节 (sections with every word): %d;放宽 (relaxed): %v\n\n", res.Exact, e.Relaxed)
}

type jsonHit struct {
	Ref          string  `json:"ref"`
	DocTitle     string  `json:"doc_title"`
	SectionTitle string  `json:"section_title"`
	Score        float64 `json:"score"`
	Snippet      string  `json:"snippet"`
}

// markPlain brackets the matches of a snippet with 【】 (no escape codes).
func markPlain(s string, ranges []index.Range) string {
	return index.Mark(s, ranges, func(m string) string { return "【" + m + "】" })
}

// openIndex opens the index of p in dir (with the pack's synonyms),
// building it with a progress bar on stderr when it is missing, stale or
// damaged.
func openIndex(a *app, dir string, p *content.Pack) (*index.Index, error) {
	bar := newProgress(a.stderr, "建立搜索索引")
	said := false
	ix, _, err := index.OpenFor(dir, p, func(done, total int) {
		if !said {
			fmt.Fprintln(a.stderr, "kiosk: 正在建立搜索索引…")
			said = true
		}
		bar(done, total)
	})
	return ix, err
}

func cmdIndex(a *app, args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, `Usage: kiosk index rebuild | status

  rebuild  rebuild the search index of the live content (progress on stderr)
  status   print where the index is and whether it matches the content`)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "rebuild" && fs.Arg(0) != "status") {
		fs.Usage()
		return errUsage
	}
	kc, err := loadContent(a)
	if err != nil {
		return err
	}
	p, dir := kc.Pack, kc.IndexDir
	if fs.Arg(0) == "status" {
		ix, err := index.Open(dir)
		switch {
		case err != nil:
			fmt.Fprintf(a.stdout, "%s: %s\n", termtext.Line(dir), termtext.Line(err.Error()))
		default:
			state := "最新 (up to date)"
			if ix.Fingerprint() != p.Fingerprint {
				state = "已过期,需要 kiosk index rebuild (stale)"
			}
			fmt.Fprintf(a.stdout, "%s: %d 节, 建于 %s, %s\n", termtext.Line(dir), ix.Sections(), ix.BuiltAt().Local().Format("2006-01-02 15:04"), state)
			ix.Close()
		}
		return nil
	}
	start := time.Now()
	if err := index.Build(dir, p, newProgress(a.stderr, "建立搜索索引")); err != nil {
		return err
	}
	sections := 0
	for _, d := range p.Docs {
		sections += len(d.Sections)
	}
	fmt.Fprintf(a.stderr, "搜索索引已建立: %d 份文档, %d 节, 用时 %s\n%s\n", len(p.Docs), sections, time.Since(start).Round(time.Millisecond), termtext.Line(dir))
	return nil
}

// newProgress returns a progress callback drawing a bar on w when it is a
// terminal, else printing a plain line at most every 10%.
func newProgress(w io.Writer, label string) func(done, total int) {
	f, ok := w.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	lastPct := -10
	return func(done, total int) {
		if total <= 0 {
			return
		}
		pct := done * 100 / total
		if tty {
			const width = 30
			n := pct * width / 100
			fmt.Fprintf(w, "\r%s [%s%s] %3d%% %d/%d", label, strings.Repeat("█", n), strings.Repeat("░", width-n), pct, done, total)
			if done >= total {
				fmt.Fprintln(w)
			}
			return
		}
		if pct/10 != lastPct/10 || done >= total && lastPct != 100 {
			lastPct = pct
			fmt.Fprintf(w, "%s: %d/%d 份文档 (%d%%)\n", label, done, total, pct)
		}
	}
}
