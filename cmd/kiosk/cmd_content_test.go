package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kiosk/content"
)

func packPath(name string) string {
	return filepath.Join("..", "..", "content", "testdata", "packs", name)
}

// kiosk runs the command line with a fresh environment and returns exit
// status, stdout and stderr.
func kiosk(t *testing.T, data string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"--data", data}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestContentCheck(t *testing.T) {
	data := t.TempDir()
	code, out, _ := kiosk(t, data, "content", "check", packPath("good.zip"))
	if code != 0 || out != "内容包可以加载:测试区政府信息公开 2026.11.25-1,2 篇文档,6 个章节。\n" {
		t.Errorf("good: %d %q", code, out)
	}
	code, out, _ = kiosk(t, data, "content", "check", packPath("control-chars"))
	if code != 0 || !strings.Contains(out, "doc.md:9: 警告: 已删除控制字符或转义序列") || !strings.Contains(out, "(2 个警告)") {
		t.Errorf("warnings only: %d %q", code, out)
	}
	code, out, errOut := kiosk(t, data, "content", "check", packPath("bad-date"))
	if code != 1 || !strings.HasPrefix(out, "doc.md:5: 发布日期:") || !strings.Contains(errOut, "内容包有 1 个错误、0 个警告,不能加载") {
		t.Errorf("bad date: %d %q %q", code, out, errOut)
	}
	if code, _, _ := kiosk(t, data, "content", "check"); code != 2 {
		t.Errorf("check without PATH: exit %d", code)
	}
	if code, _, _ := kiosk(t, data, "content", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
	if code, _, errOut := kiosk(t, data, "content", "check", packPath("nonesuch")); code != 1 || !strings.Contains(errOut, "无法打开") {
		t.Errorf("missing: %d %q", code, errOut)
	}
}

func TestContentLoadListRollback(t *testing.T) {
	data := t.TempDir()
	code, out, _ := kiosk(t, data, "content", "list")
	if code != 0 || !strings.Contains(out, "正在使用内置的默认内容") {
		t.Errorf("list on a new kiosk: %d %q", code, out)
	}
	def, err := loadContent(&app{dataDir: data, stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := kiosk(t, data, "content", "load", packPath("good.tar.gz"))
	if code != 0 || !strings.Contains(out, "已加载并切换到版本") {
		t.Fatalf("load: %d %q %q", code, out, errOut)
	}
	id1 := regexp.MustCompile(`版本 (\S+?):`).FindStringSubmatch(out)[1]

	a := &app{dataDir: data, stderr: &bytes.Buffer{}}
	lc, err := loadContent(a)
	if err != nil || lc.Version != id1 || lc.Live != id1 || len(lc.Pack.Docs) != 2 || lc.Store == nil {
		t.Fatalf("live content: %+v %v", lc, err)
	}
	if lc.IndexDir != filepath.Join(data, "content", "versions", id1, "index") {
		t.Errorf("index dir %s", lc.IndexDir)
	}

	// A bad pack: exit 1, problems listed, nothing changed.
	code, out, _ = kiosk(t, data, "content", "load", packPath("dangling-ref"))
	if code != 1 || !strings.Contains(out, "doc.md:13: 链接 #9") {
		t.Errorf("bad load: %d %q", code, out)
	}
	if v, _ := lc.Store.LiveVersion(); v != id1 {
		t.Errorf("live %s after a refused load", v)
	}

	code, out, _ = kiosk(t, data, "content", "load", packPath("good"))
	if code != 0 || !strings.Contains(out, "与当前版本 "+id1+" 相同") {
		t.Errorf("same pack: %d %q", code, out)
	}
	code, out, _ = kiosk(t, data, "content", "load", packPath("control-chars"))
	if code != 0 || !strings.Contains(out, "警告") {
		t.Fatalf("second load: %d %q", code, out)
	}
	id2, _ := lc.Store.LiveVersion()
	if id2 == id1 || !lc.Changed() {
		t.Fatal("live version did not change")
	}
	if lc2, err := loadContent(a); err != nil || lc2.Changed() || lc2.Version != id2 {
		t.Fatalf("reloaded: %+v %v", lc2, err)
	}

	code, out, _ = kiosk(t, data, "content", "list")
	if code != 0 || strings.Count(out, "内容包:") != 2 || !strings.Contains(out, "* "+id2+"  (当前版本)") || !strings.Contains(out, "  "+id1+"\n") {
		t.Errorf("list: %d\n%s", code, out)
	}

	code, out, _ = kiosk(t, data, "content", "rollback")
	if code != 0 || !strings.Contains(out, "已切换到版本 "+id1) {
		t.Errorf("rollback: %d %q", code, out)
	}
	// Past the oldest installed version is the embedded default pack.
	if code, out, _ := kiosk(t, data, "content", "rollback"); code != 0 || !strings.Contains(out, "内置的默认内容") {
		t.Errorf("rollback past the oldest: %d %q", code, out)
	}
	if code, _, errOut := kiosk(t, data, "content", "rollback"); code != 1 || !strings.Contains(errOut, "已经在使用内置的默认内容") {
		t.Errorf("rollback past the default: %d %q", code, errOut)
	}
	if code, _, _ := kiosk(t, data, "content", "rollback", id2); code != 0 {
		t.Errorf("rollback to %s: %d", id2, code)
	}

	// A live version damaged on disk: the kiosk falls back to the previous
	// one, and to the embedded default when none loads.
	os.RemoveAll(lc.Store.PackDir(id2))
	os.MkdirAll(lc.Store.PackDir(id2), 0o755)
	var warn bytes.Buffer
	lc, err = loadContent(&app{dataDir: data, stderr: &warn})
	if err != nil || lc.Version != id1 || lc.Live != id2 || !strings.Contains(warn.String(), "改用已安装的版本 "+id1) {
		t.Fatalf("fallback: %+v %v %q", lc, err, warn.String())
	}
	os.RemoveAll(lc.Store.PackDir(id1))
	lc, err = loadContent(&app{dataDir: data, stderr: &warn})
	if err != nil || lc.Version != content.NoVersion || lc.Pack.Fingerprint != def.Pack.Fingerprint {
		t.Fatalf("fallback to default: %+v %v", lc, err)
	}
}

func TestContentImport(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("..", "..", "content", "testdata", "seed", "lanshan-2018-disclosure-report.txt"))
	if err != nil {
		t.Skip("seed not available:", err)
	}
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes(seed)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "report.txt")
	os.WriteFile(in, gbk, 0o644)
	pack := filepath.Join(dir, "pack")
	code, out, errOut := kiosk(t, dir, "content", "import", "-o", pack, in)
	if code != 0 || !strings.Contains(out, "已写入 "+filepath.Join(pack, "report.md")) || !strings.Contains(out, "GB18030 编码") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	// Not over an existing document, unless -force.
	if code, _, errOut := kiosk(t, dir, "content", "import", "-o", pack, in); code != 1 || !strings.Contains(errOut, "已存在") {
		t.Errorf("second import: %d %q", code, errOut)
	}
	if code, _, _ := kiosk(t, dir, "content", "import", "-o", pack, "-force", in); code != 0 {
		t.Errorf("import -force: %d", code)
	}
	// The document goes into a pack that checks.
	os.WriteFile(filepath.Join(pack, "pack.toml"), []byte("title = \"t\"\nversion = \"1\"\npublished = \"2019-01-22\"\npublisher = \"p\"\n"), 0o644)
	if code, out, _ := kiosk(t, dir, "content", "check", pack); code != 0 {
		t.Errorf("check imported: %d %q", code, out)
	}
	if code, _, errOut := kiosk(t, dir, "content", "import", "-o", pack, filepath.Join(dir, "missing.txt")); code != 1 || !strings.Contains(errOut, "没有转换") {
		t.Errorf("missing input: %d %q", code, errOut)
	}
}

// An input over the import limit is refused with a message, without being
// read whole: a 256 MiB file (sparse, so the test writes nothing) is read
// only up to the limit.
func TestContentImportRefusesHugeInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "huge.txt")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(256 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, _, errOut := kiosk(t, dir, "content", "import", "-o", filepath.Join(dir, "pack"), in)
	runtime.ReadMemStats(&after)
	if code != 1 || !strings.Contains(errOut, "huge.txt: 文件超过导入大小上限 16 MiB") {
		t.Errorf("huge input: %d %q", code, errOut)
	}
	// Reading up to the 16 MiB limit allocates ~40 MiB as the buffer grows
	// (~70 MiB under -race); reading the whole input, over 256 MiB.
	if n := after.TotalAlloc - before.TotalAlloc; n > 128<<20 {
		t.Errorf("%d MiB allocated to refuse a 256 MiB input", n>>20)
	}
	if _, err := os.Stat(filepath.Join(dir, "pack", "huge.md")); err == nil {
		t.Error("a document was written")
	}
}
