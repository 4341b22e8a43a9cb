package release

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// DefaultMaxSize is the archive size cap a point applies unless told
// otherwise: the most a pack may unpack to (content.DefaultLimits'
// MaxTotalBytes, 256 MiB) and room for the tar headers of its files. A
// larger archive could not be loaded anyway.
const DefaultMaxSize = 256<<20 + 16<<20

// Policy is what a point trusts and has installed: everything Verify needs
// besides the release itself.
type Policy struct {
	Keys      []ed25519.PublicKey // trusted keys (kiosk.toml content.signing_keys)
	Installed uint64              // highest release installed so far (0: none)
	Now       time.Time           // the point's clock (zero: time.Now())
	MaxSize   int64               // archive size cap (0: DefaultMaxSize)
	PointID   string              // this point; "" skips the staged roll-out check
}

func (p Policy) maxSize() int64 {
	if p.MaxSize > 0 {
		return p.MaxSize
	}
	return DefaultMaxSize
}

// CheckManifest checks an envelope without its archive, in this order:
// its form, the signature by a trusted key, the manifest's form, expiry,
// the release number against the installed one, the point list and the
// size cap. A point calls it before downloading an archive; Verify calls
// it first.
func (p Policy) CheckManifest(envelope []byte) (Manifest, error) {
	env, err := ParseEnvelope(envelope)
	if err != nil {
		return Manifest{}, err
	}
	if len(p.Keys) == 0 {
		return Manifest{}, ErrNoKeys
	}
	var key ed25519.PublicKey
	for _, k := range p.Keys {
		if KeyID(k) == env.KeyID {
			key = k
			break
		}
	}
	if key == nil {
		return Manifest{}, fmt.Errorf("%w: 密钥编号 %s", ErrUnknownKey, env.KeyID)
	}
	if !ed25519.Verify(key, env.Manifest, env.Signature) {
		return Manifest{}, fmt.Errorf("%w: 密钥编号 %s", ErrBadSignature, env.KeyID)
	}
	m, err := parseManifest(env.Manifest)
	if err != nil {
		return m, err
	}
	now := p.Now
	if now.IsZero() { // never "no expiry"
		now = time.Now()
	}
	if !now.Before(m.Expires) {
		return m, fmt.Errorf("%w: 发布 %d 的有效期到 %s 为止,现在是 %s", ErrExpired, m.Release, m.Expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if m.Release <= p.Installed {
		return m, fmt.Errorf("%w: 发布 %d,已安装发布 %d", ErrReplay, m.Release, p.Installed)
	}
	if p.PointID != "" && len(m.Points) > 0 && !slices.Contains(m.Points, p.PointID) {
		return m, fmt.Errorf("%w: 发布 %d", ErrNotForPoint, m.Release)
	}
	if m.Size > p.maxSize() {
		return m, fmt.Errorf("%w: 发布 %d 的归档 %d 字节,上限 %d 字节", ErrTooLarge, m.Release, m.Size, p.maxSize())
	}
	return m, nil
}

// Verify checks an envelope and its archive: CheckManifest, then the
// archive read from r must have the manifest's size and SHA-256. It
// reads at most one byte past the manifest's size. Nothing is unpacked:
// the caller unpacks only after Verify succeeds, and must unpack the bytes
// it verified (VerifyTo copies them while checking).
func (p Policy) Verify(envelope []byte, r io.Reader) (Manifest, error) {
	return p.VerifyTo(envelope, r, io.Discard)
}

// VerifyTo is Verify that also copies the archive to w as it reads it. On
// an error w may hold part of it, to be discarded.
func (p Policy) VerifyTo(envelope []byte, r io.Reader, w io.Writer) (Manifest, error) {
	m, err := p.CheckManifest(envelope)
	if err != nil {
		return m, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(h, w), io.LimitReader(r, m.Size+1))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil // a truncated archive in a bundle: reported as short below
	}
	if err != nil {
		return m, fmt.Errorf("无法读取发布 %d 的归档 (cannot read the archive): %w", m.Release, err)
	}
	if n != m.Size {
		what := fmt.Sprintf("%d 字节", n)
		if n > m.Size {
			what = "超过 " + fmt.Sprintf("%d 字节", m.Size)
		}
		return m, fmt.Errorf("%w: 发布 %d 的归档有 %s,清单写的是 %d 字节", ErrSizeMismatch, m.Release, what, m.Size)
	}
	want, _ := hex.DecodeString(m.SHA256) // validated by parseManifest
	if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
		return m, fmt.Errorf("%w: 发布 %d", ErrHashMismatch, m.Release)
	}
	return m, nil
}

// VerifyFile is Verify of the archive at path.
func (p Policy) VerifyFile(envelope []byte, path string) (Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return Manifest{}, err
	}
	defer f.Close()
	return p.Verify(envelope, f)
}
