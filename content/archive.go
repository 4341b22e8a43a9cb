package content

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kiosk/internal/lockfile"
)

// Unpack reads the pack at src — a folder, a .zip or a .tar.gz (.tgz) file —
// into dest, which must not exist yet. Only pack files are written
// (pack.toml, synonyms.toml and *.md); other files are skipped with a
// warning. When the archive holds a single top-level folder with pack.toml
// in it, that folder becomes the pack's root.
//
// Problems are what is wrong with the source (unsafe entries, limits); the
// error is a failure to read src or write dest. When Problems has errors,
// dest may hold part of the pack and must be discarded.
func Unpack(src, dest string, lim Limits) (Problems, error) {
	if err := os.Mkdir(dest, 0o755); err != nil {
		return nil, err
	}
	u := &unpacker{lim: lim, seen: map[string]bool{}, dirs: map[string]bool{}, put: diskWriter(dest)}
	fi, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("无法打开 %s (cannot open): %w", src, err)
	}
	label := filepath.Base(src)
	switch kind := sourceKind(src, fi); kind {
	case "dir":
		// The folder itself may be reached through a link (/media/… → …);
		// links inside it are refused.
		var root string
		if root, err = filepath.EvalSymlinks(src); err == nil {
			err = unpackDir(root, u)
		}
	case "zip":
		var f *os.File
		if f, err = os.Open(src); err == nil {
			defer f.Close()
			err = unpackZip(f, fi.Size(), label, u)
		}
	case "tar.gz":
		var f *os.File
		if f, err = os.Open(src); err == nil {
			defer f.Close()
			err = unpackTarGz(f, label, u)
		}
	default:
		return Problems{{File: label, Msg: "不是内容包:应为文件夹、.zip 或 .tar.gz 文件"}}, nil
	}
	if err != nil {
		return u.probs, err
	}
	if len(u.probs.Errors()) > 0 {
		return u.probs, nil
	}
	if u.files == 0 {
		u.probs = append(u.probs, Problem{File: label, Msg: "内容包是空的:没有 pack.toml,也没有 .md 文档"})
		return u.probs, nil
	}
	if err := hoistSingleFolder(dest, u); err != nil {
		return u.probs, err
	}
	return u.probs, nil
}

// sourceKind tells a folder, a zip and a tar.gz apart, by name and else by
// the first bytes.
func sourceKind(src string, fi fs.FileInfo) string {
	lower := strings.ToLower(src)
	switch {
	case fi.IsDir():
		return "dir"
	case !fi.Mode().IsRegular():
		return ""
	case strings.HasSuffix(lower, ".zip"):
		return "zip"
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		return "tar.gz"
	}
	f, err := os.Open(src)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	switch {
	case bytes.HasPrefix(head[:n], []byte("PK\x03\x04")), bytes.HasPrefix(head[:n], []byte("PK\x05\x06")):
		return "zip"
	case bytes.HasPrefix(head[:n], []byte{0x1f, 0x8b}):
		return "tar.gz"
	}
	return ""
}

// unpacker receives the entries of a source, checks them against the
// limits and hands the pack files to put.
type unpacker struct {
	lim     Limits
	put     func(name string, data []byte) error
	seen    map[string]bool // pack files, by name
	dirs    map[string]bool // folders of the pack files
	entries int             // every entry seen
	files   int             // pack files kept
	total   int64           // bytes read
	probs   Problems
	full    bool // a limit was reached: stop reading
}

func (u *unpacker) fail(file, msg string) {
	u.probs = append(u.probs, Problem{File: file, Msg: msg})
}

// entry counts one entry of any kind; false means stop reading.
func (u *unpacker) entry(label string) bool {
	u.entries++
	if u.entries > u.lim.MaxEntries {
		u.fail(label, fmt.Sprintf("条目过多:超过 %d 个文件和文件夹", u.lim.MaxEntries))
		u.full = true
	}
	return !u.full
}

// name cleans an entry's name; a name that cannot be used is reported
// (quoted) and ok is false.
func (u *unpacker) name(raw string) (name string, ok bool) {
	name, bad := cleanName(raw)
	if bad != "" {
		u.fail(quoteName(raw), bad)
		return "", false
	}
	return name, true
}

