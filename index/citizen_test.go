package index

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"kiosk/content"
)

// The citizen-style query table (index/testdata/citizen-queries.tsv) over
// a test pack of ordinary district documents (index/testdata/citizen/),
// written for these tests and not used to tune the engine: several words
// typed together, questions, abbreviations, pinyin and initials, pinyin
// input mistakes, 繁體, numbers. Each row names the sections that answer
// it; one of them must be in the top 3.

type citizenRow struct {
	line     int
	category string
	query    string
	want     []string
	note     string
}

func readCitizenTable(t testing.TB) []citizenRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "citizen-queries.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []citizenRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 || strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 3 {
			t.Fatalf("citizen-queries.tsv:%d: %d columns", n, len(cols))
		}
		r := citizenRow{line: n, category: cols[0], query: cols[1]}
		for _, w := range strings.Split(cols[2], ",") {
			if w = strings.TrimSpace(w); w != "" {
				r.want = append(r.want, w)
			}
		}
		if len(cols) > 3 {
			r.note = cols[3]
		}
		rows = append(rows, r)
	}
	return rows
}

var (
	citizenOnce sync.Once
	citizenIx   *Index
	citizenPack *content.Pack
	citizenErr  error
)

// citizenIndex indexes the test pack once (removed by the test's cleanup
// of the whole package's temporary folder).
func citizenIndex(t testing.TB) (*Index, *content.Pack) {
	t.Helper()
	citizenOnce.Do(func() {
		p, probs := content.Load(os.DirFS(filepath.Join("testdata", "citizen")))
		if errs := probs.Errors(); len(errs) > 0 {
			citizenErr = errs
			return
		}
		citizenPack = p
		dir, err := os.MkdirTemp("", "kiosk-citizen-index-")
		if err != nil {
			citizenErr = err
			return
		}
		citizenIx, _, citizenErr = OpenFor(filepath.Join(dir, "ix"), p, nil)
	})
	if citizenErr != nil {
		t.Fatal(citizenErr)
	}
	return citizenIx, citizenPack
}

func TestCitizenQueries(t *testing.T) {
	ix, p := citizenIndex(t)
	rows := readCitizenTable(t)
	if len(rows) < 80 {
		t.Fatalf("only %d rows", len(rows))
	}
	type tally struct{ rows, top3, empty int }
	per := map[string]*tally{}
	var cats []string
	all := tally{}
	for _, r := range rows {
		for _, w := range r.want {
			if _, _, err := p.Find(w); err != nil {
				t.Errorf("line %d: wanted %s is not in the pack: %v", r.line, w, err)
			}
		}
		res, err := ix.Search(context.Background(), r.query, Options{Limit: 3})
		if err != nil {
			t.Fatalf("line %d %q: %v", r.line, r.query, err)
		}
		c := per[r.category]
		if c == nil {
			c = &tally{}
			per[r.category] = c
			cats = append(cats, r.category)
		}
		c.rows++
		all.rows++
		var got []string
		ok := false
		for _, h := range res.Hits {
			got = append(got, h.Ref)
			ok = ok || slices.Contains(r.want, h.Ref)
		}
		if ok {
			c.top3++
			all.top3++
		} else {
			t.Logf("miss %s line %d %q (%s): top 3 %v, want %v; words %v", r.category, r.line, r.query, r.note, got, r.want, res.Words)
		}
		if len(res.Hits) == 0 {
			c.empty++
			all.empty++
			t.Errorf("line %d %q: no result at all", r.line, r.query)
		}
	}
	var report strings.Builder
	fmt.Fprintf(&report, "| category | rows | wanted in top 3 | no result |\n|---|---|---|---|\n")
	for _, k := range cats {
		c := per[k]
		fmt.Fprintf(&report, "| %s | %d | %d (%.0f %%) | %d |\n", k, c.rows, c.top3, 100*float64(c.top3)/float64(c.rows), c.empty)
		if float64(c.top3) < 0.9*float64(c.rows) {
			t.Errorf("%s: %d of %d in the top 3, below 90 %%", k, c.top3, c.rows)
		}
	}
	fmt.Fprintf(&report, "| all | %d | %d (%.1f %%) | %d |\n", all.rows, all.top3, 100*float64(all.top3)/float64(all.rows), all.empty)
	t.Log("\n" + report.String())
	if float64(all.top3) < 0.95*float64(all.rows) {
		t.Errorf("%d of %d in the top 3, below 95 %%", all.top3, all.rows)
	}
}
