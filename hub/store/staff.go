package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Errors of the office staff's accounts (errors.Is).
var (
	// ErrStaffExists: a staff account of that name exists.
	ErrStaffExists = errors.New("staff account exists")
	// ErrUnknownStaff: no staff account of that name.
	ErrUnknownStaff = errors.New("unknown staff account")
	// ErrNoSession: the session is unknown, ended or expired.
	ErrNoSession = errors.New("no such session")
)

// AddStaff adds a staff account with its password hash (bcrypt).
func (s *Store) AddStaff(ctx context.Context, name, hash string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM staff WHERE name = ?`), name).Scan(&one)
		if err == nil {
			return fmt.Errorf("%w: %s", ErrStaffExists, name)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO staff (name, hash, created_ms, updated_ms) VALUES (?, ?, ?, ?)`),
			name, hash, ms(now), ms(now))
		return err
	})
}

// StaffHash gives the password hash of a staff account (ErrUnknownStaff).
func (s *Store) StaffHash(ctx context.Context, name string) (string, error) {
	var h string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT hash FROM staff WHERE name = ?`), name).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: %s", ErrUnknownStaff, name)
	}
	return h, err
}

// LockedUntil says until when logins as name are refused; zero: not
// locked. name need not be an account.
func (s *Store) LockedUntil(ctx context.Context, name string, now time.Time) (time.Time, error) {
	var until int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT locked_until_ms FROM login_failures WHERE name = ?`), name).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && until <= ms(now)) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(until), nil
}

// LoginFailed counts a failed login as name (an account or not). At the
// limit-th failure in a row the name is locked for lockFor, and the count
// starts again; it returns the end of that lock, or zero.
func (s *Store) LoginFailed(ctx context.Context, name string, now time.Time, limit int, lockFor time.Duration) (time.Time, error) {
	var locked time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		locked = time.Time{}
		// Names typed that are not accounts must not fill the table: a
		// row untouched for a day is forgotten.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE last_ms < ? AND locked_until_ms < ?`),
			ms(now.Add(-24*time.Hour)), ms(now)); err != nil {
			return err
		}
		var n int
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO login_failures (name, failures, last_ms, locked_until_ms) VALUES (?, 1, ?, 0)
			ON CONFLICT (name) DO UPDATE SET failures = login_failures.failures + 1, last_ms = excluded.last_ms
			RETURNING failures`), name, ms(now)).Scan(&n)
		if err != nil {
			return err
		}
		if n < limit {
			return nil
		}
		locked = now.Add(lockFor)
		_, err = tx.ExecContext(ctx, s.q(`UPDATE login_failures SET failures = 0, locked_until_ms = ? WHERE name = ?`), ms(locked), name)
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("counting a failed login: %w", err)
	}
	return locked, nil
}

// LoginSucceeded forgets name's failures.
func (s *Store) LoginSucceeded(ctx context.Context, name string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE name = ?`), name)
		return err
	})
}

// Session is a staff member's login.
type Session struct {
	Hash    string // SHA-256 (hex) of the cookie's secret
	Name    string
	Created time.Time
	Seen    time.Time
	Expires time.Time // absolute end
}

// AddSession stores a new session and drops the expired ones.
func (s *Store) AddSession(ctx context.Context, ss Session) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM staff_sessions WHERE expires_ms <= ?`), ms(ss.Created)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO staff_sessions (hash, name, created_ms, seen_ms, expires_ms) VALUES (?, ?, ?, ?, ?)`),
			ss.Hash, ss.Name, ms(ss.Created), ms(ss.Seen), ms(ss.Expires))
		return err
	})
}

// SessionByHash finds a live session: not expired at now and seen within
// idle (ErrNoSession).
func (s *Store) SessionByHash(ctx context.Context, hash string, now time.Time, idle time.Duration) (Session, error) {
	ss := Session{Hash: hash}
	var created, seen, expires int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT name, created_ms, seen_ms, expires_ms FROM staff_sessions WHERE hash = ?`), hash).
		Scan(&ss.Name, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, ErrNoSession
	}
	if err != nil {
		return ss, err
	}
	ss.Created, ss.Seen, ss.Expires = time.UnixMilli(created), time.UnixMilli(seen), time.UnixMilli(expires)
	if !now.Before(ss.Expires) || now.Sub(ss.Seen) > idle {
		return ss, ErrNoSession
	}
	return ss, nil
}

// TouchSession records that the session was used at now.
func (s *Store) TouchSession(ctx context.Context, hash string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE staff_sessions SET seen_ms = ? WHERE hash = ?`), ms(now), hash)
		return err
	})
}

// EndSession deletes a session (logout).
func (s *Store) EndSession(ctx context.Context, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM staff_sessions WHERE hash = ?`), hash)
		return err
	})
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At     time.Time
	Name   string // the staff name (as typed, for a failed login)
	Event  string
	Remote string
	Detail string
}

// Audit appends to the audit log.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit (at_ms, name, event, remote, detail) VALUES (?, ?, ?, ?, ?)`),
			ms(e.At), e.Name, e.Event, e.Remote, e.Detail)
		return err
	})
}

// AuditLog gives the last n entries of the audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, n int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at_ms, name, event, remote, detail FROM audit ORDER BY id DESC LIMIT ?`), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Name, &e.Event, &e.Remote, &e.Detail); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetStaffHash gives an account a new password hash, ends its sessions
// and forgets its failed logins (ErrUnknownStaff).
func (s *Store) SetStaffHash(ctx context.Context, name, hash string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE staff SET hash = ?, updated_ms = ? WHERE name = ?`), hash, ms(now), name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("%w: %s", ErrUnknownStaff, name)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM staff_sessions WHERE name = ?`), name); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE name = ?`), name)
		return err
	})
}
