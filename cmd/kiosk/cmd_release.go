package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kiosk/content"
	"kiosk/index"
	"kiosk/internal/atomicfile"
	"kiosk/internal/termtext"
	"kiosk/release"
)

// Signed content releases (package release, docs/release.md): the office's
// `kiosk hub keygen` and `kiosk hub sign`, and the point's loading of a
// signed bundle in `kiosk content load`.

const hubKeygenUsage = `Usage: kiosk hub keygen --data H

生成办公室的 Ed25519 签名密钥:H/signing.key(私钥,权限 0600,只留在办公室,
不要复制到查阅点)和 H/signing.pub(公钥)。已有密钥时不会覆盖。把打印出的
[content] 几行加到每个查阅点的 kiosk.toml。

Makes the office's signing key (H/signing.key, mode 0600, never copied to a
point) and its public key (H/signing.pub); never overwrites one. Add the
printed [content] lines to every point's kiosk.toml.`

const hubSignUsage = `Usage: kiosk hub sign --data H PACK --out F [--release N] [--expires 90d] [--points ID,…]

检查内容包 PACK(与 kiosk content check 相同的检查),制作一个签名包 F(.kpack),
用于 U 盘离线送到查阅点:kiosk content load F。发布号默认是 H/releases.json
中最大的发布号加一。

Checks PACK as kiosk content check does and writes a signed bundle F for
offline delivery (kiosk content load F). The release number is one more than
the highest in H/releases.json unless --release gives one; --expires is how
long the bundle may be installed (Nd or a Go duration); --points limits it to
those point ids.`

// hubKeygen is `kiosk hub keygen --data H`.
func hubKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hub keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", "", "the hub's data folder H")
	fs.Usage = func() { fmt.Fprintln(stderr, hubKeygenUsage) }
	if err := fs.Parse(args); err != nil {
		return releaseFlagStatus(err)
	}
	if *dir == "" || fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	priv, pub := filepath.Join(*dir, release.PrivateKeyFile), filepath.Join(*dir, release.PublicKeyFile)
	for _, p := range []string{priv, pub} {
		if _, err := os.Lstat(p); err == nil {
			return releaseFail(stderr, fmt.Errorf("%s 已存在,没有生成新密钥:换密钥前请先读 docs/release.md (already exists; no key generated — read docs/release.md before replacing a key)", p))
		}
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return releaseFail(stderr, err)
	}
	pk, sk, err := release.GenerateKey()
	if err != nil {
		return releaseFail(stderr, err)
	}
	if err := release.WritePrivateKey(priv, sk); err != nil {
		return releaseFail(stderr, err)
	}
	if err := release.WritePublicKey(pub, pk); err != nil {
		os.Remove(priv) // no key half made: a second keygen may run
		return releaseFail(stderr, err)
	}
	if err := atomicfile.SyncDir(*dir); err != nil {
		return releaseFail(stderr, err)
	}
	fmt.Fprintf(stderr, "已生成签名密钥 %s(密钥编号 %s)。私钥只留在办公室,另做离线备份;不要复制到查阅点。\n", termtext.Line(priv), release.KeyID(pk))
	fmt.Fprintf(stderr, "Signing key written (key id %s). Keep the private key at the office with an offline backup.\n", release.KeyID(pk))
	fmt.Fprintln(stderr, "把下面几行加到每个查阅点的 kiosk.toml (add these lines to every point's kiosk.toml):")
	fmt.Fprintf(stdout, "[content]\nrequire_signed = true\nsigning_keys = [%q]\n", release.PublicKeyLine(pk))
	return 0
}

// hubSign is `kiosk hub sign --data H PACK --out F [--release N] [--expires 90d] [--points ID,…]`.
func hubSign(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hub sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", "", "the hub's data folder H")
	out := fs.String("out", "", "the bundle to write (.kpack)")
	num := fs.Uint64("release", 0, "release number (default: one more than the highest signed)")
	expires := fs.String("expires", "90d", "how long the bundle may be installed: Nd or a Go duration")
	points := fs.String("points", "", "comma-separated point ids (default: every point)")
	fs.Usage = func() { fmt.Fprintln(stderr, hubSignUsage) }
	if err := parseInterspersed(fs, args); err != nil {
		return releaseFlagStatus(err)
	}
	if *dir == "" || *out == "" || fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	valid, err := parseExpiry(*expires)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk:", err)
		return 2
	}
	var ids []string
	for _, id := range strings.Split(*points, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	s := bundleSigner{dir: *dir, pack: fs.Arg(0), out: *out, release: *num, valid: valid, points: ids, stdout: stdout, stderr: stderr}
	if err := s.sign(); err != nil {
		return releaseFail(stderr, err)
	}
	return 0
}

