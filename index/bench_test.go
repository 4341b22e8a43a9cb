package index

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"kiosk/content"
)

// The search benchmark harness. It is a test gated by an environment
// variable so that `go test ./index/` stays quick:
//
//	KIOSK_BENCH_DOCS=100000 go test ./index/ -run TestSearchBenchmark -v -timeout 60m
//
// It generates a deterministic synthetic corpus of ≈2 KB Chinese documents
// with varied dates and agencies, chosen by KIOSK_BENCH_CORPUS: "seed" (the
// default) recombines the default pack's clauses, so its common words are
// in most sections; "zipf" draws words from a Zipf frequency list of 40,000
// words (bench_zipf_test.go), so a common word is in a few per cent of them.
// It logs how many sections contain each query word, indexes the corpus
// with this package's pipeline and with a stock bleve `cjk` mapping, and
// prints a Markdown table side by side: build docs/s, index size, peak RSS
// while building, cold open + first query, query latency p50/p95/p99 per
// query kind (snippets included) with how many queries find something, and
// top-10 precision on the default pack (the seed). KIOSK_BENCH_DIR chooses
// where the indexes go (default: a temporary folder, removed afterwards);
// KIOSK_BENCH_STOCK=0 skips stock bleve (quick runs; its column then
// repeats this pipeline's).

var benchAgencies = []string{"区财政局", "区教育和体育局", "区人力资源和社会保障局", "区卫生健康局", "区民政局",
	"区住房和城乡建设局", "区自然资源局", "区市场监督管理局", "区行政审批服务局", "区扶贫开发办公室", "区司法局",
	"区交通运输局", "区农业农村局", "区水利局", "区应急管理局", "区统计局", "区审计局", "区信访局",
	"兰山街道办事处", "银雀山街道办事处", "金雀山街道办事处", "柳青街道办事处", "枣园镇人民政府", "半程镇人民政府",
	"白沙埠镇人民政府", "李官镇人民政府", "方城镇人民政府", "汪沟镇人民政府", "马厂湖镇人民政府", "义堂镇人民政府"}

var benchCatalogues = []string{"区政府信息公开年报", "财政预决算", "政策文件", "行政执法", "重大建设项目",
	"扶贫工作", "人事信息", "政策解读", "公共资源配置", "社会公益事业"}

var benchTopics = []string{"政府信息公开工作年度报告", "依申请公开办理情况", "财政预算执行情况", "行政复议案件办理情况",
	"重大建设项目批准和实施情况", "扶贫资金及项目安排", "政务微博微信运行情况", "区长信箱办理情况",
	"公共资源配置信息公开", "放管服改革工作总结", "人大代表建议和政协委员提案办理情况", "政策解读回应关切",
	"行政权力运行公开", "公共监管信息公开", "社会公益事业建设", "政府信息公开会议和培训情况"}

var (
	benchClauseSplit = regexp.MustCompile(`[,。;:、!?\n]+`)
	benchDigits      = regexp.MustCompile(`[0-9]+`)
	benchNumbering   = regexp.MustCompile(`^[一二三四五六七八九十]+、|^(.+?)|^\d+[、.]`)
)

// benchVocabulary returns the clauses and headings of the default pack.
func benchVocabulary(p *content.Pack) (clauses, headings []string) {
	for _, d := range p.Docs {
		for _, s := range d.Sections {
			if h := strings.TrimSpace(benchNumbering.ReplaceAllString(s.Title, "")); h != "" {
				headings = append(headings, strings.TrimSuffix(h, "。"))
			}
			for _, c := range benchClauseSplit.Split(PlainText(s.Text), -1) {
				c = strings.Join(strings.Fields(c), "")
				if n := len([]rune(c)); n >= 4 && n <= 60 {
					clauses = append(clauses, c)
				}
			}
		}
	}
	return clauses, headings
}

