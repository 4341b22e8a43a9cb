package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestStaffLockoutSessionsAudit(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		if err := s.AddStaff(ctx, "wang", "$2a$hash", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.AddStaff(ctx, "wang", "$2a$other", t0); !errors.Is(err, ErrStaffExists) {
			t.Fatalf("second add: %v", err)
		}
		if h, err := s.StaffHash(ctx, "wang"); err != nil || h != "$2a$hash" {
			t.Fatalf("hash %q %v", h, err)
		}
		if _, err := s.StaffHash(ctx, "li"); !errors.Is(err, ErrUnknownStaff) {
			t.Fatalf("unknown: %v", err)
		}

		// Four failures lock nothing; the fifth locks for 5 minutes; a
		// name that is no account is counted the same.
		for _, name := range []string{"wang", "nobody"} {
			now := t0
			for i := 1; i <= 4; i++ {
				now = now.Add(time.Second)
				if until, err := s.LoginFailed(ctx, name, now, 5, 5*time.Minute); err != nil || !until.IsZero() {
					t.Fatalf("%s failure %d: %v %v", name, i, until, err)
				}
			}
			now = now.Add(time.Second)
			until, err := s.LoginFailed(ctx, name, now, 5, 5*time.Minute)
			if err != nil || !until.Equal(now.Add(5*time.Minute)) {
				t.Fatalf("%s fifth failure: %v %v", name, until, err)
			}
			if got, _ := s.LockedUntil(ctx, name, now.Add(299*time.Second)); !got.Equal(until) {
				t.Fatalf("%s not locked: %v", name, got)
			}
			if got, _ := s.LockedUntil(ctx, name, until); !got.IsZero() {
				t.Fatalf("%s still locked at its end: %v", name, got)
			}
		}
		if err := s.LoginSucceeded(ctx, "wang"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.LockedUntil(ctx, "wang", t0); !got.IsZero() {
			t.Fatalf("locked after success: %v", got)
		}

		ss := Session{Hash: "h1", Name: "wang", Created: t0, Seen: t0, Expires: t0.Add(8 * time.Hour)}
		if err := s.AddSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SessionByHash(ctx, "h1", t0.Add(time.Minute), time.Hour); err != nil || got.Name != "wang" {
			t.Fatalf("session: %+v %v", got, err)
		}
		if _, err := s.SessionByHash(ctx, "h1", t0.Add(61*time.Minute), time.Hour); !errors.Is(err, ErrNoSession) {
			t.Fatalf("idle session: %v", err)
		}
		if err := s.TouchSession(ctx, "h1", t0.Add(50*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByHash(ctx, "h1", t0.Add(61*time.Minute), time.Hour); err != nil {
			t.Fatalf("touched session: %v", err)
		}
		if _, err := s.SessionByHash(ctx, "h1", t0.Add(8*time.Hour), 24*time.Hour); !errors.Is(err, ErrNoSession) {
			t.Fatalf("expired session: %v", err)
		}
		if err := s.EndSession(ctx, "h1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByHash(ctx, "h1", t0, time.Hour); !errors.Is(err, ErrNoSession) {
			t.Fatalf("ended session: %v", err)
		}

		for i, ev := range []string{"login_failed", "login", "logout"} {
			if err := s.Audit(ctx, AuditEntry{At: t0.Add(time.Duration(i) * time.Second), Name: "wang", Event: ev, Remote: "127.0.0.1"}); err != nil {
				t.Fatal(err)
			}
		}
		log, err := s.AuditLog(ctx, 2)
		if err != nil || len(log) != 2 || log[0].Event != "logout" || log[1].Event != "login" {
			t.Fatalf("audit log %+v %v", log, err)
		}
	})
}

func TestVisitCountsMonthAndPointMonths(t *testing.T) {
	eachDatabase(t, func(t *testing.T, _ string, s *Store) {
		ctx := context.Background()
		if _, err := s.ImportPoints(ctx, twoPoints, t0); err != nil {
			t.Fatal(err)
		}
		// 40 visits 25 hours apart from 1 March 09:00: 30 in March, 10 in April.
		if _, _, err := s.AddVisits(ctx, "xq-01", visitsOf("xq-01", 40, t0), t0); err != nil {
			t.Fatal(err)
		}
		c, err := s.VisitCounts(ctx, t0.AddDate(0, 1, 3))
		if err != nil || c["xq-01"] != (Counts{Today: 1, Month: 4, Year: 40}) {
			t.Fatalf("counts %+v %v", c, err)
		}
		m, err := s.PointMonths(ctx, "xq-01", 2026)
		if err != nil || m[2] != 30 || m[3] != 10 || m[0] != 0 {
			t.Fatalf("months %v %v", m, err)
		}
		if m, err := s.PointMonths(ctx, "zj-07", 2026); err != nil || m != [12]int{} {
			t.Fatalf("no visits: %v %v", m, err)
		}
	})
}