// bundleSigner is one run of hub sign.
type bundleSigner struct {
	dir, pack, out string
	release        uint64
	valid          time.Duration
	points         []string
	stdout, stderr io.Writer
}

func (s bundleSigner) sign() error {
	key, err := release.ReadPrivateKey(filepath.Join(s.dir, release.PrivateKeyFile))
	if err != nil {
		return err
	}
	if _, err := os.Lstat(s.out); err == nil {
		return fmt.Errorf("%s 已存在,没有覆盖 (already exists, not overwritten)", s.out)
	}
	lock, err := release.LockLedger(s.dir)
	if err != nil {
		return err
	}
	defer lock.Close()
	ledger, err := release.ReadLedger(s.dir)
	if err != nil {
		return err
	}
	n := s.release
	if n == 0 {
		n = ledger.Highest() + 1
	} else if h := ledger.Highest(); n <= h {
		return fmt.Errorf("发布号 %d 不高于已签署的发布 %d,查阅点会当作重放拒绝它 (release %d is not higher than %d, already signed: points would refuse it)", n, h, n, h)
	}

	tmp, err := os.CreateTemp("", "kiosk-sign-*.tar.gz")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	fmt.Fprintf(s.stderr, "正在检查内容包 %s …\n", termtext.Line(s.pack))
	a, err := release.BuildArchive(s.pack, content.DefaultLimits(), tmp)
	var probs content.Problems
	if errors.As(err, &probs) {
		return printProblems(s.stdout, probs)
	}
	if err != nil {
		return fmt.Errorf("无法制作归档 (cannot build the archive): %w", err)
	}
	printProblems(s.stdout, a.Problems)
	if a.Size > release.DefaultMaxSize {
		return fmt.Errorf("归档 %d 字节,超过查阅点接受的上限 %d 字节 (the archive is over the points' cap)", a.Size, release.DefaultMaxSize)
	}
	now := time.Now()
	m := a.Manifest(n, now, now.Add(s.valid), s.points)
	env, envBytes, err := release.Sign(key, m)
	if err != nil {
		return err
	}
	// The number is recorded before the bundle is written: a failure
	// after it wastes a number, never uses one twice.
	if err := release.Record(s.dir, release.Issued{Release: n, SHA256: m.SHA256, Size: m.Size, Created: m.Created, Expires: m.Expires, KeyID: env.KeyID, Points: m.Points, Title: m.Title, PackVersion: m.PackVersion, Note: "bundle " + s.out}); err != nil {
		return err
	}
	err = atomicfile.WriteFunc(s.out, 0o644, func(w io.Writer) error {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return release.WriteBundle(w, envBytes, tmp, a.Size)
	})
	if err != nil {
		return fmt.Errorf("无法写入签名包 %s (cannot write the bundle): %w", s.out, err)
	}
	fmt.Fprintf(s.stdout, "已签署发布 %d:%s %s,%d 篇文档,归档 %d 字节,SHA-256 %s,密钥 %s,有效期至 %s。\n",
		n, termtext.Line(m.Title), termtext.Line(m.PackVersion), len(a.Pack.Docs), m.Size, m.SHA256[:16], env.KeyID, m.Expires.Local().Format("2006-01-02 15:04"))
	if len(m.Points) > 0 {
		fmt.Fprintf(s.stdout, "只给这些查阅点 (staged for): %s\n", termtext.Line(strings.Join(m.Points, ", ")))
	}
	fmt.Fprintf(s.stdout, "已写入 %s;在查阅点上运行 kiosk content load %s。\n", termtext.Line(s.out), termtext.Line(filepath.Base(s.out)))
	return nil
}

// parseExpiry reads --expires: "90d" (days) or a Go duration ("72h").
func parseExpiry(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 || d > 3650*24*time.Hour {
		return 0, fmt.Errorf("--expires %q 应为 1d 到 3650d 之间的天数(如 90d)或时长(如 72h) (--expires must be days such as 90d or a duration such as 72h)", s)
	}
	return d, nil
}

// releaseFlagStatus is the exit status of a flag parsing error: 0 for -h.
func releaseFlagStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// releaseFail prints err safely and returns the status of a failed command.
func releaseFail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "kiosk:", termtext.Text(err.Error()))
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

