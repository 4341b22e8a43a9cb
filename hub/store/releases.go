package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// ErrNoRelease: no release with that number, or none meant for the point.
var ErrNoRelease = errors.New("no such release")

// Release is a signed content release the hub serves, and who it is for.
type Release struct {
	Release     uint64
	SHA256      string // hex, of the archive
	Size        int64
	Created     time.Time
	Expires     time.Time
	Title       string // pack.toml's: untrusted text for a terminal
	PackVersion string
	All         bool     // for every point
	Points      []string // the staged points when not All, sorted
	Envelope    []byte   // the signed release.Envelope (JSON)
	Published   time.Time
	Note        string // e.g. "rollback to 3"
}

// AddRelease records a new release. Its staged points must be known
// (ErrUnknownPoint); a number already used is an error.
func (s *Store) AddRelease(ctx context.Context, r Release) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM releases WHERE release = ?`), int64(r.Release)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("release %d is already recorded", r.Release)
		}
		all := 0
		if r.All {
			all = 1
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO releases (release, sha256, size, created_ms, expires_ms, title, pack_version,
			all_points, envelope, published_ms, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			int64(r.Release), r.SHA256, r.Size, ms(r.Created), ms(r.Expires), r.Title, r.PackVersion, all, string(r.Envelope),
			ms(r.Published), r.Note); err != nil {
			return fmt.Errorf("release %d: %w", r.Release, err)
		}
		return s.addTargets(ctx, tx, r.Release, r.Points)
	})
}

func (s *Store) addTargets(ctx context.Context, tx *sql.Tx, n uint64, points []string) error {
	for _, p := range points {
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM points WHERE id = ?`), p).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrUnknownPoint, p)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO release_targets (release, point) VALUES (?, ?) ON CONFLICT DO NOTHING`), int64(n), p); err != nil {
			return fmt.Errorf("release %d, point %s: %w", n, p, err)
		}
	}
	return nil
}

// WidenRelease makes release n every point's, with envelope, the same
// archive signed again without a point list.
func (s *Store) WidenRelease(ctx context.Context, n uint64, envelope []byte, expires time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE releases SET all_points = 1, envelope = ?, expires_ms = ? WHERE release = ?`),
			string(envelope), ms(expires), int64(n))
		if err != nil {
			return fmt.Errorf("release %d: %w", n, err)
		}
		if c, err := res.RowsAffected(); err != nil || c != 1 {
			return fmt.Errorf("release %d: %w", n, ErrNoRelease)
		}
		return nil
	})
}

const releaseColumns = `release, sha256, size, created_ms, expires_ms, title, pack_version, all_points, envelope, published_ms, note`

func scanRelease(sc interface{ Scan(...any) error }) (Release, error) {
	var r Release
	var n, created, expires, published int64
	var all int
	var env string
	if err := sc.Scan(&n, &r.SHA256, &r.Size, &created, &expires, &r.Title, &r.PackVersion, &all, &env, &published, &r.Note); err != nil {
		return r, err
	}
	r.Release, r.All, r.Envelope = uint64(n), all == 1, []byte(env)
	r.Created, r.Expires, r.Published = time.UnixMilli(created), time.UnixMilli(expires), time.UnixMilli(published)
	return r, nil
}

// Releases lists every release, oldest first, with their staged points.
func (s *Store) Releases(ctx context.Context) ([]Release, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+releaseColumns+` FROM releases ORDER BY release`)
	if err != nil {
		return nil, err
	}
	var out []Release
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	targets, err := s.db.QueryContext(ctx, `SELECT release, point FROM release_targets ORDER BY release, point`)
	if err != nil {
		return nil, err
	}
	defer targets.Close()
	byNum := map[uint64]int{}
	for i, r := range out {
		byNum[r.Release] = i
	}
	for targets.Next() {
		var n int64
		var p string
		if err := targets.Scan(&n, &p); err != nil {
			return nil, err
		}
		if i, ok := byNum[uint64(n)]; ok {
			out[i].Points = append(out[i].Points, p)
		}
	}
	return out, targets.Err()
}

