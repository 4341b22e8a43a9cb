package migrate

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"kiosk/internal/pgtest"
)

var steps = []string{
	`CREATE TABLE a (id TEXT PRIMARY KEY);
	CREATE INDEX a_id ON a(id);`,
	`ALTER TABLE a ADD COLUMN n INTEGER NOT NULL DEFAULT 0;
	INSERT INTO a (id, n) VALUES ('x;y', 1);`,
}

func databases(t *testing.T) map[string]func() (*sql.DB, Dialect) {
	return map[string]func() (*sql.DB, Dialect){
		"sqlite": func() (*sql.DB, Dialect) {
			db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, SQLite
		},
		"postgres": func() (*sql.DB, Dialect) {
			db, err := sql.Open("pgx", pgtest.Schema(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, Postgres
		},
	}
}

func TestApplyStepByStepThenNothing(t *testing.T) {
	for name, open := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, d := open()
			first := Schema{Dialect: d, Steps: steps[:1]}
			if from, err := first.Apply(ctx, db); err != nil || from != 0 {
				t.Fatalf("first apply: from %d, %v", from, err)
			}
			full := Schema{Dialect: d, Steps: steps}
			if from, err := full.Apply(ctx, db); err != nil || from != 1 {
				t.Fatalf("upgrade: from %d, %v", from, err)
			}
			if from, err := full.Apply(ctx, db); err != nil || from != 2 {
				t.Fatalf("again: from %d, %v", from, err)
			}
			var id string
			var n int
			if err := db.QueryRow(`SELECT id, n FROM a`).Scan(&id, &n); err != nil || id != "x;y" || n != 1 {
				t.Fatalf("row %q %d %v", id, n, err)
			}
			// A program that knows only step 1 refuses the file and leaves it.
			if _, err := first.Apply(ctx, db); !errors.Is(err, ErrNewer) || !strings.Contains(err.Error(), "schema 2, this program knows up to 1") {
				t.Fatalf("older program: %v", err)
			}
		})
	}
}

func TestForeignDatabaseUntouched(t *testing.T) {
	for name, open := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, d := open()
			if _, err := db.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY)`); err != nil {
				t.Fatal(err)
			}
			_, err := Schema{Dialect: d, Steps: steps}.Apply(ctx, db)
			if !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), "invoices") {
				t.Fatalf("want ErrForeign naming invoices, got %v", err)
			}
			tables, err := d.Tables(ctx, db)
			if err != nil || len(tables) != 1 || !tables["invoices"] {
				t.Fatalf("tables after refusal: %v %v", tables, err)
			}
		})
	}
}

func TestFailedStepChangesNothing(t *testing.T) {
	for name, open := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, d := open()
			bad := Schema{Dialect: d, Steps: []string{steps[0], "CREATE TABLE b (x INTEGER);\nTHIS IS NOT SQL;"}}
			if _, err := bad.Apply(ctx, db); err == nil || !strings.Contains(err.Error(), "migration to schema 2") {
				t.Fatalf("want the failing step named, got %v", err)
			}
			v, err := bad.Version(ctx, db)
			if err != nil || v != 1 {
				t.Fatalf("version after failed step: %d %v", v, err)
			}
			if tables, _ := d.Tables(ctx, db); tables["b"] {
				t.Fatal("a failed step left its first statement behind")
			}
		})
	}
}

func TestRebind(t *testing.T) {
	got := Postgres.Rebind(`SELECT '?' , a FROM t WHERE a = ? AND b = ?`)
	if got != `SELECT '?' , a FROM t WHERE a = $1 AND b = $2` {
		t.Fatal(got)
	}
	if SQLite.Rebind("a = ?") != "a = ?" {
		t.Fatal("sqlite rebind changed the query")
	}
}
