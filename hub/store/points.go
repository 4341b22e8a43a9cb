package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kiosk/config"
)

// ImportCounts says what ImportPoints did.
type ImportCounts struct{ Added, Updated, Unchanged int }

// ImportPoints adds the points not yet known and updates the name and
// level of those known, in one transaction. Points not in pts are kept.
func (s *Store) ImportPoints(ctx context.Context, pts []config.Point, now time.Time) (ImportCounts, error) {
	var c ImportCounts
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c = ImportCounts{}
		for _, p := range pts {
			var name, level string
			err := tx.QueryRowContext(ctx, s.q(`SELECT name, level FROM points WHERE id = ?`), p.ID).Scan(&name, &level)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO points (id, name, level, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)`),
					p.ID, p.Name, p.Level, ms(now), ms(now)); err != nil {
					return fmt.Errorf("point %s: %w", p.ID, err)
				}
				c.Added++
			case err != nil:
				return err
			case name == p.Name && level == p.Level:
				c.Unchanged++
			default:
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE points SET name = ?, level = ?, updated_ms = ? WHERE id = ?`),
					p.Name, p.Level, ms(now), p.ID); err != nil {
					return fmt.Errorf("point %s: %w", p.ID, err)
				}
				c.Updated++
			}
		}
		return nil
	})
	return c, err
}

// Point is a lookup point as the hub knows it.
type Point struct {
	config.Point
	Enrolled   time.Time // zero: never enrolled
	LastUpload time.Time // the last batch received; zero: none
	Active     bool      // holds a credential that is not revoked
}

// Points lists the points by id.
func (s *Store) Points(ctx context.Context) ([]Point, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, level, enrolled_ms, last_upload_ms,
		EXISTS (SELECT 1 FROM credentials c WHERE c.point = points.id AND c.revoked_ms IS NULL)
		FROM points ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Point
	for rows.Next() {
		var p Point
		var enrolled, upload sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Name, &p.Level, &enrolled, &upload, &p.Active); err != nil {
			return nil, err
		}
		p.Enrolled, p.LastUpload = fromMS(enrolled), fromMS(upload)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PointByID finds a point (ErrUnknownPoint).
func (s *Store) PointByID(ctx context.Context, id string) (config.Point, error) {
	p := config.Point{ID: id}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT name, level FROM points WHERE id = ?`), id).Scan(&p.Name, &p.Level)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: %s", ErrUnknownPoint, id)
	}
	return p, err
}

// AddEnrolCode stores the SHA-256 (hex) of a new one-time enrolment code
// for point, valid until expires.
func (s *Store) AddEnrolCode(ctx context.Context, point, codeHash string, now, expires time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM points WHERE id = ?`), point).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrUnknownPoint, point)
		} else if err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO enrol_codes (hash, point, created_ms, expires_ms) VALUES (?, ?, ?, ?)`),
			codeHash, point, ms(now), ms(expires))
		return err
	})
}

// Enrol uses up the code whose hash is codeHash and gives its point the
// credential whose hash is tokenHash; the point's earlier credentials are
// revoked (a point holds one). A code unknown, used or expired is
// ErrBadCode. When want is not empty and the code is another point's, it
// is ErrWrongPoint and the code stays unused. One transaction: two kiosks
// typing the same code cannot both enrol.
func (s *Store) Enrol(ctx context.Context, codeHash, tokenHash, want string, now time.Time) (config.Point, error) {
	var p config.Point
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE enrol_codes SET used_ms = ? WHERE hash = ? AND used_ms IS NULL AND expires_ms > ?`),
			ms(now), codeHash, ms(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrBadCode
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT p.id, p.name, p.level FROM enrol_codes c JOIN points p ON p.id = c.point WHERE c.hash = ?`),
			codeHash).Scan(&p.ID, &p.Name, &p.Level); err != nil {
			return err
		}
		if want != "" && want != p.ID {
			return fmt.Errorf("%w: the code is point %s's, not %s", ErrWrongPoint, p.ID, want)
		}
		// The point's row first: on PostgreSQL its lock makes two codes of
		// one point used at the same moment take turns, so the second
		// revokes the first's credential (each statement sees what was
		// committed before it) and one credential stays live. SQLite has
		// one writer at a time anyway.
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE points SET enrolled_ms = ? WHERE id = ?`), ms(now), p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE credentials SET revoked_ms = ? WHERE point = ? AND revoked_ms IS NULL`), ms(now), p.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO credentials (hash, point, created_ms) VALUES (?, ?, ?)`), tokenHash, p.ID, ms(now))
		return err
	})
	return p, err
}

// Authenticate finds the point whose live credential hashes to tokenHash
// (ErrBadToken if none).
func (s *Store) Authenticate(ctx context.Context, tokenHash string) (string, error) {
	var point string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT point FROM credentials WHERE hash = ? AND revoked_ms IS NULL`), tokenHash).Scan(&point)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrBadToken
	}
	return point, err
}

// Revoke revokes the point's credentials and its unused enrolment codes
// at once, and returns how many credentials it revoked. A new code (kiosk
// hub points token) lets the point enrol again.
func (s *Store) Revoke(ctx context.Context, point string, now time.Time) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM points WHERE id = ?`), point).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrUnknownPoint, point)
		} else if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE credentials SET revoked_ms = ? WHERE point = ? AND revoked_ms IS NULL`), ms(now), point)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE enrol_codes SET used_ms = ? WHERE point = ? AND used_ms IS NULL`), ms(now), point)
		return err
	})
	return int(n), err
}
