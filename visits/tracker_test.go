package visits

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kiosk/config"
)

var cst = time.FixedZone("CST", 8*3600)

var (
	testCounty   = config.Point{ID: "xq-01", Name: "区政务服务中心查阅点", Level: config.LevelCounty}
	testTownship = config.Point{ID: "zj-07", Name: "张家镇政府查阅点", Level: config.LevelTownship}
	testLabels   = config.Default().Labels
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(y int, mo time.Month, d, h, mi, s int) *clock {
	return &clock{t: time.Date(y, mo, d, h, mi, s, 0, cst)}
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func seqIDs(prefix string) func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("%s-%04d", prefix, n) }
}

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTestTracker(t testing.TB, s *Store, p config.Point, c *clock, idle time.Duration) *Tracker {
	t.Helper()
	tr, err := NewTracker(s, p, TrackerOptions{Now: c.now, Idle: idle, NewID: seqIDs(p.ID)})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// stored reads the store back through a second, read-only connection, so a
// test sees only what was committed.
func stored(t testing.TB, s *Store) []Visit {
	t.Helper()
	ro, err := OpenReadOnly(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	v, err := ro.Visits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestVisitBeginsWithFirstActivityAndIsCommitted(t *testing.T) {
	s := openTemp(t)
	c := newClock(2026, 3, 5, 9, 30, 0)
	tr := newTestTracker(t, s, testCounty, c, 0)
	if inProgress(tr) || len(stored(t, s)) != 0 {
		t.Fatal("a visit exists before any activity")
	}
	must(t, tr.Activity())
	if !inProgress(tr) {
		t.Fatal("no visit after the first activity")
	}
	v := stored(t, s)
	if len(v) != 1 {
		t.Fatalf("stored %d visits, want 1 committed at begin", len(v))
	}
	if v[0].ID != visitID(tr) || v[0].Point != "xq-01" || !v[0].Start.Equal(c.now()) || !v[0].InProgress() || v[0].Day != "2026-03-05" {
		t.Fatalf("stored %+v", v[0])
	}
	// More activity continues the same visit.
	c.add(10 * time.Second)
	must(t, tr.Activity())
	if n := len(stored(t, s)); n != 1 {
		t.Fatalf("%d visits after a second keypress", n)
	}
}

func TestActivityIsThrottledButEndAlwaysWrites(t *testing.T) {
	s := openTemp(t)
	c := newClock(2026, 3, 5, 9, 30, 0)
	t0 := c.now()
	tr := newTestTracker(t, s, testCounty, c, 0)
	must(t, tr.Activity())
	c.add(time.Second)
	must(t, tr.SectionRead())
	if v := stored(t, s)[0]; !v.Last.Equal(t0) || v.Sections != 0 {
		t.Fatalf("progress written within FlushEvery: %+v", v)
	}
	c.add(1500 * time.Millisecond)
	must(t, tr.SearchMade())
	if v := stored(t, s)[0]; !v.Last.Equal(c.now()) || v.Sections != 1 || v.Searches != 1 {
		t.Fatalf("progress not written after FlushEvery: %+v", v)
	}
	c.add(500 * time.Millisecond)
	must(t, tr.SectionRead())
	last := c.now()
	c.add(time.Minute)
	must(t, tr.IdleEnd())
	v := stored(t, s)[0]
	if !v.End.Equal(last) || !v.Last.Equal(last) || v.Sections != 2 || v.Searches != 1 || v.Ended != "idle" {
		t.Fatalf("after IdleEnd: %+v", v)
	}
}

func TestIdleEndIsAtLastActivity(t *testing.T) {
	s := openTemp(t)
	c := newClock(2026, 3, 5, 9, 30, 0)
	tr := newTestTracker(t, s, testCounty, c, 0)
	must(t, tr.Activity())
	c.add(5 * time.Second)
	must(t, tr.Activity())
	last := c.now()
	c.add(120 * time.Second)
	must(t, tr.IdleEnd())
	if inProgress(tr) {
		t.Fatal("open after IdleEnd")
	}
	v := stored(t, s)
	if len(v) != 1 || !v[0].End.Equal(last) || v[0].Ended != "idle" {
		t.Fatalf("%+v", v)
	}
	// The next keypress is a new visit.
	must(t, tr.Activity())
	if v := stored(t, s); len(v) != 2 || !v[1].InProgress() {
		t.Fatalf("%+v", v)
	}
}

func TestExplicitEndIsNow(t *testing.T) {
	s := openTemp(t)
	c := newClock(2026, 3, 5, 9, 30, 0)
	tr := newTestTracker(t, s, testCounty, c, 0)
	must(t, tr.End()) // nothing open: no-op
	if len(stored(t, s)) != 0 {
		t.Fatal("End with no visit wrote one")
	}
	must(t, tr.Activity())
	c.add(30 * time.Second)
	must(t, tr.End())
	v := stored(t, s)
	if len(v) != 1 || !v[0].End.Equal(c.now()) || v[0].Ended != "explicit" {
		t.Fatalf("%+v", v)
	}
	must(t, tr.IdleEnd()) // already ended: no-op
	if v2 := stored(t, s); !v2[0].End.Equal(v[0].End) {
		t.Fatal("a second end moved the end")
	}
}

func TestVisitBelongsToTheDayItBegan(t *testing.T) {
	s := openTemp(t)
	c := newClock(2026, 12, 31, 23, 59, 50)
	tr := newTestTracker(t, s, testCounty, c, 0)
	must(t, tr.Activity())
	c.add(40 * time.Second) // 2027-01-01 00:00:30
	must(t, tr.SectionRead())
	must(t, tr.End())
	v := stored(t, s)[0]
	if v.Day != "2026-12-31" || v.End.Year() != 2027 {
		t.Fatalf("%+v", v)
	}
	ctx := context.Background()
	r26, err := BuildReport(ctx, s, ReportOptions{Year: 2026, Point: testCounty, Labels: testLabels})
	must(t, err)
	r27, err := BuildReport(ctx, s, ReportOptions{Year: 2027, Point: testCounty, Labels: testLabels})
	must(t, err)
	if r26.Total != 1 || r26.Months[11] != 1 || r27.Total != 0 {
		t.Fatalf("2026: %d (Dec %d), 2027: %d", r26.Total, r26.Months[11], r27.Total)
	}
	sum, err := s.Summary(ctx, "xq-01", c.now())
	must(t, err)
	if sum.Today != 0 || sum.Month != 0 || sum.Year != 0 {
		t.Fatalf("summary on 2027-01-01: %+v", sum)
	}
	sum, err = s.Summary(ctx, "xq-01", time.Date(2026, 12, 31, 12, 0, 0, 0, cst))
	must(t, err)
	if sum.Today != 1 || sum.Month != 1 || sum.Year != 1 || sum.Months[11] != 1 {
		t.Fatalf("summary on 2026-12-31: %+v", sum)
	}

	// Midnight inside a month: the visit is the earlier day's.
	c2 := newClock(2026, 6, 10, 23, 59, 0)
	tr2, err := NewTracker(s, testCounty, TrackerOptions{Now: c2.now, NewID: seqIDs("second")})
	must(t, err)
	must(t, tr2.Activity())
	c2.add(2 * time.Minute)
	must(t, tr2.Activity())
	must(t, tr2.IdleEnd())
	sum, err = s.Summary(ctx, "xq-01", time.Date(2026, 6, 11, 8, 0, 0, 0, cst))
	must(t, err)
	if sum.Today != 0 || sum.Month != 1 {
		t.Fatalf("summary on 2026-06-11: %+v", sum)
	}
}

func TestIdleSafetyNetSplitsVisits(t *testing.T) {
	s := openTemp(t)
	c := newClock(2026, 3, 5, 9, 30, 0)
	tr := newTestTracker(t, s, testCounty, c, 2*time.Minute)
	must(t, tr.Activity())
	last := c.now()
	c.add(3 * time.Minute) // the TUI missed its idle timer (machine slept)
	must(t, tr.Activity())
	v := stored(t, s)
	if len(v) != 2 || !v[0].End.Equal(last) || v[0].Ended != "idle" || !v[1].InProgress() {
		t.Fatalf("%+v", v)
	}
}

func TestCloseEndsAtLastActivity(t *testing.T) {
	s := openTemp(t)
	c := newClock(2026, 3, 5, 9, 30, 0)
	tr := newTestTracker(t, s, testCounty, c, 0)
	must(t, tr.Activity())
	last := c.now()
	c.add(time.Minute)
	must(t, tr.Close())
	if v := stored(t, s)[0]; !v.End.Equal(last) || v.Ended != "shutdown" {
		t.Fatalf("%+v", v)
	}
}

func TestTrackerReturnsErrorsNotPanics(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "visits.db"))
	must(t, err)
	c := newClock(2026, 3, 5, 9, 30, 0)
	tr := newTestTracker(t, s, testCounty, c, 0)
	must(t, tr.Activity())
	s.Close()
	c.add(3 * time.Second)
	if err := tr.Activity(); err == nil {
		t.Error("no error writing to a closed store")
	}
	if err := tr.End(); err == nil {
		t.Error("no error ending on a closed store")
	}
	if inProgress(tr) {
		t.Error("visit still open after a failed end")
	}
	if err := tr.Activity(); err == nil {
		t.Error("no error beginning on a closed store")
	}
	if inProgress(tr) {
		t.Error("a visit that could not be stored is open")
	}
	if _, err := NewTracker(s, config.Point{ID: "x", Level: "city"}, TrackerOptions{}); err == nil {
		t.Error("bad level accepted")
	}
}

// inProgress reports whether tr has a visit open.
func inProgress(tr *Tracker) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.open
}

// visitID is the id of tr's visit in progress ("" if none).
func visitID(tr *Tracker) string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if !tr.open {
		return ""
	}
	return tr.id
}