// synthPack generates n documents deterministically from seed: the "seed"
// corpus, whose text recombines the clauses of vocab (the default pack).
func synthPack(n int, seed uint64, vocab *content.Pack) *content.Pack {
	clauses, headings := benchVocabulary(vocab)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	para := func(_, bytes int) string {
		var b strings.Builder
		for b.Len() < bytes {
			c := benchDigits.ReplaceAllStringFunc(pick(clauses), func(string) string { return strconv.Itoa(rng.IntN(5000)) })
			b.WriteString(c)
			if rng.IntN(4) == 0 {
				b.WriteString("。")
			} else {
				b.WriteString(",")
			}
		}
		return strings.TrimSuffix(b.String(), ",") + "。"
	}
	heading := func(int) string { return pick(headings) }
	return benchDocs(n, rng, fmt.Sprintf("synthetic-%d-%d", n, seed), para, heading)
}

// benchDocs generates n documents shaped like a disclosure pack's: title,
// 索引号, 发布机构, 发布日期, 公开目录 and keywords from the lists above, a
// lead section of ~400 bytes and two chapters of ~800 bytes with headings.
// Each document has a topic (an index of benchTopics, named in its title);
// text(topic, bytes) writes a paragraph and heading(topic) a chapter heading,
// both drawing from rng.
func benchDocs(n int, rng *rand.Rand, fingerprint string, text func(topic, bytes int) string, heading func(topic int) string) *content.Pack {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	p := &content.Pack{Fingerprint: fingerprint}
	for i := 0; i < n; i++ {
		year := 2014 + rng.IntN(11)
		agency := pick(benchAgencies)
		topic := rng.IntN(len(benchTopics))
		d := &content.Document{Meta: content.Meta{
			Title:     fmt.Sprintf("兰山%s%d年%s", agency, year, benchTopics[topic]),
			IndexNo:   fmt.Sprintf("lanshanqu%02d/%d-%07d", i%97, year, i),
			Publisher: "兰山" + agency,
			Date:      time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC),
			Catalogue: pick(benchCatalogues),
			Keywords:  []string{benchTopics[topic], pick(benchTopics)},
		}}
		secs := []*content.Section{{Number: "0", Level: 1, Text: text(topic, 400)}}
		for j := 1; j <= 2; j++ {
			secs = append(secs, &content.Section{Number: strconv.Itoa(j), Level: 2,
				Title: fmt.Sprintf("%s、%s", []string{"一", "二"}[j-1], heading(topic)), Text: text(topic, 800)})
		}
		for _, s := range secs {
			s.Doc = d
		}
		d.Sections = secs
		p.Docs = append(p.Docs, d)
	}
	return p
}

// seedQueries are the queries measured on the seed corpus, by kind. "|"
// marks the words a query is made of; it is typed without them (finding
// the words is the engine's job).
var seedQueries = map[string][]string{
	"multi":       {"行政复议", "依申请公开", "财政预算", "政务微博", "区长信箱", "公共资源配置", "重大建设项目", "政府信息公开", "扶贫资金", "行政审批"},
	"single":      {"网", "微", "费", "扶", "档", "税", "镇", "馆"},
	"pinyin":      {"xingzhengfuyi", "yishenqing", "caizhengyusuan", "zhengwu weibo", "quzhangxinxiang", "zhongdajianshexiangmu", "fupin", "zhengcejiedu"},
	"initials":    {"xzfy", "ysqgk", "czys", "zwwb", "qzxx", "zcjd", "ggzy"},
	"traditional": {"行政復議", "財政預算", "扶貧", "資訊公開", "區長信箱", "重大建設項目", "政策解讀"},
	// words of the pack that are in the same sections but never side by side
	"words": {"政务公开|培训", "依申请公开|答复", "行政复议|诉讼", "政府信息公开|收费|减免", "门户网站|栏目",
		"新闻发布会|政策解读", "低保|医疗|救助", "查阅|政府信息"},
	// a word of the pack with one it does not have (no section has both),
	// and words that are each in one or two clauses of the pack and in no
	// title (about 0.1 % of sections have both: recombined clauses are
	// independent, so rare words is the most this corpus can do)
	"relaxed": {"图书馆|公积金", "举报投诉|驾驶证", "低保|养老金", "档案馆|保障经费", "交通|回复", "地址|招标"},
	"question": {"怎么|申请|行政复议", "如何|依申请公开", "区长信箱|在哪里", "政府信息公开|收费|多少钱", "请问|扶贫资金",
		"我想|举报投诉", "怎么|查阅|政府信息", "如何|申请|低保"},
}

