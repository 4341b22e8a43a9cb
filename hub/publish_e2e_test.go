package hub

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
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
// on release 2. Meanwhile a network attacker answers 20 of them with a
// tampered archive, a manifest signed by another key, an expired one and
// an oversized archive (5 points each): each refuses and keeps release 1
// until the attacker is gone. Then the same attacks and a replayed older
// release come from the hub's own folder, one offer at a time: every
// point refuses each, reports it, and keeps
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

	// Release 2, and while the points fetch it — through a hub restart —
	// a network attacker answers 20 of them (5 for each attack) with a
	// forged offer instead of the hub's: every one is refused and the
	// point keeps release 1 on screen; once the attacker is gone, they
	// too install release 2.
	arc1 := readFile(t, ReleaseArchivePath(h.dir, 1))
	env1 := readFile(t, filepath.Join(h.dir, ReleasesDir, "1", ReleaseEnvelope))
	mitm := networkAttacks(t, priv, arc1, 1<<20)
	victims := map[string]attack{}
	for i, p := range points[n-len(mitm)*5:] {
		victims["Bearer "+p.cred.Token] = mitm[i/5]
	}
	proxy.SetRewrite(func(r *http.Request, status int, hdr http.Header, body []byte) (int, http.Header, []byte, bool) {
		at, ok := victims[r.Header.Get("Authorization")]
		if !ok {
			return 0, nil, nil, false
		}
		return at.answer(r)
	})
	p2, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v2", 0)})
	if err != nil {
		t.Fatal(err)
	}
	sh.stop(t)
	time.Sleep(300 * time.Millisecond) // the points find no hub for a while
	sh = serveHub(t, cfg, h.st, sh.addr, nil)
	isVictim := func(id string) (attack, bool) {
		for _, p := range points {
			if p.id == id {
				at, ok := victims["Bearer "+p.cred.Token]
				return at, ok
			}
		}
		return attack{}, false
	}
	waitFor(t, "release 2 on the points the attacker leaves alone, every attacked point refusing its forgery", func() (bool, string) {
		return reported(func(r store.PointRelease) bool {
			if at, ok := isVictim(r.Point); ok {
				return r.Installed == 1 && r.Attempted == at.release && r.Result == api.ReleaseRefused
			}
			return r.Installed == 2
		})
	})
	for _, p := range points {
		want := "v2"
		if _, ok := isVictim(p.id); ok {
			want = "v1"
		}
		if p.live(t) != want {
			t.Fatalf("%s shows %q during the attack, want %q", p.id, p.live(t), want)
		}
	}
	proxy.SetRewrite(nil)
	waitFor(t, "all points on release 2 once the attacker is gone", func() (bool, string) {
		return reported(func(r store.PointRelease) bool { return r.Installed == 2 })
	})

	// The same attacks again, now from the hub's own folder and database
	// (a compromised office machine without the key), one offer at a time.
	arc2 := readFile(t, ReleaseArchivePath(h.dir, 2))
	_, otherKey, _ := release.GenerateKey()
	now := time.Now()
	manifest := func(num uint64, edit func(*release.Manifest)) release.Manifest {
		m := release.Manifest{Release: num, SHA256: p2.Release.SHA256, Size: p2.Release.Size, Created: now.Add(-time.Hour), Expires: now.Add(time.Hour)}
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
		{"replayed release 1", env1, arc1},
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

// attack is a forged offer a network attacker gives a point in place of
// the hub's, with the archive it serves for it.
type attack struct {
	name     string
	release  uint64
	envelope []byte
	archive  []byte
}

// networkAttacks are the forgeries an attacker between the points and the
// hub can make without the office's key: a tampered archive under a real
// signature, a manifest signed by its own key, an expired one and one over
// the points' size cap (the last two signed by the office long ago, say).
// A replayed older release is the hub-side phase's: a point given its own
// installed release has nothing to do.
func networkAttacks(t *testing.T, priv ed25519.PrivateKey, arc []byte, maxSize int64) []attack {
	t.Helper()
	sum := sha256.Sum256(arc)
	now := time.Now()
	m := func(num uint64, edit func(*release.Manifest)) release.Manifest {
		mf := release.Manifest{Release: num, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(arc)), Created: now.Add(-time.Hour), Expires: now.Add(time.Hour)}
		if edit != nil {
			edit(&mf)
		}
		return mf
	}
	tampered := append([]byte(nil), arc...)
	tampered[len(tampered)/2] ^= 0x01
	_, otherKey, _ := release.GenerateKey()
	return []attack{
		{"tampered archive", 3, signManifest(t, priv, m(3, nil)), tampered},
		{"another key", 4, signManifest(t, otherKey, m(4, nil)), arc},
		{"expired", 6, signManifest(t, priv, m(6, func(mf *release.Manifest) {
			mf.Created, mf.Expires = now.Add(-72*time.Hour), now.Add(-time.Hour)
		})), arc},
		{"oversized", 7, signManifest(t, priv, m(7, func(mf *release.Manifest) { mf.Size = maxSize + 1 })), make([]byte, maxSize+1)},
	}
}

// answer is what the attacker sends for r: its own offer (with its own
// ETag, so that the point asks the hub afresh once the attacker is gone)
// and its archive, honouring a Range to resume; anything else passes.
func (a attack) answer(r *http.Request) (int, http.Header, []byte, bool) {
	switch r.URL.Path {
	case api.PathRelease:
		body, _ := json.Marshal(api.ReleaseOffer{Release: a.release, Envelope: a.envelope, ArchivePath: api.ArchivePath(a.release)})
		return http.StatusOK, http.Header{"Content-Type": {"application/json"}, "Etag": {fmt.Sprintf(`"forged-%d"`, a.release)}}, body, true
	case api.ArchivePath(a.release):
		from := 0
		if rg, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
			if n, err := strconv.Atoi(strings.TrimSuffix(rg, "-")); err == nil && n < len(a.archive) {
				from = n
			}
		}
		h := http.Header{"Content-Type": {"application/octet-stream"}, "Content-Length": {strconv.Itoa(len(a.archive) - from)}}
		if from > 0 {
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(a.archive)-1, len(a.archive)))
			return http.StatusPartialContent, h, a.archive[from:], true
		}
		return http.StatusOK, h, a.archive, true
	}
	return 0, nil, nil, false
}
