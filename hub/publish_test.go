package hub

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/hub/api"
	"kiosk/release"
)

func TestStagedRolloutWidenRollback(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			pub := withSigningKey(t, h.dir)
			ctx := context.Background()
			var pts []*testPoint
			for _, id := range []string{"xq-01", "zj-07", "zj-08"} {
				pts = append(pts, newPoint(t, h.dir, h.st, h.url, id, 0, pub))
			}
			a, b, c := pts[0], pts[1], pts[2]

			// Nothing published: nothing offered.
			if rc := a.check(t); rc.Offered != 0 || rc.Installed != 0 {
				t.Fatalf("before publishing: %+v", rc)
			}
			p1, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v1", 0)})
			if err != nil {
				t.Fatal(err)
			}
			if p1.Release.Release != 1 || !p1.Release.All {
				t.Fatalf("first release: %+v", p1.Release)
			}
			for _, p := range pts {
				if rc := p.check(t); rc.Installed != 1 {
					t.Fatalf("%s: %+v", p.id, rc)
				}
				if p.live(t) != "v1" {
					t.Fatalf("%s shows %q", p.id, p.live(t))
				}
			}
			// ETag: the same offer again is a 304 and nothing happens.
			if rc := a.check(t); !rc.Unchanged {
				t.Fatalf("second check: %+v, want unchanged (304)", rc)
			}

			// Staged: release 2 goes to xq-01 only.
			p2, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v2", 0), Points: []string{"xq-01"}})
			if err != nil {
				t.Fatal(err)
			}
			if p2.Release.Release != 2 || p2.Release.All {
				t.Fatalf("staged release: %+v", p2.Release)
			}
			if rc := a.check(t); rc.Installed != 2 {
				t.Fatalf("staged point: %+v", rc)
			}
			for _, p := range []*testPoint{b, c} {
				rc := p.check(t)
				if rc.Installed != 0 || p.live(t) != "v1" || p.installed(t) != 1 {
					t.Fatalf("%s got the staged release: %+v, shows %q", p.id, rc, p.live(t))
				}
				// Nor may it fetch the archive itself.
				code, _, _ := h.do(t, http.MethodGet, api.ArchivePath(2), p.cred.Token, nil)
				if code != http.StatusNotFound {
					t.Fatalf("%s fetched the staged archive: %d", p.id, code)
				}
			}
			for _, p := range pts {
				p.heartbeat(t)
			}
			if pg := progressOf(t, h.st, 2); !slices.Equal(pg.Targets, []string{"xq-01"}) || !slices.Equal(pg.Installed, []string{"xq-01"}) {
				t.Fatalf("progress of the staged release: %+v", pg)
			}

			// Widened: everyone.
			if _, err := Widen(ctx, h.dir, h.st, 2, PublishRequest{}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []*testPoint{b, c} {
				if rc := p.check(t); rc.Installed != 2 || p.live(t) != "v2" {
					t.Fatalf("%s after --all: %+v, shows %q", p.id, rc, p.live(t))
				}
			}
			if rc := a.check(t); rc.Installed != 0 || rc.Refused != nil {
				t.Fatalf("xq-01 after --all: %+v", rc) // the same release, signed anew: installed already
			}

			// Rollback: v1's content as release 3.
			p3, err := Rollback(ctx, h.dir, h.st, 0, PublishRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if p3.Release.Release != 3 || p3.Release.SHA256 != p1.Release.SHA256 || !p3.Release.All {
				t.Fatalf("rollback: %+v (release 1: %s)", p3.Release, p1.Release.SHA256)
			}
			for _, p := range pts {
				if rc := p.check(t); rc.Installed != 3 || p.live(t) != "v1" {
					t.Fatalf("%s after rollback: %+v, shows %q", p.id, rc, p.live(t))
				}
				p.heartbeat(t)
			}
			pg := progressOf(t, h.st, 3)
			if len(pg.Targets) != 3 || len(pg.Installed) != 3 || len(pg.Failed) != 0 {
				t.Fatalf("progress of the rollback: %+v", pg)
			}
			led, err := release.ReadLedger(h.dir)
			if err != nil || led.Highest() != 3 {
				t.Fatalf("ledger: %+v %v", led, err)
			}

			// A staged trial (4) then a bad release for all (5): rolling
			// back goes to what every point had (3), not to the trial.
			if _, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v4", 0), Points: []string{"xq-01"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v5", 0)}); err != nil {
				t.Fatal(err)
			}
			p6, err := Rollback(ctx, h.dir, h.st, 0, PublishRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if p6.Release.Release != 6 || p6.Release.SHA256 != p3.Release.SHA256 {
				t.Fatalf("rollback past a staged trial: %+v, want release 3's content %s", p6.Release, p3.Release.SHA256)
			}
		})
	}
}

