package hub

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"kiosk/hub/api"
	"kiosk/hub/web"
	"kiosk/visits"
)

// office is the office's status page (hub/web) over this hub's data:
// the points as kiosk hub status reads them, the year's table as kiosk
// hub report builds it.
func (s *Server) office() http.Handler {
	site, err := web.New(web.Config{
		Store:  s.store,
		Points: s.officePoints,
		Report: func(ctx context.Context, year int) (*visits.Report, error) {
			return BuildReport(ctx, s.store, ReportOptions{Year: year, Labels: s.cfg.Labels, Now: s.now})
		},
		Now:         s.now,
		Log:         s.log,
		AddressGate: addressGate{s.logins},
		Releases:    s.officeReleases(),
	})
	if err != nil {
		// The templates are embedded: only a broken build gets here.
		s.log.Error("office pages", "err", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "状态页无法加载 (the status page cannot load)", http.StatusInternalServerError)
		})
	}
	return site
}

// officePoints is Status in the page's terms.
func (s *Server) officePoints(ctx context.Context, now time.Time) ([]web.Point, error) {
	sts, err := Status(ctx, s.store, now)
	if err != nil {
		return nil, err
	}
	out := make([]web.Point, 0, len(sts))
	for _, p := range sts {
		out = append(out, web.Point{
			ID: p.ID, Name: p.Name, Level: p.Level, Enrolled: p.Enrolled, Online: p.Online, LastSeen: p.LastSeen,
			KioskVersion: p.KioskVersion, ContentVersion: p.ContentVersion,
			Today: p.HubToday, Month: p.HubMonth, Year: p.HubYear, Unsent: p.Unsent,
			LastError: p.LastError, SkewSeconds: p.SkewSeconds, SkewFlagged: p.SkewFlagged,
			Release: p.Release, Stale: p.Stale, StaleNote: staleNote(p),
		})
	}
	return out, nil
}

// addressGate is the hub's limiter of failed logins per address.
type addressGate struct{ l *limiter }

func (g addressGate) Check(addr string, now time.Time) (bool, time.Duration) {
	return g.l.check(addr, now)
}
func (g addressGate) Failed(addr string, now time.Time) { g.l.penalise(addr, now) }

// staleNote says why a point's content is not the release meant for it.
func staleNote(p PointStatus) string {
	if !p.Stale {
		return ""
	}
	note := fmt.Sprintf("应为第 %d 号发布,已安装第 %d 号", p.Wanted, p.Release)
	if p.Release == 0 {
		note = fmt.Sprintf("应为第 %d 号发布,尚未安装任何发布", p.Wanted)
	}
	if p.ReleaseResult != "" && p.ReleaseResult != api.ReleaseInstalled {
		note += ";最近一次:" + p.ReleaseResult
		if p.ReleaseError != "" {
			note += " " + p.ReleaseError
		}
	}
	return note
}
