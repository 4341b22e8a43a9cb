package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/hub"
	"kiosk/hub/point"
	"kiosk/internal/faultproxy"
	"kiosk/visits"
)

// e2ePoint is one simulated lookup point: its own data folder, visit
// store, visit tracker and the real uploader.
type e2ePoint struct {
	cfg   config.Point
	dir   string
	store *visits.Store

	mu      sync.Mutex // the tracker's clock and visits
	now     time.Time
	tracker *visits.Tracker
	rng     *rand.Rand

	up      *point.Uploader
	cancel  context.CancelFunc
	stopped chan struct{}
	runErr  error // what Run returned, once stopped is closed
}

// visit records one closed visit beginning at start.
func (p *e2ePoint) visit(t *testing.T, start time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.now = start
	if err := p.tracker.Activity(); err != nil {
		t.Error(err)
	}
	p.now = start.Add(time.Duration(30+p.rng.IntN(900)) * time.Second)
	if err := p.tracker.SectionRead(); err != nil {
		t.Error(err)
	}
	if err := p.tracker.End(); err != nil {
		t.Error(err)
	}
}

// someStart is a moment of last year or of this year before today, in
// the district's time zone, within opening hours.
func (p *e2ePoint) someStart(now time.Time) time.Time {
	tz := time.FixedZone("CST", 8*3600)
	from := time.Date(now.Year()-1, 1, 1, 0, 0, 0, 0, tz)
	days := int(now.Add(-48*time.Hour).Sub(from).Hours() / 24)
	d := from.AddDate(0, 0, p.rng.IntN(days))
	return d.Add(time.Duration(8*3600+p.rng.IntN(9*3600)) * time.Second)
}

// TestHub92PointsThroughFaults is the evidence that every point's
// visits reach the office exactly once: 92 points, each with its own data
// folder and the real uploader, talk to a real `kiosk hub serve` process
// through a proxy that drops, delays, duplicates and cuts answers after
// the hub acted; the hub is killed with SIGKILL and restarted twice; three
// points stay offline for the first half; visits keep being recorded
// meanwhile. At the end each point's months at the hub equal its own, and
// `kiosk hub report --format json` equals `kiosk visits merge` of the 92
// points' own exports. Against SQLite and PostgreSQL.
func TestHub92PointsThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 92-point run takes about a minute per database")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	n := 92
	if raceEnabled {
		// The race detector makes every goroutine several times slower:
		// the same run with fewer points still crosses every code path.
		n = 16
	}
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { hubFaultRun(t, bin, db, n) })
	}
}

