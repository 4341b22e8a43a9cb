package hub

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/hub/api"
	"kiosk/hub/point"
	"kiosk/hub/store"
	"kiosk/internal/faultproxy"
	"kiosk/release"
)

// The evidence: 92 points, each its own data folder and the real
// uploader and releaser, move from release 1 to release 2 through a hub
// restart and a network that drops, cuts, duplicates and delays; all end
// on release 2. Then a tampered archive, a pack signed by another key, a
// replayed older release, an expired manifest and an oversized archive
// are offered in turn: every point refuses each, reports it, and keeps
// showing release 2.
func TestPublishEndToEnd92Points(t *testing.T) {
	if testing.Short() {
		t.Skip("92 points: not in -short")
	}
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) { publishEndToEnd(t, db, 92) })
	}
}

// waitFor polls cond until it holds; a deadline far beyond what the
// test needs only turns a hang into a failure with what was seen.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened: %s", what, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func publishEndToEnd(t *testing.T, db string, n int) {
	ctx := context.Background()
	h := startHub(t, db, func(c *Config) {
		// 92 points asking every few hundred milliseconds instead of every
		// few minutes: the per-point limit is not under test here.
		c.Limits.PointPerMinute, c.Limits.PointBurst = 1_000_000, 1_000_000
	})
	pub := withSigningKey(t, h.dir)
	priv, err := release.ReadPrivateKey(filepath.Join(h.dir, release.PrivateKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var pts []config.Point
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("p%02d", i)
		ids = append(ids, id)
		pts = append(pts, config.Point{ID: id, Name: "查阅点 " + id, Level: config.LevelTownship})
	}
	if _, err := h.st.ImportPoints(ctx, pts, time.Now()); err != nil {
		t.Fatal(err)
	}

	// The hub the points use, restarted below, behind the fault proxy.
	cfg := h.srv.Config()
	sh := serveHub(t, cfg, h.st, "127.0.0.1:0", nil)
	cert, err := LoadCertificate(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := faultproxy.Start(cert, sh.url(), &tls.Config{RootCAs: h.caPool}, faultproxy.Faults{}, 12)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	points := make([]*testPoint, n)
	for i, id := range ids {
		p := newPoint(t, h.dir, h.st, h.url, id, 1<<20, pub)
		p.cred.URL = proxy.URL()
		p.rel = newReleaserFor(p, pub, 1<<20)
		points[i] = p
	}
	if _, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v1", 0)}); err != nil {
		t.Fatal(err)
	}
	proxy.SetFaults(faultproxy.Faults{Drop: 0.08, Cut: 0.08, Duplicate: 0.04, Delay: 0.1, MaxDelay: 50 * time.Millisecond})

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, p := range points {
		u := point.NewUploader(p.cred, noVisits{}, point.Options{
			Releases: p.rel, ReleaseEvery: 400 * time.Millisecond, Every: 400 * time.Millisecond,
			MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second,
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := u.Run(runCtx); err != nil {
				t.Errorf("%s: uploader stopped: %v", p.id, err)
			}
		}()
	}
	defer func() {
		stop()
		wg.Wait()
		sh.stop(t)
	}()

	// reported is how many points the hub has seen report f.
	reported := func(f func(store.PointRelease) bool) (bool, string) {
		reps, err := h.st.PointReleases(ctx)
		if err != nil {
			return false, err.Error()
		}
		c, last := 0, ""
		for _, id := range ids {
			if r, ok := reps[id]; ok && f(r) {
				c++
			} else if ok {
				last = fmt.Sprintf("%s: %+v", id, r)
			}
		}
		return c == n, fmt.Sprintf("%d of %d; e.g. %s", c, n, last)
	}
	waitFor(t, "all points on release 1", func() (bool, string) {
		return reported(func(r store.PointRelease) bool { return r.Installed == 1 })
	})

	// Release 2, and the hub restarts while the points fetch it.
	if _, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v2", 0)}); err != nil {
		t.Fatal(err)
	}
	sh.stop(t)
	time.Sleep(300 * time.Millisecond) // the points find no hub for a while
	sh = serveHub(t, cfg, h.st, sh.addr, nil)
	waitFor(t, "all points on release 2", func() (bool, string) {
		return reported(func(r store.PointRelease) bool { return r.Installed == 2 })
	})

	// The attacks, one offer at a time.
	p2, err := findRelease(ctx, h.st, 2)
	if err != nil {
		t.Fatal(err)
	}
	arc2 := readFile(t, ReleaseArchivePath(h.dir, 2))
	env1 := readFile(t, filepath.Join(h.dir, ReleasesDir, "1", ReleaseEnvelope))
	_, otherKey, _ := release.GenerateKey()
	now := time.Now()
	manifest := func(num uint64, edit func(*release.Manifest)) release.Manifest {
		m := release.Manifest{Release: num, SHA256: p2.SHA256, Size: p2.Size, Created: now.Add(-time.Hour), Expires: now.Add(time.Hour)}
		if edit != nil {
			edit(&m)
		}
		return m
	}
	tampered := append([]byte(nil), arc2...)
	tampered[len(tampered)/3] ^= 0x01
	attacks := []struct {
		name              string
		envelope, archive []byte
	}{
		{"tampered archive", signManifest(t, priv, manifest(3, nil)), tampered},
		{"another key", signManifest(t, otherKey, manifest(4, nil)), arc2},
		{"replayed release 1", env1, readFile(t, ReleaseArchivePath(h.dir, 1))},
		{"expired", signManifest(t, priv, manifest(6, func(m *release.Manifest) {
			m.Created, m.Expires = now.Add(-72*time.Hour), now.Add(-time.Hour)
		})), arc2},
		{"oversized", signManifest(t, priv, manifest(7, func(m *release.Manifest) { m.Size = 1<<20 + 1 })), make([]byte, 1<<20+1)},
	}
	for i, at := range attacks {
		num := uint64(3 + i)
		forge(t, h.dir, h.st, num, at.envelope, at.archive)
		waitFor(t, "every point refusing the "+at.name, func() (bool, string) {
			return reported(func(r store.PointRelease) bool {
				return r.Attempted == num && r.Result == api.ReleaseRefused && r.Installed == 2
			})
		})
	}
	for _, p := range points {
		if p.live(t) != "v2" || p.installed(t) != 2 {
			t.Fatalf("%s shows %q, release %d", p.id, p.live(t), p.installed(t))
		}
	}
	if pg := progressOf(t, h.st, 2); len(pg.Installed) != n {
		t.Fatalf("release 2 installed by %d of %d", len(pg.Installed), n)
	}
	c := proxy.Counts()
	t.Logf("proxy: %d requests, %d dropped, %d cut, %d duplicated, %d delayed, %d upstream errors (hub restarted once)",
		c.Requests, c.Dropped, c.Cut, c.Duplicated, c.Delayed, c.UpstreamErrors)
	if c.Dropped == 0 || c.Cut == 0 {
		t.Fatalf("the network misbehaved too little to test anything: %+v", c)
	}
}
