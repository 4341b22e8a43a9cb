package release

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"kiosk/content"
)

// Archive is what BuildArchive made.
type Archive struct {
	Pack     *content.Pack
	Problems content.Problems // warnings (errors make BuildArchive fail)
	Size     int64
	SHA256   string // hex
}

// archiveTime is every entry's modification time (2000-01-01 UTC, in Unix
// seconds): the same pack files make the same archive, byte for byte,
// whenever and wherever it is built (with the same Go release: the output
// of compress/gzip is not promised across releases, and need not be — the
// manifest carries the hash).
const archiveTime = 946684800

// BuildArchive checks the pack at src (a folder, .zip or .tar.gz) exactly
// as `kiosk content check` does — content.Unpack with the limits, then
// content.Load — and writes the files it kept to w as a deterministic
// .tar.gz: names sorted, fixed times, modes and owners. Only pack files
// reach the archive (pack.toml, synonyms.toml, *.md). When the pack has
// errors nothing is written and the error is the content.Problems.
func BuildArchive(src string, lim content.Limits, w io.Writer) (Archive, error) {
	tmp, err := os.MkdirTemp("", "kiosk-release-")
	if err != nil {
		return Archive{}, err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "pack")
	probs, err := content.Unpack(src, dir, lim)
	if err != nil {
		return Archive{Problems: probs}, err
	}
	if len(probs.Errors()) > 0 {
		return Archive{Problems: probs}, probs
	}
	p, lp := content.Load(os.DirFS(dir))
	probs = append(probs, lp...)
	if p == nil {
		return Archive{Problems: probs}, probs
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, h)}
	if err := writeTarGz(dir, cw); err != nil {
		return Archive{}, err
	}
	return Archive{Pack: p, Problems: probs, Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// writeTarGz writes the regular files under dir to w, sorted by name.
func writeTarGz(dir string, w io.Writer) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     name,
			Size:     int64(len(data)),
			Mode:     0o644,
			ModTime:  time.Unix(archiveTime, 0),
			Format:   tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// Manifest returns the manifest of release n for the archive a, valid
// from created until expires, for points (all when empty).
func (a Archive) Manifest(n uint64, created, expires time.Time, points []string) Manifest {
	m := Manifest{Type: ManifestType, Release: n, SHA256: a.SHA256, Size: a.Size, Created: created.UTC(), Expires: expires.UTC(), Points: points}
	if a.Pack != nil {
		m.Title, m.PackVersion = a.Pack.Manifest.Title, a.Pack.Manifest.Version
	}
	return m
}
