package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"kiosk/content"
	"kiosk/hub/store"
	"kiosk/internal/atomicfile"
	"kiosk/release"
)

// Publishing (docs/hub.md): a release is numbered from the office's
// ledger H/releases.json (package release), so that a number never means
// two contents whether it went out by USB stick or through the hub; its
// archive and signed envelope are kept in H/releases/N/, and the hub's
// database says which points it is meant for.
const (
	ReleasesDir     = "releases"
	ReleaseArchive  = "pack.tar.gz"
	ReleaseEnvelope = "envelope.json"
)

// DefaultValidity is how long a published release may be installed.
const DefaultValidity = 90 * 24 * time.Hour

// ReleaseArchivePath is H/releases/N/pack.tar.gz.
func ReleaseArchivePath(dataDir string, n uint64) string {
	return filepath.Join(dataDir, ReleasesDir, strconv.FormatUint(n, 10), ReleaseArchive)
}

// PublishRequest is one kiosk hub publish.
type PublishRequest struct {
	Pack   string        // a folder, .zip or .tar.gz
	Points []string      // staged roll-out: only these points; empty: every point
	Valid  time.Duration // how long it may be installed (0: DefaultValidity)
	Now    time.Time     // zero: time.Now()
}

// Published is what Publish, Widen and Rollback did.
type Published struct {
	Release  store.Release
	Problems content.Problems // the pack's warnings (Publish only)
	Docs     int              // documents in the pack (Publish only)
}

func (r PublishRequest) times() (time.Time, time.Time) {
	now, valid := r.Now, r.Valid
	if now.IsZero() {
		now = time.Now()
	}
	if valid <= 0 {
		valid = DefaultValidity
	}
	return now, now.Add(valid)
}

// Publish checks the pack as kiosk content check does, builds its archive,
// signs release N (one more than the ledger's highest) with H/signing.key
// and makes it the release of req.Points, or of every point. A pack with
// errors is the content.Problems error and uses no number.
func Publish(ctx context.Context, dataDir string, st *store.Store, req PublishRequest) (Published, error) {
	if err := checkPoints(ctx, st, req.Points); err != nil {
		return Published{}, err
	}
	dir := filepath.Join(dataDir, ReleasesDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Published{}, err
	}
	tmp, err := os.CreateTemp(dir, "building-*.tar.gz")
	if err != nil {
		return Published{}, err
	}
	defer os.Remove(tmp.Name())
	a, err := release.BuildArchive(req.Pack, content.DefaultLimits(), tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Published{Problems: a.Problems}, err
	}
	if a.Size > release.DefaultMaxSize {
		return Published{}, fmt.Errorf("归档 %d 字节,超过查阅点接受的上限 %d 字节 (the archive is over the points' cap)", a.Size, release.DefaultMaxSize)
	}
	now, expires := req.times()
	base := a.Manifest(0, now, expires, nil)
	r, err := issue(ctx, dataDir, st, tmp.Name(), base, req.Points, "")
	return Published{Release: r, Problems: a.Problems, Docs: len(a.Pack.Docs)}, err
}

// checkPoints refuses point ids the hub does not know, before a number is
// used.
func checkPoints(ctx context.Context, st *store.Store, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	pts, err := st.Points(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(pts, func(p store.Point) bool { return p.ID == id }) {
			return fmt.Errorf("汇总服务不认识查阅点 %q,没有发布 (unknown point %q: nothing published)", id, id)
		}
	}
	return nil
}

// issue numbers, signs and records the archive at file (moved into
// H/releases/N/) with the manifest base (its number, type and points are
// set here).
func issue(ctx context.Context, dataDir string, st *store.Store, file string, base release.Manifest, points []string, note string) (store.Release, error) {
	key, err := release.ReadPrivateKey(filepath.Join(dataDir, release.PrivateKeyFile))
	if err != nil {
		return store.Release{}, err
	}
	lock, err := release.LockLedger(dataDir)
	if err != nil {
		return store.Release{}, err
	}
	defer lock.Close()
	ledger, err := release.ReadLedger(dataDir)
	if err != nil {
		return store.Release{}, err
	}
	n := ledger.Highest() + 1
	base.Release, base.Points = n, points
	env, envBytes, err := release.Sign(key, base)
	if err != nil {
		return store.Release{}, err
	}
	// The number is recorded first: a failure after it wastes a number,
	// never uses one twice.
	if err := release.Record(dataDir, release.Issued{Release: n, SHA256: base.SHA256, Size: base.Size, Created: base.Created,
		Expires: base.Expires, KeyID: env.KeyID, Points: points, Title: base.Title, PackVersion: base.PackVersion,
		Note: joinNote("hub", note)}); err != nil {
		return store.Release{}, err
	}
	rdir := filepath.Dir(ReleaseArchivePath(dataDir, n))
	if err := os.MkdirAll(rdir, 0o700); err != nil {
		return store.Release{}, err
	}
	if err := os.Rename(file, filepath.Join(rdir, ReleaseArchive)); err != nil {
		return store.Release{}, fmt.Errorf("无法保存发布 %d 的归档 (cannot keep the archive): %w", n, err)
	}
	if err := atomicfile.Write(filepath.Join(rdir, ReleaseEnvelope), envBytes, 0o600); err != nil {
		return store.Release{}, err
	}
	r := store.Release{Release: n, SHA256: base.SHA256, Size: base.Size, Created: base.Created, Expires: base.Expires,
		Title: base.Title, PackVersion: base.PackVersion, All: len(points) == 0, Points: points, Envelope: envBytes,
		Published: base.Created, Note: note}
	if err := st.AddRelease(ctx, r); err != nil {
		return r, fmt.Errorf("发布 %d 已签署,但无法记入数据库 (signed, but not recorded in the database): %w", n, err)
	}
	return r, nil
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + ": " + b
}

