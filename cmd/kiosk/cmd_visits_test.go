package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kiosk/config"
	"kiosk/visits"
)

// visitsCLI runs `kiosk --data DATA ARGS…` and returns exit status, stdout
// and stderr.
func visitsCLI(t *testing.T, data string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"--data", data}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// visitsData makes a data folder whose kiosk.toml places the kiosk at a
// township point and whose visits.db holds visits of 2026 and of now.
func visitsData(t *testing.T) (string, config.Point) {
	t.Helper()
	dir := t.TempDir()
	p := config.Point{ID: "zj-07", Name: "张家镇政府查阅点", Level: config.LevelTownship}
	toml := "[point]\nid = \"zj-07\"\nname = \"张家镇政府查阅点\"\nlevel = \"township\"\n"
	if err := os.WriteFile(filepath.Join(dir, "kiosk.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := visits.Open(filepath.Join(dir, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var now time.Time
	tr, err := visits.NewTracker(s, p, visits.TrackerOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, start := range []time.Time{
		time.Date(2026, 1, 5, 9, 0, 0, 0, cst),
		time.Date(2026, 1, 5, 10, 0, 0, 0, cst),
		time.Date(2026, 4, 1, 15, 0, 0, 0, cst),
		time.Date(2026, 12, 31, 23, 59, 0, 0, cst),
		time.Date(2025, 12, 31, 23, 59, 0, 0, cst), // not 2026
		time.Now(),
		time.Now(),
	} {
		now = start
		if err := tr.Activity(); err != nil {
			t.Fatal(err)
		}
		now = start.Add(90 * time.Second)
		if err := tr.SectionRead(); err != nil {
			t.Fatal(err)
		}
		if err := tr.End(); err != nil {
			t.Fatal(err)
		}
	}
	return dir, p
}

func TestVisitsExportCLI(t *testing.T) {
	data, _ := visitsData(t)
	nowInYear := 0
	if time.Now().Year() == 2026 {
		nowInYear = 2
	}

	code, out, errOut := visitsCLI(t, data, "visits", "export", "--year", "2026", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "\ufeff2026年政府信息查阅点接待人数") {
		t.Fatalf("csv: %d %q %q", code, out, errOut)
	}
	want := []string{"查阅点接待人数,1,", "(一)县政府(开发区)及其部门,0,", "(二)乡镇政府(街道办事处),1,", "zj-07,张家镇政府查阅点,乡镇政府(街道办事处),2,"}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("csv lacks %q:\n%s", w, out)
		}
	}

	xlsx := filepath.Join(t.TempDir(), "zj-07-2026.xlsx")
	code, _, errOut = visitsCLI(t, data, "visits", "export", "--out", xlsx, "--year", "2026")
	if code != 0 || !strings.Contains(errOut, xlsx) {
		t.Fatalf("xlsx: %d %q", code, errOut)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.GetCellValue(visits.SheetSummary, "A3")
	total, _ := f.GetCellValue(visits.SheetSummary, "O3")
	f.Close()
	if v != visits.RowTotal || total != strconv.Itoa(4+nowInYear) {
		t.Errorf("xlsx: A3 %q O3 %q", v, total)
	}

	// JSON to a USB stick, then merged twice over without double counting.
	stick := t.TempDir()
	j := filepath.Join(stick, "zj-07.json")
	if code, _, errOut := visitsCLI(t, data, "visits", "export", "--year", "2026", "--out", j); code != 0 {
		t.Fatalf("json: %d %q", code, errOut)
	}
	var ex struct {
		Year   int `json:"year"`
		Total  int `json:"total"`
		Visits []struct {
			ID string `json:"id"`
		} `json:"visits"`
	}
	b, _ := os.ReadFile(j)
	if err := json.Unmarshal(b, &ex); err != nil || ex.Year != 2026 || ex.Total != 4+nowInYear || len(ex.Visits) != ex.Total {
		t.Fatalf("json export: %v %+v", err, ex)
	}
	points := filepath.Join(stick, "points.csv")
	os.WriteFile(points, []byte("id,name,level\nxq-01,区政务服务中心查阅点,county\nzj-07,张家镇政府查阅点,township\n"), 0o644)
	code, out, errOut = visitsCLI(t, data, "visits", "merge", j, j, "--points", points, "--format", "md")
	if code != 0 || !strings.Contains(out, "| 查阅点接待人数 | 2 |") || !strings.Contains(out, "未报送") {
		t.Fatalf("merge: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "xq-01 区政务服务中心查阅点") {
		t.Errorf("merge does not name the missing point: %q", errOut)
	}
	code, _, errOut = visitsCLI(t, data, "visits", "merge", j)
	if code != 0 || !strings.Contains(errOut, "无法判断哪些查阅点未报送") {
		t.Errorf("merge without --points: %d %q", code, errOut)
	}
}

func TestVisitsSummaryCLI(t *testing.T) {
	data, _ := visitsData(t)
	code, out, errOut := visitsCLI(t, data, "visits", "summary")
	if code != 0 || !strings.Contains(out, "今天 today:       2\n") || !strings.Contains(out, "张家镇政府查阅点 (zj-07)") {
		t.Fatalf("summary: %d\n%s\n%s", code, out, errOut)
	}
	t.Log("\n" + out)
}

// A kiosk that has not counted anyone yet (a new data folder, or --data
// pointing at one) is no error for summary.
func TestVisitsSummaryNewDataFolder(t *testing.T) {
	for _, data := range []string{t.TempDir(), filepath.Join(t.TempDir(), "nonesuch")} {
		code, out, errOut := visitsCLI(t, data, "visits", "summary")
		if code != 0 || !strings.Contains(out, "还没有访客记录 (no visits recorded yet)") {
			t.Errorf("summary on %s: exit %d\n%s\n%s", data, code, out, errOut)
		}
		if _, err := os.Stat(filepath.Join(data, "visits.db")); err == nil {
			t.Errorf("summary created %s/visits.db", data)
		}
	}
}

func TestVisitsCLIErrors(t *testing.T) {
	data, _ := visitsData(t)
	empty := t.TempDir()
	notExport := filepath.Join(empty, "report.csv")
	os.WriteFile(notExport, []byte("项目,人次\n"), 0o644)
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "visits.db"), []byte("hello"), 0o644)
	for _, c := range []struct {
		data string
		args []string
		code int
		want string
	}{
		{data, []string{"visits"}, 2, "Usage: kiosk visits"},
		{data, []string{"visits", "--help"}, 0, "Usage: kiosk visits"},
		{data, []string{"visits", "export", "--help"}, 0, "Usage: kiosk visits export"},
		{data, []string{"visits", "merge", "-h"}, 0, "--points"},
		{data, []string{"visits", "summary", "--help"}, 0, "Usage: kiosk visits summary"},
		{data, []string{"visits", "frobnicate"}, 2, "未知的命令"},
		{data, []string{"visits", "export"}, 2, "--year is required"},
		{data, []string{"visits", "export", "--year", "2026", "--format", "pdf"}, 2, "unknown format"},
		{data, []string{"visits", "export", "--year", "2026", "--format", "xlsx"}, 2, "give --out FILE.xlsx"},
		{data, []string{"visits", "export", "--year", "2026", "--bogus"}, 2, "flag provided but not defined"},
		{data, []string{"visits", "merge"}, 2, "give the export files"},
		{data, []string{"visits", "merge", notExport}, 1, notExport + ": 不是查阅机的访客导出文件 (not a kiosk visits export)"},
		{data, []string{"visits", "merge", filepath.Join(empty, "nonesuch.json")}, 1, "nonesuch.json"},
		{empty, []string{"visits", "export", "--year", "2026"}, 1, "no visits database"},
		{foreign, []string{"visits", "export", "--year", "2026"}, 1, "not a kiosk visits database"},
	} {
		code, _, errOut := visitsCLI(t, c.data, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "visits.db")); string(b) != "hello" {
		t.Error("a foreign visits.db was modified")
	}
}
