// Package index is the kiosk's full-text search: a bleve v2 index of every
// section of a content pack, with Chinese analysis (bigrams with AND
// semantics, a unigram field for single characters, full-width and
// traditional characters folded), pinyin and pinyin initials over titles,
// headings and keywords, and match ranges computed by the package itself.
//
// An index lives in its own folder (the data folder beside the content it
// was built from): Build writes it, Open opens it read-only. A large pack
// is split into two bleve indexes searched in parallel (see shardCount).
// An *Index is safe for concurrent use by many sessions.
//
// See docs/BENCHMARKS.md ("Search (index/)") for the design figures.
package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"kiosk/content"
	"kiosk/internal/termtext"
)

// MappingVersion names the index layout and analysis. An index built with
// another version is stale: Open reports ErrStale and it must be rebuilt.
const MappingVersion = "kiosk-search-5"

// ErrStale is returned by Open for an index of another MappingVersion, and
// by OpenFor for an index built from other content.
var ErrStale = errors.New("搜索索引已过期,需要重建 (search index is stale)")

// ErrNoIndex is returned by Open when dir holds no index.
var ErrNoIndex = errors.New("没有搜索索引 (no search index)")

const (
	metaFile  = "kiosk-index.json"
	bleveDir  = "bleve"
	batchSize = 1000 // sections per bleve batch: bounds the RSS while building
)

// Field names.
const (
	fBody      = "body" // bigrams of title + text
	fUni       = "uni"  // single Han characters of title + text
	fHead      = "head" // bigrams of the section title
	fMeta      = "meta" // bigrams of document title, keywords, 文号, 索引号 (lead section only)
	fPy        = "py"   // pinyin syllables and syllable bigrams of titles and keywords
	fPyI       = "pyi"  // pinyin initial bigrams and trigrams of titles and keywords
	fCatalogue = "cat"  // 公开目录, exact (filter)
	fYear      = "year" // year of 发布日期, exact (filter)
	sTextSeq   = "tseq" // stored only: the section's record in texts.bin (see sectionRecord)
)

const (
	anBigram  = "kiosk_bigram"
	anUnigram = "kiosk_unigram"
	anWords   = "kiosk_words"
)

// Facet is a value present in the index and how many sections carry it.
type Facet struct {
	Value    string `json:"value"`
	Sections int    `json:"sections"`
}

// meta is what Build records beside the bleve index.
type indexMeta struct {
	MappingVersion string    `json:"mapping_version"`
	Fingerprint    string    `json:"fingerprint"`
	BuiltAt        time.Time `json:"built_at"`
	Docs           int       `json:"docs"`
	Shards         int       `json:"shards,omitempty"` // bleve indexes (0: one)
	Sections       int       `json:"sections"`
	Catalogues     []Facet   `json:"catalogues"`
	Years          []Facet   `json:"years"`
	// Newest are the first sections of the newest documents (at most
	// maxNewest, newest first): what a search that finds nothing offers.
	Newest []string `json:"newest,omitempty"`
}

// maxNewest is how many documents a search that finds nothing offers.
const maxNewest = 5

func newMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	must := func(err error) {
		if err != nil {
			panic(err) // static configuration
		}
	}
	must(im.AddCustomAnalyzer(anBigram, map[string]any{
		"type": custom.Name, "tokenizer": unicode.Name, "token_filters": []string{cjk.BigramName},
	}))
	// the unigram field is written one character per word: the whitespace
	// tokenizer gives the tokens the unicode one would, at a fraction of
	// its cost (UAX #29 segmentation was ~10% of the build)
	must(im.AddCustomAnalyzer(anUnigram, map[string]any{"type": custom.Name, "tokenizer": whitespace.Name}))
	must(im.AddCustomAnalyzer(anWords, map[string]any{"type": custom.Name, "tokenizer": whitespace.Name}))
	im.DefaultAnalyzer = anBigram
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false

	indexed := func(an string) *mapping.FieldMapping {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = an
		fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, false, false, false
		return fm
	}
	stored := func() *mapping.FieldMapping {
		fm := bleve.NewTextFieldMapping()
		fm.Index, fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, true, false, false, false
		return fm
	}
	dm := bleve.NewDocumentStaticMapping()
	for f, an := range map[string]string{fBody: anBigram, fUni: anUnigram, fMeta: anBigram,
		fPy: anWords, fPyI: anWords, fCatalogue: keyword.Name, fYear: keyword.Name} {
		dm.AddFieldMappingsAt(f, indexed(an))
	}
	dm.AddFieldMappingsAt(sTextSeq, stored())
	im.DefaultMapping = dm
	return im
}

