package content

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var updateArchives = flag.Bool("update-archives", false, "rewrite the archives under testdata/packs")

type entry struct {
	name     string
	body     string
	typeflag byte // tar type; for zip: tar.TypeSymlink or 0
	link     string
}

// goodEntries is testdata/packs/good inside a folder, as staff zip it.
func goodEntries(t testing.TB) []entry {
	var out []entry
	root := filepath.Join("testdata", "packs", "good")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out = append(out, entry{name: "测试包-2019/" + filepath.ToSlash(rel), body: string(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return append(out,
		entry{name: "__MACOSX/测试包-2019/._guide.md", body: "\x00\x05\x16\x07 AppleDouble"},
		entry{name: "测试包-2019/.DS_Store", body: "\x00\x00\x00\x01Bud1"})
}

// evilEntries wraps one unsafe entry in an otherwise good pack.
func evilEntries(t testing.TB, bad ...entry) []entry {
	return append(goodEntries(t), bad...)
}

func writeZip(t testing.TB, entries []entry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	method := zip.Deflate
	if len(entries) > 1000 {
		method = zip.Store // a compressor per entry makes 20,000 entries slow
	}
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: method, Modified: time.Date(2019, 1, 22, 9, 0, 0, 0, time.UTC)}
		body := e.body
		switch e.typeflag {
		case tar.TypeSymlink:
			h.SetMode(fs.ModeSymlink | 0o777)
			body = e.link
		default:
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeTarGz(t testing.TB, entries []entry) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: e.typeflag, Linkname: e.link,
			ModTime: time.Date(2019, 1, 22, 9, 0, 0, 0, time.UTC), Format: tar.FormatPAX}
		if e.typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			io.WriteString(tw, e.body)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	return buf.Bytes()
}

// testArchives are the archives under testdata/packs; regenerate with
// go test ./content -run TestArchivesUpToDate -update-archives
func testArchives(t testing.TB) map[string][]byte {
	evil := func(name string) entry { return entry{name: name, body: "---\n---\n"} }
	return map[string][]byte{
		"good.zip":        writeZip(t, goodEntries(t)),
		"good.tar.gz":     writeTarGz(t, goodEntries(t)),
		"zipslip.zip":     writeZip(t, evilEntries(t, evil("../../etc/evil.md"))),
		"absolute.tar.gz": writeTarGz(t, evilEntries(t, evil("/etc/evil.md"))),
		"symlink.zip":     writeZip(t, evilEntries(t, entry{name: "link.md", typeflag: tar.TypeSymlink, link: "/etc/passwd"})),
		"symlink.tar.gz":  writeTarGz(t, evilEntries(t, entry{name: "link.md", typeflag: tar.TypeSymlink, link: "/etc/passwd"})),
		"hardlink.tar.gz": writeTarGz(t, evilEntries(t, entry{name: "hard.md", typeflag: tar.TypeLink, link: "/etc/passwd"})),
		"device.tar.gz": writeTarGz(t, evilEntries(t,
			entry{name: "dev/null.md", typeflag: tar.TypeChar},
			entry{name: "dev/fifo.md", typeflag: tar.TypeFifo})),
	}
}

func TestArchivesUpToDate(t *testing.T) {
	for name, want := range testArchives(t) {
		p := filepath.Join("testdata", "packs", name)
		if *updateArchives {
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (run with -update-archives)", err)
		}
		// The archives must unpack to the same files; bytes may differ
		// between Go versions' compressors.
		if a, b := memUnpack(t, name, got), memUnpack(t, name, want); a != b {
			t.Errorf("%s is stale: run go test ./content -run TestArchivesUpToDate -update-archives", name)
		}
	}
}

// memUnpack lists an archive's pack files and problems as text.
func memUnpack(t testing.TB, name string, data []byte) string {
	files, probs := unpackMem(name, data, DefaultLimits())
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s %d\n", n, len(files[n]))
	}
	return b.String() + probs.Error()
}

func unpackMem(name string, data []byte, lim Limits) (map[string][]byte, Problems) {
	files := map[string][]byte{}
	u := &unpacker{lim: lim, seen: map[string]bool{}, dirs: map[string]bool{}, put: func(n string, d []byte) error {
		files[n] = d
		return nil
	}}
	if strings.HasSuffix(name, ".zip") {
		unpackZip(bytes.NewReader(data), int64(len(data)), name, u)
	} else {
		unpackTarGz(bytes.NewReader(data), name, u)
	}
	return files, u.probs
}

func TestUnpackHoistsSingleFolder(t *testing.T) {
	for _, name := range []string{"good.zip", "good.tar.gz"} {
		dest := filepath.Join(t.TempDir(), "pack")
		probs, err := Unpack(filepath.Join("testdata", "packs", name), dest, DefaultLimits())
		if err != nil || len(probs) != 0 {
			t.Fatal(err, probs)
		}
		var got []string
		filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
			if !d.IsDir() {
				rel, _ := filepath.Rel(dest, p)
				got = append(got, filepath.ToSlash(rel))
			}
			return nil
		})
		if strings.Join(got, " ") != "2019/annual-report.md README.md guide.md pack.toml" {
			t.Errorf("%s unpacked to %q", name, got)
		}
	}
}