var benchKinds = []string{"multi", "single", "pinyin", "initials", "traditional", "words", "relaxed", "question"}

// benchCorpus is a generated corpus and the queries measured on it.
type benchCorpus struct {
	name, about string
	pack        *content.Pack
	queries     map[string][]string // by kind, as typed
	parts       map[string][]string // the words of a query of several words, filler words included
}

// newBenchCorpus generates n documents of the corpus called name: "seed"
// (synthPack) or "zipf" (zipfPack).
func newBenchCorpus(name string, n int, vocab *content.Pack) (*benchCorpus, error) {
	c := &benchCorpus{name: name, queries: map[string][]string{}, parts: map[string][]string{}}
	var qs map[string][]string
	switch name {
	case "seed":
		c.about = "clauses of the default pack recombined"
		c.pack, qs = synthPack(n, 42, vocab), seedQueries
	case "zipf":
		m := newZipfModel(vocab)
		c.about = fmt.Sprintf("words of a Zipf frequency list of %d, by topic", len(m.words))
		c.pack, qs = zipfPack(n, 42, m), m.queries()
	default:
		return nil, fmt.Errorf("KIOSK_BENCH_CORPUS=%q: want seed or zipf", name)
	}
	for k, list := range qs {
		for _, q := range list {
			parts := strings.Split(q, "|")
			typed := strings.Join(parts, "")
			c.queries[k] = append(c.queries[k], typed)
			if len(parts) > 1 {
				c.parts[typed] = parts
			}
		}
	}
	return c, nil
}

// logShares logs the share of sections containing each word of the
// queries (in the heading or text; for a lead section also in its
// document's title and keywords, which the index holds with it) and, for a
// query of several words, the share containing all of them (filler words
// left out) and containing them side by side as typed. Spellings of the
// multi queries (pinyin, initials, traditional) are left out.
func (c *benchCorpus) logShares(t *testing.T) {
	var texts []string
	for _, d := range c.pack.Docs {
		for i, s := range d.Sections {
			x := s.Title + "\n" + PlainText(s.Text)
			if i == 0 {
				x = d.Title + "\n" + strings.Join(d.Keywords, "\n") + "\n" + x
			}
			texts = append(texts, x)
		}
	}
	sections := map[string][]bool{}
	containing := func(w string) []bool {
		if in, ok := sections[w]; ok {
			return in
		}
		in := make([]bool, len(texts))
		for i, x := range texts {
			in[i] = strings.Contains(x, w)
		}
		sections[w] = in
		return in
	}
	pct := func(in []bool) string {
		n := 0
		for _, ok := range in {
			if ok {
				n++
			}
		}
		return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(len(in)))
	}
	t.Logf("%s corpus: share of the %d sections containing each query word", c.name, len(texts))
	for _, k := range []string{"multi", "single", "words", "relaxed", "question"} {
		for _, q := range c.queries[k] {
			parts := c.parts[q]
			if parts == nil {
				t.Logf("%-8s %s %s", k, q, pct(containing(q)))
				continue
			}
			var line []string
			all := make([]bool, len(texts))
			for i := range all {
				all[i] = true
			}
			for _, w := range parts {
				if slices.Contains(benchFillers, w) {
					continue
				}
				line = append(line, w+" "+pct(containing(w)))
				for i, ok := range containing(w) {
					all[i] = all[i] && ok
				}
			}
			t.Logf("%-8s %s: %s; all %s, side by side %s", k, q, strings.Join(line, ", "), pct(all), pct(containing(q)))
		}
	}
}

// pipeline is what the harness measures: this package or stock bleve.
type pipeline interface {
	name() string
	build(dir string, p *content.Pack) error
	open(dir string) error
	search(q string) (total uint64, err error)
	close()
}

type ourPipeline struct{ ix *Index }

