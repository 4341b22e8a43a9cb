package content

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// genPack writes a synthetic pack of n documents into dir, each with three
// chapters, two subsections and a link to the previous document. variant
// goes into pack.toml so packs with different variants differ.
func genPack(t testing.TB, dir string, n int, variant string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := fmt.Sprintf("title = \"合成测试内容包\"\nversion = %q\npublished = \"2026-11-25\"\npublisher = \"测试区人民政府办公室\"\n", variant)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i/500))
		if i%500 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "---\n标题: 测试区第%d号政府信息公开文件\n索引号: ceshiqu/2019-%07d\n发布机构: 测试区政府\n", i, i)
		fmt.Fprintf(&b, "发布日期: 2019-%02d-%02d\n公开目录: 目录%d\n公开方式: 主动公开\n关键词: 政府信息公开,依申请公开\n---\n", i%12+1, i%28+1, i%7)
		b.WriteString("本文件根据《中华人民共和国政府信息公开条例》编制,全文包括概述、主动公开情况和依申请公开情况。\n\n")
		for c := 1; c <= 3; c++ {
			fmt.Fprintf(&b, "## 第%d部分\n\n第%d部分的说明文字。行政复议、行政诉讼和举报投诉情况见下文。\n\n", c, c)
			for s := 1; s <= 2; s++ {
				fmt.Fprintf(&b, "### 第%d.%d小节\n\n共受理政府信息公开申请%d件,按时答复率100%%。", c, s, i+c+s)
				if i > 0 {
					fmt.Fprintf(&b, "另见[上一份文件](ref:ceshiqu/2019-%07d#%d.%d)。", i-1, c, s)
				}
				b.WriteString("\n\n")
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("doc-%05d.md", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func setVariant(t testing.TB, dir, variant string) {
	t.Helper()
	manifest := fmt.Sprintf("title = \"合成测试内容包\"\nversion = %q\npublished = \"2026-11-25\"\npublisher = \"测试区人民政府办公室\"\n", variant)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
}

// leftovers lists what an interrupted command left in the store.
func leftovers(t testing.TB, s *Store) []string {
	t.Helper()
	ents, err := os.ReadDir(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, "staging-") || strings.HasPrefix(n, "trash-") || strings.HasPrefix(n, ".current-") {
			out = append(out, n)
		}
	}
	return out
}

func mustOpen(t testing.TB, data string) *Store {
	t.Helper()
	s, err := OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreLoadListRollback(t *testing.T) {
	data := t.TempDir()
	s := mustOpen(t, data)
	if id, pd, ix, err := s.Live(); id != NoVersion || pd != "" || ix != "" || err != nil {
		t.Fatalf("empty store: %q %q %q %v", id, pd, ix, err)
	}

	var progressed []int
	res, err := s.Load(filepath.Join("testdata", "packs", "good.zip"), NoIndex, func(d, total int) { progressed = append(progressed, d, total) })
	if err != nil {
		t.Fatal(err)
	}
	v1 := res.Version
	if res.Unchanged || !v1.Live || v1.Docs != 2 || v1.Sections != 6 || v1.Title != "测试区政府信息公开" || !filepath.IsAbs(v1.Source) {
		t.Fatalf("first load: %+v", res)
	}
	if fmt.Sprint(progressed) != "[2 2]" {
		t.Errorf("progress %v", progressed)
	}
	id, packDir, indexDir, err := s.Live()
	if err != nil || id != v1.ID || packDir != s.PackDir(id) || indexDir != s.IndexDir(id) {
		t.Fatalf("Live: %q %q %q %v", id, packDir, indexDir, err)
	}
	if p, probs := Load(os.DirFS(packDir)); p == nil || len(probs) != 0 {
		t.Fatalf("installed pack: %v", probs)
	}
	if fi, err := os.Stat(indexDir); err != nil || !fi.IsDir() {
		t.Fatalf("index dir: %v", err)
	}

	// The same pack from a folder: same fingerprint, nothing to do.
	res, err = s.Load(filepath.Join("testdata", "packs", "good"), NoIndex, nil)
	if err != nil || !res.Unchanged || res.Version.ID != v1.ID {
		t.Fatalf("same pack: %+v %v", res, err)
	}

	// A new version.
	src := filepath.Join(t.TempDir(), "pack")
	genPack(t, src, 5, "v2")
	res, err = s.Load(src, NoIndex, nil)
	if err != nil {
		t.Fatal(err)
	}
	v2 := res.Version
	if live, _ := s.LiveVersion(); live != v2.ID || v2.ID == v1.ID || v2.Docs != 5 {
		t.Fatalf("v2 %+v, live %s", v2, live)
	}

	// A bad pack changes nothing.
	_, err = s.Load(filepath.Join("testdata", "packs", "dangling-ref"), NoIndex, nil)
	var probs Problems
	if !errors.As(err, &probs) || len(probs.Errors()) != 4 {
		t.Fatalf("bad pack: %v", err)
	}
	// So does a failing index build.
	setVariant(t, src, "v3")
	_, err = s.Load(src, func(dir string, p *Pack, _ func(int, int)) error {
		os.Mkdir(dir, 0o755)
		return errors.New("disk full")
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failed index: %v", err)
	}
	if live, _ := s.LiveVersion(); live != v2.ID {
		t.Fatalf("live %s after failures", live)
	}
	if l := leftovers(t, s); len(l) != 0 {
		t.Fatalf("leftovers %v", l)
	}

	vs, err := s.List()
	if err != nil || len(vs) != 2 || vs[0].ID != v2.ID || !vs[0].Live || vs[1].ID != v1.ID || vs[1].Live {
		t.Fatalf("List: %+v %v", vs, err)
	}

	// Roll back to the previous version, then forward by a prefix.
	rv, err := s.Rollback("")
	if err != nil || rv.ID != v1.ID {
		t.Fatalf("rollback: %+v %v", rv, err)
	}
	// Past the oldest version is the embedded default pack.
	if rv, err := s.Rollback(""); err != nil || rv.ID != NoVersion {
		t.Errorf("rollback past the oldest version: %+v %v, want the embedded default", rv, err)
	}
	if _, err := s.Rollback(v1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rollback(v1.ID); err == nil {
		t.Error("rollback to the live version succeeded")
	}
	if _, err := s.Rollback("nonesuch"); err == nil {
		t.Error("rollback to a missing version succeeded")
	}
	rv, err = s.Rollback(v2.ID[:len(v2.ID)-3])
	if err != nil || rv.ID != v2.ID {
		t.Fatalf("rollback by prefix: %+v %v", rv, err)
	}
	if live, _ := s.LiveVersion(); live != v2.ID {
		t.Fatalf("live %s", live)
	}
}

func TestStorePrune(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	src := filepath.Join(t.TempDir(), "pack")
	genPack(t, src, 2, "v0")
	var ids []string
	load := func(variant string) {
		t.Helper()
		setVariant(t, src, variant)
		res, err := s.Load(src, NoIndex, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Version.ID)
	}
	for i := 1; i <= 5; i++ {
		load("v" + strconv.Itoa(i))
	}
	got := versionIDs(t, s)
	if want := strings.Join([]string{ids[4], ids[3], ids[2]}, " "); got != want {
		t.Fatalf("kept %s, want %s", got, want)
	}
	// Roll back to the oldest kept; the next load keeps it as the one it replaced.
	if _, err := s.Rollback(ids[2]); err != nil {
		t.Fatal(err)
	}
	load("v6")
	if got, want := versionIDs(t, s), strings.Join([]string{ids[5], ids[4], ids[3], ids[2]}, " "); got != want {
		t.Fatalf("kept %s, want %s", got, want)
	}
	load("v7")
	if got, want := versionIDs(t, s), strings.Join([]string{ids[6], ids[5], ids[4]}, " "); got != want {
		t.Fatalf("kept %s, want %s", got, want)
	}
}

func versionIDs(t testing.TB, s *Store) string {
	vs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	return strings.Join(ids, " ")
}

func TestStoreBusy(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	unlock, err := s.lock(0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	// Leftovers are not touched while another command holds the lock.
	staging := filepath.Join(s.Dir(), "staging-123")
	os.Mkdir(staging, 0o755)
	s2 := mustOpen(t, filepath.Dir(s.Dir()))
	if _, err := os.Stat(staging); err != nil {
		t.Fatal("OpenStore removed a staging folder in use")
	}
	s2.lockWait = 100 * time.Millisecond
	if _, err := s2.Load(filepath.Join("testdata", "packs", "good"), NoIndex, nil); !errors.Is(err, ErrBusy) {
		t.Fatalf("Load while locked: %v", err)
	}
	if _, err := s2.Rollback(""); !errors.Is(err, ErrBusy) {
		t.Fatalf("Rollback while locked: %v", err)
	}
	unlock()
	mustOpen(t, filepath.Dir(s.Dir()))
	if _, err := os.Stat(staging); !os.IsNotExist(err) {
		t.Fatal("leftover staging folder not removed")
	}
}

func TestLiveVersionDamaged(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	os.WriteFile(filepath.Join(s.Dir(), "current"), []byte("20190101-000000-deadbeef\n"), 0o644)
	if _, _, _, err := s.Live(); err == nil {
		t.Fatal("Live on a missing version: no error")
	}
	if _, err := s.Version("../../etc"); err == nil {
		t.Fatal("Version accepted a path")
	}
}

// slowIndex writes one file per document, slowly, then a marker: an index
// is complete when the marker is there.
func slowIndex(dir string, p *Pack, progress func(int, int)) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	for i, d := range p.Docs {
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), []byte(d.IndexNo), 0o644); err != nil {
			return err
		}
		if i%10 == 0 {
			time.Sleep(time.Millisecond)
		}
		progress(i+1, len(p.Docs))
	}
	return os.WriteFile(filepath.Join(dir, "complete"), nil, 0o644)
}

// TestHelperProcess is the child of TestKill9: it loads a pack and exits.
func TestHelperProcess(t *testing.T) {
	data, src := os.Getenv("KIOSK_HELPER_DATA"), os.Getenv("KIOSK_HELPER_SRC")
	if data == "" {
		t.Skip("helper process for TestKill9")
	}
	s, err := OpenStore(data)
	if err == nil {
		_, err = s.Load(src, slowIndex, nil)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

func runHelper(data, src string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "KIOSK_HELPER_DATA="+data, "KIOSK_HELPER_SRC="+src)
	return cmd
}

// TestKill9 loads packs in a child process and SIGKILLs it at moments
// spread over the whole load; after each kill a fresh Store must find a
// complete live version, old or new, whose pack loads without problems,
// and no leftovers.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	data := t.TempDir()
	src := filepath.Join(t.TempDir(), "pack")
	genPack(t, src, 150, "v0")

	// A first load, uninterrupted, gives the old version and the duration.
	start := time.Now()
	if out, err := runHelper(data, src).CombinedOutput(); err != nil {
		t.Fatalf("first load: %v\n%s", err, out)
	}
	full := time.Since(start)
	t.Logf("an uninterrupted load in a child process takes %v", full)

	const rounds = 16
	outcomes := map[string]int{}
	for i := 0; i < rounds; i++ {
		s := mustOpen(t, data)
		before, _ := s.LiveVersion()
		setVariant(t, src, fmt.Sprintf("v%d", i+1))
		cmd := runHelper(data, src)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Spread the kills over the run, with jitter.
		delay := full * 3 / 2 * time.Duration(i) / rounds // a few rounds finish: the load is slower with versions to prune
		delay += time.Duration(time.Now().UnixNano()%int64(full/rounds+1)) - full/(2*rounds)
		time.Sleep(max(delay, 0))
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()

		s = mustOpen(t, data) // removes the leftovers
		if l := leftovers(t, s); len(l) != 0 {
			t.Fatalf("round %d: leftovers %v", i, l)
		}
		id, packDir, indexDir, lerr := s.Live()
		if lerr != nil {
			t.Fatalf("round %d: %v", i, lerr)
		}
		p, probs := Load(os.DirFS(packDir))
		if p == nil || len(probs) != 0 {
			t.Fatalf("round %d: live version %s does not load: %v", i, id, probs)
		}
		v, verr := s.Version(id)
		if verr != nil || v.Docs != len(p.Docs) || v.Fingerprint != p.Fingerprint {
			t.Fatalf("round %d: meta %+v %v", i, v, verr)
		}
		if _, err := os.Stat(filepath.Join(indexDir, "complete")); err != nil {
			t.Fatalf("round %d: index of %s incomplete", i, id)
		}
		switch {
		case id == before:
			outcomes["old"]++
		case p.Manifest.Version == fmt.Sprintf("v%d", i+1):
			outcomes["new"]++
		default:
			t.Fatalf("round %d: live %s is neither old nor new", i, id)
		}
		if err == nil {
			outcomes["finished before the kill"]++
		} else if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
			t.Fatalf("round %d: child failed: %v", i, err)
		}
	}
	t.Logf("outcomes over %d kills: %v", rounds, outcomes)
	if outcomes["old"] == 0 || outcomes["new"] == 0 {
		t.Errorf("kills did not land both before and after the switch: %v", outcomes)
	}
	vs, _ := mustOpen(t, data).List()
	if len(vs) > KeepVersions+1 {
		t.Errorf("%d versions kept", len(vs))
	}
}

// TestGenerateSyntheticPack writes a synthetic pack for timing `kiosk
// content load` by hand:
//
//	KIOSK_GEN_PACK=/tmp/pack10k KIOSK_GEN_DOCS=10000 go test ./content -run TestGenerateSyntheticPack
func TestGenerateSyntheticPack(t *testing.T) {
	dir := os.Getenv("KIOSK_GEN_PACK")
	if dir == "" {
		t.Skip("set KIOSK_GEN_PACK=DIR (and KIOSK_GEN_DOCS=N) to write a synthetic pack")
	}
	n, err := strconv.Atoi(os.Getenv("KIOSK_GEN_DOCS"))
	if err != nil {
		n = 10000
	}
	genPack(t, dir, n, fmt.Sprintf("synthetic-%d", n))
}

func TestRollbackToEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rollback(""); err == nil {
		t.Fatal("rollback with nothing installed should say the default is in use")
	}
	res, err := s.Load(filepath.Join("defaultpack"), NoIndex, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Rollback("")
	if err != nil || v.ID != NoVersion {
		t.Fatalf("rollback from the only version: %v, %v", v, err)
	}
	if live, _ := s.LiveVersion(); live != NoVersion {
		t.Fatalf("live is %s, want the embedded default", live)
	}
	// The installed version is kept and can be switched back to.
	if _, err := s.Rollback(res.Version.ID); err != nil {
		t.Fatal(err)
	}
	if live, _ := s.LiveVersion(); live != res.Version.ID {
		t.Fatalf("live is %s, want %s", live, res.Version.ID)
	}
	if _, err := s.Rollback(DefaultVersion); err != nil {
		t.Fatal(err)
	}
}

func TestRollbackIfAsksAboutTheTarget(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	first, err := s.Load(filepath.Join("testdata", "packs", "good"), NoIndex, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Load(filepath.Join("testdata", "packs", "synonyms"), NoIndex, nil)
	if err != nil {
		t.Fatal(err)
	}
	refuse := errors.New("不可以 (no)")
	var asked []string
	allow := func(v Version) error {
		asked = append(asked, v.ID)
		return refuse
	}
	if _, err := s.RollbackIf("", allow); !errors.Is(err, refuse) {
		t.Fatalf("refused rollback: %v", err)
	}
	if live, _ := s.LiveVersion(); live != second.Version.ID || len(asked) != 1 || asked[0] != first.Version.ID {
		t.Fatalf("live %s after a refusal; asked about %v", live, asked)
	}
	// The embedded default is not asked about.
	if v, err := s.RollbackIf(DefaultVersion, allow); err != nil || v.ID != NoVersion || len(asked) != 1 {
		t.Fatalf("rollback to the default: %v %v, asked %v", v, err, asked)
	}
	if v, err := s.RollbackIf(first.Version.ID, func(Version) error { return nil }); err != nil || v.ID != first.Version.ID {
		t.Fatalf("allowed rollback: %v %v", v, err)
	}
}
