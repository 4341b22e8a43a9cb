package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kiosk/config"
	"kiosk/content"
	"kiosk/release"
)

// callHubFunc calls a hub command function and returns its status and output.
func callHubFunc(f func([]string, io.Writer, io.Writer) int, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := f(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// newOfficeKey makes an office key in a new hub folder and returns the folder
// and the [content] lines it printed.
func newOfficeKey(t *testing.T) (string, string) {
	t.Helper()
	h := filepath.Join(t.TempDir(), "hub")
	code, out, errOut := callHubFunc(hubKeygen, "--data", h)
	if code != 0 || !strings.Contains(out, "signing_keys = [\"") {
		t.Fatalf("keygen: %d %q %q", code, out, errOut)
	}
	return h, out
}

func signBundle(t *testing.T, h, pack string, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "release"+release.BundleExt)
	code, stdout, stderr := callHubFunc(hubSign, append([]string{"--data", h, pack, "--out", out}, extra...)...)
	if code != 0 {
		t.Fatalf("sign: %d %q %q", code, stdout, stderr)
	}
	return out
}

func TestHubKeygen(t *testing.T) {
	h, lines := newOfficeKey(t)
	fi, err := os.Stat(filepath.Join(h, release.PrivateKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v %v", fi.Mode(), err)
	}
	pub, _ := os.ReadFile(filepath.Join(h, release.PublicKeyFile))
	k, err := release.ParsePublicKey(string(pub))
	if err != nil || !strings.Contains(lines, release.PublicKeyLine(k)) {
		t.Fatalf("printed %q for %s (%v)", lines, pub, err)
	}
	before, _ := os.ReadFile(filepath.Join(h, release.PrivateKeyFile))
	code, _, errOut := callHubFunc(hubKeygen, "--data", h)
	after, _ := os.ReadFile(filepath.Join(h, release.PrivateKeyFile))
	if code != 1 || !strings.Contains(errOut, "已存在") || !bytes.Equal(before, after) {
		t.Errorf("second keygen: %d %q", code, errOut)
	}
	if code, _, _ := callHubFunc(hubKeygen); code != 2 {
		t.Errorf("keygen without --data: %d", code)
	}
}

func TestHubSignNumbersReleases(t *testing.T) {
	h, _ := newOfficeKey(t)
	signBundle(t, h, packPath("good"))
	signBundle(t, h, packPath("good.zip"), "--expires", "7d", "--points", "p01, p02")
	l, err := release.ReadLedger(h)
	if err != nil || len(l.Releases) != 2 || l.Releases[1].Release != 2 || strings.Join(l.Releases[1].Points, ",") != "p01,p02" {
		t.Fatalf("ledger %+v %v", l, err)
	}
	if d := l.Releases[1].Expires.Sub(l.Releases[1].Created); d.Hours() != 7*24 {
		t.Errorf("valid for %v", d)
	}
	out := filepath.Join(t.TempDir(), "x.kpack")
	for _, args := range [][]string{
		{"--release", "2"},                    // not higher than 2
		{"--expires", "soon"},                 // not a validity
		{"--release", "9", "--expires", "0d"}, // not a validity
	} {
		code, _, errOut := callHubFunc(hubSign, append([]string{"--data", h, packPath("good"), "--out", out}, args...)...)
		if code == 0 || !chineseFirst(strings.TrimPrefix(errOut, "kiosk: ")) {
			t.Errorf("%v: %d %q", args, code, errOut)
		}
	}
	// A pack with errors: its problems, no bundle, no number used.
	code, stdout, _ := callHubFunc(hubSign, "--data", h, packPath("dangling-ref"), "--out", out)
	if code != 1 || !strings.Contains(stdout, "doc.md:13") {
		t.Errorf("bad pack: %d %q", code, stdout)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a bundle was written for a bad pack")
	}
	if l, _ := release.ReadLedger(h); l.Highest() != 2 {
		t.Errorf("highest %d", l.Highest())
	}
	signBundle(t, h, packPath("good"), "--release", "10")
	// An existing output file is not replaced.
	os.WriteFile(out, []byte("keep"), 0o644)
	if code, _, errOut := callHubFunc(hubSign, "--data", h, packPath("good"), "--out", out); code != 1 || !strings.Contains(errOut, "已存在") {
		t.Errorf("overwrite: %d %q", code, errOut)
	}
}

func TestContentLoadRequireSigned(t *testing.T) {
	h, lines := newOfficeKey(t)
	data := t.TempDir()
	// An unsigned version installed before signatures were required.
	if code, out, errOut := kiosk(t, data, "content", "load", packPath("control-chars")); code != 0 {
		t.Fatalf("unsigned load: %d %q %q", code, out, errOut)
	}
	store, _ := content.OpenStore(data)
	unsigned, _ := store.LiveVersion()
	os.WriteFile(filepath.Join(data, "kiosk.toml"), []byte("[point]\nid = \"p01\"\n\n"+lines), 0o644)

	// Now it is not shown: the embedded default pack is.
	var warn bytes.Buffer
	lc, err := loadContent(&app{dataDir: data, cfg: readPointConfig(t, data), stderr: &warn})
	if err != nil || lc.Version != content.NoVersion || !strings.Contains(warn.String(), "不是从签名发布安装的") {
		t.Fatalf("unsigned live version: %+v %v %q", lc.Version, err, warn.String())
	}

	// Unsigned sources are refused, the live content untouched.
	for _, src := range []string{packPath("good"), packPath("good.tar.gz"), packPath("good.zip")} {
		code, _, errOut := kiosk(t, data, "content", "load", src)
		if code != 1 || !strings.HasPrefix(errOut, "kiosk: 本查阅点要求签名的内容") || !strings.Contains(errOut, "content unchanged") {
			t.Errorf("%s: %d %q", src, code, errOut)
		}
		if v, _ := store.LiveVersion(); v != unsigned {
			t.Fatalf("live %s after refusing %s", v, src)
		}
	}

	b1 := signBundle(t, h, packPath("good"))
	b2 := signBundle(t, h, packPath("synonyms"))
	if code, out, errOut := kiosk(t, data, "content", "check", b2); code != 0 || !strings.Contains(out, "签名有效:发布 2") || !strings.Contains(out, "内容包可以加载") {
		t.Errorf("check: %d %q %q", code, out, errOut)
	}
	code, out, errOut := kiosk(t, data, "content", "load", b2)
	if code != 0 || !strings.Contains(out, "签名有效:发布 2") || !strings.Contains(out, "已加载并切换到版本") {
		t.Fatalf("signed load: %d %q %q", code, out, errOut)
	}
	id2 := regexp.MustCompile(`版本 (\S+?):`).FindStringSubmatch(out)[1]
	if code, out, _ := kiosk(t, data, "content", "list"); code != 0 || !strings.Contains(out, "签名发布 2,密钥 ") || strings.Count(out, "签名发布") != 1 {
		t.Errorf("list: %d %q", code, out)
	}
	if lc, err := loadContent(&app{dataDir: data, cfg: readPointConfig(t, data), stderr: &warn}); err != nil || lc.Version != id2 {
		t.Fatalf("signed live version: %+v %v", lc.Version, err)
	}
	// Release 1 after 2: a replay, refused (a fresh process: the number
	// comes from disk).
	for _, cmd := range []string{"load", "check"} {
		code, _, errOut = kiosk(t, data, "content", cmd, b1)
		if code != 1 || !strings.Contains(errOut, "发布号不高于已安装的发布") {
			t.Errorf("%s replay: %d %q", cmd, code, errOut)
		}
	}
	// Signed by another office's key.
	h2, _ := newOfficeKey(t)
	code, _, errOut = kiosk(t, data, "content", "load", signBundle(t, h2, packPath("good")))
	if code != 1 || !strings.Contains(errOut, "签名所用的密钥不受信任") {
		t.Errorf("foreign key: %d %q", code, errOut)
	}
	if v, _ := store.LiveVersion(); v != id2 {
		t.Fatalf("live %s after refusals", v)
	}
	// Rollback to the unsigned version is refused; to the default allowed.
	code, _, errOut = kiosk(t, data, "content", "rollback", unsigned)
	if code != 1 || !strings.Contains(errOut, "不是从签名发布安装的") {
		t.Errorf("rollback to unsigned: %d %q", code, errOut)
	}
	if v, _ := store.LiveVersion(); v != id2 {
		t.Fatalf("live %s after a refused rollback", v)
	}
	if code, _, errOut := kiosk(t, data, "content", "rollback", "default"); code != 0 {
		t.Errorf("rollback to default: %d %q", code, errOut)
	}
	if code, _, errOut := kiosk(t, data, "content", "rollback", id2); code != 0 {
		t.Errorf("rollback to signed %s: %d %q", id2, code, errOut)
	}
	// The office key replaced after a leak: what the old key signed is
	// no longer shown.
	_, newLines := newOfficeKey(t)
	os.WriteFile(filepath.Join(data, "kiosk.toml"), []byte("[point]\nid = \"p01\"\n\n"+newLines), 0o644)
	warn.Reset()
	lc, err = loadContent(&app{dataDir: data, cfg: readPointConfig(t, data), stderr: &warn})
	if err != nil || lc.Version != content.NoVersion || !strings.Contains(warn.String(), "已不在 content.signing_keys 中") {
		t.Fatalf("after the key changed: %+v %v %q", lc.Version, err, warn.String())
	}
}

func readPointConfig(t *testing.T, data string) config.Config {
	t.Helper()
	c, err := config.Load(filepath.Join(data, "kiosk.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestContentLoadBundleWithoutRequireSigned(t *testing.T) {
	// A bundle is always verified, required or not: with no key configured
	// it cannot be, and is refused.
	h, lines := newOfficeKey(t)
	b := signBundle(t, h, packPath("good"))
	data := t.TempDir()
	code, _, errOut := kiosk(t, data, "content", "load", b)
	if code != 1 || !strings.Contains(errOut, "没有配置受信任的签名公钥") {
		t.Errorf("no key: %d %q", code, errOut)
	}
	os.WriteFile(filepath.Join(data, "kiosk.toml"), []byte(strings.Replace(lines, "require_signed = true", "require_signed = false", 1)), 0o644)
	if code, out, errOut := kiosk(t, data, "content", "load", b); code != 0 || !strings.Contains(out, "签名有效:发布 1") {
		t.Errorf("load: %d %q %q", code, out, errOut)
	}
	// Unsigned packs still load when signatures are not required.
	if code, _, errOut := kiosk(t, data, "content", "load", packPath("synonyms")); code != 0 {
		t.Errorf("unsigned load: %d %q", code, errOut)
	}
}

// Every refusal of the hub commands is Chinese first, and a private key
// others may read is refused.
func TestHubMessagesChineseFirst(t *testing.T) {
	h, _ := newOfficeKey(t)
	empty := t.TempDir()
	out := filepath.Join(t.TempDir(), "x.kpack")
	for _, c := range []struct {
		f    func([]string, io.Writer, io.Writer) int
		args []string
	}{
		{hubKeygen, []string{"--data", h}},
		{hubSign, []string{"--data", empty, packPath("good"), "--out", out}},
		{hubSign, []string{"--data", h, packPath("good"), "--out", out, "--release", "0", "--expires", "-3d"}},
		{hubSign, []string{"--data", h, filepath.Join(empty, "nothing"), "--out", out}},
	} {
		code, _, errOut := callHubFunc(c.f, c.args...)
		if code == 0 || !chineseFirst(strings.TrimPrefix(errOut, "kiosk: ")) {
			t.Errorf("%v: %d %q", c.args, code, errOut)
		}
	}
	os.Chmod(filepath.Join(h, release.PrivateKeyFile), 0o644)
	code, _, errOut := callHubFunc(hubSign, "--data", h, packPath("good"), "--out", out)
	if code != 1 || !strings.Contains(errOut, "chmod 600") {
		t.Errorf("readable key: %d %q", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("signed with a key others can read")
	}
}