func hubFaultRun(t *testing.T, bin, db string, n int) {
	ctx := context.Background()
	now := time.Now()
	dir := newHubDir(t, db)

	// The district: 6 county-level points, 86 township ones.
	var pts strings.Builder
	pts.WriteString("id,name,level\n")
	points := make([]*e2ePoint, n)
	for i := range points {
		c := config.Point{ID: fmt.Sprintf("zj-%02d", i), Name: fmt.Sprintf("第%d查阅点", i), Level: config.LevelTownship}
		if i < 6 {
			c = config.Point{ID: fmt.Sprintf("xq-%02d", i), Name: fmt.Sprintf("县直第%d查阅点", i), Level: config.LevelCounty}
		}
		fmt.Fprintf(&pts, "%s,%s,%s\n", c.ID, c.Name, c.Level)
		points[i] = &e2ePoint{cfg: c, dir: t.TempDir(), rng: rand.New(rand.NewPCG(uint64(i), 92))}
	}
	ptsFile := filepath.Join(t.TempDir(), "points.csv")
	if err := os.WriteFile(ptsFile, []byte(pts.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := hubCLI(t, "hub", "points", "import", "--data", dir, ptsFile); code != 0 {
		t.Fatalf("points import: %d %s", code, errOut)
	}

	// The hub on a fixed loopback port, so that restarts keep its address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := startServeAt(t, bin, dir, addr)

	cert, err := hub.LoadCertificate(dir)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := faultproxy.Start(cert, srv.url, &tls.Config{RootCAs: caPoolOf(t, dir)}, faultproxy.Faults{}, 2018)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	fp, err := hub.CAFingerprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	codeRE := regexp.MustCompile(`([A-Z2-9]{4}-){3}[A-Z2-9]{4}`)

	// Enrol every point through the proxy (no faults yet: a code used up
	// by an answer the point never got is a staff matter, not this test's)
	// and give it last year's and this year's visits so far.
	for i, p := range points {
		code, out, errOut := hubCLI(t, "hub", "points", "token", "--data", dir, p.cfg.ID)
		c := codeRE.FindString(out)
		if code != 0 || c == "" {
			t.Fatalf("token %s: %d %q %q", p.cfg.ID, code, out, errOut)
		}
		cred, err := point.Enroll(ctx, p.dir, "https://localhost:"+portOf(proxy.Addr()), c, fp, point.EnrollOptions{})
		if err != nil {
			t.Fatalf("enrol %s: %v", p.cfg.ID, err)
		}
		if p.store, err = visits.Open(filepath.Join(p.dir, "visits.db")); err != nil {
			t.Fatal(err)
		}
		if p.tracker, err = visits.NewTracker(p.store, p.cfg, visits.TrackerOptions{Now: func() time.Time { return p.now }}); err != nil {
			t.Fatal(err)
		}
		n := 6 + p.rng.IntN(10)
		if i < 6 {
			n += 10 // county points are busier
		}
		for range n {
			p.visit(t, p.someStart(now))
		}
		p.up = point.NewUploader(cred, p.store, point.Options{
			KioskVersion: "e2e", Every: 2 * time.Second,
			MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second,
			BatchPause: -1, BatchSize: 4, RefusedRetry: time.Second,
		})
	}

	start := func(p *e2ePoint) {
		c, cancel := context.WithCancel(ctx)
		p.cancel, p.stopped = cancel, make(chan struct{})
		go func() { defer close(p.stopped); p.runErr = p.up.Run(c) }()
	}
	offline := map[int]bool{3: true, n / 2: true, n - 1: true} // one county, two township
	proxy.SetFaults(faultproxy.Faults{Drop: 0.08, Cut: 0.08, Duplicate: 0.08, Delay: 0.1, MaxDelay: 150 * time.Millisecond})
	for i, p := range points {
		if !offline[i] {
			start(p)
		}
	}
	// Visits go on while the uploads run.
	recording := make(chan struct{})
	var recWG sync.WaitGroup
	recWG.Go(func() {
		r := rand.New(rand.NewPCG(7, 7))
		for {
			select {
			case <-recording:
				return
			case <-time.After(20 * time.Millisecond):
				p := points[r.IntN(len(points))]
				p.visit(t, p.someStart(now))
			}
		}
	})
	kill := func() {
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		srv.cmd.Wait()
		if ws, ok := srv.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("the hub was not killed by SIGKILL: %v", srv.cmd.ProcessState)
		}
		time.Sleep(500 * time.Millisecond) // the points meet a dead hub
		srv = startServeAt(t, bin, dir, addr)
	}
	time.Sleep(3 * time.Second)
	kill()
	time.Sleep(3 * time.Second)
	kill()
	time.Sleep(2 * time.Second)
	for i := range offline { // the second half: the offline points come back
		start(points[i])
	}
	time.Sleep(3 * time.Second)
	close(recording)
	recWG.Wait()

	// Every point ends with nothing unsent (a hang guard, not a measure).
	guard := time.Now().Add(4 * time.Minute)
	for _, p := range points {
		for {
			own, others, err := p.store.UnsentCount(ctx, p.cfg.ID)
			if err != nil {
				t.Fatal(err)
			}
			if others != 0 {
				t.Fatalf("%s: %d visits under another point id", p.cfg.ID, others)
			}
			if own == 0 {
				break
			}
			select {
			case <-p.stopped:
				t.Fatalf("%s: the uploader stopped with %d unsent: %v", p.cfg.ID, own, p.runErr)
			default:
			}
			if time.Now().After(guard) {
				t.Fatalf("%s still has %d unsent visits; last error %q; proxy %+v", p.cfg.ID, own, p.up.LastError(), proxy.Counts())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for _, p := range points {
		p.cancel()
		<-p.stopped
		p.tracker.Close()
		p.store.Close()
	}
	c := proxy.Counts()
	t.Logf("proxy: %+v", c)
	if c.Dropped == 0 || c.Cut == 0 || c.Duplicated == 0 || c.Delayed == 0 || c.UpstreamErrors == 0 {
		t.Fatalf("not every fault happened (%+v): the run proves less than it says", c)
	}

	// The hub's figures equal the points' own, for both years, and the
	// year table equals visits merge of the 92 points' exports.
	gen := regexp.MustCompile(`(?m)^  "generated_at": .*\n`)
	for _, year := range []int{now.Year() - 1, now.Year()} {
		y := fmt.Sprint(year)
		var exports []string
		for _, p := range points {
			out := filepath.Join(t.TempDir(), p.cfg.ID+".json")
			if code, _, errOut := hubCLI(t, "--data", p.dir, "visits", "export", "--year", y, "--format", "json", "--out", out); code != 0 {
				t.Fatalf("export %s: %d %s", p.cfg.ID, code, errOut)
			}
			exports = append(exports, out)
		}
		hubOut := filepath.Join(t.TempDir(), "hub.json")
		if code, _, errOut := hubCLI(t, "hub", "report", "--data", dir, "--year", y, "--format", "json", "--out", hubOut); code != 0 {
			t.Fatalf("hub report %s: %d %s", y, code, errOut)
		}
		mergeOut := filepath.Join(t.TempDir(), "merge.json")
		args := append([]string{"--data", t.TempDir(), "visits", "merge", "--points", ptsFile, "--year", y, "--format", "json", "--out", mergeOut}, exports...)
		if code, _, errOut := hubCLI(t, args...); code != 0 {
			t.Fatalf("merge %s: %d %s", y, code, errOut)
		}
		a, _ := os.ReadFile(hubOut)
		b, _ := os.ReadFile(mergeOut)
		ha, mb := gen.ReplaceAllString(string(a), ""), gen.ReplaceAllString(string(b), "")
		if ha != mb {
			t.Fatalf("%s: hub report and merge of the points' exports differ:\n--- hub\n%.3000s\n--- merge\n%.3000s", y, ha, mb)
		}
		// Per point and month, against each point's own store.
		for _, p := range points {
			own := monthsOf(t, p.dir, p.cfg, year)
			want := fmt.Sprintf(`{"id":%q,"name":%q,"level":%q,"months":%s`, p.cfg.ID, p.cfg.Name, p.cfg.Level, own)
			if !strings.Contains(ha, want) {
				t.Fatalf("%s %s: the hub's row is not the point's own %s", p.cfg.ID, y, own)
			}
		}
	}
}

// monthsOf is a point's own months of year, as JSON.
func monthsOf(t *testing.T, dir string, p config.Point, year int) string {
	t.Helper()
	s, err := visits.OpenReadOnly(filepath.Join(dir, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := visits.BuildReport(context.Background(), s, visits.ReportOptions{Year: year, Point: p})
	if err != nil {
		t.Fatal(err)
	}
	var m [12]int
	for _, pc := range r.Points {
		if pc.ID == p.ID {
			m = pc.Months
		}
	}
	return strings.ReplaceAll(fmt.Sprint(m[:]), " ", ",")
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
