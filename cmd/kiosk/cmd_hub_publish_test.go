package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kiosk/content"
	"kiosk/hub"
	"kiosk/hub/point"
	"kiosk/release"
)

// enrolledPoint enrols a data folder with the hub at url as id, through a
// code made by the CLI, and adds the office's [content] lines to its
// kiosk.toml.
func enrolledPoint(t *testing.T, dir, url, id, contentLines string) string {
	t.Helper()
	code, out, errOut := hubCLI(t, "hub", "points", "token", "--data", dir, id)
	m := regexp.MustCompile(`([A-Z2-9]{4}-){3}[A-Z2-9]{4}`).FindString(out)
	if code != 0 || m == "" {
		t.Fatalf("token: %d %q %q", code, out, errOut)
	}
	fp, err := hub.CAFingerprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), id)
	if _, err := point.Enroll(context.Background(), data, url, m, fp, point.EnrollOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(data, "kiosk.toml"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n" + contentLines)
	f.Close()
	return data
}

func liveFingerprint(t *testing.T, data string) string {
	t.Helper()
	st, err := content.OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.LiveVersion()
	if err != nil || id == content.NoVersion {
		return ""
	}
	v, err := st.Version(id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Fingerprint
}

func TestHubPublishReleaseRollbackCLIAndSync(t *testing.T) {
	dir := newHubDir(t, "sqlite")
	code, lines, errOut := callHubFunc(hubKeygen, "--data", dir)
	if code != 0 {
		t.Fatalf("keygen: %d %q", code, errOut)
	}
	ptsFile := filepath.Join(t.TempDir(), "points.csv")
	os.WriteFile(ptsFile, []byte("id,name,level\nzj-07,张家镇,township\nzj-08,李庄镇,township\n"), 0o644)
	if code, out, errOut := hubCLI(t, "hub", "points", "import", "--data", dir, ptsFile); code != 0 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	url, _ := inProcessHub(t, dir)
	a := enrolledPoint(t, dir, url, "zj-07", lines)
	b := enrolledPoint(t, dir, url, "zj-08", lines)

	// Unknown points and packs with errors publish nothing.
	if code, _, errOut := hubCLI(t, "hub", "publish", "--data", dir, packPath("good"), "--points", "nowhere"); code != 1 || !strings.Contains(errOut, "unknown point") {
		t.Fatalf("unknown point: %d %q", code, errOut)
	}
	if code, out, _ := hubCLI(t, "hub", "publish", "--data", dir, packPath("missing-field")); code != 1 || !strings.Contains(out, "缺少") {
		t.Fatalf("bad pack: %d %q", code, out)
	}

	code, out, errOut := hubCLI(t, "hub", "publish", "--data", dir, packPath("good"), "--points", "zj-07")
	if code != 0 || !strings.Contains(out, "已发布 1") || !strings.Contains(out, "staged for") {
		t.Fatalf("publish: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := kiosk(t, a, "sync"); code != 0 || !strings.Contains(out, "已安装发布 1") {
		t.Fatalf("sync of the staged point: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := kiosk(t, b, "sync"); code != 0 || !strings.Contains(out, "还没有发布内容") || liveFingerprint(t, b) != "" {
		t.Fatalf("sync of another point: %d %q %q", code, out, errOut)
	}
	good := liveFingerprint(t, a)
	if good == "" {
		t.Fatal("nothing live at the staged point")
	}

	if code, out, errOut := hubCLI(t, "hub", "release", "--data", dir, "1", "--all"); code != 0 || !strings.Contains(out, "every point") {
		t.Fatalf("release --all: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := kiosk(t, b, "sync"); code != 0 || !strings.Contains(out, "已安装发布 1") || liveFingerprint(t, b) != good {
		t.Fatalf("sync after --all: %d %q %q", code, out, errOut)
	}

	if code, out, errOut := hubCLI(t, "hub", "publish", "--data", dir, packPath("synonyms")); code != 0 || !strings.Contains(out, "已发布 2") {
		t.Fatalf("publish 2: %d %q %q", code, out, errOut)
	}
	for _, d := range []string{a, b} {
		if code, out, errOut := kiosk(t, d, "sync"); code != 0 || !strings.Contains(out, "已安装发布 2") || liveFingerprint(t, d) == good {
			t.Fatalf("sync of release 2: %d %q %q", code, out, errOut)
		}
	}
	if code, out, errOut := hubCLI(t, "hub", "rollback", "--data", dir); code != 0 || !strings.Contains(out, "已发布 3") || !strings.Contains(out, "rollback to 1") {
		t.Fatalf("rollback: %d %q %q", code, out, errOut)
	}
	for _, d := range []string{a, b} {
		if code, out, errOut := kiosk(t, d, "sync"); code != 0 || !strings.Contains(out, "已安装发布 3") || liveFingerprint(t, d) != good {
			t.Fatalf("sync of the rollback: %d %q %q, shows %q", code, out, errOut, liveFingerprint(t, d))
		}
		if st, err := release.ReadState(d); err != nil || st.Highest != 3 {
			t.Fatalf("state: %+v %v", st, err)
		}
	}

	code, out, _ = hubCLI(t, "hub", "releases", "--data", dir)
	if code != 0 || !regexp.MustCompile(`(?m)^3 .*全部 all\s+2/2\s+0\s+rollback to 1$`).MatchString(out) {
		t.Fatalf("releases: %d\n%s", code, out)
	}
	code, out, _ = hubCLI(t, "hub", "releases", "--data", dir, "--json")
	var rows []struct {
		Release   uint64   `json:"release"`
		All       bool     `json:"all_points"`
		Installed []string `json:"installed"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 || len(rows) != 3 || len(rows[0].Installed) != 2 || !rows[0].All {
		t.Fatalf("releases --json: %d %v %s", code, err, out)
	}
}
