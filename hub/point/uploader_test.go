package point

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/hub/api"
	"kiosk/hub/point/pointtest"
)

// waits is an Options.After that fires at once and records what the
// uploader asked to wait; then runs on each wait (the test's next step).
type waits struct {
	mu   sync.Mutex
	got  []time.Duration
	then func(n int, d time.Duration)
}

func (w *waits) after(d time.Duration) <-chan time.Time {
	w.mu.Lock()
	w.got = append(w.got, d)
	n := len(w.got)
	w.mu.Unlock()
	if w.then != nil {
		w.then(n, d)
	}
	c := make(chan time.Time, 1)
	c <- time.Time{}
	return c
}

// since2026 is when the test visits begin: months before enrolment.
var since2026 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestSyncOnceOfflineThenCatchesUpExactlyOnce(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	ids := pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "jinqueshan", since2026, 2500)
	pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "default", since2026, 7) // before enrolment, under the default id
	u := NewUploader(cred, store, Options{BatchPause: -1})
	ctx := context.Background()

	h.Stop()
	sum, err := u.SyncOnce(ctx)
	var ue *UnreachableError
	if !errors.As(err, &ue) || sum.Sent != 0 || sum.Unsent != 2500 || sum.Others != 7 {
		t.Fatalf("offline: %+v, %v", sum, err)
	}
	if !strings.Contains(u.LastError(), "无法连接中心服务器") {
		t.Fatalf("last error %q", u.LastError())
	}

	h.Start()
	sum, err = u.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Batches != 3 || sum.Sent != 2500 || sum.Stored != 2500 || sum.Duplicates != 0 || sum.Unsent != 0 || sum.Others != 7 || sum.Heartbeat == nil {
		t.Fatalf("catch-up: %+v", sum)
	}
	if h.Held("jinqueshan") != 2500 || h.Held("default") != 0 {
		t.Fatalf("hub holds %d / %d", h.Held("jinqueshan"), h.Held("default"))
	}
	for _, id := range []string{ids[0], ids[999], ids[1000], ids[2499]} {
		if n := h.TimesOffered("jinqueshan", id); n != 1 {
			t.Fatalf("%s offered %d times", id, n)
		}
	}
	// Nothing left: a second sync sends only a heartbeat.
	sum, err = u.SyncOnce(ctx)
	if err != nil || sum.Batches != 0 || h.Batches() != 3 {
		t.Fatalf("again: %+v, %v (hub saw %d batches)", sum, err, h.Batches())
	}
	hb := h.Heartbeats()[len(h.Heartbeats())-1]
	if hb.VisitsYear != 2500 || hb.Unsent != 0 || hb.LastError != "" || hb.KioskVersion != "" {
		t.Fatalf("heartbeat %+v", hb)
	}
}

func TestCrashBetweenAckAndMarkCountsOnce(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "jinqueshan", since2026, 1500)
	ctx := context.Background()
	// The first batch is acknowledged, then the mark is lost.
	_, err := NewUploader(cred, &failOnce{Store: store}, Options{BatchPause: -1}).SyncOnce(ctx)
	if err == nil || !strings.Contains(err.Error(), "power cut") {
		t.Fatalf("err %v", err)
	}
	if h.Held("jinqueshan") != 1000 {
		t.Fatalf("hub holds %d", h.Held("jinqueshan"))
	}
	// The heartbeat after the failed pass tells the office why.
	if hb := h.Heartbeats()[len(h.Heartbeats())-1]; !strings.Contains(hb.LastError, "power cut") || hb.Unsent != 1500 {
		t.Fatalf("heartbeat %+v", hb)
	}
	// The kiosk starts again: the batch goes again and counts once.
	sum, err := NewUploader(cred, store, Options{BatchPause: -1}).SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 1500 || sum.Stored != 500 || sum.Duplicates != 1000 || sum.Unsent != 0 || h.Held("jinqueshan") != 1500 {
		t.Fatalf("%+v, hub holds %d", sum, h.Held("jinqueshan"))
	}
}

func TestRefusedStayUnsentAndComeAgainLater(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	db := filepath.Join(dir, "visits.db")
	pointtest.AddVisits(t, db, "jinqueshan", since2026, 1200)
	// A kiosk whose clock ran three days ahead.
	future := pointtest.AddVisits(t, db, "jinqueshan", time.Now().Add(72*time.Hour), 3)
	now := time.Now()
	u := NewUploader(cred, store, Options{BatchPause: -1, BatchSize: 600, Now: func() time.Time { return now }})
	sum, err := u.SyncOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stored != 1200 || len(sum.Refused) != 3 || sum.Unsent != 3 || sum.Batches != 3 {
		t.Fatalf("%+v", sum)
	}
	if sum.Refused[0].ID != future[0] || !strings.Contains(sum.Refused[0].Reason, "一天以上") {
		t.Fatalf("refusal %+v", sum.Refused[0])
	}
	// Not offered twice in one pass, nor in the next hour.
	if n := h.TimesOffered("jinqueshan", future[2]); n != 1 {
		t.Fatalf("offered %d times in one pass", n)
	}
	now = now.Add(59 * time.Minute)
	sum, err = u.SyncOnce(context.Background())
	if err != nil || sum.Sent != 0 || sum.Unsent != 3 {
		t.Fatalf("within the hour: %+v %v", sum, err)
	}
	// An hour on, or another uploader (kiosk sync), offers them again.
	now = now.Add(time.Minute)
	for _, u := range []*Uploader{u, NewUploader(cred, store, Options{BatchPause: -1})} {
		sum, err = u.SyncOnce(context.Background())
		if err != nil || sum.Sent != 3 || len(sum.Refused) != 3 || sum.Unsent != 3 {
			t.Fatalf("%+v %v", sum, err)
		}
	}
	if n := h.TimesOffered("jinqueshan", future[2]); n != 3 {
		t.Fatalf("offered %d times", n)
	}
}

