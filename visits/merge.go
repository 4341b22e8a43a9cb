package visits

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"kiosk/config"
)

// ErrNotExport is wrapped by the error for an input that is not a JSON
// visits export; the message names the file.
var ErrNotExport = errors.New("不是查阅机的访客导出文件 (not a kiosk visits export)")

// MergeOptions control Merge.
type MergeOptions struct {
	// Year the files must all be for; 0 takes it from the files (which
	// must then agree).
	Year   int
	Labels config.Labels
	// Expected is the district's list of lookup points (ReadPointsFile).
	// nil means unknown: only what arrived is reported and missing points
	// cannot be told.
	Expected []config.Point
	Now      func() time.Time
}

// Input is one export to merge: Name (the file name) is used in errors.
type Input struct {
	Name string
	R    io.Reader
}

type jsonExport struct {
	Format      string               `json:"format"`
	Version     int                  `json:"version"`
	Year        int                  `json:"year"`
	GeneratedAt string               `json:"generated_at"`
	Total       *int                 `json:"total"`
	Levels      map[string]jsonLevel `json:"levels"`
	Points      []jsonPoint          `json:"points"`
	Visits      []VisitJSON          `json:"visits"`

	generated time.Time // GeneratedAt, parsed
}

// MergeFiles merges the JSON exports at paths; see Merge.
func MergeFiles(paths []string, opt MergeOptions) (*Report, error) {
	var in []Input
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			closeAll(in)
			return nil, err
		}
		in = append(in, Input{Name: p, R: f})
	}
	defer closeAll(in)
	return Merge(in, opt)
}

func closeAll(in []Input) {
	for _, i := range in {
		if c, ok := i.R.(io.Closer); ok {
			c.Close()
		}
	}
}

