package release

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kiosk/content"
)

// point opens a point on data, as a restarted kiosk would: a fresh store
// and the state read from disk.
func point(t *testing.T, data string, keys ...ed25519.PublicKey) Point {
	t.Helper()
	st, err := content.OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	return Point{DataDir: data, Store: st, Keys: keys, PointID: "p01", Now: testNow}
}

func writeBundle(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pack"+BundleExt)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInstallBundleSwitchesAndRefusesEachAttack(t *testing.T) {
	data := t.TempDir()
	pub, priv := newKey(t)
	_, otherPriv := newKey(t)
	pt := point(t, data, pub)

	r1 := makeRelease(t, priv, "good", 1, nil)
	res, err := pt.InstallBundle(writeBundle(t, r1.bundle(t)))
	if err != nil || res.Manifest.Release != 1 || res.Load.Unchanged {
		t.Fatalf("release 1: %+v %v", res, err)
	}
	v1, _ := pt.Store.LiveVersion()
	if v1 != res.Load.Version.ID {
		t.Fatalf("live %s, installed %s", v1, res.Load.Version.ID)
	}
	r2 := makeRelease(t, priv, "synonyms", 2, nil)
	res, err = pt.InstallBundle(writeBundle(t, r2.bundle(t)))
	if err != nil {
		t.Fatal(err)
	}
	live, _ := pt.Store.LiveVersion()
	if live == v1 || live != res.Load.Version.ID {
		t.Fatalf("content did not switch: %s", live)
	}
	st, err := ReadState(data)
	if err != nil || st.Highest != 2 || !st.Signed(live) || !st.Signed(v1) || st.Signed("other") {
		t.Fatalf("state %+v %v", st, err)
	}
	stateBefore, _ := os.ReadFile(filepath.Join(data, StateDir, "state.json"))

	r3 := makeRelease(t, priv, "good", 3, nil)
	good3 := r3.bundle(t)
	tampered := bytes.Clone(good3)
	tampered[len(tampered)-2048] ^= 0x40 // inside pack.tar.gz, before the tar trailer
	env, _ := ParseEnvelope(r3.envelope)
	env.Manifest = bytes.Replace(env.Manifest, []byte(`"release":3`), []byte(`"release":4`), 1)
	edited := signed{archive: r3.archive, envelope: mustJSON(t, env)}

	cases := []struct {
		name   string
		bundle []byte
		want   error
	}{
		{"tampered archive byte", tampered, ErrHashMismatch},
		{"manifest edited after signing", edited.bundle(t), ErrBadSignature},
		{"signed by another key", makeRelease(t, otherPriv, "good", 3, nil).bundle(t), ErrUnknownKey},
		{"replayed release 1", r1.bundle(t), ErrReplay},
		{"replayed equal release 2", r2.bundle(t), ErrReplay},
		{"expired", makeRelease(t, priv, "good", 3, func(m *Manifest) { m.Expires = testNow; m.Created = testNow.AddDate(0, -3, 0) }).bundle(t), ErrExpired},
		{"truncated file", good3[:len(good3)/2], ErrSizeMismatch},
		{"truncated in the envelope", good3[:700], ErrMalformed},
		{"not a bundle", []byte("hello"), ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Every attempt from a restarted point: the state comes
			// from disk.
			pt := point(t, data, pub)
			_, err := pt.InstallBundle(writeBundle(t, c.bundle))
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if now, _ := pt.Store.LiveVersion(); now != live {
				t.Errorf("live content changed to %s", now)
			}
			if b, _ := os.ReadFile(filepath.Join(data, StateDir, "state.json")); !bytes.Equal(b, stateBefore) {
				t.Errorf("state changed:\n%s", b)
			}
			if vs, _ := pt.Store.List(); len(vs) != 2 {
				t.Errorf("%d versions installed", len(vs))
			}
			leftovers, _ := filepath.Glob(filepath.Join(data, StateDir, "incoming-*"))
			if len(leftovers) != 0 {
				t.Errorf("left behind: %v", leftovers)
			}
		})
	}

	// Over the cap: the point's cap, not the manifest's word.
	small := point(t, data, pub)
	small.MaxSize = r3.m.Size - 1
	if _, err := small.InstallBundle(writeBundle(t, good3)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the cap: %v", err)
	}
	// Extra entries after the archive are refused.
	var extra bytes.Buffer
	extra.Write(good3[:len(good3)-1024]) // without the tar trailer
	WriteBundle(&extra, r3.envelope, bytes.NewReader(r3.archive), int64(len(r3.archive)))
	if _, err := point(t, data, pub).InstallBundle(writeBundle(t, extra.Bytes())); !errors.Is(err, ErrMalformed) {
		t.Errorf("trailing entries: %v", err)
	}

	// The good release 3 still installs after all that.
	if res, err := point(t, data, pub).InstallBundle(writeBundle(t, good3)); err != nil || res.Manifest.Release != 3 {
		t.Fatalf("release 3: %v", err)
	}
	if st, _ := ReadState(data); st.Highest != 3 || len(st.Installed) != 3 {
		t.Errorf("state %+v", st)
	}
}

