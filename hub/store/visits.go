package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kiosk/visits"
)

// insertChunk is how many visits one INSERT carries: 7 parameters each,
// well under SQLite's 32,766 and PostgreSQL's 65,535. One statement per
// visit made a 1,000-visit batch take 83 ms on PostgreSQL (12,000
// visits/s); in chunks of 250 it takes 10 ms (100,000 visits/s; SQLite
// 10 → 5 ms), measured with BenchmarkAddVisits on a 2-core machine.
const insertChunk = 250

// AddVisits stores a batch of the point's visits in one transaction,
// each (point, id) once: stored counts the new ones, duplicates those
// already held or given twice (a replayed batch stores nothing twice).
// The caller has checked that every visit is the point's.
func (s *Store) AddVisits(ctx context.Context, point string, recs []visits.VisitRecord, now time.Time) (stored, duplicates int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		stored = 0
		for chunk := range slices.Chunk(recs, insertChunk) {
			n, err := s.insertVisits(ctx, tx, point, chunk, now)
			if err != nil {
				return err
			}
			stored += n
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE points SET last_upload_ms = ? WHERE id = ?`), ms(now), point)
		return err
	})
	return stored, len(recs) - stored, err
}

// insertVisits inserts recs in one statement and counts the rows it
// stored (RETURNING: the ones that were not there).
func (s *Store) insertVisits(ctx context.Context, tx *sql.Tx, point string, recs []visits.VisitRecord, now time.Time) (int, error) {
	var b strings.Builder
	b.WriteString(`INSERT INTO visits (point, id, day, start_ms, tz_s, end_ms, received_ms) VALUES `)
	args := make([]any, 0, 7*len(recs))
	for i, v := range recs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		_, off := v.Start.Zone()
		args = append(args, point, v.ID, v.Start.Format(time.DateOnly), ms(v.Start), off, ms(v.End), ms(now))
	}
	b.WriteString(` ON CONFLICT (point, id) DO NOTHING RETURNING id`)
	rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return 0, fmt.Errorf("visits of point %s: %w", point, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// EachVisit calls fn for every visit that began in year (the point's
// local date), ordered as a JSON export lists them: by day, point, start
// and id. It reads without holding the visits in memory.
func (s *Store) EachVisit(ctx context.Context, year int, fn func(visits.VisitRecord) error) error {
	from, to := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, point, start_ms, tz_s, end_ms FROM visits
		WHERE day >= ? AND day < ? ORDER BY day, point, start_ms, id`), from, to)
	if err != nil {
		return err
	}
	return visits.EachRecord(rows, fn)
}

// Counts are a point's visits the hub holds.
type Counts struct{ Today, Month, Year int }

// VisitCounts counts each point's visits of today's local date, of its
// month and of its year (dates as the points recorded them).
func (s *Store) VisitCounts(ctx context.Context, today time.Time) (map[string]Counts, error) {
	d := today.Format(time.DateOnly)
	month := today.Format("2006-01") + "-01"
	from, to := fmt.Sprintf("%04d-01-01", today.Year()), fmt.Sprintf("%04d-01-01", today.Year()+1)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT point, count(*), coalesce(sum(CASE WHEN day = ? THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN day >= ? AND day <= ? THEN 1 ELSE 0 END), 0)
		FROM visits WHERE day >= ? AND day < ? GROUP BY point`), d, month, d, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Counts{}
	for rows.Next() {
		var p string
		var c Counts
		if err := rows.Scan(&p, &c.Year, &c.Today, &c.Month); err != nil {
			return nil, err
		}
		out[p] = c
	}
	return out, rows.Err()
}

// PointMonths gives one point's visits of year by month, counted in the
// database (the office's page of one point).
func (s *Store) PointMonths(ctx context.Context, point string, year int) ([12]int, error) {
	var out [12]int
	from, to := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT substr(day, 6, 2), count(*) FROM visits
		WHERE day >= ? AND day < ? AND point = ? GROUP BY substr(day, 6, 2)`), from, to, point)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			return out, err
		}
		i, err := strconv.Atoi(m)
		if err != nil || i < 1 || i > 12 {
			return out, fmt.Errorf("visit day with month %q", m)
		}
		out[i-1] = n
	}
	return out, rows.Err()
}

// MonthCounts gives each point's visits of year by month.
func (s *Store) MonthCounts(ctx context.Context, year int) (map[string][12]int, error) {
	out := map[string][12]int{}
	err := s.EachVisit(ctx, year, func(v visits.VisitRecord) error {
		m := out[v.Point]
		m[v.Start.Month()-1]++
		out[v.Point] = m
		return nil
	})
	return out, err
}
