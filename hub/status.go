package hub

import (
	"context"
	"math"
	"slices"
	"time"

	"kiosk/hub/api"
	"kiosk/hub/store"
	"kiosk/internal/termtext"
)

// PointStatus is one point's line of kiosk hub status.
type PointStatus struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Level    string    `json:"level"`
	Enrolled bool      `json:"enrolled"` // holds a live credential
	LastSeen time.Time `json:"last_heartbeat,omitzero"`
	// AgoSeconds is the time since LastSeen (-1: never).
	AgoSeconds     float64   `json:"seconds_since_heartbeat"`
	Online         bool      `json:"online"`
	LastUpload     time.Time `json:"last_upload,omitzero"`
	KioskVersion   string    `json:"kiosk_version"`
	ContentVersion string    `json:"content_version"`
	HubToday       int       `json:"hub_visits_today"`
	HubMonth       int       `json:"hub_visits_month"`
	HubYear        int       `json:"hub_visits_year"`
	PointToday     int       `json:"point_visits_today"`
	PointYear      int       `json:"point_visits_year"`
	Unsent         int       `json:"unsent"`
	// LastError is the point's, made safe for a terminal (it is whatever
	// the point sent).
	LastError   string  `json:"last_error"`
	SkewSeconds float64 `json:"clock_skew_seconds"`
	SkewFlagged bool    `json:"clock_skew_flagged"`
	// Release is the highest signed release the point reported installed
	// (0: none), Wanted the release meant for it (published to every
	// point or staged for it; 0: none); Stale when Release < Wanted.
	Release uint64 `json:"release"`
	Wanted  uint64 `json:"wanted_release"`
	Stale   bool   `json:"release_stale"`
	// ReleaseResult and ReleaseError: how its last install attempt ended
	// (api.ReleaseInstalled, …) and why, made safe for a terminal.
	ReleaseResult string `json:"release_result,omitempty"`
	ReleaseError  string `json:"release_error,omitempty"`
}

// Status gives every point's status at now: what its last heartbeat said
// and what the hub holds of its visits today and this year.
func Status(ctx context.Context, st *store.Store, now time.Time) ([]PointStatus, error) {
	pts, err := st.Points(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := st.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := st.VisitCounts(ctx, now)
	if err != nil {
		return nil, err
	}
	rels, err := st.Releases(ctx)
	if err != nil {
		return nil, err
	}
	reports, err := st.PointReleases(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PointStatus, 0, len(pts))
	for _, p := range pts {
		ps := PointStatus{ID: p.ID, Name: termtext.Line(p.Name), Level: p.Level, Enrolled: p.Active, LastUpload: p.LastUpload, AgoSeconds: -1}
		c := counts[p.ID]
		ps.HubToday, ps.HubMonth, ps.HubYear = c.Today, c.Month, c.Year
		if s, ok := statuses[p.ID]; ok {
			ps.LastSeen = s.Seen
			ps.AgoSeconds = math.Round(now.Sub(s.Seen).Seconds())
			ps.Online = now.Sub(s.Seen) <= OnlineWithin
			ps.KioskVersion = termtext.Line(s.KioskVersion)
			ps.ContentVersion = termtext.Line(s.ContentVersion)
			ps.PointToday, ps.PointYear, ps.Unsent = s.VisitsToday, s.VisitsYear, s.Unsent
			ps.LastError = termtext.Line(s.LastError)
			ps.SkewSeconds = s.SkewSeconds
			ps.SkewFlagged = math.Abs(s.SkewSeconds) > api.MaxClockSkewSeconds
		}
		for _, r := range rels {
			if r.Release > ps.Wanted && (r.All || slices.Contains(r.Points, p.ID)) {
				ps.Wanted = r.Release
			}
		}
		if rep, ok := reports[p.ID]; ok {
			ps.Release, ps.ReleaseResult, ps.ReleaseError = rep.Installed, termtext.Line(rep.Result), termtext.Line(rep.Error)
		}
		ps.Stale = ps.Release < ps.Wanted
		out = append(out, ps)
	}
	return out, nil
}