// sectionDoc returns the bleve document of a section and its record for
// the text store (what a hit shows: titles, date, publisher, catalogue and
// the plain text, title excluded). bleve stores only the record's number:
// its stored fields, one compressed block per section, took ~10% of the
// index; the text store deflates 8 records together, and a hit reads the
// record for its snippet anyway.
//
// A chapter with no text of its own (only a heading above its sections)
// keeps the text of its first section as the record's text, so that its
// hit has a snippet; only its own title is indexed.
func (t *tables) sectionDoc(s *content.Section, lead bool, next *content.Section) (doc map[string]any, record string) {
	d := s.Doc
	title := strings.TrimSpace(termtext.Line(s.Title))
	text := PlainText(s.Text)
	shown := text
	if shown == "" && next != nil && next.Level > s.Level {
		shown = PlainText(next.Text)
	}
	// The heading is in the body twice: its words weigh more in the score
	// without a separate heading field (a boolean "should" on one cost ~40%
	// of query time at 100k documents). A lead section also holds the
	// document title and keywords.
	full := text
	if title != "" {
		full = title + "\n" + title + "\n" + full
	}
	var meta string
	if lead {
		// the lead section stands for the document: its keywords, 文号
		// and 索引号 are found in its body (a citizen types a 文号 as
		// words and numbers: 兰民发 2024 12)
		meta = termtext.Text(strings.Join(append(slices.Clone(d.Keywords), d.DocNo, d.IndexNo), "\n"))
		full = meta + "\n" + full
	}
	// every section holds its document's title: a section answers what
	// its document is about (四、办理程序 of the 最低生活保障 notice answers
	// 怎么申请低保 without naming 低保 again)
	if d.Title != "" {
		full = d.Title + "\n" + full
	}
	nfull := dropTransparent(t.normalize(full))
	var uni strings.Builder
	uni.Grow(len(nfull))
	for _, r := range nfull {
		if isHan(r) {
			uni.WriteRune(r)
			uni.WriteByte(' ')
		}
	}
	pySrc := title
	doc = map[string]any{fBody: nfull, fUni: uni.String(), fCatalogue: d.Catalogue}
	date := ""
	if !d.Date.IsZero() {
		date = d.Date.Format("2006-01-02")
		doc[fYear] = strconv.Itoa(d.Date.Year())
	}
	rec := sectionRecord{termtext.Line(s.DisplayTitle()), termtext.Line(d.Title), date,
		termtext.Line(d.Publisher), termtext.Line(d.Catalogue), meta, shown}
	if lead {
		m := strings.Join(append([]string{d.Title, d.IndexNo, d.DocNo, d.Publisher, d.Catalogue}, d.Keywords...), "\n")
		doc[fMeta] = t.normalize(m)
		pySrc += "\n" + d.Title + "\n" + strings.Join(d.Keywords, "\n") + "\n" + d.Catalogue
	}
	full2, ini := t.pinyinTokens(t.normalize(pySrc))
	doc[fPy] = strings.Join(full2, " ")
	doc[fPyI] = strings.Join(ini, " ")
	return doc, rec.encode()
}

// Build indexes every section of p into dir, calling progress (if not nil)
// with the number of documents done after each batch. The index is written
// into a temporary folder beside dir and renamed into place when complete,
// so a crash never leaves a half-built index at dir; an index already at
// dir is replaced.
func Build(dir string, p *content.Pack, progress func(done, total int)) error {
	if progress == nil {
		progress = func(int, int) {}
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	removeLeftovers(parent, filepath.Base(dir))
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".building-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone once renamed
	meta, err := buildInto(shardPath(tmp, 0), p, progress)
	if err != nil {
		return err
	}
	meta.Fingerprint = p.Fingerprint
	data, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(tmp, metaFile), data); err != nil {
		return err
	}
	// replace: old → trash, new → dir, remove trash
	var trash string
	if _, err := os.Stat(dir); err == nil {
		trash = filepath.Join(parent, "."+filepath.Base(dir)+".old-"+strconv.FormatInt(time.Now().UnixNano(), 36))
		if err := os.Rename(dir, trash); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if trash != "" {
			_ = os.Rename(trash, dir)
		}
		return err
	}
	if trash != "" {
		_ = os.RemoveAll(trash)
	}
	syncDir(parent)
	return nil
}