func TestUnpackIgnoresOtherFiles(t *testing.T) {
	data := writeZip(t, append(goodEntries(t), entry{name: "测试包-2019/photo.jpg", body: "\xff\xd8"}))
	files, probs := unpackMem("x.zip", data, DefaultLimits())
	if len(probs) != 1 || !probs[0].Warning || probs[0].File != "测试包-2019/photo.jpg" {
		t.Fatalf("problems %v", probs)
	}
	if _, ok := files["测试包-2019/photo.jpg"]; ok {
		t.Error("photo.jpg kept")
	}
}

func TestUnpackGBKNames(t *testing.T) {
	// Chinese Windows zips name entries in GBK.
	gbkName := "\xb2\xe2\xca\xd4.md" // 测试.md
	data := writeZip(t, []entry{{name: "pack.toml", body: "x"}, {name: gbkName, body: "y"}})
	files, probs := unpackMem("x.zip", data, DefaultLimits())
	if _, ok := files["测试.md"]; !ok || len(probs) != 0 {
		t.Fatalf("files %v problems %v", files, probs)
	}
}

func TestUnpackDuplicateAndBackslash(t *testing.T) {
	data := writeZip(t, []entry{{name: "pack.toml", body: "x"}, {name: `a\b.md`, body: "y"}, {name: "a/b.md", body: "z"}, {name: `..\x.md`, body: "z"}})
	_, probs := unpackMem("x.zip", data, DefaultLimits())
	if probs.Error() != "a/b.md: 条目重复出现\n..\\x.md: 条目路径含有 ..(可能写到内容包以外),已拒绝" {
		t.Fatalf("problems:\n%v", probs)
	}
}

func TestLimits(t *testing.T) {
	lim := Limits{MaxFileBytes: 100, MaxFiles: 3, MaxEntries: 6, MaxTotalBytes: 250}
	body := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"file too big", []entry{{name: "a.md", body: body(101)}}, "a.md: 文件超过大小上限 100 字节"},
		{"file at limit", []entry{{name: "a.md", body: body(100)}}, ""},
		{"too many files", []entry{{name: "a.md"}, {name: "b.md"}, {name: "c.md"}, {name: "d.md"}}, "d.md: 文件过多:内容包最多 3 个文件"},
		{"too many entries", []entry{{name: "a/", typeflag: tar.TypeDir}, {name: "b/", typeflag: tar.TypeDir}, {name: "c/", typeflag: tar.TypeDir},
			{name: "d/", typeflag: tar.TypeDir}, {name: "e/", typeflag: tar.TypeDir}, {name: "f/", typeflag: tar.TypeDir}, {name: "g/", typeflag: tar.TypeDir}},
			"X: 条目过多:超过 6 个文件和文件夹"},
		{"total too big", []entry{{name: "a.md", body: body(100)}, {name: "b.md", body: body(100)}, {name: "c.md", body: body(100)}}, "c.md: 内容包超过总大小上限 250 字节"},
	}
	for _, c := range cases {
		for _, kind := range []string{"X.zip", "X.tar.gz"} {
			var data []byte
			if kind == "X.zip" {
				data = writeZip(t, c.entries)
			} else {
				data = writeTarGz(t, c.entries)
			}
			_, probs := unpackMem(kind, data, lim)
			got := strings.ReplaceAll(probs.Error(), kind, "X")
			if got != c.want {
				t.Errorf("%s %s: %q, want %q", c.name, kind, got, c.want)
			}
		}
	}
}