func TestInstallFromAStream(t *testing.T) {
	data := t.TempDir()
	pub, priv := newKey(t)
	r := makeRelease(t, priv, "good", 7, nil)
	pt := point(t, data, pub)
	if _, err := pt.Install(r.envelope, bytes.NewReader(r.archive)); err != nil {
		t.Fatal(err)
	}
	if _, err := point(t, data, pub).Install(r.envelope, bytes.NewReader(r.archive)); !errors.Is(err, ErrReplay) {
		t.Errorf("replay after reopening: %v", err)
	}
}

func TestDamagedStateRefusesInstalls(t *testing.T) {
	data := t.TempDir()
	pub, priv := newKey(t)
	os.MkdirAll(filepath.Join(data, StateDir), 0o755)
	os.WriteFile(filepath.Join(data, StateDir, "state.json"), []byte("{"), 0o644)
	r := makeRelease(t, priv, "good", 1, nil)
	if _, err := point(t, data, pub).InstallBundle(writeBundle(t, r.bundle(t))); err == nil {
		t.Fatal("installed with a damaged state")
	}
}

func TestIsBundle(t *testing.T) {
	_, priv := newKey(t)
	b := makeRelease(t, priv, "good", 1, nil).bundle(t)
	renamed := filepath.Join(t.TempDir(), "release.tar")
	os.WriteFile(renamed, b, 0o644)
	if !IsBundle(renamed) || !IsBundle("x.KPACK") {
		t.Error("a bundle not recognised")
	}
	if IsBundle(packPath("good.tar.gz")) || IsBundle(packPath("good")) {
		t.Error("a pack taken for a bundle")
	}
}

// FuzzBundle feeds arbitrary bytes to the bundle reader and the verifier:
// nothing panics, and whatever is accepted is exactly the signed release.
// Run it with a short minimisation time, or new inputs stall it for a
// minute each:
//
//	go test ./release/ -run '^$' -fuzz FuzzBundle -fuzztime 30s -fuzzminimizetime 2s
func FuzzBundle(f *testing.F) {
	pub, priv, _ := GenerateKey()
	var buf bytes.Buffer
	a, err := BuildArchive(packPath("good"), content.DefaultLimits(), &buf)
	if err != nil {
		f.Fatal(err)
	}
	m := a.Manifest(2, testNow.AddDate(0, 0, -1), testNow.AddDate(0, 0, 1), nil)
	_, env, _ := Sign(priv, m)
	var b bytes.Buffer
	WriteBundle(&b, env, bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	f.Add(b.Bytes())
	f.Add(env)
	f.Add([]byte(`{"manifest":"e30=","key_id":"0011223344556677","signature":""}`))
	pol := Policy{Keys: []ed25519.PublicKey{pub}, Installed: 1, Now: testNow}
	f.Fuzz(func(t *testing.T, in []byte) {
		if got, err := pol.CheckManifest(in); err == nil && (got.Release != 2 || got.SHA256 != m.SHA256) {
			t.Fatalf("accepted another manifest: %+v", got)
		}
		br, err := ReadBundle(bytes.NewReader(in))
		if err != nil {
			return
		}
		ar, err := br.Archive()
		if err != nil {
			return
		}
		got, err := pol.Verify(br.Envelope, ar)
		if err == nil && (got.Release != 2 || got.SHA256 != m.SHA256 || got.Size != m.Size) {
			t.Fatalf("accepted another release: %+v", got)
		}
	})
}

// A release the office signed over something that is not a valid pack
// verifies, fails to load, and leaves content and state as they were: the
// number is not used up.
func TestSignedButBrokenPackIsNotRecorded(t *testing.T) {
	data := t.TempDir()
	pub, priv := newKey(t)
	junk := []byte("not a tar.gz at all")
	sum := sha256.Sum256(junk)
	m := Manifest{Release: 4, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(junk)), Created: testNow.Add(-time.Hour), Expires: testNow.Add(time.Hour)}
	_, env, err := Sign(priv, m)
	if err != nil {
		t.Fatal(err)
	}
	pt := point(t, data, pub)
	_, err = pt.Install(env, bytes.NewReader(junk))
	var probs content.Problems
	if err == nil || !errors.As(err, &probs) {
		t.Fatalf("junk archive: %v", err)
	}
	if live, _ := pt.Store.LiveVersion(); live != content.NoVersion {
		t.Errorf("live %s", live)
	}
	if st, _ := ReadState(data); st.Highest != 0 {
		t.Errorf("state %+v", st)
	}
}