// removeLeftovers removes what a build killed midway left beside the index:
// replaced indexes not yet removed, and temporary folders older than a day
// (a younger one may belong to a build running in another process).
func removeLeftovers(parent, base string) {
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."+base+".old-"):
			_ = os.RemoveAll(filepath.Join(parent, name))
		case strings.HasPrefix(name, "."+base+".building-"):
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
				_ = os.RemoveAll(filepath.Join(parent, name))
			}
		}
	}
}

// Shards: a large pack is split into shardCount bleve indexes (sections
// dealt round-robin) searched in parallel through an index alias, and built
// in parallel: bleve's query cost is proportional to the matches scored,
// one goroutine per index. A small pack (fewer than shardMinSections
// sections, e.g. the default pack) stays one index, so its scores are those
// of the whole pack.
const (
	shardCount       = 2
	shardMinSections = 30000
)

func shardsFor(p *content.Pack) int {
	n := 0
	for _, d := range p.Docs {
		n += len(d.Sections)
	}
	if n < shardMinSections {
		return 1
	}
	return shardCount
}

// shardPath is the folder of shard i (the first keeps the name bleveDir).
func shardPath(dir string, i int) string {
	if i == 0 {
		return filepath.Join(dir, bleveDir)
	}
	return filepath.Join(dir, bleveDir+"-"+strconv.Itoa(i))
}

// builder is one shard being built: at most one batch in flight, so that
// preparing the next batch overlaps bleve's analysis of the last one.
type builder struct {
	bi      bleve.Index
	b       *bleve.Batch
	pending chan error // the batch in flight, if any
}

func (sb *builder) wait() error {
	if sb.pending == nil {
		return nil
	}
	err := <-sb.pending
	sb.pending = nil
	return err
}

// flush sends the current batch (asynchronously) and starts a new one.
func (sb *builder) flush() error {
	if err := sb.wait(); err != nil {
		return err
	}
	b := sb.b
	sb.b = sb.bi.NewBatch()
	sb.pending = make(chan error, 1)
	go func() { sb.pending <- sb.bi.Batch(b) }()
	return nil
}

// persist sends b and waits until it is on disk, with all before it (an
// empty batch still goes through the persister).
func (sb *builder) persist(b *bleve.Batch) error {
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := sb.bi.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-persisted:
		return err
	case <-time.After(30 * time.Minute):
		return errors.New("search index not written to disk after 30 minutes")
	}
}

// finish writes the last batch, merges the shard into one segment — fewer,
// larger segments make a smaller index and cheaper queries (each term is
// looked up and iterated once per segment) — and persists again, which
// removes the replaced segment files.
func (sb *builder) finish(mergeMu *sync.Mutex) error {
	if err := sb.wait(); err != nil {
		return err
	}
	if err := sb.persist(sb.b); err != nil {
		return err
	}
	adv, err := sb.bi.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	// one shard merges at a time: a merge maps and reads every segment of
	// its shard, and two at once raised the peak RSS by hundreds of MB
	if mergeMu != nil {
		mergeMu.Lock()
		defer mergeMu.Unlock()
	}
	// the merge planner may leave a segment out (one being merged in the
	// background): merge until one is left
	for range 8 {
		st := sc.StatsMap()
		if n, _ := st["num_root_filesegments"].(uint64); n <= 1 {
			break
		}
		if err := sc.ForceMerge(context.Background(), nil); err != nil {
			return err
		}
	}
	return sb.persist(sb.bi.NewBatch())
}

