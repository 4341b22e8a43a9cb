package visits

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenCreatesWALDatabaseWithSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "visits.db")
	s, err := Open(path)
	must(t, err)
	defer s.Close()
	var mode, sync string
	var version int
	must(t, s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	must(t, s.db.QueryRow(`PRAGMA synchronous`).Scan(&sync))
	must(t, s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&version))
	if mode != "wal" || sync != "2" || version != SchemaVersion {
		t.Fatalf("journal_mode %s, synchronous %s, version %d", mode, sync, version)
	}
	// Reopening an up-to-date file is fine and changes nothing.
	s2, err := Open(path)
	must(t, err)
	s2.Close()
}

func TestOpenEmptyFileInitialises(t *testing.T) {
	path := filepath.Join(t.TempDir(), "visits.db")
	must(t, os.WriteFile(path, nil, 0o644))
	s, err := Open(path)
	must(t, err)
	s.Close()
}

// assertUntouched checks Open refuses path with ErrForeign and leaves it
// byte for byte as it was, with no -wal or -shm file made.
func assertUntouched(t *testing.T, path string, want string) {
	t.Helper()
	before, err := os.ReadFile(path)
	must(t, err)
	for _, open := range []func(string) (*Store, error){Open, OpenReadOnly} {
		s, err := open(path)
		if err == nil {
			s.Close()
			t.Fatalf("opened %s", path)
		}
		if !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Fatalf("error %q: want ErrForeign mentioning %q and the path", err, want)
		}
		t.Log(err)
	}
	after, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(before, after) {
		t.Fatal("the file was modified")
	}
	for _, suf := range []string{"-wal", "-journal"} {
		if fi, err := os.Stat(path + suf); err == nil && fi.Size() > 0 {
			t.Fatalf("%s%s was written", path, suf)
		}
	}
}

func TestOpenRefusesForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "visits.db")
	must(t, os.WriteFile(path, []byte("id,name\n1,not a database\n"), 0o644))
	assertUntouched(t, path, "not an SQLite database")
}

func TestOpenRefusesOtherProgramsSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "visits.db")
	db, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = db.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5)`)
	must(t, err)
	db.Close()
	assertUntouched(t, path, "not this program's: invoices")
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "visits.db")
	s, err := Open(path)
	must(t, err)
	_, err = s.db.Exec(`UPDATE schema_version SET version = 99`)
	must(t, err)
	s.Close()
	assertUntouched(t, path, "schema 99, this program knows up to")
}

func TestOpenRefusesDamagedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "visits.db")
	s, err := Open(path)
	must(t, err)
	tr, err := NewTracker(s, testCounty, TrackerOptions{})
	must(t, err)
	must(t, tr.Activity())
	must(t, tr.End())
	s.Close() // checkpoints the WAL into the file
	b, err := os.ReadFile(path)
	must(t, err)
	// Keep the 100-byte header; overwrite the schema on page 1.
	for i := 100; i < 4096 && i < len(b); i++ {
		b[i] = 0xA5
	}
	must(t, os.WriteFile(path, b, 0o644))
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	assertUntouched(t, path, "damaged")
}

func TestOpenReadOnlyNeverCreatesOrWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "visits.db")
	if _, err := OpenReadOnly(path); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("OpenReadOnly on a missing file: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("OpenReadOnly created the file")
	}
	s, err := Open(path)
	must(t, err)
	tr, err := NewTracker(s, testCounty, TrackerOptions{})
	must(t, err)
	must(t, tr.Activity())
	// While the kiosk counts, a staff export must not close its visit.
	ro, err := OpenReadOnly(path)
	must(t, err)
	v, err := ro.Visits(context.Background())
	must(t, err)
	if len(v) != 1 || !v[0].InProgress() || ro.Immutable() {
		t.Fatalf("%+v (immutable %v)", v, ro.Immutable())
	}
	// (before ro.Close: a closed store refuses every statement)
	if _, err := ro.db.Exec(`DELETE FROM visits`); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("read-only store wrote (%v)", err)
	}
	ro.Close()
	s.Close()
}

// A data folder that cannot be written: SQLite cannot create the -shm
// file it reads a WAL database with, so the file is read as immutable.
// Folder permissions do not stop root, so this calls what OpenReadOnly
// falls back to; cmd/kiosk's TestVisitsOnReadOnlyDataFolder runs the
// whole path as an unprivileged user.
func TestOpenInReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "visits.db")
	s, err := Open(path)
	must(t, err)
	tr, err := NewTracker(s, testCounty, TrackerOptions{})
	must(t, err)
	must(t, tr.Activity())
	must(t, tr.End())
	must(t, s.Close())
	files := func() []string {
		ents, err := os.ReadDir(dir)
		must(t, err)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		return names
	}
	before, data := files(), mustRead(t, path)

	ro, err := openInReadOnlyFolder(path)
	must(t, err)
	v, err := ro.Visits(context.Background())
	must(t, err)
	if len(v) != 1 || !ro.Immutable() {
		t.Fatalf("%+v (immutable %v)", v, ro.Immutable())
	}
	if _, err := ro.db.Exec(`DELETE FROM visits`); err == nil {
		t.Fatal("immutable store wrote")
	}
	ro.Close()
	if after := files(); strings.Join(after, " ") != strings.Join(before, " ") || !bytes.Equal(mustRead(t, path), data) {
		t.Fatalf("files %v → %v, or the database changed", before, after)
	}

	// A WAL with visits not yet in the file (a kiosk that stopped without
	// checkpointing): reading the file alone would miss them.
	s, err = Open(path)
	must(t, err)
	defer s.Close()
	_, err = s.db.Exec(`PRAGMA wal_autocheckpoint=0`)
	must(t, err)
	tr, err = NewTracker(s, testCounty, TrackerOptions{})
	must(t, err)
	must(t, tr.Activity())
	if _, err := openInReadOnlyFolder(path); err == nil || !strings.Contains(err.Error(), "visits.db-wal") {
		t.Fatalf("a WAL holding visits was ignored: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return b
}

func TestOpenClosesUnfinishedVisitsAtLastActivity(t *testing.T) {
	path := filepath.Join(t.TempDir(), "visits.db")
	s, err := Open(path)
	must(t, err)
	c := newClock(2026, 5, 1, 10, 0, 0)
	tr, err := NewTracker(s, testCounty, TrackerOptions{Now: c.now})
	must(t, err)
	must(t, tr.Activity())
	c.add(3 * time.Second)
	must(t, tr.SectionRead()) // written: more than FlushEvery since begin
	persisted := c.now()
	c.add(time.Second)
	must(t, tr.Activity()) // within FlushEvery: not written, may be lost
	// "Crash": the process goes away without ending the visit.
	s.Close()

	s, err = Open(path)
	must(t, err)
	defer s.Close()
	v, err := s.Visits(context.Background())
	must(t, err)
	if len(v) != 1 || !v[0].End.Equal(persisted) || v[0].Ended != "recovered" || v[0].Sections != 1 {
		t.Fatalf("%+v (want end %v)", v, persisted)
	}
	if n, err := s.CloseUnfinished(context.Background()); err != nil || n != 0 {
		t.Fatalf("second recovery closed %d (%v)", n, err)
	}
}

func TestMigrationsAreOrderedAndVersioned(t *testing.T) {
	// A file at schema 0 (an empty database with only the version table)
	// is brought up to date.
	path := filepath.Join(t.TempDir(), "visits.db")
	db, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = db.Exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0)`)
	must(t, err)
	db.Close()
	s, err := Open(path)
	must(t, err)
	defer s.Close()
	var version int
	must(t, s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&version))
	if version != SchemaVersion {
		t.Fatalf("version %d", version)
	}
}

func TestOpenPathWithOddCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "数据 #1?x=%20")
	path := filepath.Join(dir, "visits.db")
	s, err := Open(path)
	must(t, err)
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where asked: %v", err)
	}
	ro, err := OpenReadOnly(path)
	must(t, err)
	ro.Close()
}