// A zip or tar.gz bomb: the bytes actually decompressed are counted, not
// the sizes the archive declares (limits scaled down to keep the test fast).
func TestBombs(t *testing.T) {
	lim := Limits{MaxFileBytes: 1 << 20, MaxFiles: 100, MaxEntries: 100, MaxTotalBytes: 4 << 20}
	zeros := strings.Repeat("\x00", 32<<20) // 32 MiB, ~32 KB compressed

	// tar.gz: a huge ignored entry (not a pack file) still counts.
	data := writeTarGz(t, []entry{{name: "pack.toml", body: "x"}, {name: "zeros.bin", body: zeros}})
	_, probs := unpackMem("bomb.tar.gz", data, lim)
	if len(probs.Errors()) != 1 || probs.Errors().Error() != "bomb.tar.gz: 解压后超过总大小上限 4 MiB" {
		t.Errorf("tar.gz bomb: %v", probs)
	}
	// zip: reading stops at the limit.
	data = writeZip(t, []entry{{name: "pack.toml", body: "x"}, {name: "bomb.md", body: zeros}})
	_, probs = unpackMem("bomb.zip", data, lim)
	if probs.Error() != "bomb.md: 文件超过大小上限 1 MiB" {
		t.Errorf("zip bomb: %v", probs)
	}
}

func TestUnpackFolderRefusesSymlinks(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "pack.toml"), []byte("x"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(src, "passwd.md"))
	probs, err := Unpack(src, filepath.Join(t.TempDir(), "p"), DefaultLimits())
	if err != nil || probs.Error() != "passwd.md: 是符号链接,已拒绝(请复制真实文件)" {
		t.Fatal(err, probs)
	}
}

func TestUnpackFolderThroughLink(t *testing.T) {
	link := filepath.Join(t.TempDir(), "usb")
	abs, _ := filepath.Abs(filepath.Join("testdata", "packs", "good"))
	if err := os.Symlink(abs, link); err != nil {
		t.Skip(err)
	}
	if p, probs, err := Check(link, DefaultLimits()); err != nil || p == nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
}

func TestFolderLimits(t *testing.T) {
	t.Run("file too big", func(t *testing.T) {
		src := t.TempDir()
		os.WriteFile(filepath.Join(src, "pack.toml"), []byte("x"), 0o644)
		os.WriteFile(filepath.Join(src, "big.md"), bytes.Repeat([]byte("字"), int(DefaultLimits().MaxFileBytes)/3+1), 0o644)
		_, probs, err := Check(src, DefaultLimits())
		if err != nil || probs.Error() != "big.md: 文件超过大小上限 4 MiB" {
			t.Fatal(err, probs)
		}
	})
	t.Run("too many files", func(t *testing.T) {
		src := t.TempDir()
		for _, n := range []string{"pack.toml", "a.md", "b.md", "c/d.md"} {
			os.MkdirAll(filepath.Dir(filepath.Join(src, n)), 0o755)
			os.WriteFile(filepath.Join(src, n), nil, 0o644)
		}
		lim := DefaultLimits()
		lim.MaxFiles = 3
		_, probs, err := Check(src, lim)
		if err != nil || probs.Error() != "pack.toml: 文件过多:内容包最多 3 个文件" {
			t.Fatal(err, probs)
		}
	})
	t.Run("too many files at the default limit", func(t *testing.T) {
		n := DefaultLimits().MaxFiles
		entries := make([]entry, n+1)
		entries[0] = entry{name: "pack.toml"}
		for i := 1; i <= n; i++ {
			entries[i] = entry{name: fmt.Sprintf("%03d/%d.md", i/100, i)}
		}
		files, probs := unpackMem("many.zip", writeZip(t, entries), DefaultLimits())
		if len(files) != n || probs.Error() != fmt.Sprintf("%03d/%d.md: 文件过多:内容包最多 20000 个文件", n/100, n) {
			t.Fatal(len(files), probs)
		}
	})
}

