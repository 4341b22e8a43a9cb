// Package visits counts the person-visits (人次) a lookup point receives and
// turns them into the annual report's figures.
//
// A Store is the SQLite file DATA/visits.db (WAL, synchronous=FULL); a
// Tracker applies the visit rules for one kiosk session and writes through
// the Store so that a crash never loses a begun visit; BuildReport, Merge and
// the Report writers produce the year-end exports. See docs/visits.md.
//
// Wiring in the kiosk TUI:
//
//	s, err := visits.Open(filepath.Join(dataDir, "visits.db")) // refuses foreign/damaged files
//	tr, err := visits.NewTracker(s, cfg.Point, visits.TrackerOptions{Idle: idle})
//	citizen key or touch   → tr.Activity()     (begins a visit if none is open)
//	section opened         → tr.SectionRead()
//	search run             → tr.SearchMade()
//	idle timeout           → tr.IdleEnd()      (end = last activity)
//	结束浏览               → tr.End()          (end = now)
//	staff PIN accepted     → tr.IdleEnd()      (staff time is never a visit)
//	kiosk quits            → tr.Close(); s.Close()
//	staff view             → s.Summary(ctx, cfg.Point.ID, time.Now())
//
// Errors are returned, never panicked: show them as a small staff-visible
// warning and carry on.
package visits

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kiosk/internal/migrate"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteHeader starts every SQLite 3 database file.
const sqliteHeader = "SQLite format 3\x00"

// busyTimeout is how long a writer waits for another connection's lock
// (e.g. a staff export running while the kiosk counts) before failing.
const busyTimeout = 5 * time.Second

// ErrForeign is returned (wrapped, with the path) by Open when the file is
// not a visits database: not SQLite at all, damaged, another program's
// SQLite database, or written by a newer kiosk. Such a file is never
// modified.
var ErrForeign = errors.New("不是查阅机的访客数据库 (not a kiosk visits database)")

// ErrNoDatabase is returned by OpenReadOnly when the file does not exist.
var ErrNoDatabase = errors.New("没有访客数据库 (no visits database)")

// Store is the visits database. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
	// immutable: opened read-only as a file nothing writes to, because
	// its folder is read-only (OpenReadOnly).
	immutable bool
}

// openMode is how open opens the file.
type openMode int

const (
	modeKiosk     openMode = iota // create, migrate, recover; the kiosk
	modeReadOnly                  // SQLite mode=ro: reads beside a running kiosk
	modeImmutable                 // mode=ro&immutable=1: a read-only folder
	modeBeside                    // create, migrate, no recovery: kiosk sync
)

// migrations are applied in order by internal/migrate; migrations[i]
// brings the schema from version i to version i+1. Never edit a released
// migration: append a new one.
var migrations = []string{
	// 1: first release.
	`CREATE TABLE points (
		id    TEXT PRIMARY KEY,
		name  TEXT NOT NULL,
		level TEXT NOT NULL,
		seen_ms INTEGER NOT NULL
	);
	CREATE TABLE visits (
		id       TEXT NOT NULL UNIQUE,   -- random UUID, the merge key with point
		point    TEXT NOT NULL,          -- lookup point id (config point.id)
		day      TEXT NOT NULL,          -- YYYY-MM-DD, local date the visit began
		start_ms INTEGER NOT NULL,       -- Unix milliseconds
		tz_s     INTEGER NOT NULL,       -- UTC offset in seconds at the start
		last_ms  INTEGER NOT NULL,       -- last recorded activity
		end_ms   INTEGER,                -- NULL while the visit is open
		ended    TEXT,                   -- explicit | idle | staff | shutdown | recovered
		sections INTEGER NOT NULL DEFAULT 0,
		searches INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX visits_day ON visits(day, point, start_ms);
	CREATE INDEX visits_open ON visits(end_ms) WHERE end_ms IS NULL;`,
	// 2: upload to the office hub. sent_ms is when the hub acknowledged the
	// visit (NULL: not yet); the index holds only closed unsent visits, so
	// it stays small however many years the file keeps.
	`ALTER TABLE visits ADD COLUMN sent_ms INTEGER;
	CREATE INDEX visits_unsent ON visits(point, start_ms, id) WHERE sent_ms IS NULL AND end_ms IS NOT NULL;`,
}

// schema is the visits database's migration list.
var schema = migrate.Schema{Dialect: migrate.SQLite, Steps: migrations}

// SchemaVersion is the schema this program writes.
var SchemaVersion = len(migrations)

// Open opens (creating if needed) the visits database at path for the
// kiosk: it checks the file is a visits database, applies migrations, sets
// WAL mode and closes the visits a previous run left unfinished at their
// last recorded activity. A file that is not a visits database gives an
// error wrapping ErrForeign and is left untouched.
//
// Only one kiosk process may count into a database at a time: Open assumes
// every unfinished visit belongs to a process that is gone. Staff commands
// (export, summary) use OpenReadOnly, which never writes.
func Open(path string) (*Store, error) {
	return open(path, modeKiosk)
}