// ReleaseFor is the release meant for point: the highest one published to
// every point or staged for it; ErrNoRelease when there is none.
func (s *Store) ReleaseFor(ctx context.Context, point string) (Release, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+releaseColumns+` FROM releases r
		WHERE r.all_points = 1 OR EXISTS (SELECT 1 FROM release_targets t WHERE t.release = r.release AND t.point = ?)
		ORDER BY r.release DESC LIMIT 1`), point)
	r, err := scanRelease(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNoRelease
	}
	return r, err
}

// MeantFor is release n when it is published to every point or staged
// for point; ErrNoRelease otherwise.
func (s *Store) MeantFor(ctx context.Context, n uint64, point string) (Release, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+releaseColumns+` FROM releases r WHERE r.release = ? AND
		(r.all_points = 1 OR EXISTS (SELECT 1 FROM release_targets t WHERE t.release = r.release AND t.point = ?))`),
		int64(n), point)
	r, err := scanRelease(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNoRelease
	}
	return r, err
}

// PointRelease is what a point's heartbeat last said of its releases.
type PointRelease struct {
	Point     string
	Installed uint64 // the highest signed release installed
	Attempted uint64 // the last release it tried to install from the hub
	Result    string // api.ReleaseInstalled, ReleaseRefused, ReleaseFailed or ""
	Error     string // as the point sent it: untrusted text
	Seen      time.Time
}

// SaveReleaseReport keeps a point's release report.
func (s *Store) SaveReleaseReport(ctx context.Context, pr PointRelease) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO point_releases (point, installed, attempted, result, error, seen_ms)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (point) DO UPDATE SET installed = excluded.installed,
			attempted = excluded.attempted, result = excluded.result, error = excluded.error, seen_ms = excluded.seen_ms`),
			pr.Point, int64(pr.Installed), int64(pr.Attempted), pr.Result, pr.Error, ms(pr.Seen))
		if err != nil {
			return fmt.Errorf("point %s: %w", pr.Point, err)
		}
		return nil
	})
}

// PointReleases gives every point's last release report, by point id.
func (s *Store) PointReleases(ctx context.Context) (map[string]PointRelease, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT point, installed, attempted, result, error, seen_ms FROM point_releases`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]PointRelease{}
	for rows.Next() {
		var pr PointRelease
		var inst, att, seen int64
		if err := rows.Scan(&pr.Point, &inst, &att, &pr.Result, &pr.Error, &seen); err != nil {
			return nil, err
		}
		pr.Installed, pr.Attempted, pr.Seen = uint64(inst), uint64(att), time.UnixMilli(seen)
		out[pr.Point] = pr
	}
	return out, rows.Err()
}

// Progress is a release's roll-out: of the points it is meant for, which
// installed it (or a later release) and which failed or refused it.
type Progress struct {
	Release   Release
	Targets   []string          // the points it is meant for, sorted
	Installed []string          // installed it or a higher release
	Failed    map[string]string // point → result and error of its last attempt at this release
}

// RolloutProgress is every release's roll-out, oldest first.
func (s *Store) RolloutProgress(ctx context.Context) ([]Progress, error) {
	rels, err := s.Releases(ctx)
	if err != nil {
		return nil, err
	}
	pts, err := s.Points(ctx)
	if err != nil {
		return nil, err
	}
	reports, err := s.PointReleases(ctx)
	if err != nil {
		return nil, err
	}
	var all []string
	for _, p := range pts {
		all = append(all, p.ID)
	}
	sort.Strings(all)
	out := make([]Progress, 0, len(rels))
	for _, r := range rels {
		pg := Progress{Release: r, Targets: r.Points, Failed: map[string]string{}}
		if r.All {
			pg.Targets = all
		}
		for _, p := range pg.Targets {
			rep, ok := reports[p]
			switch {
			case !ok:
			case rep.Installed >= r.Release:
				pg.Installed = append(pg.Installed, p)
			case rep.Attempted == r.Release && rep.Result != "" && rep.Result != "installed":
				pg.Failed[p] = rep.Result + ": " + rep.Error
			}
		}
		out = append(out, pg)
	}
	return out, nil
}