func buildInto(path string, p *content.Pack, progress func(done, total int)) (*indexMeta, error) {
	t := getTables()
	lex := bigramCounter{}
	dir := filepath.Dir(path)
	tw, err := newTextWriter(dir)
	if err != nil {
		return nil, err
	}
	defer tw.f.Close() // on error paths; close(dir) closes it on success
	meta := &indexMeta{MappingVersion: MappingVersion, BuiltAt: time.Now().UTC(), Docs: len(p.Docs), Shards: shardsFor(p)}
	// unsafe_batch: a batch returns once introduced, not once persisted
	// (one fsync per batch made building 10× slower on a busy disk); the
	// build waits for persistence before Close, and a crash only loses the
	// temporary folder.
	shards := make([]*builder, meta.Shards)
	closeAll := func() {
		for _, sb := range shards {
			if sb != nil {
				_ = sb.wait()
				sb.bi.Close()
			}
		}
	}
	for i := range shards {
		bi, err := bleve.NewUsing(shardPath(dir, i), newMapping(), scorch.Name, scorch.Name, map[string]any{"unsafe_batch": true})
		if err != nil {
			closeAll()
			return nil, err
		}
		shards[i] = &builder{bi: bi, b: bi.NewBatch()}
	}
	cats, years := map[string]int{}, map[string]int{}
	progress(0, len(p.Docs))
	type dated struct {
		date time.Time
		ref  string
	}
	var newest []dated
	for i, d := range p.Docs {
		if len(d.Sections) > 0 {
			newest = append(newest, dated{d.Date, d.Sections[0].Ref()})
			if len(newest) > 4*maxNewest {
				slices.SortStableFunc(newest, func(a, b dated) int { return b.date.Compare(a.date) })
				newest = newest[:maxNewest]
			}
		}
		for j, s := range d.Sections {
			var next *content.Section
			if j+1 < len(d.Sections) {
				next = d.Sections[j+1]
			}
			doc, text := t.sectionDoc(s, j == 0, next)
			lex.add(doc[fBody].(string))
			seq, err := tw.add(text)
			if err != nil {
				closeAll()
				return nil, err
			}
			doc[sTextSeq] = strconv.Itoa(seq)
			sb := shards[meta.Sections%len(shards)]
			if err := sb.b.Index(s.Ref(), doc); err != nil {
				closeAll()
				return nil, err
			}
			meta.Sections++
			cats[d.Catalogue]++
			if !d.Date.IsZero() {
				years[strconv.Itoa(d.Date.Year())]++
			}
			if sb.b.Size() >= batchSize {
				if err := sb.flush(); err != nil {
					closeAll()
					return nil, err
				}
				progress(i+1, len(p.Docs))
			}
		}
	}
	// finish the shards in parallel: last batch on disk, merged into one
	// segment, the replaced segments removed
	done := make(chan error, len(shards))
	var mergeMu sync.Mutex
	for _, sb := range shards {
		go func() { done <- sb.finish(&mergeMu) }()
	}
	for range shards {
		if ferr := <-done; ferr != nil && err == nil {
			err = ferr
		}
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	for i, sb := range shards {
		if err := sb.bi.Close(); err != nil {
			shards[i] = nil
			closeAll()
			return nil, err
		}
		shards[i] = nil
	}
	if err := tw.close(dir); err != nil {
		return nil, err
	}
	if err := lex.write(t, filepath.Join(dir, lexiconFile)); err != nil {
		return nil, err
	}
	progress(len(p.Docs), len(p.Docs))
	slices.SortStableFunc(newest, func(a, b dated) int { return b.date.Compare(a.date) })
	for _, n := range newest[:min(len(newest), maxNewest)] {
		meta.Newest = append(meta.Newest, n.ref)
	}
	meta.Catalogues = facets(cats, false)
	meta.Years = facets(years, true)
	return meta, nil
}

// facets orders catalogues by sections (most first) and years newest first.
func facets(m map[string]int, byValueDesc bool) []Facet {
	out := make([]Facet, 0, len(m))
	for v, n := range m {
		out = append(out, Facet{v, n})
	}
	slices.SortFunc(out, func(a, b Facet) int {
		if !byValueDesc && a.Sections != b.Sections {
			return b.Sections - a.Sections
		}
		return strings.Compare(b.Value, a.Value)
	})
	return out
}

func writeFileSync(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}

// Index is an open search index. It is read-only and safe for concurrent
// use; Close it when the content changes or the program ends.
type Index struct {
	bi     bleve.Index   // the only shard, or an alias of them
	shards []bleve.Index // closed by Close
	meta   indexMeta
	t      *tables
	dir    string
	texts  *textReader

	lexOnce sync.Once // the pinyin lexicon is read on the first query
	lex     map[string][]string
	syn     *synonyms // the built-in list and the pack's synonyms.toml
}

func (ix *Index) lexicon() map[string][]string {
	ix.lexOnce.Do(func() { ix.lex = loadLexicon(filepath.Join(ix.dir, lexiconFile)) })
	return ix.lex
}

// Exists reports whether dir holds a built index (current or not): a cheap
// check that lets the kiosk open the index after its first frame and build
// one in the foreground only when there is none.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, metaFile))
	return err == nil
}

