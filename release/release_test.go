package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/content"
)

func packPath(name string) string {
	return filepath.Join("..", "content", "testdata", "packs", name)
}

// now is the clock of every test: fixed, so expiry is exact.
var testNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// signed is one release: its archive and envelope.
type signed struct {
	archive  []byte
	envelope []byte
	m        Manifest
}

// makeRelease builds the archive of pack and signs release n with priv;
// edit may change the manifest before it is signed.
func makeRelease(t *testing.T, priv ed25519.PrivateKey, pack string, n uint64, edit func(*Manifest)) signed {
	t.Helper()
	var buf bytes.Buffer
	a, err := BuildArchive(packPath(pack), content.DefaultLimits(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	m := a.Manifest(n, testNow.Add(-time.Hour), testNow.Add(90*24*time.Hour), nil)
	if edit != nil {
		edit(&m)
	}
	_, env, err := Sign(priv, m)
	if err != nil {
		t.Fatal(err)
	}
	return signed{archive: buf.Bytes(), envelope: env, m: m}
}

func (s signed) bundle(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteBundle(&b, s.envelope, bytes.NewReader(s.archive), int64(len(s.archive))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestBuildArchiveIsDeterministicAndHoldsPackFilesOnly(t *testing.T) {
	var a, b bytes.Buffer
	ra, err := BuildArchive(packPath("good"), content.DefaultLimits(), &a)
	if err != nil {
		t.Fatal(err)
	}
	// The same pack from a .tar.gz: the same files, the same archive.
	rb, err := BuildArchive(packPath("good.tar.gz"), content.DefaultLimits(), &b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || ra.SHA256 != rb.SHA256 || ra.Size != int64(a.Len()) {
		t.Fatalf("archives differ: %s %d / %s %d", ra.SHA256, ra.Size, rb.SHA256, rb.Size)
	}
	gz, err := gzip.NewReader(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || h.Mode != 0o644 || h.Uid != 0 || !h.ModTime.Equal(time.Unix(archiveTime, 0)) {
			t.Errorf("entry %s: %+v", h.Name, h)
		}
		names = append(names, h.Name)
	}
	if got := strings.Join(names, " "); got != "2019/annual-report.md README.md guide.md pack.toml" {
		t.Errorf("entries %s", got)
	}
	if ra.Pack == nil || len(ra.Pack.Docs) == 0 {
		t.Errorf("pack %+v", ra.Pack)
	}
	// A copy with clutter beside the pack files, files written at other
	// times: the same archive.
	dir := filepath.Join(t.TempDir(), "pack")
	if err := os.CopyFS(dir, os.DirFS(packPath("good"))); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("draft"), 0o644)
	os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte{0}, 0o644)
	os.Chtimes(filepath.Join(dir, "guide.md"), time.Now(), time.Now().Add(-time.Hour))
	rc, err := BuildArchive(dir, content.DefaultLimits(), io.Discard)
	if err != nil || rc.SHA256 != ra.SHA256 {
		t.Errorf("copy with clutter: %s %v, want %s", rc.SHA256, err, ra.SHA256)
	}
}

func TestBuildArchiveRefusesABadPack(t *testing.T) {
	var buf bytes.Buffer
	_, err := BuildArchive(packPath("dangling-ref"), content.DefaultLimits(), &buf)
	var probs content.Problems
	if !errors.As(err, &probs) || len(probs.Errors()) == 0 || buf.Len() != 0 {
		t.Fatalf("err %v, %d bytes written", err, buf.Len())
	}
	for _, unsafe := range []string{"zipslip.zip", "symlink.tar.gz", "absolute.tar.gz"} {
		if _, err := BuildArchive(packPath(unsafe), content.DefaultLimits(), io.Discard); !errors.As(err, &probs) {
			t.Errorf("%s: %v", unsafe, err)
		}
	}
}

func TestDefaultMaxSizeHoldsTheLargestPack(t *testing.T) {
	if DefaultMaxSize < content.DefaultLimits().MaxTotalBytes {
		t.Fatalf("cap %d under the pack limit %d", DefaultMaxSize, content.DefaultLimits().MaxTotalBytes)
	}
}

func TestVerifyRefusesEachAttack(t *testing.T) {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	good := makeRelease(t, priv, "good", 5, nil)
	pol := Policy{Keys: []ed25519.PublicKey{pub}, Installed: 4, Now: testNow, PointID: "p01"}

	if m, err := pol.Verify(good.envelope, bytes.NewReader(good.archive)); err != nil || m.Release != 5 || m.SHA256 != good.m.SHA256 {
		t.Fatalf("good release: %+v %v", m, err)
	}

	tampered := bytes.Clone(good.archive)
	tampered[len(tampered)/2] ^= 1

	// The manifest edited after signing: the release number raised in
	// the signed bytes, the signature kept.
	env, _ := ParseEnvelope(good.envelope)
	env.Manifest = bytes.Replace(env.Manifest, []byte(`"release":5`), []byte(`"release":9`), 1)
	edited := mustJSON(t, env)

	byOther := makeRelease(t, otherPriv, "good", 5, nil)
	// Signed by another key that claims the trusted key's id.
	forged, _ := ParseEnvelope(byOther.envelope)
	forged.KeyID = KeyID(pub)
	forgedEnv := mustJSON(t, forged)

	cases := []struct {
		name     string
		pol      Policy
		envelope []byte
		archive  []byte
		want     error
	}{
		{"tampered archive byte", pol, good.envelope, tampered, ErrHashMismatch},
		{"manifest edited after signing", pol, edited, good.archive, ErrBadSignature},
		{"signed by another key", pol, byOther.envelope, byOther.archive, ErrUnknownKey},
		{"another key with the trusted key's id", pol, forgedEnv, byOther.archive, ErrBadSignature},
		{"replayed equal release", with(pol, func(p *Policy) { p.Installed = 5 }), good.envelope, good.archive, ErrReplay},
		{"replayed older release", with(pol, func(p *Policy) { p.Installed = 7 }), good.envelope, good.archive, ErrReplay},
		{"expired", with(pol, func(p *Policy) { p.Now = good.m.Expires }), good.envelope, good.archive, ErrExpired},
		{"expired by the real clock when no clock is given", with(pol, func(p *Policy) { p.Now = time.Time{} }),
			makeRelease(t, priv, "good", 5, func(m *Manifest) { m.Created = testNow.AddDate(-10, 0, 0); m.Expires = testNow.AddDate(-9, 0, 0) }).envelope, good.archive, ErrExpired},
		{"over the cap", with(pol, func(p *Policy) { p.MaxSize = good.m.Size - 1 }), good.envelope, good.archive, ErrTooLarge},
		{"truncated archive", pol, good.envelope, good.archive[:len(good.archive)-1], ErrSizeMismatch},
		{"extended archive", pol, good.envelope, append(bytes.Clone(good.archive), 0), ErrSizeMismatch},
		{"no trusted key", with(pol, func(p *Policy) { p.Keys = nil }), good.envelope, good.archive, ErrNoKeys},
		{"not JSON", pol, []byte("{"), good.archive, ErrMalformed},
		{"staged for other points", pol, makeRelease(t, priv, "good", 5, func(m *Manifest) { m.Points = []string{"p02"} }).envelope, good.archive, ErrNotForPoint},
	}
	_ = otherPub
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var copied bytes.Buffer
			_, err := c.pol.VerifyTo(c.envelope, bytes.NewReader(c.archive), &copied)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			for _, other := range allErrors() {
				if other != c.want && errors.Is(err, other) {
					t.Errorf("%v is also %v", err, other)
				}
			}
			if !strings.ContainsFunc(err.Error()[:3], func(r rune) bool { return r >= 0x4e00 }) {
				t.Errorf("not Chinese first: %v", err)
			}
			// Refused on the manifest alone: not one byte of the archive read.
			if c.want != ErrHashMismatch && c.want != ErrSizeMismatch && copied.Len() != 0 {
				t.Errorf("%d archive bytes read before the refusal", copied.Len())
			}
		})
	}
	// Staged for this point: accepted.
	staged := makeRelease(t, priv, "good", 5, func(m *Manifest) { m.Points = []string{"p02", "p01"} })
	if _, err := pol.Verify(staged.envelope, bytes.NewReader(staged.archive)); err != nil {
		t.Errorf("staged for p01: %v", err)
	}
}