// contentLoadSigned installs the signed bundle at src: verified first
// (signature, release number, expiry, size, hash), then loaded through
// the store's atomic load, the release number recorded.
func contentLoadSigned(a *app, src string) error {
	store, err := content.OpenStore(a.dataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "正在验证签名包 %s …\n", termtext.Line(src))
	bar := newProgressBar(a.stderr, "建立索引")
	start := time.Now()
	pt := release.Point{
		DataDir:  a.dataDir,
		Store:    store,
		Keys:     a.cfg.Content.Keys(),
		PointID:  a.cfg.Point.ID,
		Now:      start,
		Build:    index.Build,
		Progress: bar.update,
	}
	res, err := pt.InstallBundle(src)
	bar.done()
	if perr := problemsError(a.stdout, err); perr != nil {
		return perr
	}
	if err != nil {
		return fmt.Errorf("签名包被拒绝,内容没有改变 (bundle refused; content unchanged): %w", err)
	}
	m, v := res.Manifest, res.Load.Version
	printProblems(a.stdout, res.Load.Warnings)
	fmt.Fprintf(a.stdout, "签名有效:发布 %d,密钥 %s,签署于 %s。\n", m.Release, res.KeyID, m.Created.Local().Format("2006-01-02 15:04"))
	if res.Load.Unchanged {
		fmt.Fprintf(a.stdout, "这个内容包与当前版本 %s 相同,没有改变内容;已记录发布 %d。\n", termtext.Line(v.ID), m.Release)
		return nil
	}
	fmt.Fprintf(a.stdout, "已加载并切换到版本 %s:%s %s,%d 篇文档,%d 个章节(用时 %.1f 秒)。\n",
		termtext.Line(v.ID), termtext.Line(v.Title), termtext.Line(v.PackVersion), v.Docs, v.Sections, time.Since(start).Seconds())
	fmt.Fprintln(a.stdout, "正在运行的自助终端会在回到待机画面时换用新内容。")
	return nil
}

// signedOnly is nil unless kiosk.toml requires signed content; then it
// refuses every installed version that was not installed from a verified
// release (DATA/release/state.json) signed by a key still trusted, so that
// nothing unsigned reaches the screen: not the live version at start or hot
// reload, not a rollback. A key removed from kiosk.toml after a leak takes
// what it signed off the screen with it.
// The embedded default pack is allowed: it is part of the program, which
// is trusted as its kiosk.toml is.
func signedOnly(a *app) func(content.Version) error {
	if !a.cfg.Content.RequireSigned {
		return nil
	}
	st, err := release.ReadState(a.dataDir)
	trusted := map[string]bool{}
	for _, k := range a.cfg.Content.Keys() {
		trusted[release.KeyID(k)] = true
	}
	return func(v content.Version) error {
		if err != nil {
			return fmt.Errorf("无法确认版本 %s 有签名,不使用它: %w", v.ID, err)
		}
		in, ok := st.Find(v.ID)
		if !ok {
			return fmt.Errorf("版本 %s 不是从签名发布安装的,要求签名(content.require_signed)时不使用它 (version %s was not installed from a signed release)", v.ID, v.ID)
		}
		if !trusted[in.KeyID] {
			return fmt.Errorf("版本 %s 的签名密钥 %s 已不在 content.signing_keys 中,不使用它 (version %s was signed by a key no longer trusted)", v.ID, in.KeyID, v.ID)
		}
		return nil
	}
}

// contentCheckSigned is `kiosk content check` of a signed bundle: the
// checks `content load` would make — signature, release number against
// this point's, expiry, size, hash — then the pack inside as `content
// check` checks a pack. Nothing is installed or recorded.
func contentCheckSigned(a *app, src string) error {
	st, err := release.ReadState(a.dataDir)
	if err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	br, err := release.ReadBundle(f)
	if err != nil {
		return err
	}
	pol := release.Policy{Keys: a.cfg.Content.Keys(), Installed: st.Highest, PointID: a.cfg.Point.ID, Now: time.Now()}
	if _, err := pol.CheckManifest(br.Envelope); err != nil {
		return fmt.Errorf("签名包不能在本查阅点加载 (the bundle would be refused here): %w", err)
	}
	ar, err := br.Archive()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "kiosk-check-bundle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	arc, err := os.Create(filepath.Join(tmp, "pack.tar.gz"))
	if err != nil {
		return err
	}
	m, err := pol.VerifyTo(br.Envelope, ar, arc)
	if cerr := arc.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = br.End()
	}
	if err != nil {
		return fmt.Errorf("签名包不能在本查阅点加载 (the bundle would be refused here): %w", err)
	}
	env, _ := release.ParseEnvelope(br.Envelope)
	fmt.Fprintf(a.stdout, "签名有效:发布 %d,密钥 %s,签署于 %s,有效期至 %s。\n", m.Release, env.KeyID, m.Created.Local().Format("2006-01-02 15:04"), m.Expires.Local().Format("2006-01-02 15:04"))
	return contentCheck(a, arc.Name())
}