func (o *ourPipeline) name() string                            { return "kiosk index/" }
func (o *ourPipeline) build(dir string, p *content.Pack) error { return Build(dir, p, nil) }
func (o *ourPipeline) open(dir string) (err error)             { o.ix, err = Open(dir); return err }
func (o *ourPipeline) close()                                  { o.ix.Close() }
func (o *ourPipeline) search(q string) (uint64, error) {
	res, err := o.ix.Search(context.Background(), q, Options{Limit: 10})
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// stockPipeline is bleve as documented: the `cjk` analyzer as default, a
// dynamic mapping (stored fields, term vectors, _all), a match query and
// bleve's highlighter for the snippets.
type stockPipeline struct {
	bi   bleve.Index
	hits []string // refs of the last search
}

func (s *stockPipeline) name() string { return "stock bleve cjk" }
func (s *stockPipeline) build(dir string, p *content.Pack) error {
	im := bleve.NewIndexMapping()
	im.DefaultAnalyzer = cjk.AnalyzerName
	bi, err := bleve.NewUsing(dir, im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return err
	}
	b := bi.NewBatch()
	for _, d := range p.Docs {
		for _, sec := range d.Sections {
			if err := b.Index(sec.Ref(), map[string]any{"ref": sec.Ref(), "doc_title": d.Title, "title": sec.Title,
				"body": PlainText(sec.Text), "catalogue": d.Catalogue, "date": d.Date.Format("2006-01-02")}); err != nil {
				return err
			}
		}
		if b.Size() >= batchSize {
			if err := bi.Batch(b); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if err := bi.Batch(b); err != nil {
		return err
	}
	return bi.Close()
}
func (s *stockPipeline) open(dir string) (err error) {
	s.bi, err = bleve.OpenUsing(dir, map[string]any{"read_only": true})
	return err
}
func (s *stockPipeline) close() { s.bi.Close() }
func (s *stockPipeline) search(q string) (uint64, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q), 10, 0, false)
	req.Fields = []string{"ref", "doc_title", "title"}
	req.Highlight = bleve.NewHighlight()
	req.Highlight.AddField("body")
	res, err := s.bi.Search(req)
	if err != nil {
		return 0, err
	}
	s.hits = s.hits[:0]
	for _, h := range res.Hits {
		s.hits = append(s.hits, h.ID)
	}
	return res.Total, nil
}

type benchResult struct {
	name                      string
	build, buildCPU           time.Duration
	docs, sections, textBytes int
	indexBytes                int64
	rssBefore, rssPeak        int64
	coldOpen, coldFirst       time.Duration
	lat                       map[string][3]time.Duration
	found                     map[string]int // queries with ≥1 hit, by kind
	meanTotal                 map[string]uint64
	cpuPerQuery               map[string]time.Duration
	precision                 float64
	precisionN                int
	top3                      int
}

func TestSearchBenchmark(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("KIOSK_BENCH_DOCS"))
	if n <= 0 {
		t.Skip("set KIOSK_BENCH_DOCS (e.g. 100000) to run the search benchmark")
	}
	vocab, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	root := os.Getenv("KIOSK_BENCH_DIR")
	if root == "" {
		root = t.TempDir()
	}
	samples := 200
	if s, _ := strconv.Atoi(os.Getenv("KIOSK_BENCH_SAMPLES")); s > 0 {
		samples = s
	}
	name := cmp.Or(os.Getenv("KIOSK_BENCH_CORPUS"), "seed")
	bc, err := newBenchCorpus(name, n, vocab)
	if err != nil {
		t.Fatal(err)
	}
	bc.logShares(t)
	corpus := bc.pack
	textBytes, sections := 0, 0
	for _, d := range corpus.Docs {
		for _, s := range d.Sections {
			textBytes += len(s.Title) + len(PlainText(s.Text))
			sections++
		}
	}
	var results []*benchResult
	pls := []pipeline{&ourPipeline{}, &stockPipeline{}}
	if os.Getenv("KIOSK_BENCH_STOCK") == "0" { // quick runs: this pipeline only
		pls = pls[:1]
	}
	for _, pl := range pls {
		r := &benchResult{name: pl.name(), docs: n, sections: sections, textBytes: textBytes,
			lat: map[string][3]time.Duration{}, found: map[string]int{},
			meanTotal: map[string]uint64{}, cpuPerQuery: map[string]time.Duration{}}
		dir := filepath.Join(root, strings.Fields(pl.name())[0])
		os.RemoveAll(dir)
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS()
		r.rssBefore = rss("VmRSS")
		start, cpu0 := time.Now(), cpuTime()
		if err := pl.build(dir, corpus); err != nil {
			t.Fatal(err)
		}
		r.build, r.buildCPU = time.Since(start), cpuTime()-cpu0
		r.rssPeak = rss("VmHWM")
		r.indexBytes = dirSize(dir)
		dropCaches()
		start = time.Now()
		if err := pl.open(dir); err != nil {
			t.Fatal(err)
		}
		r.coldOpen = time.Since(start)
		if _, err := pl.search("行政复议"); err != nil {
			t.Fatal(err)
		}
		r.coldFirst = time.Since(start)
		for _, kind := range benchKinds {
			qs := bc.queries[kind]
			for _, q := range qs {
				h, _ := pl.search(q)
				if h > 0 {
					r.found[kind]++
				}
				r.meanTotal[kind] += h / uint64(len(qs))
			}
			var ds []time.Duration
			c0 := cpuTime()
			for i := 0; i < samples; i++ {
				q := qs[i%len(qs)]
				s := time.Now()
				if _, err := pl.search(q); err != nil {
					t.Fatal(err)
				}
				ds = append(ds, time.Since(s))
			}
			r.cpuPerQuery[kind] = (cpuTime() - c0) / time.Duration(samples)
			slices.Sort(ds)
			pct := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
			r.lat[kind] = [3]time.Duration{pct(0.50), pct(0.95), pct(0.99)}
		}
		pl.close()
		r.precision, r.precisionN, r.top3 = seedPrecision(t, pl, vocab, filepath.Join(root, "seed-"+strings.Fields(pl.name())[0]))
		results = append(results, r)
		t.Logf("%s done", pl.name())
	}
	report := benchReport(results, bc)
	fmt.Println(report)
	if out := os.Getenv("KIOSK_BENCH_OUT"); out != "" {
		os.WriteFile(out, []byte(report), 0o644)
	}
}

