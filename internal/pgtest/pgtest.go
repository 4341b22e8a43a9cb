// Package pgtest gives a test its own empty PostgreSQL schema on the
// machine's server, dropped when the test ends.
//
// The server is KIOSK_TEST_POSTGRES (a postgres:// URL) or, by default,
// the one every development and CI machine runs: 127.0.0.1:5432, trust
// authentication, database test. A server that cannot be reached fails the
// test: it never skips, so CI cannot pass without PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// DefaultURL is the machines' PostgreSQL server.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ServerURL is the server tests use.
func ServerURL() string {
	if u := os.Getenv("KIOSK_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultURL
}

// Schema creates an empty schema and returns a URL whose connections use
// it (search_path), so that tests running at once never see each other's
// tables. The schema is dropped at the end of the test.
func Schema(t testing.TB) string {
	t.Helper()
	base := ServerURL()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("PostgreSQL %s: %v", base, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b [6]byte
	rand.Read(b[:])
	name := "kiosk_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("PostgreSQL %s is needed by this test (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): %v", base, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec(`DROP SCHEMA ` + name + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