// wanted reports whether a cleaned name is a pack file to keep; it warns
// about files it skips, except system clutter (.DS_Store, __MACOSX/…).
func (u *unpacker) wanted(name string) bool {
	for _, c := range strings.Split(name, "/") {
		if strings.HasPrefix(c, ".") || c == "__MACOSX" {
			return false
		}
	}
	base := path.Base(name)
	if base == ManifestFile || base == SynonymsFile || path.Ext(base) == ".md" {
		return true
	}
	switch strings.ToLower(base) {
	case "thumbs.db", "desktop.ini":
		return false
	}
	u.probs = append(u.probs, Problem{File: name, Warning: true, Msg: "不是内容包文件(只使用 pack.toml、synonyms.toml 和 .md 文件),已忽略"})
	return false
}

// file reads one regular file of a pack from r.
func (u *unpacker) file(name string, r io.Reader) error {
	if u.seen[name] {
		u.fail(name, "条目重复出现")
		return nil
	}
	u.seen[name] = true
	if clash := u.folderClash(name); clash != "" {
		u.fail(name, fmt.Sprintf("%s 既是文件又是文件夹,已拒绝 / %s is both a file and a folder", clash, clash))
		return nil
	}
	u.files++
	if u.files > u.lim.MaxFiles {
		u.fail(name, fmt.Sprintf("文件过多:内容包最多 %d 个文件", u.lim.MaxFiles))
		u.full = true
		return nil
	}
	room := u.lim.MaxTotalBytes - u.total
	max := min(u.lim.MaxFileBytes, room)
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	u.total += int64(len(data))
	if err != nil {
		u.fail(name, "无法读取: "+err.Error())
		return nil
	}
	switch {
	case int64(len(data)) > u.lim.MaxFileBytes:
		u.fail(name, fmt.Sprintf("文件超过大小上限 %s", sizeText(u.lim.MaxFileBytes)))
		return nil
	case int64(len(data)) > room:
		u.fail(name, fmt.Sprintf("内容包超过总大小上限 %s", sizeText(u.lim.MaxTotalBytes)))
		u.full = true
		return nil
	}
	return u.put(name, data)
}

// folderClash returns the name that the file name and an earlier file
// both use, one as a file and the other as a folder (a.md and a.md/b.md),
// or "". Such a pack cannot be written to disk. It records name's folders.
func (u *unpacker) folderClash(name string) string {
	if u.dirs[name] {
		return name
	}
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		if u.seen[dir] {
			return dir
		}
	}
	for dir := path.Dir(name); dir != "." && !u.dirs[dir]; dir = path.Dir(dir) {
		u.dirs[dir] = true
	}
	return ""
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

// cleanName turns an archive entry name into a path inside the pack, or
// explains why the entry is unsafe. Zip files written on Chinese Windows
// name entries in GBK; those names are decoded.
func cleanName(raw string) (string, string) {
	name := raw
	if !utf8.ValidString(name) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().String(name)
		if err != nil || !utf8.ValidString(dec) || strings.ContainsRune(dec, utf8.RuneError) {
			return "", "文件名不是有效的 UTF-8 或 GBK 文本"
		}
		name = dec
	}
	if strings.ContainsRune(name, 0) {
		return "", "文件名含有空字符"
	}
	for _, r := range name {
		if isControl(r) {
			return "", "文件名含有控制字符"
		}
	}
	name = strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(name, "/") || len(name) >= 2 && name[1] == ':' {
		return "", "条目使用绝对路径,已拒绝"
	}
	var parts []string
	for _, c := range strings.Split(name, "/") {
		switch c {
		case "..":
			return "", "条目路径含有 ..(可能写到内容包以外),已拒绝"
		case "", ".":
			continue
		}
		parts = append(parts, c)
	}
	clean := strings.Join(parts, "/")
	if clean != "" && !fs.ValidPath(clean) {
		return "", "条目路径无效"
	}
	return clean, ""
}

