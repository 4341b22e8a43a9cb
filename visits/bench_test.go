package visits

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"kiosk/config"
)

// fillBulk inserts n visits of 2026 over 92 points (6 county, 86 township)
// in one transaction — a fixture, not how the kiosk writes.
func fillBulk(tb testing.TB, s *Store, n int) []config.Point {
	tb.Helper()
	ctx := context.Background()
	var pts []config.Point
	for i := range 92 {
		p := config.Point{ID: fmt.Sprintf("t%02d", i-5), Name: fmt.Sprintf("第%d乡镇查阅点", i-5), Level: config.LevelTownship}
		if i < 6 {
			p = config.Point{ID: fmt.Sprintf("c%02d", i+1), Name: fmt.Sprintf("县直查阅点%d", i+1), Level: config.LevelCounty}
		}
		pts = append(pts, p)
		must(tb, s.SetPoint(ctx, p, time.Now()))
	}
	conn, err := s.db.Conn(ctx)
	must(tb, err)
	defer conn.Close()
	// A big cache for the bulk insert into the random-UUID unique index,
	// put back afterwards so that the export measures the real setting.
	_, err = conn.ExecContext(ctx, `PRAGMA cache_size = -262144`)
	must(tb, err)
	defer conn.ExecContext(ctx, `PRAGMA cache_size = -32768`)
	tx, err := conn.BeginTx(ctx, nil)
	must(tb, err)
	st, err := tx.PrepareContext(ctx, `INSERT INTO visits (id, point, day, start_ms, tz_s, last_ms, end_ms, ended, sections, searches) VALUES (?, ?, ?, ?, ?, ?, ?, 'idle', ?, ?)`)
	must(tb, err)
	rng := rand.New(rand.NewPCG(1, 2))
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, cst)
	span := time.Date(2027, 1, 1, 0, 0, 0, 0, cst).Sub(year)
	// Kiosks insert visits as they begin: in time order.
	starts := make([]time.Time, n)
	for i := range starts {
		starts[i] = year.Add(time.Duration(rng.Int64N(int64(span))))
	}
	slices.SortFunc(starts, time.Time.Compare)
	for _, start := range starts {
		dur := time.Duration(30+rng.IntN(900)) * time.Second
		end := start.Add(dur)
		_, err := st.ExecContext(ctx, uuid.NewString(), pts[rng.IntN(len(pts))].ID, start.Format("2006-01-02"),
			start.UnixMilli(), 8*3600, end.UnixMilli(), end.UnixMilli(), rng.IntN(6), rng.IntN(3))
		must(tb, err)
	}
	must(tb, st.Close())
	must(tb, tx.Commit())
	return pts
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkExportYear1M exports a year of 1,000,000 visits over 92 points
// in each format (set VISITS_BENCH_N for another size). The fixture is
// built once; its time is logged and reported as fill-s.
//
//	go test ./visits/ -run '^$' -bench ExportYear1M -benchtime 3x
func BenchmarkExportYear1M(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("VISITS_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	s := openTemp(b)
	t0 := time.Now()
	pts := fillBulk(b, s, n)
	fill := time.Since(t0)
	fi, _ := os.Stat(s.Path())
	wal, _ := os.Stat(s.Path() + "-wal")
	var walSize int64
	if wal != nil {
		walSize = wal.Size()
	}
	b.Logf("fixture: %d visits over %d points inserted in %v (one transaction); visits.db %.1f MB + WAL %.1f MB",
		n, len(pts), fill.Round(time.Millisecond), float64(fi.Size())/1e6, float64(walSize)/1e6)
	ctx := context.Background()
	opt := ReportOptions{Year: 2026, Point: pts[0], Labels: config.Default().Labels}
	b.Run("aggregate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := BuildReport(ctx, s, opt)
			must(b, err)
			if r.Total != n {
				b.Fatalf("total %d", r.Total)
			}
		}
		b.ReportMetric(fill.Seconds(), "fill-s")
	})
	b.Run("summary", func(b *testing.B) {
		for b.Loop() {
			_, err := s.Summary(ctx, pts[0].ID, time.Date(2026, 12, 31, 12, 0, 0, 0, cst))
			must(b, err)
		}
	})
	b.Run("reopen", func(b *testing.B) { // the kiosk's start: checks, migrations, recovery
		for b.Loop() {
			s2, err := Open(s.Path())
			must(b, err)
			s2.Close()
		}
	})
	b.Run("merge-json", func(b *testing.B) {
		r, err := BuildReport(ctx, s, opt)
		must(b, err)
		var buf bytes.Buffer
		must(b, r.WriteJSON(&buf))
		b.ReportAllocs()
		for b.Loop() {
			m, err := Merge([]Input{{Name: "big.json", R: bytes.NewReader(buf.Bytes())}}, MergeOptions{Labels: opt.Labels})
			must(b, err)
			if m.Total != n {
				b.Fatalf("merged total %d", m.Total)
			}
		}
		b.ReportMetric(float64(buf.Len())/1e6, "in-MB")
	})
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			var w countingWriter
			for b.Loop() {
				w = countingWriter{}
				r, err := BuildReport(ctx, s, opt)
				must(b, err)
				must(b, r.Write(&w, f))
			}
			b.ReportMetric(float64(w.n)/1e6, "out-MB")
		})
	}
}
