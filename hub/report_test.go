package hub

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/hub/store"
	"kiosk/visits"
)

// Who counts as not reporting: no heartbeat, no upload since the date and
// no visit in the year. A point with visits that went quiet is a note.
func TestReportSilentSince(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.ImportPoints(ctx, testPoints, time.Now()); err != nil {
		t.Fatal(err)
	}
	march := time.Date(2025, 3, 1, 10, 0, 0, 0, cst)
	// xq-01 uploaded in March and was not heard from again.
	v := visits.VisitRecord{ID: "a", Point: "xq-01", Start: march, End: march.Add(time.Minute)}
	if _, _, err := st.AddVisits(ctx, "xq-01", []visits.VisitRecord{v}, march); err != nil {
		t.Fatal(err)
	}
	// zj-07 sends heartbeats but had no visitor; zj-08 went quiet in April.
	for p, seen := range map[string]time.Time{"zj-07": time.Date(2025, 11, 30, 9, 0, 0, 0, cst), "zj-08": time.Date(2025, 4, 1, 9, 0, 0, 0, cst)} {
		if err := st.SaveHeartbeat(ctx, store.Status{Point: p, Seen: seen, PointTime: seen}); err != nil {
			t.Fatal(err)
		}
	}
	report := func(since time.Time) (missing []string, notes string) {
		r, err := BuildReport(ctx, st, ReportOptions{Year: 2025, SilentSince: since})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Missing() {
			missing = append(missing, p.ID)
		}
		var b bytes.Buffer
		r.WriteMarkdown(&b)
		return missing, strings.Join(r.Notes, "\n")
	}
	if m, n := report(time.Time{}); len(m) != 0 || n != "" {
		t.Fatalf("since 1 January: missing %v, notes %q", m, n)
	}
	m, n := report(time.Date(2025, 6, 1, 0, 0, 0, 0, cst))
	if strings.Join(m, ",") != "zj-08" || !strings.Contains(n, "point xq-01 has visits this year but has not been heard from since 2025-06-01") {
		t.Fatalf("since June: missing %v, notes %q", m, n)
	}
}
