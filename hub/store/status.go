package store

import (
	"kiosk/internal/migrate"

	"context"
	"database/sql"
	"fmt"
	"time"
)

// Status is what a point last said of itself (its heartbeat) and when.
type Status struct {
	Point          string
	Seen           time.Time // hub's clock when the heartbeat arrived
	PointTime      time.Time // the point's clock in it
	SkewSeconds    float64   // point's clock − hub's clock
	KioskVersion   string
	ContentVersion string
	VisitsToday    int // the point's own counts
	VisitsYear     int
	Unsent         int
	LastError      string // as the point sent it: untrusted text
}

// SaveHeartbeat keeps the point's latest status.
//
// On PostgreSQL the commit does not wait for the disk (synchronous_commit
// off for this transaction only): a crash of the database server can lose
// the last fraction of a second of heartbeats, which the next minute's
// heartbeats replace, and never a visit. Waiting for the disk made
// heartbeats' p99 several times slower on a busy machine
// (docs/BENCHMARKS.md).
func (s *Store) SaveHeartbeat(ctx context.Context, st Status) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if s.dialect == migrate.Postgres {
			if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO point_status (point, seen_ms, point_time_ms, skew_s, kiosk_version, content_version,
			visits_today, visits_year, unsent, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (point) DO UPDATE SET seen_ms = excluded.seen_ms, point_time_ms = excluded.point_time_ms,
			skew_s = excluded.skew_s, kiosk_version = excluded.kiosk_version, content_version = excluded.content_version,
			visits_today = excluded.visits_today, visits_year = excluded.visits_year, unsent = excluded.unsent,
			last_error = excluded.last_error`),
			st.Point, ms(st.Seen), ms(st.PointTime), st.SkewSeconds, st.KioskVersion, st.ContentVersion,
			st.VisitsToday, st.VisitsYear, st.Unsent, st.LastError)
		if err != nil {
			return fmt.Errorf("point %s: %w", st.Point, err)
		}
		return nil
	})
}

// Statuses gives the latest status of every point that sent a heartbeat,
// by point id.
func (s *Store) Statuses(ctx context.Context) (map[string]Status, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT point, seen_ms, point_time_ms, skew_s, kiosk_version, content_version,
		visits_today, visits_year, unsent, last_error FROM point_status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Status{}
	for rows.Next() {
		var st Status
		var seen, pt int64
		if err := rows.Scan(&st.Point, &seen, &pt, &st.SkewSeconds, &st.KioskVersion, &st.ContentVersion,
			&st.VisitsToday, &st.VisitsYear, &st.Unsent, &st.LastError); err != nil {
			return nil, err
		}
		st.Seen, st.PointTime = time.UnixMilli(seen), time.UnixMilli(pt)
		out[st.Point] = st
	}
	return out, rows.Err()
}