// Widen makes staged release n every point's: the same archive, signed
// again without a point list (and valid from now). The number stays: it
// names the same content.
func Widen(ctx context.Context, dataDir string, st *store.Store, n uint64, req PublishRequest) (Published, error) {
	r, err := findRelease(ctx, st, n)
	if err != nil {
		return Published{}, err
	}
	if r.All {
		return Published{Release: r}, nil
	}
	key, err := release.ReadPrivateKey(filepath.Join(dataDir, release.PrivateKeyFile))
	if err != nil {
		return Published{}, err
	}
	now, expires := req.times()
	m := release.Manifest{Release: n, SHA256: r.SHA256, Size: r.Size, Created: now.UTC(), Expires: expires.UTC(), Title: r.Title, PackVersion: r.PackVersion}
	_, envBytes, err := release.Sign(key, m)
	if err != nil {
		return Published{}, err
	}
	if err := atomicfile.Write(filepath.Join(dataDir, ReleasesDir, strconv.FormatUint(n, 10), ReleaseEnvelope), envBytes, 0o600); err != nil {
		return Published{}, err
	}
	if err := st.WidenRelease(ctx, n, envBytes, m.Expires); err != nil {
		return Published{}, err
	}
	r.All, r.Envelope, r.Expires = true, envBytes, m.Expires
	return Published{Release: r}, nil
}

func findRelease(ctx context.Context, st *store.Store, n uint64) (store.Release, error) {
	rels, err := st.Releases(ctx)
	if err != nil {
		return store.Release{}, err
	}
	for _, r := range rels {
		if r.Release == n {
			return r, nil
		}
	}
	return store.Release{}, fmt.Errorf("汇总服务没有发布 %d (no release %d): %w", n, n, store.ErrNoRelease)
}

// Rollback publishes the content of release to (0: the newest earlier
// release every point was given — a staged trial is not what the district
// had) again, to every point, as a new and higher release: points refuse a
// lower number, so going back is going forward.
func Rollback(ctx context.Context, dataDir string, st *store.Store, to uint64, req PublishRequest) (Published, error) {
	rels, err := st.Releases(ctx)
	if err != nil {
		return Published{}, err
	}
	if len(rels) == 0 {
		return Published{}, errors.New("还没有发布过内容,无法回退 (nothing published yet: nothing to roll back to)")
	}
	if to == 0 {
		if len(rels) < 2 {
			return Published{}, errors.New("只有一个发布,没有更早的内容可回退 (only one release: nothing earlier to roll back to)")
		}
		for i := len(rels) - 2; i >= 0 && to == 0; i-- {
			if rels[i].All {
				to = rels[i].Release
			}
		}
		if to == 0 {
			return Published{}, errors.New("更早的发布都只发给了部分查阅点,请用 --to 指定回退到哪个发布 (every earlier release was staged to some points only: say which with --to)")
		}
	}
	prev, err := findRelease(ctx, st, to)
	if err != nil {
		return Published{}, err
	}
	// The kept archive is checked against its recorded hash: a damaged
	// file is never signed anew.
	src := ReleaseArchivePath(dataDir, to)
	dir := filepath.Join(dataDir, ReleasesDir)
	tmp, err := os.CreateTemp(dir, "building-*.tar.gz")
	if err != nil {
		return Published{}, err
	}
	defer os.Remove(tmp.Name())
	sum, n, err := copyHashed(tmp, src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Published{}, fmt.Errorf("无法读取发布 %d 的归档 %s (cannot read the archive): %w", to, src, err)
	}
	if sum != prev.SHA256 || n != prev.Size {
		return Published{}, fmt.Errorf("发布 %d 的归档 %s 与记录不符(损坏或被改动),没有回退 (the kept archive differs from its record: not rolled back)", to, src)
	}
	now, expires := req.times()
	base := release.Manifest{SHA256: prev.SHA256, Size: prev.Size, Created: now.UTC(), Expires: expires.UTC(), Title: prev.Title, PackVersion: prev.PackVersion}
	r, err := issue(ctx, dataDir, st, tmp.Name(), base, nil, fmt.Sprintf("rollback to %d", to))
	return Published{Release: r}, err
}

func copyHashed(w io.Writer, src string) (string, int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}