// OpenReadOnly opens an existing visits database for reports. It never
// writes to the file: no migration, no recovery (open visits count by their
// start anyway, and end at their last recorded activity in exports); a
// write through the Store fails.
//
// Reading a WAL database makes SQLite create visits.db-shm beside it, which
// a read-only folder (a copied or read-only mounted data folder, another
// user's kiosk) refuses: "attempt to write a readonly database". Then, if
// no visits.db-wal holds visits not yet in visits.db, the file is read as
// one nothing writes to (SQLite immutable=1: no -shm, no locks) and
// Immutable reports true; otherwise the error says to copy the folder.
func OpenReadOnly(path string) (*Store, error) {
	s, err := open(path, modeReadOnly)
	if err == nil || !folderRefused(err) {
		return s, err
	}
	return openInReadOnlyFolder(path)
}

// folderRefused reports SQLite's errors for a WAL database whose -shm file
// cannot be created (or opened).
func folderRefused(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

// openInReadOnlyFolder opens path as an immutable file, unless its WAL
// holds data: immutable reading would not see it.
func openInReadOnlyFolder(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("%s: 数据文件夹不可写,而 %s-wal 中可能有尚未写入数据库的访问记录:请把整个数据文件夹复制到可写的位置后读取副本 (the folder is read-only and %s-wal may hold visits not yet in the database: copy the whole data folder somewhere writable and read the copy)",
			abs, filepath.Base(abs), filepath.Base(abs))
	}
	return open(abs, modeImmutable)
}

// Immutable reports whether the store was opened as a file nothing writes
// to, because its folder is read-only (see OpenReadOnly).
func (s *Store) Immutable() bool { return s.immutable }

func open(path string, mode openMode) (*Store, error) {
	readOnly := mode == modeReadOnly || mode == modeImmutable
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if readOnly {
			return nil, fmt.Errorf("%s: %w:本查阅机还没有记录过访问,或者 --data 指错了 (this kiosk has not counted any visit yet, or --data is wrong)", abs, ErrNoDatabase)
		}
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, fmt.Errorf("%s 是文件夹 (is a folder): %w", abs, ErrForeign)
	case fi.Size() > 0:
		if err := checkHeader(abs); err != nil {
			return nil, err
		}
	}

	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	// FULL: in WAL mode every commit fsyncs the WAL, so a power cut cannot
	// roll back a committed begin. NORMAL would only be safe against a
	// process crash. See docs/visits.md.
	q.Add("_pragma", "synchronous(FULL)")
	// 32 MB of page cache per connection (used only as a year's export
	// reads); the default 2 MB makes a 1,000,000-visit export seek.
	q.Add("_pragma", "cache_size(-32768)")
	switch mode {
	case modeKiosk, modeBeside:
		q.Set("_txlock", "immediate")
	case modeReadOnly:
		q.Set("mode", "ro")
	case modeImmutable:
		q.Set("mode", "ro")
		q.Set("immutable", "1")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: abs, readOnly: readOnly, immutable: mode == modeImmutable}
	if err := s.init(mode != modeBeside); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkHeader refuses a non-empty file that does not start like SQLite.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var b [len(sqliteHeader)]byte
	if _, err := io.ReadFull(f, b[:]); err != nil || !bytes.Equal(b[:], []byte(sqliteHeader)) {
		return fmt.Errorf("%s: %w:该文件不是 SQLite 数据库(已损坏,或是别的程序的文件),未作任何改动 —— 把它移走即可重新开始计数 (the file is not an SQLite database (damaged, or another program's file); it was left untouched — move it away to start counting afresh)", path, ErrForeign)
	}
	return nil
}

// init checks the file's identity before anything can write to it, then
// migrates, switches to WAL and (closeUnfinished) recovers unfinished
// visits.
func (s *Store) init(closeUnfinished bool) error {
	ctx := context.Background()
	version, err := schema.Version(ctx, s.db)
	switch {
	case errors.Is(err, migrate.ErrForeign):
		return fmt.Errorf("%s: %w: %w", s.path, ErrForeign, err)
	case errors.Is(err, migrate.ErrNewer):
		return fmt.Errorf("%s: %w: 由更新版本的查阅机程序写入 (written by a newer kiosk): %w", s.path, ErrForeign, err)
	case err != nil:
		return s.wrapOpenErr(err)
	}
	if s.readOnly {
		if version < SchemaVersion {
			return fmt.Errorf("%s: 结构版本 %d 低于 %d:请先启动一次查阅机程序(会升级该文件)再导出 (schema %d is older than %d: start the kiosk once, it upgrades the file, then export)", s.path, version, SchemaVersion, version, SchemaVersion)
		}
		return nil
	}
	// WAL is persistent in the file; set it only now that the file is known
	// to be ours (changing the journal mode rewrites the header).
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode); err != nil {
		return s.wrapOpenErr(err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("%s: 无法切换到 WAL 模式 (cannot switch to WAL mode, got %q)", s.path, mode)
	}
	if _, err := schema.Apply(ctx, s.db); err != nil {
		return s.wrapOpenErr(err)
	}
	if !closeUnfinished {
		return nil
	}
	if _, err := s.CloseUnfinished(ctx); err != nil {
		return s.wrapOpenErr(err)
	}
	return nil
}

