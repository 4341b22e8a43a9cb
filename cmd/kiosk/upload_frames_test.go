package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kiosk/config"
	"kiosk/content"
	"kiosk/hub/point"
	"kiosk/hub/point/pointtest"
	"kiosk/render"
	"kiosk/tui"
	"kiosk/visits"
)

// TestUploadBacklogFrameTime measures the reader's frame time (a citizen
// paging through a document: Update with the key, then View, as Bubble
// Tea does for every key) with nothing uploading and then while the
// background uploader sends a 50,000-visit backlog to a hub in the same
// process, on the same visit store the citizen's visit is written to. It
// asserts nothing about time; the figures are in docs/BENCHMARKS.md. Run:
//
//	KIOSK_UPLOAD_BENCH=1 go test ./cmd/kiosk/ -run TestUploadBacklogFrameTime -v -count=1
func TestUploadBacklogFrameTime(t *testing.T) {
	if os.Getenv("KIOSK_UPLOAD_BENCH") == "" {
		t.Skip("set KIOSK_UPLOAD_BENCH=1 to measure frame times while 50,000 visits upload (~1 min)")
	}
	const backlog = 50_000
	h := pointtest.NewHub(t)
	data := t.TempDir()
	ctx := context.Background()
	cred, err := point.Enroll(ctx, data, h.URL(), h.Code("jinqueshan", "金雀山街道查阅点", config.LevelTownship), h.CA.SHA256(), point.EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(data, "kiosk.toml"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := visits.Open(filepath.Join(data, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pointtest.AddVisits(t, filepath.Join(data, "visits.db"), cfg.Point.ID, time.Now().AddDate(-1, 0, 0), backlog)
	tracker, err := visits.NewTracker(store, cfg.Point, visits.TrackerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tracker.Close()
	pack, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	m := tui.New(tui.Deps{Content: tui.Content{Pack: pack}, Options: tui.Options{Config: cfg,
		Renderer: render.New(render.Options{Style: "dark"}), Sanitize: render.Sanitize, Visits: tracker}})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	for _, k := range "a12" {
		m.Update(tea.KeyPressMsg(tea.Key{Code: k, Text: string(k)}))
		m.View()
	}
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "结束浏览") {
		t.Fatalf("not reading:\n%s", frame)
	}
	keys := []tea.KeyPressMsg{tea.KeyPressMsg(tea.Key{Code: tea.KeyPgDown}), tea.KeyPressMsg(tea.Key{Code: tea.KeyPgUp})}
	readFrame := func(i int) time.Duration {
		start := time.Now()
		m.Update(keys[i%2])
		m.View()
		return time.Since(start)
	}
	// A citizen reads at a few keys a second; the frames are measured
	// back to back with a short pause, so the uploader runs between them
	// as it would.
	const pause = 5 * time.Millisecond
	measure := func(n int, while func() bool) []time.Duration {
		var d []time.Duration
		for i := 0; (n > 0 && i < n) || (n == 0 && while()); i++ {
			d = append(d, readFrame(i))
			time.Sleep(pause)
		}
		return d
	}
	runtime.GC()
	idle := measure(2000, nil)

	// upload sends a new backlog with the uploader's options and measures
	// the frames meanwhile.
	upload := func(opt point.Options) ([]time.Duration, time.Duration, int) {
		held := h.Held(cfg.Point.ID)
		pointtest.AddVisits(t, filepath.Join(data, "visits.db"), cfg.Point.ID, time.Now().AddDate(-1, 0, 0), backlog)
		batches := h.Batches()
		runCtx, cancel := context.WithCancel(ctx)
		u := point.NewUploader(cred, store, opt)
		done := make(chan error, 1)
		began := time.Now()
		go func() { done <- u.Run(runCtx) }()
		d := measure(0, func() bool { return h.Held(cfg.Point.ID) < held+backlog })
		took := time.Since(began)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return d, took, h.Batches() - batches
	}
	uploading, took, batches := upload(point.Options{KioskVersion: "bench"})
	after := measure(2000, nil)
	noPause, tookNoPause, _ := upload(point.Options{KioskVersion: "bench", BatchPause: -1})
	if h.Held(cfg.Point.ID) != 2*backlog {
		t.Fatalf("hub holds %d", h.Held(cfg.Point.ID))
	}
	t.Logf("frame:\n%s", strings.Join(strings.Split(ansi.Strip(m.View().Content), "\n")[:6], "\n"))
	t.Logf("GOMAXPROCS %d, %s; %d visits uploaded in %v (%d batches, 200 ms between them), in %v without the pause",
		runtime.GOMAXPROCS(0), runtime.GOARCH, backlog, took.Round(100*time.Millisecond), batches, tookNoPause.Round(100*time.Millisecond))
	t.Logf("%-28s %7s %9s %9s %9s %9s", "reader frame (Update+View)", "frames", "median", "p95", "p99", "max")
	for _, r := range []struct {
		name string
		d    []time.Duration
	}{{"nothing uploading", idle}, {"50,000 visits uploading", uploading}, {"after the upload", after},
		{"uploading, no batch pause", noPause}} {
		t.Log(stats(r.name, r.d))
	}
}

func stats(name string, d []time.Duration) string {
	s := slices.Clone(d)
	slices.Sort(s)
	q := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	us := func(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/1e3) }
	return fmt.Sprintf("%-28s %7d %9s %9s %9s %9s", name, len(s), us(q(0.5)), us(q(0.95)), us(q(0.99)), us(s[len(s)-1]))
}
