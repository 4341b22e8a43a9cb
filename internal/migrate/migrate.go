// Package migrate keeps a database's schema at the version a program
// writes: one table, schema_version, holds the version; Steps[i] brings
// the schema from version i to i+1, each in its own transaction.
//
// It refuses, without writing anything, a database that holds tables but
// no schema_version (another program's database) and one whose version is
// newer than the program knows (written by a newer release). The visit
// store (SQLite) and the office hub (SQLite or PostgreSQL) use it.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ErrForeign is wrapped by the error for a database that holds tables but
// no schema_version: it belongs to another program.
var ErrForeign = errors.New("another program's database")

// ErrNewer is wrapped by the error for a database written by a newer
// release (its version is above len(Steps)).
var ErrNewer = errors.New("database written by a newer release")

// Dialect is the SQL flavour of a database.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

// Rebind turns the ? placeholders of query into the dialect's own ($1, $2,
// … for PostgreSQL). A ? inside a quoted string is left alone.
func (d Dialect) Rebind(query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	inQuote := false
	for _, r := range query {
		switch {
		case r == '\'':
			inQuote = !inQuote
		case r == '?' && !inQuote:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tables lists the database's own tables (in PostgreSQL, those of the
// current schema).
func (d Dialect) Tables(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	q := `SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'`
	if d == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		m[n] = true
	}
	return m, rows.Err()
}

// Schema is a program's list of migrations.
type Schema struct {
	Dialect Dialect
	// Steps[i] brings the schema from version i to i+1. Never edit a
	// released step: append a new one.
	Steps []string
}

// Latest is the version this program writes.
func (s Schema) Latest() int { return len(s.Steps) }

// Version reads the database's schema version: 0 for an empty database.
// It refuses a foreign database (ErrForeign) and a newer one (ErrNewer);
// it never writes.
func (s Schema) Version(ctx context.Context, db *sql.DB) (int, error) {
	tables, err := s.Dialect.Tables(ctx, db)
	if err != nil {
		return 0, err
	}
	if len(tables) == 0 {
		return 0, nil
	}
	if !tables["schema_version"] {
		names := slices.Sorted(maps.Keys(tables))
		return 0, fmt.Errorf("%w: 其中的表(%s)不是本程序的,未作任何改动 (its tables are not this program's: %s; left untouched)",
			ErrForeign, strings.Join(names, ", "), strings.Join(names, ", "))
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%w: 无法读取结构版本 (cannot read its schema version): %v", ErrForeign, err)
	}
	if v > s.Latest() {
		return v, fmt.Errorf("%w: 结构版本 %d 高于本程序所知的 %d,未作任何改动,请更新程序 (schema %d, this program knows up to %d; left untouched: update the program)",
			ErrNewer, v, s.Latest(), v, s.Latest())
	}
	return v, nil
}

// Apply brings the database to Latest, one transaction per step, and
// returns the version it found. It refuses what Version refuses.
func (s Schema) Apply(ctx context.Context, db *sql.DB) (int, error) {
	from, err := s.Version(ctx, db)
	if err != nil {
		return from, err
	}
	for v := from; v < s.Latest(); v++ {
		if err := s.step(ctx, db, v); err != nil {
			return from, fmt.Errorf("升级到结构版本 %d 失败 (migration to schema %d): %w", v+1, v+1, err)
		}
	}
	return from, nil
}

func (s Schema) step(ctx context.Context, db *sql.DB, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit it does nothing
	if s.Dialect == Postgres {
		// Two hubs starting at once on one database take turns.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7283106)`); err != nil {
			return err
		}
	}
	if v == 0 {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)`); err != nil {
			return err
		}
	}
	// Another process may have migrated since Version read: re-read under
	// the transaction and do nothing if it is already past v.
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&cur); err != nil {
		return err
	}
	if cur > v {
		return tx.Commit()
	}
	for _, stmt := range splitStatements(s.Steps[v]) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.Dialect.Rebind(`UPDATE schema_version SET version = ?`), v+1); err != nil {
		return err
	}
	return tx.Commit()
}

// splitStatements splits a step at semicolons that end a line, so that
// drivers which run one statement per call (pgx's extended protocol) get
// one at a time. Steps must not put a semicolon at a line's end inside a
// string or a function body.
func splitStatements(step string) []string {
	var out []string
	for _, part := range strings.SplitAfter(step, ";\n") {
		if p := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), ";")); p != "" {
			out = append(out, p)
		}
	}
	return out
}