// wrapOpenErr turns SQLite's "not a database"/"corrupt" codes into
// ErrForeign with an explanation.
func (s *Store) wrapOpenErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%s: %w: 数据库已损坏,未作任何改动 —— 请保留一份副本并将其移走后重新开始计数 (the database is damaged (%v); it was left untouched — keep a copy and move it away to start counting afresh)", s.path, ErrForeign, err)
		}
	}
	return fmt.Errorf("%s: %w", s.path, err)
}

// CloseUnfinished ends every open visit at its last recorded activity and
// returns how many it closed. Open calls it; it is exported for tests and
// for a kiosk that wants to call it again.
func (s *Store) CloseUnfinished(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE visits SET end_ms = last_ms, ended = 'recovered' WHERE end_ms IS NULL`)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Path is the database file's absolute path.
func (s *Store) Path() string { return s.path }

// Close closes the database (checkpointing the WAL).
func (s *Store) Close() error { return s.db.Close() }

// Check runs SQLite's quick_check and returns an error describing any damage.
func (s *Store) Check(ctx context.Context) error {
	var res string
	if err := s.db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return s.wrapOpenErr(err)
	}
	if res != "ok" {
		return fmt.Errorf("%s: %w:数据库已损坏 (the database is damaged): %s", s.path, ErrForeign, res)
	}
	return nil
}

// Visit is one stored visit, as tests and tools read it back.
type Visit struct {
	ID       string
	Point    string
	Day      string // YYYY-MM-DD, local date of the start
	Start    time.Time
	Last     time.Time
	End      time.Time // zero while open
	Ended    string    // explicit, idle, shutdown, recovered (staff: older kiosks); "" while open
	Sections int
	Searches int
}

// InProgress reports whether the visit has not ended yet.
func (v Visit) InProgress() bool { return v.End.IsZero() }

// Visits returns every stored visit ordered by start (tests, tools; not for
// a year of visits — use the report functions for that).
func (s *Store) Visits(ctx context.Context) ([]Visit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, point, day, start_ms, tz_s, last_ms, end_ms, coalesce(ended, ''), sections, searches FROM visits ORDER BY start_ms, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Visit
	for rows.Next() {
		var v Visit
		var start, last, tz int64
		var end sql.NullInt64
		if err := rows.Scan(&v.ID, &v.Point, &v.Day, &start, &tz, &last, &end, &v.Ended, &v.Sections, &v.Searches); err != nil {
			return nil, err
		}
		loc := time.FixedZone("", int(tz))
		v.Start = time.UnixMilli(start).In(loc)
		v.Last = time.UnixMilli(last).In(loc)
		if end.Valid {
			v.End = time.UnixMilli(end.Int64).In(loc)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Summary is what a lookup point's staff see: visits that began today, this
// month and this year, and the year's months (for a bar chart).
type Summary struct {
	Point      string
	Now        time.Time
	Today      int
	Month      int
	Year       int
	Months     [12]int
	InProgress int // visits in progress (or left open by a crash not yet recovered)
}

// Summary counts the visits of pointID by the local date they began, as
// seen at now (give now in the kiosk's time zone, e.g. time.Now()).
func (s *Store) Summary(ctx context.Context, pointID string, now time.Time) (Summary, error) {
	sum := Summary{Point: pointID, Now: now}
	y := now.Year()
	rows, err := s.db.QueryContext(ctx, `SELECT substr(day, 6, 2), count(*) FROM visits
		WHERE point = ? AND day >= ? AND day < ? GROUP BY 1`,
		pointID, fmt.Sprintf("%04d-01-01", y), fmt.Sprintf("%04d-01-01", y+1))
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			return sum, err
		}
		var mi int
		if _, err := fmt.Sscanf(m, "%d", &mi); err != nil || mi < 1 || mi > 12 {
			return sum, fmt.Errorf("%s: 存储的月份 %q 有误 (bad stored day month %q)", s.path, m, m)
		}
		sum.Months[mi-1] = n
		sum.Year += n
	}
	if err := rows.Err(); err != nil {
		return sum, err
	}
	sum.Month = sum.Months[now.Month()-1]
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM visits WHERE point = ? AND day = ?`, pointID, now.Format("2006-01-02")).Scan(&sum.Today); err != nil {
		return sum, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM visits WHERE end_ms IS NULL AND point = ?`, pointID).Scan(&sum.InProgress); err != nil {
		return sum, err
	}
	return sum, nil
}
