package visits

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kiosk/config"
)

// Report is one year's figures: the annual report's rows (查阅点接待人数 and
// its (一)(二) sub-rows), per month, and per lookup point. BuildReport makes
// one from a kiosk's Store, Merge from many kiosks' JSON exports.
type Report struct {
	Year        int
	GeneratedAt time.Time
	Labels      config.Labels
	Total       int
	Months      [12]int
	County      LevelCount
	Township    LevelCount
	// Points are the lookup points, county first, then township, each by
	// id. With an expected list (merge --points) it includes the points
	// that sent nothing (Missing).
	Points []PointCount
	// MissingKnown says whether an expected list of points was given, i.e.
	// whether "no point is missing" can be told from "missing is unknown".
	MissingKnown bool
	// Sources are the merged files (empty for a kiosk's own export).
	Sources []string
	// Notes are warnings worth printing with the figures.
	Notes []string

	visitCount int
	visits     func(fn func(VisitRecord) error) error
}

// LevelCount is one of the report's sub-rows.
type LevelCount struct {
	Level  string // county or township
	Label  string // e.g. 县政府(开发区)及其部门
	Points int
	Months [12]int
	Total  int
}

// PointCount is one lookup point's row.
type PointCount struct {
	ID     string
	Name   string
	Level  string
	Months [12]int
	Total  int
	// Missing: in the expected list but no export of it arrived.
	Missing bool
	// Unexpected: an export arrived but the point is not in the expected list.
	Unexpected bool
}

// VisitRecord is a visit as exchanged in JSON exports: no more than needed
// to merge without double counting.
type VisitRecord struct {
	ID    string
	Point string
	Start time.Time // in the kiosk's time zone: its date is the visit's day
	End   time.Time
}

// VisitCount is the number of visits the report's visits list holds.
func (r *Report) VisitCount() int { return r.visitCount }

// Missing returns the expected points that sent nothing (nil if unknown).
func (r *Report) Missing() []PointCount {
	var out []PointCount
	for _, p := range r.Points {
		if p.Missing {
			out = append(out, p)
		}
	}
	return out
}

// ReportOptions say for whom and when a kiosk's report is made.
type ReportOptions struct {
	Year int
	// Point is the kiosk's configured point: always listed, even with no
	// visit, so that a merge sees it reported; its name and level win over
	// what the store recorded.
	Point  config.Point
	Labels config.Labels
	// Now stamps generated_at (default time.Now).
	Now func() time.Time
}

// BuildReport aggregates a year of visits in SQL. The visits list (for the
// JSON export) is streamed from the store when the report is written, so
// the Store must stay open until then.
func BuildReport(ctx context.Context, s *Store, opt ReportOptions) (*Report, error) {
	if opt.Year < 1 || opt.Year > 9998 {
		return nil, fmt.Errorf("年份 %d 超出范围 (year %d is out of range)", opt.Year, opt.Year)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	r := &Report{Year: opt.Year, GeneratedAt: opt.Now(), Labels: opt.Labels}
	from, to := fmt.Sprintf("%04d-01-01", opt.Year), fmt.Sprintf("%04d-01-01", opt.Year+1)

	points := map[string]*PointCount{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, level FROM points`)
	if err != nil {
		return nil, err
	}
	known := map[string]PointCount{}
	for rows.Next() {
		var p PointCount
		if err := rows.Scan(&p.ID, &p.Name, &p.Level); err != nil {
			rows.Close()
			return nil, err
		}
		known[p.ID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if opt.Point.ID != "" {
		known[opt.Point.ID] = PointCount{ID: opt.Point.ID, Name: opt.Point.Name, Level: opt.Point.Level}
		points[opt.Point.ID] = &PointCount{ID: opt.Point.ID, Name: opt.Point.Name, Level: opt.Point.Level}
	}

	// Grouping in the index's order (day, point) streams without a
	// temporary b-tree: at most 366 × points rows come back.
	rows, err = s.db.QueryContext(ctx, `SELECT day, point, count(*) FROM visits
		WHERE day >= ? AND day < ? GROUP BY day, point`, from, to)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var day, id string
		var n int
		if err := rows.Scan(&day, &id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		m := 0
		if len(day) == 10 {
			m = int(day[5]-'0')*10 + int(day[6]-'0')
		}
		if m < 1 || m > 12 {
			rows.Close()
			return nil, fmt.Errorf("%s: 查阅点 %s 的一次访问日期 %q 有误 (a visit of point %s has a bad day %q)", s.path, id, day, id, day)
		}
		p := points[id]
		if p == nil {
			k, ok := known[id]
			if !ok {
				k = PointCount{ID: id, Name: id}
				r.Notes = append(r.Notes, fmt.Sprintf("point %s has visits but no recorded name or level", id))
			}
			p = &PointCount{ID: id, Name: k.Name, Level: k.Level}
			points[id] = p
		}
		p.Months[m-1] += n
		r.visitCount += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range points {
		r.Points = append(r.Points, *p)
	}
	r.visits = func(fn func(VisitRecord) error) error {
		return s.streamVisits(ctx, from, to, fn)
	}
	r.finish()
	return r, nil
}

// streamVisits calls fn for every visit that began in [from, to) (local
// dates), ordered by day, point and start, without holding them in memory.
func (s *Store) streamVisits(ctx context.Context, from, to string, fn func(VisitRecord) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, point, start_ms, tz_s, coalesce(end_ms, last_ms) FROM visits
		WHERE day >= ? AND day < ? ORDER BY day, point, start_ms`, from, to)
	if err != nil {
		return err
	}
	return EachRecord(rows, fn)
}

// finish sorts the points and computes the level and grand totals.
func (r *Report) finish() {
	r.Total, r.Months = 0, [12]int{}
	r.County = LevelCount{Level: config.LevelCounty, Label: r.Labels.County}
	r.Township = LevelCount{Level: config.LevelTownship, Label: r.Labels.Township}
	for i := range r.Points {
		p := &r.Points[i]
		p.Total = 0
		for _, n := range p.Months {
			p.Total += n
		}
		var l *LevelCount
		switch p.Level {
		case config.LevelCounty:
			l = &r.County
		case config.LevelTownship:
			l = &r.Township
		}
		if l != nil {
			l.Points++
			l.Total += p.Total
			for m, n := range p.Months {
				l.Months[m] += n
			}
		}
		r.Total += p.Total
		for m, n := range p.Months {
			r.Months[m] += n
		}
	}
	slices.SortFunc(r.Points, func(a, b PointCount) int {
		return cmp.Or(cmp.Compare(levelOrder(a.Level), levelOrder(b.Level)), strings.Compare(a.ID, b.ID))
	})
}

func levelOrder(l string) int {
	switch l {
	case config.LevelCounty:
		return 0
	case config.LevelTownship:
		return 1
	}
	return 2
}

// LevelLabel words a level for the report.
func (r *Report) LevelLabel(level string) string {
	switch level {
	case config.LevelCounty:
		return r.Labels.County
	case config.LevelTownship:
		return r.Labels.Township
	}
	return level
}
