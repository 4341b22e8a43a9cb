package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/internal/pgtest"
	"kiosk/visits"
)

// databases gives each test an empty database of each kind: the one suite
// runs against both.
func databases(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "hub.db") },
		"postgres": func(t *testing.T) string { return pgtest.Schema(t) },
	}
}

func eachDatabase(t *testing.T, fn func(t *testing.T, database string, s *Store)) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			database := db(t)
			s, err := Open(context.Background(), database)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, database, s)
		})
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("", 8*3600))

var twoPoints = []config.Point{
	{ID: "xq-01", Name: "区政务服务中心查阅点", Level: config.LevelCounty},
	{ID: "zj-07", Name: "张家镇政府查阅点", Level: config.LevelTownship},
}

func TestImportPoints(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		c, err := s.ImportPoints(ctx, twoPoints, t0)
		if err != nil || c != (ImportCounts{Added: 2}) {
			t.Fatalf("first import: %+v %v", c, err)
		}
		again := append([]config.Point{}, twoPoints...)
		again[1].Name = "张家镇人民政府查阅点"
		again = append(again, config.Point{ID: "zj-08", Name: "李庄镇", Level: config.LevelTownship})
		c, err = s.ImportPoints(ctx, again, t0)
		if err != nil || c != (ImportCounts{Added: 1, Updated: 1, Unchanged: 1}) {
			t.Fatalf("second import: %+v %v", c, err)
		}
		pts, err := s.Points(ctx)
		if err != nil || len(pts) != 3 || pts[1].Name != "张家镇人民政府查阅点" || pts[0].Active {
			t.Fatalf("points: %+v %v", pts, err)
		}
		if _, err := s.PointByID(ctx, "nope"); !errors.Is(err, ErrUnknownPoint) {
			t.Fatalf("unknown point: %v", err)
		}
	})
}