// seedPrecision indexes the default pack with pl and returns the mean top-10
// precision over qualityQueries (a hit is relevant when its section's text
// contains what the query means; a query with no hits counts 0), the number
// of queries, and how many have a wanted section in the top 3.
func seedPrecision(t *testing.T, pl pipeline, p *content.Pack, dir string) (float64, int, int) {
	os.RemoveAll(dir)
	if err := pl.build(dir, p); err != nil {
		t.Fatal(err)
	}
	if err := pl.open(dir); err != nil {
		t.Fatal(err)
	}
	defer pl.close()
	tb := getTables()
	rel := map[string]string{}
	for _, d := range p.Docs {
		for _, s := range d.Sections {
			rel[s.Ref()] = tb.normalize(s.Title + "\n" + PlainText(s.Text))
		}
	}
	sum, top3 := 0.0, 0
	for _, c := range qualityQueries {
		var refs []string
		switch x := pl.(type) {
		case *ourPipeline:
			res, err := x.ix.Search(context.Background(), c.q, Options{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				refs = append(refs, h.Ref)
			}
		case *stockPipeline:
			if _, err := x.search(c.q); err != nil {
				t.Fatal(err)
			}
			refs = x.hits
		}
		good := 0
		for i, r := range refs {
			if strings.Contains(rel[r], tb.normalize(c.means)) {
				good++
			}
			if i < 3 && slices.Contains(c.want, strings.TrimPrefix(r, ref)) {
				top3++
				c.want = nil // count once
			}
		}
		if len(refs) > 0 {
			sum += float64(good) / float64(len(refs))
		}
	}
	return sum / float64(len(qualityQueries)), len(qualityQueries), top3
}

// BenchmarkSearch measures one query of each kind on a small synthetic
// corpus (go test -bench Search ./index/).
func BenchmarkSearch(b *testing.B) {
	vocab, err := content.Default()
	if err != nil {
		b.Fatal(err)
	}
	bc, err := newBenchCorpus("seed", 2000, vocab)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "ix")
	if err := Build(dir, bc.pack, nil); err != nil {
		b.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	for _, k := range benchKinds {
		b.Run(k, func(b *testing.B) {
			qs := bc.queries[k]
			for i := 0; i < b.N; i++ {
				if _, err := ix.Search(context.Background(), qs[i%len(qs)], Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