// cutter cuts the first answer of an archive after half its bytes, and
// records the Range headers it saw.
type cutter struct {
	mu     sync.Mutex
	cut    bool
	ranges []string
}

type cutWriter struct {
	http.ResponseWriter
	left int
}

func (w *cutWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *cutWriter) Write(b []byte) (int, error) {
	if len(b) > w.left {
		w.ResponseWriter.Write(b[:w.left])
		w.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection is closed mid-answer
	}
	w.left -= len(b)
	return w.ResponseWriter.Write(b)
}

func (c *cutter) wrap(size int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/archive") {
				next.ServeHTTP(w, r)
				return
			}
			c.mu.Lock()
			c.ranges = append(c.ranges, r.Header.Get("Range"))
			first := !c.cut
			c.cut = true
			c.mu.Unlock()
			if first {
				w = &cutWriter{ResponseWriter: w, left: size / 2}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestDownloadResumesAfterACut(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			pub := withSigningKey(t, h.dir)
			ctx := context.Background()
			p1, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v1", 200<<10)})
			if err != nil {
				t.Fatal(err)
			}
			size := int(p1.Release.Size)
			cfg := h.srv.Config()
			cut := &cutter{}
			sh := serveHub(t, cfg, h.st, "127.0.0.1:0", cut.wrap(size))
			defer sh.stop(t)
			p := newPoint(t, h.dir, h.st, h.url, "zj-07", 0, pub)
			p.cred.URL = sh.url()
			p.rel = newReleaserFor(p, pub, 0)

			_, err = p.rel.Check(ctx)
			if err == nil {
				t.Fatal("a cut download did not fail")
			}
			parts, _ := filepath.Glob(filepath.Join(p.data, release.StateDir, "download-*.part"))
			if len(parts) != 1 {
				t.Fatalf("partial downloads kept: %v", parts)
			}
			fi, err := os.Stat(parts[0])
			if err != nil || fi.Size() == 0 || fi.Size() >= int64(size) {
				t.Fatalf("partial download: %v %v (archive %d bytes)", fi, err, size)
			}
			if p.live(t) != "" || p.installed(t) != 0 {
				t.Fatal("a cut download changed the content")
			}
			if st := p.rel.Status(); st.Result != api.ReleaseFailed || st.Attempt != 1 {
				t.Fatalf("status after the cut: %+v", st)
			}
			rc := p.check(t)
			if rc.Installed != 1 || rc.Resumed != fi.Size() || p.live(t) != "v1" {
				t.Fatalf("resume: %+v (kept %d bytes), shows %q", rc, fi.Size(), p.live(t))
			}
			cut.mu.Lock()
			defer cut.mu.Unlock()
			if len(cut.ranges) != 2 || cut.ranges[0] != "" || cut.ranges[1] != "bytes="+itoa(fi.Size())+"-" {
				t.Fatalf("Range headers: %q", cut.ranges)
			}
			if parts, _ := filepath.Glob(filepath.Join(p.data, release.StateDir, "download-*.part")); len(parts) != 0 {
				t.Fatalf("partial download left after the install: %v", parts)
			}
		})
	}
}