// Merge combines the JSON exports of many kiosks into one report. Visits
// are merged by (point, visit id), so the same export given twice, or two
// exports of overlapping periods, never count a visit twice. Each point's
// months are recounted from the merged visits. An input that is not an
// export, or whose figures disagree with its own visits list, is an error
// naming it.
func Merge(inputs []Input, opt MergeOptions) (*Report, error) {
	if len(inputs) == 0 {
		return nil, errors.New("没有要合并的导出文件 (no export files to merge)")
	}
	year := opt.Year
	yearFrom := ""
	type meta struct {
		p   jsonPoint
		gen time.Time // the export's generated_at
		src string    // its file
	}
	points := map[string]meta{}
	seen := map[[2]string]VisitRecord{}
	var sources, notes []string
	for _, in := range inputs {
		ex, recs, err := readExport(in)
		if err != nil {
			return nil, err
		}
		if year == 0 {
			year, yearFrom = ex.Year, in.Name
		} else if ex.Year != year {
			if yearFrom == "" {
				return nil, fmt.Errorf("%s: 是 %d 年的导出,不是 %d 年的 (is the export of %d, not %d)", in.Name, ex.Year, year, ex.Year, year)
			}
			return nil, fmt.Errorf("%s: 是 %d 年的导出,而 %s 是 %d 年的:请一次只合并一年 (is the export of %d, but %s is of %d: merge one year at a time)", in.Name, ex.Year, yearFrom, year, ex.Year, yearFrom, year)
		}
		sources = append(sources, in.Name)
		for _, p := range ex.Points {
			cur := meta{p, ex.generated, in.Name}
			old, ok := points[p.ID]
			if !ok {
				points[p.ID] = cur
				continue
			}
			// The newer export by the instant it was made (the zone it is
			// written in does not matter); of two made at the same
			// instant, the later given.
			if cur.gen.Before(old.gen) {
				old, cur = cur, old
			}
			points[p.ID] = cur
			if old.p.Level != cur.p.Level {
				notes = append(notes, fmt.Sprintf("查阅点 %s 的层级在 %s 中为 %s,在较新的 %s 中为 %s,采用较新的 (point %s: level %s in %s, %s in the newer %s; using the newer)",
					p.ID, old.src, old.p.Level, cur.src, cur.p.Level, p.ID, old.p.Level, old.src, cur.p.Level, cur.src))
			}
		}
		for _, v := range recs {
			k := [2]string{v.Point, v.ID}
			if old, ok := seen[k]; ok {
				// The same visit in two exports: an export taken while it
				// was in progress may have an earlier end.
				if v.End.After(old.End) {
					old.End = v.End
					seen[k] = old
				}
				continue
			}
			seen[k] = v
		}
	}

	reported := make([]config.Point, 0, len(points))
	for id, m := range points {
		reported = append(reported, config.Point{ID: id, Name: m.p.Name, Level: m.p.Level})
	}
	all := make([]VisitRecord, 0, len(seen))
	for _, v := range seen {
		all = append(all, v)
	}
	sortVisits(all)
	return Aggregate(AggregateOptions{
		Year: year, Labels: opt.Labels, Reported: reported, Expected: opt.Expected,
		Sources: sources, Notes: notes, Now: opt.Now,
	}, func(fn func(VisitRecord) error) error {
		for _, v := range all {
			if err := fn(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// sortVisits puts visits in the order of a JSON export's visits list: by
// the local day each began, point, start and id.
func sortVisits(all []VisitRecord) {
	slices.SortFunc(all, func(a, b VisitRecord) int {
		if c := cmp.Compare(localDay(a.Start), localDay(b.Start)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Point, b.Point); c != 0 {
			return c
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// readExport parses and checks one export and returns its visits.
func readExport(in Input) (*jsonExport, []VisitRecord, error) {
	notExport := func(format string, a ...any) error {
		return fmt.Errorf("%s: %w: %s", in.Name, ErrNotExport, fmt.Sprintf(format, a...))
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: 导出文件已损坏或被改动 (damaged or edited export): %s", in.Name, fmt.Sprintf(format, a...))
	}
	dec := json.NewDecoder(in.R)
	var ex jsonExport
	if err := dec.Decode(&ex); err != nil {
		return nil, nil, notExport("it is not JSON of the expected shape (%v); give the files written by 'kiosk visits export --format json'", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, bad("文件末尾有多余内容 (trailing data after the JSON object)")
	}
	if ex.Format != JSONFormat {
		return nil, nil, notExport("its \"format\" is %q, not %q; give the files written by 'kiosk visits export --format json'", ex.Format, JSONFormat)
	}
	if ex.Version < 1 || ex.Version > JSONVersion {
		return nil, nil, fmt.Errorf("%s: 不支持导出格式版本 %d(本程序最高读取 %d):请更新查阅机程序 (export format version %d is not supported (this program reads up to %d): update the kiosk program)", in.Name, ex.Version, JSONVersion, ex.Version, JSONVersion)
	}
	if ex.Year < 1 || ex.Year > 9998 {
		return nil, nil, bad("year %d", ex.Year)
	}
	if ex.Total == nil {
		return nil, nil, bad("no \"total\"")
	}
	gen, err := time.Parse(time.RFC3339, ex.GeneratedAt)
	if err != nil {
		return nil, nil, bad("generated_at %q 不是 RFC 3339 时间 (is not an RFC 3339 time)", ex.GeneratedAt)
	}
	ex.generated = gen
	pts := map[string]*jsonPoint{}
	total := 0
	for i := range ex.Points {
		p := &ex.Points[i]
		if p.ID == "" {
			return nil, nil, bad("a point without id")
		}
		if pts[p.ID] != nil {
			return nil, nil, bad("point %s listed twice", p.ID)
		}
		if p.Level != config.LevelCounty && p.Level != config.LevelTownship {
			return nil, nil, bad("point %s: level %q is not county or township", p.ID, p.Level)
		}
		sum := 0
		for _, n := range p.Months {
			sum += n
		}
		if sum != p.Total {
			return nil, nil, bad("point %s: total %d is not the sum of its months (%d)", p.ID, p.Total, sum)
		}
		total += sum
		pts[p.ID] = p
	}
	if total != *ex.Total {
		return nil, nil, bad("total %d is not the sum of its points (%d)", *ex.Total, total)
	}
	for level, l := range ex.Levels {
		var want jsonLevel
		for _, p := range ex.Points {
			if p.Level == level {
				want.Points++
				want.Total += p.Total
				for m, n := range p.Months {
					want.Months[m] += n
				}
			}
		}
		if l.Total != want.Total {
			return nil, nil, bad("levels.%s: total %d is not the sum of its points (%d)", level, l.Total, want.Total)
		}
		if m := firstDiff(l.Months, want.Months); m >= 0 {
			return nil, nil, bad("levels.%s 的 %d月人次为 %d,其查阅点合计为 %d (levels.%s: months[%d] (%s) is %d but its points add up to %d)",
				level, m+1, l.Months[m], want.Months[m], level, m, time.Month(m+1), l.Months[m], want.Months[m])
		}
	}
	got := map[string]*[12]int{}
	ids := make(map[[2]string]bool, len(ex.Visits))
	recs := make([]VisitRecord, 0, len(ex.Visits))
	for _, v := range ex.Visits {
		rec, err := v.Record()
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		if pts[v.Point] == nil {
			return nil, nil, bad("visit %s: point %q is not in its points list", v.ID, v.Point)
		}
		k := [2]string{v.Point, v.ID}
		if ids[k] {
			return nil, nil, bad("visit %s of point %s listed twice", v.ID, v.Point)
		}
		ids[k] = true
		start := rec.Start
		if start.Year() != ex.Year {
			return nil, nil, bad("visit %s began in %d, not %d", v.ID, start.Year(), ex.Year)
		}
		recs = append(recs, rec)
		m := got[v.Point]
		if m == nil {
			m = new([12]int)
			got[v.Point] = m
		}
		m[start.Month()-1]++
	}
	for id, p := range pts {
		var m [12]int
		if g := got[id]; g != nil {
			m = *g
		}
		if i := firstDiff(p.Months, m); i >= 0 {
			return nil, nil, bad("查阅点 %s 的 %d月人次为 %d,访问列表中为 %d (point %s: months[%d] (%s) is %d but its visits list has %d)",
				id, i+1, p.Months[i], m[i], id, i, time.Month(i+1), p.Months[i], m[i])
		}
	}
	ex.Visits = nil
	return &ex, recs, nil
}

// ReadPointsFile reads the district's list of lookup points: CSV lines
// "id,name,level" (a header line starting with "id" and lines starting
// with # are skipped) or, for a .toml file, [[point]] tables with id, name
// and level keys. Levels are county or township.
func ReadPointsFile(path string) ([]config.Point, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pts []config.Point
	if strings.EqualFold(filepath.Ext(path), ".toml") {
		var f struct {
			Point []config.Point `toml:"point"`
		}
		md, err := toml.Decode(string(b), &f)
		if err != nil {
			return nil, fmt.Errorf("无法读取查阅点文件 %s (points file %s): %w", path, path, err)
		}
		if u := md.Undecoded(); len(u) > 0 {
			return nil, fmt.Errorf("查阅点文件 %s 有未知的键 %v,应为 [[point]] 及 id、name、level (points file %s: unknown keys %v (want [[point]] with id, name, level))", path, u, path, u)
		}
		pts = f.Point
	} else {
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		cr := csv.NewReader(bytes.NewReader(b))
		cr.Comment = '#'
		cr.FieldsPerRecord = -1
		cr.TrimLeadingSpace = true
		recs, err := cr.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("无法读取查阅点文件 %s (points file %s): %w", path, path, err)
		}
		for i, rec := range recs {
			if i == 0 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "id") {
				continue
			}
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			if len(rec) != 3 {
				return nil, fmt.Errorf("查阅点文件 %s 第 %d 条记录有 %d 个字段,应为 id,name,level (points file %s: record %d has %d fields, want id,name,level)", path, i+1, len(rec), path, i+1, len(rec))
			}
			pts = append(pts, config.Point{ID: strings.TrimSpace(rec[0]), Name: strings.TrimSpace(rec[1]), Level: strings.TrimSpace(rec[2])})
		}
	}
	seen := map[string]bool{}
	for _, p := range pts {
		if p.ID == "" {
			return nil, fmt.Errorf("查阅点文件 %s 中有查阅点没有 id (points file %s: a point without id)", path, path)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("查阅点文件 %s 中查阅点 %s 列了两次 (points file %s: point %s listed twice)", path, p.ID, path, p.ID)
		}
		seen[p.ID] = true
		if p.Level != config.LevelCounty && p.Level != config.LevelTownship {
			return nil, fmt.Errorf("查阅点文件 %s 中查阅点 %s 的级别应为 county 或 township,不是 %q (points file %s: point %s: level must be county or township, not %q)", path, p.ID, p.Level, path, p.ID, p.Level)
		}
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("查阅点文件 %s 没有列出查阅点 (points file %s lists no point)", path, path)
	}
	return pts, nil
}

// firstDiff returns the first month in which a and b differ, or -1.
func firstDiff(a, b [12]int) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// localDay is the date of t in its own offset as yyyymmdd.
func localDay(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}
