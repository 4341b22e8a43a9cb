package visits

import (
	"fmt"
	"slices"
	"time"

	"kiosk/config"
)

// AggregateOptions say what a Report is made of besides its visits.
type AggregateOptions struct {
	Year   int
	Labels config.Labels
	// Reported are the points whose figures arrived (an export, an upload
	// to the hub): each is listed, even with no visit, with its name and
	// level.
	Reported []config.Point
	// Expected is the district's list of lookup points (ReadPointsFile).
	// nil means unknown: only what arrived is reported and missing points
	// cannot be told. An expected point's name and level win over
	// Reported's; an expected point neither reported nor with a visit is
	// Missing.
	Expected []config.Point
	// Sources are the merged files, if any.
	Sources []string
	// Notes are the caller's own warnings, kept with the figures.
	Notes []string
	Now   func() time.Time
}

// Aggregate makes the Report of a year from the points that reported and
// their visits: the one place where visits are counted by point and month
// for Merge (JSON exports) and for the office hub (its database).
//
// each calls fn for every visit of the year, each (point, id) once,
// ordered by the local day the visit began, point, start and id (the
// order of the JSON visits list). It is called once now to count and
// again when the report is written as JSON, so it must give the same
// visits each time and its source must stay open until then. A visit that
// began in another year is an error.
func Aggregate(opt AggregateOptions, each func(fn func(VisitRecord) error) error) (*Report, error) {
	if opt.Year < 1 || opt.Year > 9998 {
		return nil, fmt.Errorf("年份 %d 超出范围 (year %d is out of range)", opt.Year, opt.Year)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	r := &Report{Year: opt.Year, Labels: opt.Labels, GeneratedAt: opt.Now(),
		Sources: opt.Sources, Notes: slices.Clone(opt.Notes)}
	counts := map[string]*PointCount{}
	for _, p := range opt.Reported {
		counts[p.ID] = &PointCount{ID: p.ID, Name: p.Name, Level: p.Level}
	}
	err := each(func(v VisitRecord) error {
		if y := v.Start.Year(); y != opt.Year {
			return fmt.Errorf("访问 %s (查阅点 %s) 开始于 %d 年,不是 %d 年 (visit %s of point %s began in %d, not %d)",
				v.ID, v.Point, y, opt.Year, v.ID, v.Point, y, opt.Year)
		}
		c := counts[v.Point]
		if c == nil {
			c = &PointCount{ID: v.Point, Name: v.Point}
			counts[v.Point] = c
			r.Notes = append(r.Notes, fmt.Sprintf("point %s has visits but no recorded name or level", v.Point))
		}
		c.Months[v.Start.Month()-1]++
		r.visitCount++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if opt.Expected != nil {
		r.MissingKnown = true
		exp := map[string]bool{}
		for _, e := range opt.Expected {
			exp[e.ID] = true
			if c, ok := counts[e.ID]; ok {
				c.Name, c.Level = e.Name, e.Level
			} else {
				counts[e.ID] = &PointCount{ID: e.ID, Name: e.Name, Level: e.Level, Missing: true}
			}
		}
		for id, c := range counts {
			if !exp[id] {
				c.Unexpected = true
				r.Notes = append(r.Notes, fmt.Sprintf("查阅点 %s (%s) 报送了数据,但不在查阅点清单中 (point %s (%s) reported but is not in the points list)", id, c.Name, id, c.Name))
			}
		}
	}
	for _, c := range counts {
		r.Points = append(r.Points, *c)
	}
	r.visits = each
	slices.Sort(r.Notes)
	r.Notes = slices.Compact(r.Notes)
	r.finish()
	return r, nil
}