func TestEnrolOnceRevokeReenrol(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		if _, err := s.ImportPoints(ctx, twoPoints, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.AddEnrolCode(ctx, "nope", "c0", t0, t0.Add(time.Hour)); !errors.Is(err, ErrUnknownPoint) {
			t.Fatalf("code for an unknown point: %v", err)
		}
		if err := s.AddEnrolCode(ctx, "xq-01", "c1", t0, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.AddEnrolCode(ctx, "xq-01", "c2", t0, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enrol(ctx, "c1", "t1", "", t0.Add(2*time.Hour)); !errors.Is(err, ErrBadCode) {
			t.Fatalf("expired code: %v", err)
		}
		if _, err := s.Enrol(ctx, "unknown", "t1", "", t0); !errors.Is(err, ErrBadCode) {
			t.Fatalf("unknown code: %v", err)
		}
		if _, err := s.Enrol(ctx, "c2", "t2", "zj-07", t0.Add(time.Minute)); !errors.Is(err, ErrWrongPoint) {
			t.Fatalf("another point's code: %v", err)
		}
		p, err := s.Enrol(ctx, "c2", "t2", "xq-01", t0.Add(time.Minute))
		if err != nil || p != twoPoints[0] {
			t.Fatalf("enrol: %+v %v", p, err)
		}
		if _, err := s.Enrol(ctx, "c2", "t3", "", t0.Add(time.Minute)); !errors.Is(err, ErrBadCode) {
			t.Fatalf("code used twice: %v", err)
		}
		if pt, err := s.Authenticate(ctx, "t2"); err != nil || pt != "xq-01" {
			t.Fatalf("authenticate: %q %v", pt, err)
		}
		if _, err := s.Authenticate(ctx, "t3"); !errors.Is(err, ErrBadToken) {
			t.Fatalf("unknown token: %v", err)
		}
		n, err := s.Revoke(ctx, "xq-01", t0.Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("revoke: %d %v", n, err)
		}
		if _, err := s.Authenticate(ctx, "t2"); !errors.Is(err, ErrBadToken) {
			t.Fatalf("revoked token: %v", err)
		}
		if err := s.AddEnrolCode(ctx, "xq-01", "c4", t0, t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enrol(ctx, "c4", "t4", "", t0.Add(3*time.Hour)); err != nil {
			t.Fatalf("re-enrol: %v", err)
		}
		// Enrolling again replaces the credential.
		if err := s.AddEnrolCode(ctx, "xq-01", "c5", t0, t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enrol(ctx, "c5", "t5", "", t0.Add(4*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "t4"); !errors.Is(err, ErrBadToken) {
			t.Fatalf("the replaced credential still works: %v", err)
		}
		pts, _ := s.Points(ctx)
		if !pts[0].Active || pts[0].Enrolled.IsZero() || pts[1].Active {
			t.Fatalf("points after enrolment: %+v", pts)
		}
	})
}

func visitsOf(point string, n int, start time.Time) []visits.VisitRecord {
	var out []visits.VisitRecord
	for i := range n {
		st := start.Add(time.Duration(i) * 25 * time.Hour)
		out = append(out, visits.VisitRecord{ID: fmt.Sprintf("%s-%04d", point, i), Point: point, Start: st, End: st.Add(time.Minute)})
	}
	return out
}

func TestAddVisitsOnceAndReadBack(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		if _, err := s.ImportPoints(ctx, twoPoints, t0); err != nil {
			t.Fatal(err)
		}
		a := visitsOf("xq-01", 40, t0)
		// Another zone: the visit is rebuilt in its own offset.
		utc := visitsOf("zj-07", 3, time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC))
		stored, dup, err := s.AddVisits(ctx, "xq-01", a, t0)
		if err != nil || stored != 40 || dup != 0 {
			t.Fatalf("first batch: %d %d %v", stored, dup, err)
		}
		stored, dup, err = s.AddVisits(ctx, "xq-01", a[30:], t0)
		if err != nil || stored != 0 || dup != 10 {
			t.Fatalf("replay: %d %d %v", stored, dup, err)
		}
		// A batch that holds one visit twice, and more than one INSERT's worth.
		big := visitsOf("xq-01", 2*insertChunk+7, t0.Add(-1000*24*time.Hour))
		for i := range big {
			big[i].ID = "old-" + big[i].ID
		}
		big = append(big, big[3], a[0])
		stored, dup, err = s.AddVisits(ctx, "xq-01", big, t0)
		if err != nil || stored != 2*insertChunk+7 || dup != 2 {
			t.Fatalf("a visit twice in a batch: %d %d %v", stored, dup, err)
		}
		if _, _, err := s.AddVisits(ctx, "zj-07", utc, t0); err != nil {
			t.Fatal(err)
		}
		var got []visits.VisitRecord
		if err := s.EachVisit(ctx, 2026, func(v visits.VisitRecord) error { got = append(got, v); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 41 {
			t.Fatalf("2026 holds %d visits, want 41", len(got))
		}
		last := got[40]
		if last.ID != "zj-07-0000" || last.Start.Format(time.RFC3339) != "2026-12-31T23:30:00Z" {
			t.Fatalf("last visit %+v", last)
		}
		if got[0].Start.Format(time.RFC3339) != "2026-03-01T09:00:00+08:00" || !got[0].End.Equal(got[0].Start.Add(time.Minute)) {
			t.Fatalf("first visit %+v", got[0])
		}
		months, err := s.MonthCounts(ctx, 2027)
		if err != nil || months["zj-07"][0] != 2 || len(months) != 1 {
			t.Fatalf("2027 months: %v %v", months, err)
		}
		c, err := s.VisitCounts(ctx, t0)
		if err != nil || c["xq-01"] != (Counts{Today: 1, Month: 1, Year: 40}) || c["zj-07"] != (Counts{Today: 0, Month: 0, Year: 1}) {
			t.Fatalf("counts %v %v", c, err)
		}
		pts, _ := s.Points(ctx)
		if !pts[0].LastUpload.Equal(t0) {
			t.Fatalf("last upload %v", pts[0].LastUpload)
		}
	})
}

// Points upload the same batch at once (a retry racing its original): each
// visit is stored once and every visit is counted stored or duplicate.
func TestConcurrentReplaysCountOnce(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		if _, err := s.ImportPoints(ctx, twoPoints, t0); err != nil {
			t.Fatal(err)
		}
		batch := visitsOf("xq-01", 200, t0)
		var mu sync.Mutex
		total := 0
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				stored, dup, err := s.AddVisits(ctx, "xq-01", batch, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if stored+dup != len(batch) {
					t.Errorf("stored %d + duplicates %d != %d", stored, dup, len(batch))
				}
				mu.Lock()
				total += stored
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != 200 {
			t.Fatalf("stored %d in all, want 200", total)
		}
	})
}

func TestHeartbeatKeepsTheLatest(t *testing.T) {
	eachDatabase(t, func(t *testing.T, database string, s *Store) {
		ctx := context.Background()
		if _, err := s.ImportPoints(ctx, twoPoints, t0); err != nil {
			t.Fatal(err)
		}
		st := Status{Point: "zj-07", Seen: t0, PointTime: t0.Add(400 * time.Second), SkewSeconds: 400, KioskVersion: "1.2",
			ContentVersion: "c-9", VisitsToday: 3, VisitsYear: 50, Unsent: 7, LastError: "\x1b[2Jdial tcp: timeout"}
		if err := s.SaveHeartbeat(ctx, st); err != nil {
			t.Fatal(err)
		}
		st.Seen, st.Unsent, st.LastError = t0.Add(time.Minute), 0, ""
		if err := s.SaveHeartbeat(ctx, st); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveHeartbeat(ctx, Status{Point: "nope", Seen: t0, PointTime: t0}); err == nil {
			t.Fatal("a heartbeat of an unknown point was stored")
		}
		// Reopened, the database holds what was committed.
		s.Close()
		s2, err := Open(ctx, database)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		all, err := s2.Statuses(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("statuses %v %v", all, err)
		}
		got := all["zj-07"]
		if !got.Seen.Equal(st.Seen) || !got.PointTime.Equal(st.PointTime) || got.SkewSeconds != 400 || got.Unsent != 0 ||
			got.LastError != "" || got.KioskVersion != "1.2" || got.VisitsYear != 50 {
			t.Fatalf("status %+v", got)
		}
	})
}

// Kiosks typing the same code at once: one enrols.
func TestCodeUsedOnceUnderConcurrency(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		if _, err := s.ImportPoints(ctx, twoPoints, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.AddEnrolCode(ctx, "zj-07", "c", t0, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var won, lost int
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				_, err := s.Enrol(ctx, "c", fmt.Sprintf("t%d", i), "", t0)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case errors.Is(err, ErrBadCode):
					lost++
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won != 1 || lost != 7 {
			t.Fatalf("%d enrolled, %d refused", won, lost)
		}
	})
}

// Two codes of one point used at the same moment leave one live
// credential, not two.
func TestTwoCodesAtOnceLeaveOneCredential(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		if _, err := s.ImportPoints(ctx, twoPoints, t0); err != nil {
			t.Fatal(err)
		}
		for round := range 20 {
			a, b := fmt.Sprintf("a%d", round), fmt.Sprintf("b%d", round)
			for _, c := range []string{a, b} {
				if err := s.AddEnrolCode(ctx, "xq-01", c, t0, t0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for _, c := range []string{a, b} {
				wg.Go(func() {
					if _, err := s.Enrol(ctx, c, "tok-"+c, "", t0.Add(time.Minute)); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			live := 0
			for _, c := range []string{a, b} {
				if _, err := s.Authenticate(ctx, "tok-"+c); err == nil {
					live++
				}
			}
			if live != 1 {
				t.Fatalf("round %d: %d live credentials for one point", round, live)
			}
		}
	})
}
