package main

import (
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/content"
	"kiosk/hub/point/pointtest"
	"kiosk/visits"
)

// enrolledData is a data folder enrolled with h through `kiosk enroll`,
// with a visits database.
func enrolledData(t *testing.T, h *pointtest.Hub) string {
	t.Helper()
	data := t.TempDir()
	code, out, errOut := visitsCLI(t, data, "enroll", h.URL(), h.Code("jinqueshan", "金雀山街道查阅点\x1b[2J", "township"), "--ca", h.CA.SHA256())
	if fi, err := os.Stat(filepath.Join(data, "hub.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("hub.json: %v %v", fi, err)
	}
	if code != 0 || strings.Contains(out, "\x1b") {
		t.Fatalf("enroll: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "已注册:查阅点 jinqueshan") || !strings.Contains(out, "[point]") {
		t.Fatalf("enroll said:\n%s", out)
	}
	cfg, err := config.Load(filepath.Join(data, "kiosk.toml"))
	if err != nil || cfg.Point.ID != "jinqueshan" {
		t.Fatalf("kiosk.toml: %+v %v", cfg.Point, err)
	}
	s, err := visits.Open(filepath.Join(data, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return data
}

func TestEnrollCLIWrongCA(t *testing.T) {
	h := pointtest.NewHub(t)
	data := t.TempDir()
	other := pointtest.NewCA(t, "other")
	code, out, errOut := visitsCLI(t, data, "enroll", h.URL(), h.Code("jinqueshan", "金雀山", "township"), "--ca", other.SHA256())
	if code != 1 || out != "" || !strings.Contains(errOut, other.SHA256()) || !strings.Contains(errOut, h.CA.SHA256()) {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
	if es, _ := os.ReadDir(data); len(es) != 0 {
		t.Fatalf("written: %v", es)
	}
}

func TestSyncCLI(t *testing.T) {
	h := pointtest.NewHub(t)
	data := enrolledData(t, h)
	db := filepath.Join(data, "visits.db")
	start := time.Date(2026, 2, 1, 9, 0, 0, 0, time.Local)
	pointtest.AddVisits(t, db, "jinqueshan", start, 1203)
	pointtest.AddVisits(t, db, "default", start, 4)
	pointtest.AddVisits(t, db, "jinqueshan", time.Now().Add(48*time.Hour), 2)

	// The hub cannot be reached: status 1, nothing marked.
	h.Stop()
	code, out, errOut := visitsCLI(t, data, "sync")
	if code != 1 || !strings.Contains(errOut, "无法连接中心服务器") || !strings.Contains(out, "尚未被确认 (unsent): 1205") {
		t.Fatalf("offline: %d\n%s\n%s", code, out, errOut)
	}

	h.Start()
	code, out, errOut = visitsCLI(t, data, "sync")
	if code != 0 {
		t.Fatalf("sync: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"已发送 1205 次访问,共 2 批;中心服务器新存 1203,已有 0,拒收 2",
		"拒收 (refused) jinqueshan-000000",
		"尚未被确认 (unsent): 2",
		"另有 4 次访问记录在其他查阅点编号下",
		"心跳已确认",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The fake hub's refusal reason ends in an escape sequence: not printed.
	if strings.Contains(out, "\x1b") {
		t.Errorf("unsanitised output: %q", out)
	}
	if h.Held("jinqueshan") != 1203 {
		t.Fatalf("hub holds %d", h.Held("jinqueshan"))
	}
	hb := h.Heartbeats()
	if last := hb[len(hb)-1]; last.Unsent != 2 || last.VisitsYear < 1203 || last.KioskVersion == "" {
		t.Fatalf("heartbeat %+v", last)
	}

	// Revoked: status 3, and the message says to enrol again.
	h.Revoke("jinqueshan")
	code, _, errOut = visitsCLI(t, data, "sync")
	if code != exitCredential || !strings.Contains(errOut, "凭证无效或已被吊销,请重新注册") || !strings.Contains(errOut, "kiosk enroll") {
		t.Fatalf("revoked: %d\n%s", code, errOut)
	}
}

func TestSyncCLINotEnrolled(t *testing.T) {
	code, _, errOut := visitsCLI(t, t.TempDir(), "sync")
	if code != 1 || !strings.Contains(errOut, "kiosk enroll") {
		t.Fatalf("%d %s", code, errOut)
	}
}

// The running kiosk's uploader: started when enrolled, stopped (and
// waited for) by the function it returns; nothing when not enrolled.
func TestStartUploader(t *testing.T) {
	h := pointtest.NewHub(t)
	data := enrolledData(t, h)
	pointtest.AddVisits(t, filepath.Join(data, "visits.db"), "jinqueshan", time.Date(2026, 2, 1, 9, 0, 0, 0, time.Local), 30)
	store, err := visits.Open(filepath.Join(data, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logged strings.Builder
	logger := log.New(&logged, "", 0)
	watch := &contentWatch{lc: kioskContent{Version: content.NoVersion}}
	a := &app{dataDir: data, cfg: config.Default()}
	a.cfg.Point.ID = "jinqueshan"
	stop, info := startUploader(a, store, watch, logger)
	for i := 0; (h.Held("jinqueshan") < 30 || len(h.Heartbeats()) == 0) && i < 1000; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	// What the staff panel says once the hub has answered.
	var said string
	for i := 0; i < 1000; i++ {
		if said = info(); strings.HasPrefix(said, "正常,上次联系 ") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if h.Held("jinqueshan") != 30 || len(h.Heartbeats()) == 0 {
		t.Fatalf("hub holds %d, %d heartbeats; log:\n%s", h.Held("jinqueshan"), len(h.Heartbeats()), logged.String())
	}
	if !strings.HasPrefix(said, "正常,上次联系 ") || !strings.HasSuffix(said, ",未上传 0 人次") {
		t.Fatalf("staff panel's hub line: %q", said)
	}
	// Not enrolled: nothing starts, nothing is logged, no hub line.
	logged.Reset()
	stop, info = startUploader(&app{dataDir: t.TempDir(), cfg: config.Default()}, store, watch, logger)
	stop()
	if logged.Len() != 0 || info != nil {
		t.Fatalf("logged %q, info %v", logged.String(), info != nil)
	}
}
