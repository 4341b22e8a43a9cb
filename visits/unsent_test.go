package visits

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"kiosk/internal/migrate"
)

// schema1File writes a visits database as the first release left it: three
// closed visits of point a (out of order), one of point b, one open.
func schema1File(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "visits.db")
	db, err := sql.Open("sqlite", path)
	must(t, err)
	defer db.Close()
	ctx := context.Background()
	_, err = migrate.Schema{Dialect: migrate.SQLite, Steps: migrations[:1]}.Apply(ctx, db)
	must(t, err)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli()
	for _, v := range []struct {
		id, point string
		start     int64
		open      bool
	}{
		{"v3", "a", base + 3000, false},
		{"v1", "a", base + 1000, false},
		{"v2", "a", base + 2000, false},
		{"vb", "b", base + 500, false},
		{"vo", "a", base + 4000, true},
	} {
		end := sql.NullInt64{Int64: v.start + 60_000, Valid: !v.open}
		_, err := db.Exec(`INSERT INTO visits (id, point, day, start_ms, tz_s, last_ms, end_ms) VALUES (?, ?, '2026-03-02', ?, 28800, ?, ?)`,
			v.id, v.point, v.start, v.start+60_000, end)
		must(t, err)
	}
	return path
}

func ids(vs []VisitRecord) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

func TestMigrationTwoKeepsVisitsUnsent(t *testing.T) {
	ctx := context.Background()
	path := schema1File(t)
	// kiosk sync beside a running kiosk: migrates, leaves the open visit.
	s, err := OpenBeside(path)
	must(t, err)
	var version int
	must(t, s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&version))
	if version != 2 || SchemaVersion != 2 {
		t.Fatalf("version %d, SchemaVersion %d", version, SchemaVersion)
	}
	got, err := s.Unsent(ctx, "a", 10)
	must(t, err)
	if !slices.Equal(ids(got), []string{"v1", "v2", "v3"}) {
		t.Fatalf("unsent %v: want the closed visits of a, oldest first", ids(got))
	}
	if v := got[0]; v.Point != "a" || v.End.Sub(v.Start) != time.Minute || v.Start.Format(time.RFC3339) != "2026-03-02T17:00:01+08:00" {
		t.Fatalf("record %+v", v)
	}
	own, others, err := s.UnsentCount(ctx, "a")
	must(t, err)
	if own != 3 || others != 1 {
		t.Fatalf("UnsentCount: own %d others %d", own, others)
	}
	s.Close()

	// The kiosk itself closes the open visit; it is then unsent too.
	s, err = Open(path)
	must(t, err)
	defer s.Close()
	got, err = s.Unsent(ctx, "a", 2)
	must(t, err)
	if !slices.Equal(ids(got), []string{"v1", "v2"}) {
		t.Fatalf("limit 2: %v", ids(got))
	}
	must(t, s.MarkSent(ctx, []string{"v1", "v3", "no-such-id"}, time.UnixMilli(42)))
	got, err = s.Unsent(ctx, "a", 10)
	must(t, err)
	if !slices.Equal(ids(got), []string{"v2", "vo"}) {
		t.Fatalf("after MarkSent: %v", ids(got))
	}
	// A second mark keeps the first.
	must(t, s.MarkSent(ctx, []string{"v1"}, time.UnixMilli(99)))
	var sent int64
	must(t, s.db.QueryRow(`SELECT sent_ms FROM visits WHERE id = 'v1'`).Scan(&sent))
	if sent != 42 {
		t.Fatalf("sent_ms %d", sent)
	}
	own, others, err = s.UnsentCount(ctx, "a")
	must(t, err)
	if own != 2 || others != 1 {
		t.Fatalf("UnsentCount: own %d others %d", own, others)
	}
}
