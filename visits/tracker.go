package visits

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"kiosk/config"
)

// DefaultFlushEvery is how often, at most, a visit's progress (last
// activity, sections, searches) is written while it goes on.
const DefaultFlushEvery = 2 * time.Second

// TrackerOptions tune a Tracker; the zero value is the production setting.
type TrackerOptions struct {
	// Now is the clock (default time.Now). The location of the times it
	// returns is the kiosk's time zone: a visit belongs to the local date
	// on which it began.
	Now func() time.Time
	// FlushEvery bounds how much activity a crash can lose (default 2s).
	FlushEvery time.Duration
	// Idle, if > 0, is the kiosk's idle timeout as a safety net: activity
	// arriving after more than Idle without any ends the open visit at its
	// last activity and begins a new one, even if the TUI missed its idle
	// timer (machine suspended, timer lost). The TUI still calls IdleEnd.
	Idle time.Duration
	// NewID makes visit ids (default: random UUIDs).
	NewID func() string
}

// Tracker applies the visit rules for one kiosk session and records them
// in a Store. Its methods are cheap enough for a TUI's Update loop: a visit
// begins with one small INSERT commit, progress is written at most every
// FlushEvery, and ending writes once. Methods return errors (to show a small
// staff-visible warning) and never panic. It is safe for concurrent use.
type Tracker struct {
	s     *Store
	point config.Point
	opt   TrackerOptions

	mu       sync.Mutex
	open     bool
	id       string
	start    time.Time
	last     time.Time
	sections int
	searches int
	dirty    bool
	flushed  time.Time // clock time of the last write of this visit
}

// NewTracker returns a Tracker counting for point p. It records the point's
// name and level in the store (for exports).
func NewTracker(s *Store, p config.Point, opt TrackerOptions) (*Tracker, error) {
	if s == nil {
		return nil, errors.New("访客记录没有数据库 (visits: NewTracker with a nil Store)")
	}
	if p.ID == "" {
		return nil, errors.New("查阅点没有 id,请在配置中设置 point.id (visits: the lookup point has no id (config point.id))")
	}
	if p.Level != config.LevelCounty && p.Level != config.LevelTownship {
		return nil, fmt.Errorf("查阅点 %s 的级别应为 %q 或 %q,不是 %q (visits: point %s: level must be %q or %q, not %q)", p.ID, config.LevelCounty, config.LevelTownship, p.Level, p.ID, config.LevelCounty, config.LevelTownship, p.Level)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.FlushEvery <= 0 {
		opt.FlushEvery = DefaultFlushEvery
	}
	if opt.NewID == nil {
		opt.NewID = uuid.NewString
	}
	if err := s.SetPoint(context.Background(), p, opt.Now()); err != nil {
		return nil, err
	}
	return &Tracker{s: s, point: p, opt: opt}, nil
}

// SetPoint records (or updates) a lookup point's name and level.
func (s *Store) SetPoint(ctx context.Context, p config.Point, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO points (id, name, level, seen_ms) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, seen_ms = excluded.seen_ms`,
		p.ID, p.Name, p.Level, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("无法记录查阅点 %s (visits: record point %s): %w", p.ID, p.ID, err)
	}
	return nil
}

// Activity records citizen input (a keypress or touch). With no visit open
// it begins one: the visit is committed before Activity returns. Call it
// for citizen input only: staff input is never a visit (the kiosk calls
// IdleEnd when the staff PIN is accepted, and nothing while staff work).
func (t *Tracker) Activity() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.activity(nil)
}

// SectionRead records that a section was opened (it is activity too).
func (t *Tracker) SectionRead() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.activity(&t.sections)
}

// SearchMade records that a search was run (it is activity too). The query
// text is never recorded.
func (t *Tracker) SearchMade() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.activity(&t.searches)
}

func (t *Tracker) activity(counter *int) error {
	now := t.opt.Now()
	var errEnd error
	if t.open && t.opt.Idle > 0 && now.Sub(t.last) > t.opt.Idle {
		errEnd = t.end(t.last, "idle")
	}
	if !t.open {
		if err := t.begin(now); err != nil {
			return errors.Join(errEnd, err)
		}
	}
	if counter != nil {
		*counter++
		t.dirty = true
	}
	if now.After(t.last) {
		t.last = now
		t.dirty = true
	}
	if t.dirty {
		if d := now.Sub(t.flushed); d >= t.opt.FlushEvery || d < 0 {
			return errors.Join(errEnd, t.flush(now))
		}
	}
	return errEnd
}

func (t *Tracker) begin(now time.Time) error {
	id := t.opt.NewID()
	_, off := now.Zone()
	_, err := t.s.db.ExecContext(context.Background(),
		`INSERT INTO visits (id, point, day, start_ms, tz_s, last_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		id, t.point.ID, now.Format("2006-01-02"), now.UnixMilli(), off, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("无法记录访问的开始 (visits: begin a visit): %w", err)
	}
	t.open, t.id, t.start, t.last = true, id, now, now
	t.sections, t.searches, t.dirty, t.flushed = 0, 0, false, now
	return nil
}

func (t *Tracker) flush(now time.Time) error {
	_, err := t.s.db.ExecContext(context.Background(),
		`UPDATE visits SET last_ms = ?, sections = ?, searches = ? WHERE id = ?`,
		t.last.UnixMilli(), t.sections, t.searches, t.id)
	if err != nil {
		return fmt.Errorf("无法记录访问的进展 (visits: record progress of a visit): %w", err)
	}
	t.dirty, t.flushed = false, now
	return nil
}

// end closes the open visit at `at`. The visit is closed in memory even if
// the write fails: the store then still holds it open, and the next Open
// closes it at its last recorded activity.
func (t *Tracker) end(at time.Time, reason string) error {
	if !t.open {
		return nil
	}
	t.open = false
	if at.Before(t.start) {
		at = t.start
	}
	last := t.last
	if at.After(last) {
		last = at
	}
	_, err := t.s.db.ExecContext(context.Background(),
		`UPDATE visits SET last_ms = ?, end_ms = ?, ended = ?, sections = ?, searches = ? WHERE id = ?`,
		last.UnixMilli(), at.UnixMilli(), reason, t.sections, t.searches, t.id)
	if err != nil {
		return fmt.Errorf("无法记录访问的结束 (visits: end a visit): %w", err)
	}
	return nil
}

// End ends the open visit now: the visitor tapped 结束浏览.
func (t *Tracker) End() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.end(t.opt.Now(), "explicit")
}

// IdleEnd ends the open visit at its last activity: the idle timeout fired.
func (t *Tracker) IdleEnd() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.end(t.last, "idle")
}

// Close ends an open visit at its last activity (the kiosk is quitting).
// It does not close the Store.
func (t *Tracker) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.end(t.last, "shutdown")
}
