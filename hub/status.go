package hub

import (
	"context"
	"math"
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
	HubYear        int       `json:"hub_visits_year"`
	PointToday     int       `json:"point_visits_today"`
	PointYear      int       `json:"point_visits_year"`
	Unsent         int       `json:"unsent"`
	// LastError is the point's, made safe for a terminal (it is whatever
	// the point sent).
	LastError   string  `json:"last_error"`
	SkewSeconds float64 `json:"clock_skew_seconds"`
	SkewFlagged bool    `json:"clock_skew_flagged"`
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
	out := make([]PointStatus, 0, len(pts))
	for _, p := range pts {
		ps := PointStatus{ID: p.ID, Name: termtext.Line(p.Name), Level: p.Level, Enrolled: p.Active, LastUpload: p.LastUpload, AgoSeconds: -1}
		c := counts[p.ID]
		ps.HubToday, ps.HubYear = c.Today, c.Year
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
		out = append(out, ps)
	}
	return out, nil
}
