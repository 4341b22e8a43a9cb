package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// A bundle (.kpack) carries one signed release on a USB stick: an
// uncompressed tar of exactly two regular files, in this order,
//
//	envelope.json   the Envelope (manifest bytes, key id, signature)
//	pack.tar.gz     the archive the manifest describes
//
// The envelope comes first so that the signature, the release number and
// the expiry are checked before a byte of the archive is read.
const (
	BundleExt       = ".kpack"
	bundleEnvelope  = "envelope.json"
	bundleArchive   = "pack.tar.gz"
	bundleEntryMode = 0o644
)

// WriteBundle writes a bundle holding envelope and the size bytes of
// archive to w.
func WriteBundle(w io.Writer, envelope []byte, archive io.Reader, size int64) error {
	tw := tar.NewWriter(w)
	put := func(name string, size int64, r io.Reader) error {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: bundleEntryMode, ModTime: time.Unix(archiveTime, 0), Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		n, err := io.Copy(tw, io.LimitReader(r, size))
		if err == nil && n != size {
			err = fmt.Errorf("归档只有 %d 字节,应有 %d 字节 (short archive)", n, size)
		}
		return err
	}
	if err := put(bundleEnvelope, int64(len(envelope)), bytes.NewReader(envelope)); err != nil {
		return err
	}
	if err := put(bundleArchive, size, archive); err != nil {
		return err
	}
	return tw.Close()
}

// BundleReader reads a bundle: the envelope first, then the archive.
type BundleReader struct {
	tr       *tar.Reader
	Envelope []byte
}

// ReadBundle reads a bundle's envelope from r and leaves r at the archive.
// Anything but an envelope.json of at most MaxEnvelopeBytes first is
// ErrMalformed.
func ReadBundle(r io.Reader) (*BundleReader, error) {
	tr := tar.NewReader(r)
	hdr, err := tr.Next()
	if err != nil {
		return nil, fmt.Errorf("%w: 不是 .kpack 签名包: %v", ErrMalformed, err)
	}
	if err := bundleEntry(hdr, bundleEnvelope); err != nil {
		return nil, err
	}
	if hdr.Size > MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: 签名清单超过 %d 字节", ErrMalformed, MaxEnvelopeBytes)
	}
	env, err := io.ReadAll(io.LimitReader(tr, MaxEnvelopeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: 签名包不完整: %v", ErrMalformed, err)
	}
	return &BundleReader{tr: tr, Envelope: env}, nil
}

// Archive moves to the archive entry and returns its reader. Call it once,
// after checking the envelope.
func (b *BundleReader) Archive() (io.Reader, error) {
	hdr, err := b.tr.Next()
	if err != nil {
		return nil, fmt.Errorf("%w: 签名包里没有归档 %s(文件被截断?): %v", ErrMalformed, bundleArchive, err)
	}
	if err := bundleEntry(hdr, bundleArchive); err != nil {
		return nil, err
	}
	return b.tr, nil
}

// End reports an error when anything follows the archive.
func (b *BundleReader) End() error {
	if _, err := b.tr.Next(); err != io.EOF {
		return fmt.Errorf("%w: 签名包在归档之后还有内容", ErrMalformed)
	}
	return nil
}

func bundleEntry(hdr *tar.Header, want string) error {
	if hdr.Name != want || hdr.Typeflag != tar.TypeReg {
		return fmt.Errorf("%w: 签名包的条目应为 %s,不是 %q", ErrMalformed, want, hdr.Name)
	}
	return nil
}

// IsBundle reports whether path is a bundle: named *.kpack, or a tar whose
// first entry is envelope.json (a renamed bundle).
func IsBundle(path string) bool {
	if strings.HasSuffix(strings.ToLower(path), BundleExt) {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	head := make([]byte, 512)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	name, _, _ := bytes.Cut(head[:100], []byte{0})
	return string(name) == bundleEnvelope && bytes.HasPrefix(head[257:], []byte("ustar"))
}
