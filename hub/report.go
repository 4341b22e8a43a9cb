package hub

import (
	"context"
	"fmt"
	"time"

	"kiosk/config"
	"kiosk/hub/store"
	"kiosk/visits"
)

// ReportOptions say which year the hub reports and from when a point
// that has not been heard from counts as not reporting.
type ReportOptions struct {
	Year   int
	Labels config.Labels
	// SilentSince: a point with no heartbeat and no upload since then,
	// and no visit in the year, is listed as missing; a point with visits
	// but silent since then is named in the notes. Zero: 1 January of
	// Year, local time.
	SilentSince time.Time
	Now         func() time.Time
}

// BuildReport makes the year's report from what the hub holds, through
// visits.Aggregate as kiosk visits merge does: the same figures and the
// same JSON as merging the points' own exports. The visits list is
// streamed from the store when the report is written: keep st open until
// then.
func BuildReport(ctx context.Context, st *store.Store, opt ReportOptions) (*visits.Report, error) {
	if opt.SilentSince.IsZero() {
		opt.SilentSince = time.Date(opt.Year, 1, 1, 0, 0, 0, 0, time.Local)
	}
	pts, err := st.Points(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := st.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	months, err := st.MonthCounts(ctx, opt.Year)
	if err != nil {
		return nil, err
	}
	expected := make([]config.Point, 0, len(pts))
	var reported []config.Point
	var notes []string
	since := opt.SilentSince.Format("2006-01-02 15:04")
	for _, p := range pts {
		expected = append(expected, p.Point)
		last := p.LastUpload
		if s, ok := statuses[p.ID]; ok && s.Seen.After(last) {
			last = s.Seen
		}
		heard := !last.IsZero() && !last.Before(opt.SilentSince)
		if heard {
			reported = append(reported, p.Point)
			continue
		}
		if _, hasVisits := months[p.ID]; hasVisits {
			notes = append(notes, fmt.Sprintf("查阅点 %s (%s) 有本年的访问记录,但自 %s 起没有心跳或上传 (point %s has visits this year but has not been heard from since %s)",
				p.ID, p.Name, since, p.ID, since))
		}
	}
	return visits.Aggregate(visits.AggregateOptions{
		Year: opt.Year, Labels: opt.Labels, Reported: reported, Expected: expected, Notes: notes, Now: opt.Now,
	}, func(fn func(visits.VisitRecord) error) error {
		return st.EachVisit(ctx, opt.Year, fn)
	})
}