func with(p Policy, f func(*Policy)) Policy {
	f(&p)
	return p
}

func allErrors() []error {
	return []error{ErrMalformed, ErrNoKeys, ErrUnknownKey, ErrBadSignature, ErrExpired, ErrReplay, ErrNotForPoint, ErrTooLarge, ErrSizeMismatch, ErrHashMismatch, ErrUnsigned}
}

func mustJSON(t *testing.T, env Envelope) []byte {
	t.Helper()
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignRefusesABadManifest(t *testing.T) {
	_, priv := newKey(t)
	good := makeRelease(t, priv, "good", 1, nil)
	for name, edit := range map[string]func(*Manifest){
		"release 0":     func(m *Manifest) { m.Release = 0 },
		"expires first": func(m *Manifest) { m.Expires = m.Created },
		"hash not hex":  func(m *Manifest) { m.SHA256 = strings.ToUpper(m.SHA256) },
		"size 0":        func(m *Manifest) { m.Size = 0 },
	} {
		m := good.m
		edit(&m)
		if _, _, err := Sign(priv, m); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	pub, priv := newKey(t)
	kp, pp := filepath.Join(dir, PrivateKeyFile), filepath.Join(dir, PublicKeyFile)
	if err := WritePrivateKey(kp, priv); err != nil {
		t.Fatal(err)
	}
	if err := WritePublicKey(pp, pub); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(kp); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v %v", fi.Mode(), err)
	}
	if err := WritePrivateKey(kp, priv); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Errorf("overwrote the key: %v", err)
	}
	got, err := ReadPrivateKey(kp)
	if err != nil || !got.Equal(priv) {
		t.Fatalf("read back: %v", err)
	}
	pemText, _ := os.ReadFile(pp)
	for _, s := range []string{string(pemText), PublicKeyLine(pub)} {
		if k, err := ParsePublicKey(s); err != nil || !k.Equal(pub) {
			t.Errorf("parse %q: %v", s, err)
		}
	}
	if _, err := ParsePublicKey(PublicKeyLine(pub)[:40]); err == nil {
		t.Error("a cut key parsed")
	}
	os.Chmod(kp, 0o640)
	if _, err := ReadPrivateKey(kp); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a group-readable key was read: %v", err)
	}
	if len(KeyID(pub)) != 2*KeyIDBytes {
		t.Errorf("key id %q", KeyID(pub))
	}
}

func TestLedgerNumbersOnlyGrow(t *testing.T) {
	h := t.TempDir()
	if l, err := ReadLedger(h); err != nil || l.Highest() != 0 {
		t.Fatal(l, err)
	}
	if err := Record(h, Issued{Release: 3}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint64{3, 2} {
		if err := Record(h, Issued{Release: n}); err == nil {
			t.Errorf("release %d recorded after 3", n)
		}
	}
	if l, _ := ReadLedger(h); l.Highest() != 3 || len(l.Releases) != 1 {
		t.Errorf("ledger %+v", l)
	}
}
