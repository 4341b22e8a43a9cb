package visits

import (
	"context"
	"fmt"
	"time"
)

// Upload bookkeeping for the office hub (hub/point): which closed visits
// the hub has acknowledged. A visit is marked only after the hub's answer
// says it holds it; a crash between the answer and the mark only means the
// visit is sent again, and the hub counts it once (it keys by point and
// id).

// OpenBeside opens the visits database for a staff command that writes
// bookkeeping while a kiosk may be counting into the same file (kiosk
// sync): it checks and migrates the file like Open but leaves open visits
// alone — they may be the running kiosk's visit in progress.
func OpenBeside(path string) (*Store, error) {
	return open(path, modeBeside)
}

// Unsent returns up to limit closed visits of point the hub has not
// acknowledged, oldest first (by start, then id).
func (s *Store) Unsent(ctx context.Context, point string, limit int) ([]VisitRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, start_ms, tz_s, end_ms FROM visits
		WHERE sent_ms IS NULL AND end_ms IS NOT NULL AND point = ?
		ORDER BY point, start_ms, id LIMIT ?`, point, limit)
	if err != nil {
		return nil, fmt.Errorf("读取未上传的访问记录失败 (visits: read unsent visits): %w", err)
	}
	defer rows.Close()
	var out []VisitRecord
	for rows.Next() {
		var start, end, tz int64
		v := VisitRecord{Point: point}
		if err := rows.Scan(&v.ID, &start, &tz, &end); err != nil {
			return nil, fmt.Errorf("读取未上传的访问记录失败 (visits: read unsent visits): %w", err)
		}
		loc := time.FixedZone("", int(tz))
		v.Start, v.End = time.UnixMilli(start).In(loc), time.UnixMilli(end).In(loc)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("读取未上传的访问记录失败 (visits: read unsent visits): %w", err)
	}
	return out, nil
}

// MarkSent records, in one transaction, that the hub acknowledged the
// visits ids at time at. A visit already marked keeps its first mark.
func (s *Store) MarkSent(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("记录已上传失败 (visits: mark sent): %w", err)
	}
	defer tx.Rollback() // after Commit it does nothing
	st, err := tx.PrepareContext(ctx, `UPDATE visits SET sent_ms = ? WHERE id = ? AND sent_ms IS NULL`)
	if err != nil {
		return fmt.Errorf("记录已上传失败 (visits: mark sent): %w", err)
	}
	defer st.Close()
	ms := at.UnixMilli()
	for _, id := range ids {
		if _, err := st.ExecContext(ctx, ms, id); err != nil {
			return fmt.Errorf("记录访问 %s 已上传失败 (visits: mark visit sent): %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("记录已上传失败 (visits: mark sent): %w", err)
	}
	return nil
}

// UnsentCount counts the closed visits the hub has not acknowledged: own
// of point, others of every other point id (e.g. recorded under the
// default id before the kiosk was enrolled; they are never sent).
func (s *Store) UnsentCount(ctx context.Context, point string) (own, others int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT
		coalesce(sum(CASE WHEN point = ? THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN point = ? THEN 0 ELSE 1 END), 0)
		FROM visits WHERE sent_ms IS NULL AND end_ms IS NOT NULL`, point, point).Scan(&own, &others)
	if err != nil {
		return 0, 0, fmt.Errorf("统计未上传的访问记录失败 (visits: count unsent visits): %w", err)
	}
	return own, others, nil
}
