package hub

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"kiosk/content"
	"kiosk/hub/point"
	"kiosk/hub/store"
	"kiosk/release"
	"kiosk/visits"
)

// Helpers of the publishing tests: a hub with a signing key, packs that
// differ by version, and real points (their own data folders, enrolled
// through point.Enroll, installing with point.Releaser).

// withSigningKey writes a signing key into the hub's folder.
func withSigningKey(t *testing.T, dir string) ed25519.PublicKey {
	t.Helper()
	pub, priv, err := release.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := release.WritePrivateKey(filepath.Join(dir, release.PrivateKeyFile), priv); err != nil {
		t.Fatal(err)
	}
	if err := release.WritePublicKey(filepath.Join(dir, release.PublicKeyFile), pub); err != nil {
		t.Fatal(err)
	}
	return pub
}

// testPack copies the good test pack with pack.toml's version set, and
// pad bytes of extra text in one more document (0: none).
func testPack(t testing.TB, version string, pad int) string {
	t.Helper()
	src := filepath.Join("..", "content", "testdata", "packs", "good")
	dst := filepath.Join(t.TempDir(), "pack-"+version)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "pack.toml" {
			b = bytes.Replace(b, []byte(`version = "2026.11.25-1"`), []byte(`version = "`+version+`"`), 1)
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if pad > 0 {
		writePadDoc(t, dst, pad)
	}
	return dst
}

// writePadDoc adds a document of about n bytes of text that compresses
// poorly (numbered lines of varied digits).
func writePadDoc(t testing.TB, dir string, n int) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("---\n标题: 附件 数据表\n索引号: ceshiqu/2026-0099999\n发布机构: 测试区政府办公室\n发布日期: 2026-11-25\n公开目录: 其他\n公开方式: 主动公开\n---\n## 数据表\n\n")
	x := uint64(88172645463325252)
	for i := 0; b.Len() < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		fmt.Fprintf(&b, "%d %x\n", i, x)
	}
	if err := os.WriteFile(filepath.Join(dir, "pad.md"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// noVisits is a point with no visits (the uploader sends heartbeats only).
type noVisits struct{}

func (noVisits) Unsent(context.Context, string, int) ([]visits.VisitRecord, error) { return nil, nil }
func (noVisits) MarkSent(context.Context, []string, time.Time) error               { return nil }
func (noVisits) UnsentCount(context.Context, string) (int, int, error)             { return 0, 0, nil }
func (noVisits) Summary(context.Context, string, time.Time) (visits.Summary, error) {
	return visits.Summary{}, nil
}

// testPoint is a lookup point with its own data folder.
type testPoint struct {
	id    string
	data  string
	cred  point.Credential
	store *content.Store
	rel   *point.Releaser
}

// newPoint enrols point id with the hub at hubDir/url (a fresh code) and
// makes its releaser, trusting keys, with cap maxSize (0: default).
func newPoint(t testing.TB, hubDir string, st *store.Store, url, id string, maxSize int64, keys ...ed25519.PublicKey) *testPoint {
	t.Helper()
	code := NewEnrolCode()
	h, _ := CodeHash(code)
	now := time.Now()
	if err := st.AddEnrolCode(context.Background(), id, h, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	fp, err := CAFingerprint(hubDir)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), id)
	cred, err := point.Enroll(context.Background(), data, url, code, fp, point.EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := content.OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPoint{id: id, data: data, cred: cred, store: cs}
	p.rel = point.NewReleaser(cred, release.Point{DataDir: data, Store: cs, Keys: keys, MaxSize: maxSize, Build: content.NoIndex}, nil)
	return p
}

// live is the pack version the point shows ("" for the built-in pack).
func (p *testPoint) live(t testing.TB) string {
	t.Helper()
	id, err := p.store.LiveVersion()
	if err != nil {
		t.Fatal(err)
	}
	if id == content.NoVersion {
		return ""
	}
	v, err := p.store.Version(id)
	if err != nil {
		t.Fatal(err)
	}
	return v.PackVersion
}

// installed is the highest release the point installed.
func (p *testPoint) installed(t testing.TB) uint64 {
	t.Helper()
	st, err := release.ReadState(p.data)
	if err != nil {
		t.Fatal(err)
	}
	return st.Highest
}

// check runs one release check that must not fail.
func (p *testPoint) check(t testing.TB) point.ReleaseCheck {
	t.Helper()
	rc, err := p.rel.Check(context.Background())
	if err != nil {
		t.Fatalf("%s: release check: %v", p.id, err)
	}
	return rc
}

// heartbeat sends one heartbeat with the release status.
func (p *testPoint) heartbeat(t testing.TB) {
	t.Helper()
	u := point.NewUploader(p.cred, noVisits{}, point.Options{Releases: p.rel, ReleaseEvery: time.Hour})
	// The first pass is due at once: the check finds nothing new.
	if _, err := u.SyncOnce(context.Background()); err != nil {
		t.Fatalf("%s: sync: %v", p.id, err)
	}
}

// forge stores a release the office never made: envelope and archive
// written straight into the hub's folder and database, for every point.
func forge(t testing.TB, dir string, st *store.Store, n uint64, envelope, archive []byte) {
	t.Helper()
	p := ReleaseArchivePath(dir, n)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, archive, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r := store.Release{Release: n, SHA256: "forged", Size: int64(len(archive)), Created: now, Expires: now.Add(time.Hour),
		All: true, Envelope: envelope, Published: now, Note: "forged by a test"}
	if err := st.AddRelease(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// signManifest signs m with priv.
func signManifest(t testing.TB, priv ed25519.PrivateKey, m release.Manifest) []byte {
	t.Helper()
	_, env, err := release.Sign(priv, m)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// servedHub is a hub served on addr ("127.0.0.1:0" for any port), wrapped
// by wrap (nil: none), until stop.
type servedHub struct {
	srv  *Server
	addr string
	done chan error
}

func serveHub(t testing.TB, cfg Config, st *store.Store, addr string, wrap func(http.Handler) http.Handler, edit ...func(*http.Server)) *servedHub {
	t.Helper()
	cert, err := LoadCertificate(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(cfg, st, cert, slog.New(slog.NewJSONHandler(&syncBuffer{}, nil)))
	if wrap != nil {
		srv.http.Handler = wrap(srv.http.Handler)
	}
	for _, e := range edit {
		e(srv.http)
	}
	var ln net.Listener
	for i := 0; ; i++ { // the port of a hub just shut down may take a moment
		ln, err = tls.Listen("tcp", addr, srv.http.TLSConfig)
		if err == nil || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	sh := &servedHub{srv: srv, addr: ln.Addr().String(), done: make(chan error, 1)}
	go func() {
		err := srv.http.Serve(ln)
		if err == http.ErrServerClosed {
			err = nil
		}
		sh.done <- err
	}()
	return sh
}

func (sh *servedHub) url() string { return "https://" + sh.addr }

func (sh *servedHub) stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sh.srv.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	if err := <-sh.done; err != nil {
		t.Error(err)
	}
}

// progressOf is release n's roll-out as the hub's database has it.
func progressOf(t testing.TB, st *store.Store, n uint64) store.Progress {
	t.Helper()
	all, err := st.RolloutProgress(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Release.Release == n {
			return p
		}
	}
	t.Fatalf("no release %d in %v", n, all)
	return store.Progress{}
}

// newReleaserFor makes p's releaser again (after p.cred changed).
func newReleaserFor(p *testPoint, pub ed25519.PublicKey, maxSize int64) *point.Releaser {
	return point.NewReleaser(p.cred, release.Point{DataDir: p.data, Store: p.store, Keys: []ed25519.PublicKey{pub}, MaxSize: maxSize, Build: content.NoIndex}, nil)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
