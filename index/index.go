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
	// batchBytes also ends a batch: bleve's in-memory segment of a batch
	// of varied text takes ~150× its size (1,000 sections of random
	// characters, 1.9 MB, made a 277 MB segment). Loading a 4 MiB document
	// of them peaked at 1,036 MB RSS with batches of 1,000 sections, 646 MB
	// with 1 MiB batches, 433 MB with 512 KiB (cmd/kiosk TestLoadMemory)
	batchBytes = 512 << 10
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
		return nil, fmt.Errorf("%w:由 %q 建立,本程序使用 %q (built by %q, this program uses %q)", ErrStale, m.MappingVersion, MappingVersion, m.MappingVersion, MappingVersion)
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
			return nil, false, fmt.Errorf("%v;重建失败 (rebuilding): %w", err, berr)
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
		ix.syn = newSynonyms(ix.t, builtinSynonymSet(ix.t).groups, g)
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