func TestPointRefusesEachAttackContentUntouched(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			pub := withSigningKey(t, h.dir)
			priv, err := release.ReadPrivateKey(filepath.Join(h.dir, release.PrivateKeyFile))
			if err != nil {
				t.Fatal(err)
			}
			_, otherKey, _ := release.GenerateKey()
			ctx := context.Background()
			p1, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v1", 0)})
			if err != nil {
				t.Fatal(err)
			}
			const maxSize = 1 << 20
			p := newPoint(t, h.dir, h.st, h.url, "xq-01", maxSize, pub)
			if rc := p.check(t); rc.Installed != 1 {
				t.Fatalf("release 1: %+v", rc)
			}
			env1, err := os.ReadFile(filepath.Join(h.dir, ReleasesDir, "1", ReleaseEnvelope))
			if err != nil {
				t.Fatal(err)
			}
			arc1, err := os.ReadFile(ReleaseArchivePath(h.dir, 1))
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			genuine := func(n uint64, edit func(*release.Manifest)) release.Manifest {
				m := release.Manifest{Release: n, SHA256: p1.Release.SHA256, Size: p1.Release.Size, Created: now.Add(-time.Hour), Expires: now.Add(time.Hour)}
				if edit != nil {
					edit(&m)
				}
				return m
			}
			tampered := append([]byte(nil), arc1...)
			tampered[len(tampered)/2] ^= 0xff
			attacks := []struct {
				name     string
				envelope []byte
				archive  []byte
				want     error
			}{
				{"tampered archive", signManifest(t, priv, genuine(10, nil)), tampered, release.ErrHashMismatch},
				{"another key", signManifest(t, otherKey, genuine(11, nil)), arc1, release.ErrUnknownKey},
				{"replayed release 1", env1, arc1, release.ErrReplay},
				{"expired", signManifest(t, priv, genuine(13, func(m *release.Manifest) {
					m.Created, m.Expires = now.Add(-48*time.Hour), now.Add(-24*time.Hour)
				})), arc1, release.ErrExpired},
				{"over the cap", signManifest(t, priv, genuine(14, func(m *release.Manifest) { m.Size = maxSize + 1 })),
					make([]byte, maxSize+1), release.ErrTooLarge},
				{"longer than signed", signManifest(t, priv, genuine(15, nil)), append(append([]byte(nil), arc1...), 0), release.ErrSizeMismatch},
			}
			for i, at := range attacks {
				n := uint64(10 + i)
				forge(t, h.dir, h.st, n, at.envelope, at.archive)
				rc := p.check(t)
				if !errors.Is(rc.Refused, at.want) || rc.Installed != 0 {
					t.Fatalf("%s: %+v, want refused with %v", at.name, rc, at.want)
				}
				if p.live(t) != "v1" || p.installed(t) != 1 {
					t.Fatalf("%s changed the content: shows %q, release %d", at.name, p.live(t), p.installed(t))
				}
				if st := p.rel.Status(); st.Result != api.ReleaseRefused || st.Attempt != n || st.Error == "" {
					t.Fatalf("%s: status %+v", at.name, st)
				}
				// Refused for good: the same offer is not fetched again.
				if rc := p.check(t); !rc.Unchanged {
					t.Fatalf("%s: asked again: %+v", at.name, rc)
				}
				p.heartbeat(t)
				reps, err := h.st.PointReleases(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if r := reps["xq-01"]; r.Installed != 1 || r.Attempted != n || r.Result != api.ReleaseRefused || r.Error == "" {
					t.Fatalf("%s: the hub has %+v", at.name, r)
				}
				if parts, _ := filepath.Glob(filepath.Join(p.data, release.StateDir, "download-*.part")); len(parts) != 0 {
					t.Fatalf("%s: download kept: %v", at.name, parts)
				}
			}
			pg := progressOf(t, h.st, 15)
			if len(pg.Failed) != 1 || !strings.HasPrefix(pg.Failed["xq-01"], api.ReleaseRefused) {
				t.Fatalf("progress of the last attack: %+v", pg)
			}
		})
	}
}