// quoteName shows an entry name safely in a message.
func quoteName(raw string) string {
	if utf8.ValidString(raw) && !strings.ContainsFunc(raw, isControl) {
		return raw
	}
	q := fmt.Sprintf("%q", raw)
	return q[1 : len(q)-1]
}

// openPackFile opens a file of a folder pack for reading without following
// a symbolic link and without waiting on a named pipe.
func openPackFile(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// linkCount is the number of names a file has: more than one for a hard
// link, whose other names may lie outside the pack.
func linkCount(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// diskWriter writes pack files under dest.
func diskWriter(dest string) func(name string, data []byte) error {
	return func(name string, data []byte) error {
		p := filepath.Join(dest, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// hoistSingleFolder makes X/ the root of dest when dest holds only the
// folder X and X/pack.toml exists (a pack zipped with its folder).
func hoistSingleFolder(dest string, u *unpacker) error {
	if _, err := os.Stat(filepath.Join(dest, ManifestFile)); err == nil {
		return nil
	}
	ents, err := os.ReadDir(dest)
	if err != nil || len(ents) != 1 || !ents[0].IsDir() {
		return err
	}
	top := ents[0].Name()
	if _, err := os.Stat(filepath.Join(dest, top, ManifestFile)); err != nil {
		return nil
	}
	tmp := dest + ".hoist"
	if err := os.Rename(filepath.Join(dest, top), tmp); err != nil {
		return err
	}
	if err := os.Remove(dest); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return err
	}
	for i := range u.probs {
		u.probs[i].File = strings.TrimPrefix(u.probs[i].File, top+"/")
	}
	return nil
}

// Check validates the pack at src (a folder, .zip or .tar.gz) without
// installing it: it unpacks it into a temporary folder, loads it and
// removes the folder. The pack is nil when any problem is an error.
func Check(src string, lim Limits) (*Pack, Problems, error) {
	removeStaleChecks(os.TempDir(), time.Now())
	tmp, release, err := newCheckDir()
	if err != nil {
		return nil, nil, err
	}
	defer release()
	dir := filepath.Join(tmp, "pack")
	probs, err := Unpack(src, dir, lim)
	if err != nil || len(probs.Errors()) > 0 {
		return nil, probs, err
	}
	p, lp := Load(os.DirFS(dir))
	return p, append(probs, lp...), nil
}

// checkPrefix names Check's temporary folders in the system temp folder.
const checkPrefix = "kiosk-check-"

// staleCheckAge is how old an unlocked check folder must be to be removed:
// a check locks its folder right after creating it, so a younger unlocked
// one may belong to a check that is just starting.
const staleCheckAge = time.Minute

// newCheckDir creates a temporary folder for a check and holds its flock(2)
// until release, which removes it. A check killed before release leaves
// the folder behind, unlocked (the kernel drops the lock of a dead
// process): the next check removes it.
func newCheckDir() (string, func(), error) {
	tmp, err := os.MkdirTemp("", checkPrefix)
	if err != nil {
		return "", nil, err
	}
	d, err := os.Open(tmp)
	if err == nil {
		err = lockfile.TryLock(d)
	}
	if err != nil {
		if d != nil {
			d.Close()
		}
		os.RemoveAll(tmp)
		return "", nil, err
	}
	var once sync.Once
	return tmp, func() {
		once.Do(func() {
			os.RemoveAll(tmp)
			d.Close()
		})
	}, nil
}

// removeStaleChecks removes the check folders in dir that killed checks
// left: older than staleCheckAge and not locked by a live check. Errors are
// ignored (another user's folder, one a concurrent check removes first):
// this is tidying.
func removeStaleChecks(dir string, now time.Time) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), checkPrefix) {
			continue // a link named like one is not followed
		}
		if fi, err := e.Info(); err != nil || now.Sub(fi.ModTime()) < staleCheckAge {
			continue
		}
		p := filepath.Join(dir, e.Name())
		d, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_DIRECTORY, 0)
		if err != nil {
			continue
		}
		if lockfile.TryLock(d) == nil {
			os.RemoveAll(p)
		}
		d.Close()
	}
}
