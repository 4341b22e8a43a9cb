package content

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// The three forms a pack arrives in — a .zip, a .tar.gz and a folder — each
// read entry by entry into an unpacker, which cleans names, keeps the pack
// files and enforces the limits.

func unpackZip(ra io.ReaderAt, size int64, label string, u *unpacker) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		u.fail(label, "不是有效的 zip 文件: "+err.Error())
		return nil
	}
	if len(zr.File) > u.lim.MaxEntries {
		u.fail(label, fmt.Sprintf("条目过多:超过 %d 个文件和文件夹", u.lim.MaxEntries))
		return nil
	}
	for _, f := range zr.File {
		if !u.entry(label) {
			return nil
		}
		name, ok := u.name(f.Name)
		if !ok {
			continue
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			u.fail(name, "条目是符号链接,已拒绝")
			continue
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
			continue
		case !mode.IsRegular():
			u.fail(name, "条目是设备文件或其他特殊文件,已拒绝")
			continue
		case name == "" || !u.wanted(name):
			continue
		}
		rc, err := f.Open()
		if err != nil {
			u.fail(name, "无法解压: "+err.Error())
			continue
		}
		err = u.file(name, rc)
		rc.Close()
		if err != nil {
			return err
		}
		if u.full {
			return nil
		}
	}
	return nil
}

func unpackTarGz(r io.Reader, label string, u *unpacker) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		u.fail(label, "不是有效的 tar.gz 文件: "+err.Error())
		return nil
	}
	defer gz.Close()
	// Bound the bytes decompressed, headers and skipped entries included:
	// a tar.gz bomb is stopped here whatever sizes its headers declare.
	budget := u.lim.MaxTotalBytes + int64(u.lim.MaxEntries)*1024 + 1<<20
	lr := &io.LimitedReader{R: gz, N: budget}
	tr := tar.NewReader(lr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			if lr.N <= 0 {
				u.fail(label, fmt.Sprintf("解压后超过总大小上限 %s", sizeText(u.lim.MaxTotalBytes)))
			} else {
				u.fail(label, "不是有效的 tar.gz 文件: "+err.Error())
			}
			return nil
		}
		if !u.entry(label) {
			return nil
		}
		name, ok := u.name(hdr.Name)
		if !ok {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
		case tar.TypeDir, tar.TypeXGlobalHeader:
			continue
		case tar.TypeSymlink:
			u.fail(name, "条目是符号链接,已拒绝")
			continue
		case tar.TypeLink:
			u.fail(name, "条目是硬链接,已拒绝")
			continue
		case tar.TypeChar, tar.TypeBlock:
			u.fail(name, "条目是设备文件,已拒绝")
			continue
		case tar.TypeFifo:
			u.fail(name, "条目是命名管道,已拒绝")
			continue
		default:
			u.fail(name, fmt.Sprintf("不支持的条目类型 %q,已拒绝", hdr.Typeflag))
			continue
		}
		if name == "" || !u.wanted(name) {
			continue
		}
		if err := u.file(name, tr); err != nil {
			return err
		}
		if u.full {
			return nil
		}
	}
}

func unpackDir(root string, u *unpacker) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if !u.entry(filepath.Base(root)) {
			return filepath.SkipAll
		}
		// The same name checks as an archive entry's: a name with an
		// escape sequence or a line break is refused, a GBK name decoded.
		name, bad := cleanName(filepath.ToSlash(rel))
		if bad != "" {
			u.fail(quoteName(filepath.ToSlash(rel)), bad)
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			u.fail(name, "是符号链接,已拒绝(请复制真实文件)")
			return nil
		case t.IsDir():
			if b := d.Name(); strings.HasPrefix(b, ".") || b == "__MACOSX" {
				return filepath.SkipDir
			}
			return nil
		case !t.IsRegular():
			u.fail(name, "是设备文件或其他特殊文件,已拒绝")
			return nil
		}
		if !u.wanted(name) {
			return nil
		}
		f, err := openPackFile(p)
		if errors.Is(err, syscall.ELOOP) { // became a link since it was listed
			u.fail(name, "是符号链接,已拒绝(请复制真实文件)")
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		// What was opened is checked, not what the folder listing said: a
		// file swapped for a link or a pipe in between is refused too.
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			u.fail(name, "是设备文件或其他特殊文件,已拒绝")
			return nil
		}
		if n := linkCount(fi); n > 1 {
			u.fail(name, fmt.Sprintf("是硬链接(与其他 %d 个文件共用内容),已拒绝(请复制真实文件) / hard link refused: copy the real file", n-1))
			return nil
		}
		if err := u.file(name, f); err != nil {
			return err
		}
		if u.full {
			return filepath.SkipAll
		}
		return nil
	})
}