func TestPublishRefusesUnknownPointsAndBadPacks(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	withSigningKey(t, h.dir)
	ctx := context.Background()
	if _, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: testPack(t, "v1", 0), Points: []string{"nowhere"}}); err == nil {
		t.Fatal("published to an unknown point")
	}
	bad := filepath.Join("..", "content", "testdata", "packs", "missing-field")
	if _, err := Publish(ctx, h.dir, h.st, PublishRequest{Pack: bad}); err == nil {
		t.Fatal("published a pack with errors")
	}
	if _, err := Rollback(ctx, h.dir, h.st, 0, PublishRequest{}); err == nil {
		t.Fatal("rolled back with nothing published")
	}
	led, err := release.ReadLedger(h.dir)
	if err != nil || led.Highest() != 0 {
		t.Fatalf("a refused publish used a number: %+v %v", led, err)
	}
	rels, err := h.st.Releases(ctx)
	if err != nil || len(rels) != 0 {
		t.Fatalf("releases: %v %v", rels, err)
	}
}

// A download over a slow line outlives the server's WriteTimeout (which
// bounds a whole answer): each write of an archive gets its own deadline.
func TestArchiveDownloadOutlivesWriteTimeout(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	token := h.enrol(t, "zj-07")
	archive := make([]byte, 16<<20) // far more than the socket buffers hold
	rand.Read(archive)
	forge(t, h.dir, h.st, 1, []byte("{}"), archive)
	sh := serveHub(t, h.srv.Config(), h.st, "127.0.0.1:0", nil, func(s *http.Server) { s.WriteTimeout = 300 * time.Millisecond })
	defer sh.stop(t)
	req, _ := http.NewRequest(http.MethodGet, sh.url()+api.ArchivePath(1), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var got bytes.Buffer
	buf := make([]byte, 256<<10)
	start := time.Now()
	for {
		n, err := io.ReadFull(resp.Body, buf)
		got.Write(buf[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF && got.Len() == len(archive) {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes in %v: %v", got.Len(), time.Since(start), err)
		}
		time.Sleep(15 * time.Millisecond) // a slow line: 64 pauses, about 1 s in all
	}
	if !bytes.Equal(got.Bytes(), archive) {
		t.Fatalf("got %d bytes of %d", got.Len(), len(archive))
	}
}

// A kept partial download that went bad on the point's disk fails the
// check after resuming; the archive is then fetched whole and installed,
// not refused for good.
func TestCorruptKeptPartIsFetchedWhole(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	pub := withSigningKey(t, h.dir)
	p1, err := Publish(context.Background(), h.dir, h.st, PublishRequest{Pack: testPack(t, "v1", 200<<10)})
	if err != nil {
		t.Fatal(err)
	}
	cut := &cutter{}
	sh := serveHub(t, h.srv.Config(), h.st, "127.0.0.1:0", cut.wrap(int(p1.Release.Size)))
	defer sh.stop(t)
	p := newPoint(t, h.dir, h.st, h.url, "zj-07", 0, pub)
	p.cred.URL = sh.url()
	p.rel = newReleaserFor(p, pub, 0)
	if _, err := p.rel.Check(context.Background()); err == nil {
		t.Fatal("a cut download did not fail")
	}
	parts, _ := filepath.Glob(filepath.Join(p.data, release.StateDir, "download-*.part"))
	if len(parts) != 1 {
		t.Fatalf("kept: %v", parts)
	}
	b := readFile(t, parts[0])
	b[len(b)/2] ^= 0xff
	os.WriteFile(parts[0], b, 0o600)

	rc, err := p.rel.Check(context.Background())
	if !errors.Is(err, release.ErrHashMismatch) || rc.Refused != nil || rc.Installed != 0 || p.live(t) != "" {
		t.Fatalf("resumed bad part: %+v %v", rc, err)
	}
	if st := p.rel.Status(); st.Result != api.ReleaseFailed {
		t.Fatalf("status: %+v", st)
	}
	if rc := p.check(t); rc.Installed != 1 || rc.Resumed != 0 || p.live(t) != "v1" {
		t.Fatalf("fetched whole: %+v", rc)
	}
	cut.mu.Lock()
	defer cut.mu.Unlock()
	if len(cut.ranges) != 3 || cut.ranges[1] == "" || cut.ranges[2] != "" {
		t.Fatalf("Range headers: %q", cut.ranges)
	}
}
