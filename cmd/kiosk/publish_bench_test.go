package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kiosk/content"
	"kiosk/hub"
	"kiosk/hub/point"
	"kiosk/release"
)

// TestPublishBench50MB is the benchmark of docs/BENCHMARKS.md ("Publishing
// a release"): a pack whose archive is about 50 MB goes to 92 points.
// The hub is the real binary (kiosk hub serve, SQLite) in its own process,
// so that its RSS is its own; the 92 points run in this process, each with
// its own data folder and the real point.Releaser, asking every 0.5–1.5 s
// until installed (content.NoIndex: the search index is built by each
// point's own processor, not the hub's, and is not what is measured).
//
//	KIOSK_PUBLISH_BENCH=1 go test ./cmd/kiosk/ -run TestPublishBench50MB -v -count=1 -timeout 30m
func TestPublishBench50MB(t *testing.T) {
	if os.Getenv("KIOSK_PUBLISH_BENCH") != "1" {
		t.Skip("set KIOSK_PUBLISH_BENCH=1 to run the publishing benchmark")
	}
	const points = 92
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := newHubDir(t, "sqlite")
	// The points ask far more often than every few minutes here.
	cfgPath := filepath.Join(dir, hub.ConfigFile)
	b, _ := os.ReadFile(cfgPath)
	b = []byte(strings.NewReplacer("point_requests_per_minute = 120", "point_requests_per_minute = 100000",
		"point_burst = 30", "point_burst = 10000").Replace(string(b)))
	os.WriteFile(cfgPath, b, 0o600)
	code, lines, errOut := callHubFunc(hubKeygen, "--data", dir)
	if code != 0 {
		t.Fatalf("keygen: %q", errOut)
	}
	var csv strings.Builder
	csv.WriteString("id,name,level\n")
	for i := 1; i <= points; i++ {
		fmt.Fprintf(&csv, "p%02d,查阅点%d,township\n", i, i)
	}
	ptsFile := filepath.Join(t.TempDir(), "points.csv")
	os.WriteFile(ptsFile, []byte(csv.String()), 0o644)
	if code, _, errOut := hubCLI(t, "hub", "points", "import", "--data", dir, ptsFile); code != 0 {
		t.Fatalf("import: %q", errOut)
	}
	pack := bigPack(t, 50<<20)

	srv := startServe(t, bin, dir)
	go func() { // the log is not read past "serving": keep the pipe flowing
		for range srv.lines {
		}
	}()
	var rss atomic.Int64
	stopRSS := make(chan struct{})
	go sampleRSS(srv.cmd.Process.Pid, &rss, stopRSS)

	rels := make([]*point.Releaser, points)
	for i := range rels {
		data := enrolledPoint(t, dir, srv.url, fmt.Sprintf("p%02d", i+1), lines)
		cs, err := content.OpenStore(data)
		if err != nil {
			t.Fatal(err)
		}
		cfg := readPointConfig(t, data)
		rels[i] = point.NewReleaser(mustCred(t, data), release.Point{DataDir: data, Store: cs, Keys: cfg.Content.Keys(), Build: content.NoIndex}, nil)
	}

	start := time.Now()
	code, out, errOut := hubCLI(t, "hub", "publish", "--data", dir, pack)
	if code != 0 {
		t.Fatalf("publish: %d %q %q", code, out, errOut)
	}
	published := time.Now()
	var wg sync.WaitGroup
	var failures atomic.Int64
	var resumed atomic.Int64
	var mu sync.Mutex
	var lastDone time.Time
	for _, r := range rels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				rc, err := r.Check(context.Background())
				if rc.Resumed > 0 {
					resumed.Add(1)
				}
				if err == nil && rc.Installed > 0 {
					mu.Lock()
					lastDone = time.Now()
					mu.Unlock()
					return
				}
				if rc.Refused != nil {
					t.Errorf("refused: %v", rc.Refused)
					return
				}
				if err != nil {
					failures.Add(1)
				}
				time.Sleep(time.Duration(500+mrand.IntN(1000)) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(stopRSS)
	if t.Failed() {
		return
	}
	size := archiveSize(t, dir)
	sent := metricValue(t, srv.url, dir, "kiosk_hub_release_bytes_sent_total")
	hwm := procStatus(srv.cmd.Process.Pid, "VmHWM")
	t.Logf("archive %.1f MB; publish (check + build + sign) %.1f s; all %d points installed %.1f s after publishing",
		float64(size)/1e6, published.Sub(start).Seconds(), points, lastDone.Sub(published).Seconds())
	t.Logf("hub RSS: peak sampled %.0f MB, VmHWM %s; archive bytes sent %.0f MB (%.3f × %d archives); %d failed checks, %d resumed downloads",
		float64(rss.Load())/1e6, hwm, sent/1e6, sent/float64(size*points), points, failures.Load(), resumed.Load())
}

// bigPack is the good test pack plus documents of random base64 text
// (which gzip cannot shrink much) until the archive is about size bytes.
func bigPack(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "big")
	if err := os.CopyFS(dir, os.DirFS(packPath("good"))); err != nil {
		t.Fatal(err)
	}
	// base64 text compresses to ~76%: this many bytes of it make size.
	text := size * 100 / 76
	raw := make([]byte, (3<<20)*3/4) // 3 MiB of base64 per document, under the 4 MiB cap
	for i := 0; text > 0; i++ {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\n标题: 附件 %d\n索引号: ceshiqu/2026-1%06d\n发布机构: 测试区政府办公室\n发布日期: 2026-11-25\n公开目录: 其他\n公开方式: 主动公开\n---\n## 数据\n\n", i, i)
		rand.Read(raw)
		enc := base64.StdEncoding.EncodeToString(raw)
		for len(enc) > 0 {
			n := min(76, len(enc))
			sb.WriteString(enc[:n] + "\n")
			enc = enc[n:]
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("data-%02d.md", i)), []byte(sb.String()), 0o644)
		text -= sb.Len()
	}
	return dir
}

func mustCred(t *testing.T, data string) point.Credential {
	t.Helper()
	c, err := point.LoadCredential(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func archiveSize(t *testing.T, dir string) int64 {
	t.Helper()
	fi, err := os.Stat(hub.ReleaseArchivePath(dir, 1))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// sampleRSS keeps the highest VmRSS of pid seen every 50 ms.
func sampleRSS(pid int, peak *atomic.Int64, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
		f := strings.Fields(procStatus(pid, "VmRSS"))
		if len(f) == 2 {
			if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && kb*1024 > peak.Load() {
				peak.Store(kb * 1024)
			}
		}
	}
}

// procStatus is a field of /proc/pid/status ("123 kB").
func procStatus(pid int, field string) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// metricValue reads one series of the hub's /metrics.
func metricValue(t *testing.T, url, dir, name string) float64 {
	t.Helper()
	resp, err := hubClient(t, dir).Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}