func TestRunBacksOffWhileOfflineThenCatchesUp(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "jinqueshan", since2026, 1800)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.Stop()
	w := &waits{}
	w.then = func(n int, d time.Duration) {
		switch {
		case n == 9: // eight failures, then the hub is back
			h.Start()
		case n > 9 && h.Held("jinqueshan") == 1800:
			cancel()
		}
	}
	var logged []string
	var mu sync.Mutex
	u := NewUploader(cred, store, Options{BatchPause: -1, After: w.after, Rand: func() float64 { return 0.999 },
		Log: func(f string, a ...any) { mu.Lock(); logged = append(logged, f); mu.Unlock() }})
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Exponential from 5 s, capped at 10 min.
	want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 600, 600}
	for i, d := range want {
		if want := time.Duration(0.999 * float64(d*time.Second)); w.got[i] != want {
			t.Fatalf("wait %d: %v, want %v (all %v)", i+1, w.got[i], want, w.got)
		}
	}
	if got := w.got[len(w.got)-1]; got != api.HeartbeatSeconds*time.Second {
		t.Fatalf("after catching up the next pass is in %v", got)
	}
	if h.Held("jinqueshan") != 1800 || u.LastError() != "" {
		t.Fatalf("hub holds %d, last error %q", h.Held("jinqueshan"), u.LastError())
	}
}

func TestRunHonoursRetryAfter(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "jinqueshan", since2026, 10)
	h.Throttle(1, "7") // the batch; no heartbeat follows a 429
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &waits{then: func(n int, d time.Duration) {
		if n == 2 {
			cancel()
		}
	}}
	u := NewUploader(cred, store, Options{BatchPause: -1, After: w.after, Rand: func() float64 { return 0.5 }})
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if w.got[0] != 7*time.Second || w.got[1] != api.HeartbeatSeconds*time.Second || h.Held("jinqueshan") != 10 || len(h.Heartbeats()) != 1 {
		t.Fatalf("waits %v, held %d, %d heartbeats", w.got, h.Held("jinqueshan"), len(h.Heartbeats()))
	}
}

func TestRunKeepsHeartbeatWhileBatchesAreRefused(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "jinqueshan", since2026, 10)
	h.RefuseBatches(3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &waits{then: func(n int, d time.Duration) {
		if n == 4 {
			cancel()
		}
	}}
	u := NewUploader(cred, store, Options{BatchPause: -1, After: w.after, Rand: func() float64 { return 0.999 }, MinBackoff: time.Minute})
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Backoff would be ~1, 2, 4 minutes; the heartbeat keeps to a minute.
	every := api.HeartbeatSeconds * time.Second
	for i, d := range w.got[:3] {
		if d > every {
			t.Fatalf("wait %d: %v", i+1, d)
		}
	}
	hb := h.Heartbeats()
	if len(hb) != 4 || !strings.Contains(hb[0].LastError, "malformed batch") || hb[3].LastError != "" || h.Held("jinqueshan") != 10 {
		t.Fatalf("%d heartbeats, first %+v, last %+v; held %d", len(hb), hb[0], hb[len(hb)-1], h.Held("jinqueshan"))
	}
}

func TestRunStopsOnRevokedCredential(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "jinqueshan", since2026, 10)
	h.Revoke("jinqueshan")
	w := &waits{}
	err := NewUploader(cred, store, Options{After: w.after}).Run(context.Background())
	if !errors.Is(err, ErrCredential) || !strings.Contains(err.Error(), "凭证无效或已被吊销,请重新注册") {
		t.Fatalf("err %v", err)
	}
	if len(w.got) != 0 || h.Held("jinqueshan") != 0 {
		t.Fatalf("waited %v, held %d", w.got, h.Held("jinqueshan"))
	}
}

func TestRunStopsWithItsContextLeavingNoGoroutine(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	pointtest.AddVisits(t, filepath.Join(dir, "visits.db"), "jinqueshan", since2026, 3000)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	// Real timers; stop the uploader in the middle of the backlog.
	u := NewUploader(cred, store, Options{BatchPause: time.Hour})
	done := make(chan error)
	go func() { done <- u.Run(ctx) }()
	for h.Held("jinqueshan") == 0 {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := h.Held("jinqueshan"); n != 1000 {
		t.Fatalf("held %d", n)
	}
	// The server side may take a moment to close its end; ours is gone.
	h.Stop()
	for i := 0; runtime.NumGoroutine() > before && i < 500; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestBackoffNeverOverflows(t *testing.T) {
	u := NewUploader(Credential{}, nil, Options{MinBackoff: time.Hour, MaxBackoff: 3 * time.Hour, Rand: func() float64 { return 0.5 }})
	for n, want := range map[int]time.Duration{1: 30 * time.Minute, 2: time.Hour, 3: 90 * time.Minute, 40: 90 * time.Minute, 1000: 90 * time.Minute} {
		if got := u.backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