func TestNotAPack(t *testing.T) {
	f := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(f, []byte("hello"), 0o644)
	_, probs, err := Check(f, DefaultLimits())
	if err != nil || probs.Error() != "notes.txt: 不是内容包:应为文件夹、.zip 或 .tar.gz 文件" {
		t.Fatal(err, probs)
	}
	// A zip whatever its name.
	f2 := filepath.Join(t.TempDir(), "pack.bin")
	os.WriteFile(f2, writeZip(t, goodEntries(t)), 0o644)
	p, probs, err := Check(f2, DefaultLimits())
	if err != nil || p == nil {
		t.Fatal(err, probs)
	}
	if _, _, err := Check(filepath.Join(t.TempDir(), "missing.zip"), DefaultLimits()); err == nil {
		t.Error("missing source: no error")
	}
}

// FuzzArchive feeds arbitrary bytes to both archive readers: they must not
// panic, must keep within the limits and must only name files inside the
// pack.
func FuzzArchive(f *testing.F) {
	for _, data := range testArchives(f) {
		f.Add(data)
	}
	f.Add(writeZip(f, []entry{{name: "a/../../b.md", body: "x"}, {name: "C:\\x.md"}}))
	f.Add(writeTarGz(f, []entry{{name: "./a//b.md", body: "x"}, {name: "l", typeflag: tar.TypeLink}}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	lim := Limits{MaxFileBytes: 1 << 10, MaxFiles: 20, MaxEntries: 40, MaxTotalBytes: 8 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range []string{"f.zip", "f.tar.gz"} {
			files, probs := unpackMem(kind, data, lim)
			var total int64
			for name, d := range files {
				if !fs.ValidPath(name) || name != path.Clean(name) || strings.Contains(name, "\\") ||
					strings.HasPrefix(name, "/") || strings.Contains("/"+name+"/", "/../") {
					t.Fatalf("unsafe name %q", name)
				}
				if int64(len(d)) > lim.MaxFileBytes {
					t.Fatalf("%s: %d bytes", name, len(d))
				}
				total += int64(len(d))
			}
			if total > lim.MaxTotalBytes || len(files) > lim.MaxFiles {
				t.Fatalf("%d files, %d bytes", len(files), total)
			}
			for _, p := range probs {
				if p.Msg == "" {
					t.Fatalf("empty problem %+v", p)
				}
			}
		}
	})
}

// A hard link in a folder pack is refused like a symbolic link: the file
// it shares its data with may lie outside the pack (an office copy of
// /etc/passwd hard-linked by someone with access to the stick).
func TestUnpackFolderRefusesHardLinks(t *testing.T) {
	src := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(outside, []byte("secret"), 0o644)
	os.WriteFile(filepath.Join(src, "pack.toml"), []byte("x"), 0o644)
	if err := os.Link(outside, filepath.Join(src, "secret.md")); err != nil {
		t.Skip("no hard links here:", err)
	}
	dest := filepath.Join(t.TempDir(), "p")
	probs, err := Unpack(src, dest, DefaultLimits())
	if err != nil || probs.Error() != "secret.md: 是硬链接(与其他 1 个文件共用内容),已拒绝(请复制真实文件) / hard link refused: copy the real file" {
		t.Fatal(err, probs)
	}
	if _, err := os.Stat(filepath.Join(dest, "secret.md")); err == nil {
		t.Error("the hard-linked file was copied into the pack")
	}
}

// Folder packs get the same file-name checks as archives: a name with an
// escape sequence or a line break would be drawn on the staff terminal and
// shown in the kiosk's lists.
func TestUnpackFolderRefusesControlNames(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "pack.toml"), []byte("x"), 0o644)
	for _, n := range []string{"red\x1b[31m.md", "two\nlines.md", "bell\a.md"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte("---\n---\n"), 0o644); err != nil {
			t.Skip("this file system refuses the name:", err)
		}
	}
	os.Mkdir(filepath.Join(src, "dir\x1b]0;title\a"), 0o755)
	os.WriteFile(filepath.Join(src, "dir\x1b]0;title\a", "in.md"), []byte("---\n---\n"), 0o644)
	probs, err := Unpack(src, filepath.Join(t.TempDir(), "p"), DefaultLimits())
	want := `bell\a.md: 文件名含有控制字符
dir\x1b]0;title\a: 文件名含有控制字符
red\x1b[31m.md: 文件名含有控制字符
two\nlines.md: 文件名含有控制字符`
	if err != nil || probs.Error() != want {
		t.Fatalf("%v\n%s", err, probs.Error())
	}
}