// Open opens the index in dir read-only. It returns ErrNoIndex when there is
// none and ErrStale when it was built by another MappingVersion.
func Open(dir string) (*Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoIndex
	}
	if err != nil {
		return nil, err
	}
	var m indexMeta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStale, err)
	}
	if m.MappingVersion != MappingVersion {
		return nil, fmt.Errorf("%w: built by %q, this program uses %q", ErrStale, m.MappingVersion, MappingVersion)
	}
	texts, err := openTexts(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStale, err)
	}
	shards := make([]bleve.Index, max(m.Shards, 1))
	for i := range shards {
		bi, err := bleve.OpenUsing(shardPath(dir, i), map[string]any{"read_only": true})
		if err != nil {
			for _, x := range shards[:i] {
				x.Close()
			}
			texts.close()
			return nil, err
		}
		shards[i] = bi
	}
	t := getTables()
	ix := &Index{bi: shards[0], shards: shards, meta: m, t: t, dir: dir, texts: texts, syn: builtinSynonymSet(t)}
	if len(shards) > 1 {
		ix.bi = bleve.NewIndexAlias(shards...)
	}
	return ix, nil
}

// OpenFor opens the index of p in dir, building it first (with progress)
// when it is missing, stale or of another MappingVersion. rebuilt tells
// whether it was built.
func OpenFor(dir string, p *content.Pack, progress func(done, total int)) (ix *Index, rebuilt bool, err error) {
	ix, err = Open(dir)
	if err == nil && ix.Fingerprint() == p.Fingerprint {
		ix.useSynonyms(p)
		return ix, false, nil
	}
	if ix != nil {
		ix.Close()
	}
	if err != nil && !errors.Is(err, ErrNoIndex) && !errors.Is(err, ErrStale) {
		// damaged: rebuild too, but keep the cause if that fails
		if berr := Build(dir, p, progress); berr != nil {
			return nil, false, fmt.Errorf("%v; rebuilding: %w", err, berr)
		}
	} else if err := Build(dir, p, progress); err != nil {
		return nil, false, err
	}
	ix, err = Open(dir)
	if err == nil {
		ix.useSynonyms(p)
	}
	return ix, err == nil, err
}

// useSynonyms adds the pack's synonyms.toml to the built-in list. The
// synonyms apply when searching, so a new list needs no new index.
func (ix *Index) useSynonyms(p *content.Pack) {
	if g := packSynonymGroups(p); len(g) > 0 {
		ix.syn = newSynonyms(ix.t, builtinGroups(), g)
	}
}

// Fingerprint is the content.Pack fingerprint the index was built from.
func (ix *Index) Fingerprint() string { return ix.meta.Fingerprint }

// BuiltAt is when the index was built.
func (ix *Index) BuiltAt() time.Time { return ix.meta.BuiltAt }

// Sections is the number of sections indexed.
func (ix *Index) Sections() int { return ix.meta.Sections }

// Catalogues lists the 公开目录 present, most sections first.
func (ix *Index) Catalogues() []Facet { return slices.Clone(ix.meta.Catalogues) }

// Years lists the years of 发布日期 present, newest first.
func (ix *Index) Years() []Facet { return slices.Clone(ix.meta.Years) }

// Close closes the index.
func (ix *Index) Close() error {
	var err error
	for _, bi := range ix.shards {
		if cerr := bi.Close(); err == nil {
			err = cerr
		}
	}
	if terr := ix.texts.close(); err == nil {
		err = terr
	}
	return err
}
