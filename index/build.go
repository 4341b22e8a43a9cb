package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"kiosk/content"
	"kiosk/internal/atomicfile"
)

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
	if err := atomicfile.Write(filepath.Join(tmp, metaFile), data, 0o644); err != nil {
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
	_ = atomicfile.SyncDir(parent) // best effort: the index can be rebuilt
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
	bytes   int        // text in b
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
	sb.b, sb.bytes = sb.bi.NewBatch(), 0
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
		return errors.New("搜索索引 30 分钟后仍未写入磁盘 (search index not written to disk after 30 minutes)")
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
			sb.bytes += len(doc[fBody].(string))
			if sb.b.Size() >= batchSize || sb.bytes >= batchBytes {
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