// A name used both as a file and as a folder (a.md and a.md/b.md) cannot be
// unpacked: it is refused with a message, in either order, not reported as
// a failure to write the staging folder.
func TestUnpackFileAndFolderOfOneName(t *testing.T) {
	for _, order := range [][]entry{
		{{name: "pack.toml", body: "x"}, {name: "a.md", body: "y"}, {name: "a.md/b.md", body: "z"}},
		{{name: "pack.toml", body: "x"}, {name: "a.md/b.md", body: "z"}, {name: "a.md", body: "y"}},
		{{name: "pack.toml", body: "x"}, {name: "d/a.md", body: "y"}, {name: "d/a.md/e/b.md", body: "z"}},
	} {
		for _, kind := range []string{"p.zip", "p.tar.gz"} {
			src := filepath.Join(t.TempDir(), kind)
			if kind == "p.zip" {
				os.WriteFile(src, writeZip(t, order), 0o644)
			} else {
				os.WriteFile(src, writeTarGz(t, order), 0o644)
			}
			p, probs, err := Check(src, DefaultLimits())
			if err != nil || p != nil || len(probs) != 1 || !strings.Contains(probs[0].Msg, "既是文件又是文件夹") {
				t.Errorf("%s %s then %s: %v %v", kind, order[1].name, order[2].name, err, probs)
			}
		}
	}
}

// A check killed before it removed its temporary folder left a
// kiosk-check-* folder in the system temp folder for good. Check removes
// the ones no live check holds (their flock is free) and that are older
// than a minute; a running check's folder stays.
func TestCheckRemovesStaleTempFolders(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, mtime time.Time) string {
		p := filepath.Join(tmp, name)
		os.MkdirAll(filepath.Join(p, "pack"), 0o700)
		os.WriteFile(filepath.Join(p, "pack", "pack.toml"), []byte("x"), 0o600)
		os.Chtimes(p, mtime, mtime)
		return p
	}
	stale := mk("kiosk-check-111", old)
	fresh := mk("kiosk-check-333", time.Now()) // just created, not locked yet
	other := mk("other-999", old)
	live, release, err := newCheckDir()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	os.Chtimes(live, old, old) // a long check

	if p, probs, err := Check(filepath.Join("testdata", "packs", "good"), DefaultLimits()); p == nil || err != nil {
		t.Fatal(err, probs)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale folder of a killed check is still there")
	}
	for _, p := range []string{fresh, other, live} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", filepath.Base(p))
		}
	}
	release()
	if _, err := os.Stat(live); err == nil {
		t.Error("release left the folder")
	}
	ents, _ := os.ReadDir(tmp)
	if len(ents) != 2 {
		t.Errorf("left in the temp folder: %v", ents)
	}
}
