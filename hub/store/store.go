// Package store is the office hub's database: lookup points, enrolment
// codes and credentials (their SHA-256 only), the visits the points
// uploaded and what each point last said of itself. One implementation
// over database/sql serves both databases: an SQLite file (modernc, the
// hub with no set-up) and PostgreSQL (pgx, the district's deployment).
// Every write is one transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"kiosk/internal/migrate"
)

// Errors the callers tell apart (errors.Is).
var (
	// ErrUnknownPoint: no point with that id in the points table.
	ErrUnknownPoint = errors.New("unknown point")
	// ErrBadCode: the enrolment code is unknown, used or expired.
	ErrBadCode = errors.New("enrolment code unknown, used or expired")
	// ErrWrongPoint: the enrolment code is another point's than the one
	// the kiosk asked for; the code is left unused.
	ErrWrongPoint = errors.New("enrolment code of another point")
	// ErrBadToken: the credential is unknown or revoked.
	ErrBadToken = errors.New("credential unknown or revoked")
)

// busyTimeout is how long an SQLite writer waits for another (kiosk hub
// points token while the hub serves) before it gives up.
const busyTimeout = 10 * time.Second

// Store is an open hub database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect migrate.Dialect
	where   string // the file, or the PostgreSQL URL without its password
	writeMu sync.Mutex
}

// IsPostgres says whether database names PostgreSQL (a postgres:// or
// postgresql:// URL) rather than an SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Open opens (and creates or migrates) the database: a postgres:// URL or
// the path of an SQLite file.
func Open(ctx context.Context, database string) (*Store, error) {
	s := &Store{}
	if IsPostgres(database) {
		db, err := sql.Open("pgx", database)
		if err != nil {
			return nil, fmt.Errorf("PostgreSQL: %w", err)
		}
		// 92 points uploading at once must not take 92 of the server's
		// connections (max_connections is 100 by default). With 16, 92
		// points at once ingest faster on 2 cores (50–58,000 → 70–74,000
		// visits/s) and the hub's RSS is 110 MB instead of 180 (hubbench
		// -scale 3).
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		s.db, s.dialect, s.where = db, migrate.Postgres, redact(database)
	} else {
		abs, err := filepath.Abs(database)
		if err != nil {
			return nil, err
		}
		// The hub's files are its owner's only; SQLite gives its -wal and
		// -shm files the database file's mode.
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("数据库 %s (database): %w", abs, err)
		}
		f.Close()
		q := url.Values{}
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
		q.Add("_pragma", "journal_mode(WAL)")
		// FULL: every commit fsyncs the WAL, so an acknowledged batch
		// survives a power cut, not only a crash.
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "foreign_keys(ON)")
		// Writers take the lock at BEGIN and wait busy_timeout for it,
		// instead of failing at their first write inside a transaction.
		q.Set("_txlock", "immediate")
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
		db, err := sql.Open("sqlite", u.String())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", abs, err)
		}
		s.db, s.dialect, s.where = db, migrate.SQLite, abs
	}
	if _, err := (migrate.Schema{Dialect: s.dialect, Steps: stepsFor(s.dialect)}).Apply(ctx, s.db); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("数据库 %s (database): %w", s.where, err)
	}
	return s, nil
}

// redact drops the password of a database URL for messages.
func redact(database string) string {
	u, err := url.Parse(database)
	if err != nil {
		return "PostgreSQL"
	}
	return u.Redacted()
}

// Where names the database for messages (no password).
func (s *Store) Where() string { return s.where }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// q rebinds a query's ? placeholders for the dialect.
func (s *Store) q(query string) string { return s.dialect.Rebind(query) }

// tx runs fn in one transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.dialect == migrate.SQLite {
		// SQLite has one writer at a time. Writers of this process take
		// turns here rather than in SQLite's busy handler, which sleeps
		// and retries: 92 points uploading at once went from 29,000 to
		// 55,000 visits/s, p99 batch latency 5.7 → 2.1 s (hubbench
		// -scale 3 on 2 cores).
		// Other processes (kiosk hub points token) still wait in
		// busy_timeout.
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit it does nothing
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}
