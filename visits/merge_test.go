package visits

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/config"
)

var (
	testCounty2   = config.Point{ID: "xq-02", Name: "区档案馆查阅点", Level: config.LevelCounty}
	testTownship2 = config.Point{ID: "zj-08", Name: "李庄镇政府查阅点", Level: config.LevelTownship}
)

// kioskExport makes the JSON export of one kiosk's store at point p with
// the visits starting at starts (each one minute long).
func kioskExport(t *testing.T, p config.Point, year int, starts ...time.Time) []byte {
	t.Helper()
	return kioskExportAt(t, p, year, genTime, starts...)
}

// kioskExportAt is kioskExport generated at gen (written in gen's zone).
func kioskExportAt(t *testing.T, p config.Point, year int, gen time.Time, starts ...time.Time) []byte {
	t.Helper()
	s := openTemp(t)
	ids := seqIDs("00000000-0000-4000-8000-" + strings.ReplaceAll(p.ID, "-", ""))
	for _, st := range starts {
		visitAt(t, s, p, ids, st, time.Minute, 1)
	}
	r, err := BuildReport(context.Background(), s, ReportOptions{Year: year, Point: p, Labels: testLabels, Now: func() time.Time { return gen }})
	must(t, err)
	return render(t, r, FormatJSON)
}

func d(mo time.Month, day, h int) time.Time { return time.Date(2026, mo, day, h, 0, 0, 0, cst) }

// district: exports of three kiosks; B's is given twice and also an
// earlier export of B (an overlapping period) is given.
func district(t *testing.T) (a, b, bEarly, c []byte) {
	a = kioskExport(t, testCounty, 2026, d(1, 5, 9), d(1, 6, 9), d(2, 1, 9), d(12, 31, 23))
	// B's early export (taken in March) holds the first two of its visits.
	bEarly = kioskExport(t, testTownship, 2026, d(1, 7, 10), d(3, 1, 10))
	b = kioskExport(t, testTownship, 2026, d(1, 7, 10), d(3, 1, 10), d(6, 1, 10))
	c = kioskExport(t, testCounty2, 2026) // sent an export, with no visit
	return
}

func in(name string, b []byte) Input { return Input{Name: name, R: bytes.NewReader(b)} }

func TestMergeNeverDoubleCounts(t *testing.T) {
	a, b, bEarly, c := district(t)
	r, err := Merge([]Input{in("a.json", a), in("b.json", b), in("b-copy.json", b), in("b-march.json", bEarly), in("c.json", c)},
		MergeOptions{Labels: testLabels, Now: genNow})
	must(t, err)
	if r.Total != 7 || r.County.Total != 4 || r.Township.Total != 3 || r.VisitCount() != 7 {
		t.Fatalf("total %d = %d + %d (visits %d), want 7 = 4 + 3", r.Total, r.County.Total, r.Township.Total, r.VisitCount())
	}
	if r.County.Points != 2 || r.Township.Points != 1 {
		t.Fatalf("points %d + %d", r.County.Points, r.Township.Points)
	}
	if r.MissingKnown || r.Missing() != nil {
		t.Fatal("missing points claimed without a points list")
	}
	md := string(render(t, r, FormatMarkdown))
	if !strings.Contains(md, "无法判断哪些查阅点未报送") {
		t.Error("the report does not say missing points cannot be known")
	}
	// Merging the merged file again with a kiosk's file changes nothing.
	again, err := Merge([]Input{in("district.json", render(t, r, FormatJSON)), in("a.json", a)}, MergeOptions{Labels: testLabels, Now: genNow})
	must(t, err)
	if again.Total != 7 || again.Months != r.Months {
		t.Fatalf("re-merge: %d %v", again.Total, again.Months)
	}
}

func TestMergeListsMissingPoints(t *testing.T) {
	a, b, _, _ := district(t)
	expected := []config.Point{testCounty, testCounty2, testTownship, testTownship2}
	r, err := Merge([]Input{in("a.json", a), in("b.json", b)}, MergeOptions{Labels: testLabels, Expected: expected, Now: genNow})
	must(t, err)
	var ids []string
	for _, p := range r.Missing() {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "xq-02,zj-08" {
		t.Fatalf("missing %v", ids)
	}
	if r.County.Points != 2 || r.Township.Points != 2 || r.Total != 7 {
		t.Fatalf("%d + %d points, total %d", r.County.Points, r.Township.Points, r.Total)
	}
	for _, f := range Formats {
		out := render(t, r, f)
		if f == FormatXLSX {
			out = xlsxDump(t, out)
			golden(t, "merge.xlsx.txt", out)
		} else {
			golden(t, "merge."+string(f), out)
		}
		if !bytes.Contains(out, []byte("未报送")) && !bytes.Contains(out, []byte(`"missing": [{"id":"xq-02",`)) {
			t.Errorf("%s does not show the missing points", f)
		}
	}
}

func TestMergeRejectsWhatIsNotAnExport(t *testing.T) {
	a, _, _, _ := district(t)
	other := kioskExport(t, testTownship, 2025, time.Date(2025, 5, 1, 9, 0, 0, 0, cst))
	old, edit := []byte(`"months":[2,1,0,0,0,0,0,0,0,0,0,1],"total":4}`), []byte(`"months":[3,1,0,0,0,0,0,0,0,0,0,1],"total":5}`)
	if bytes.Count(a, old) != 2 { // levels.county, then the point
		t.Fatalf("fixture: %s", a)
	}
	tamperedLevel := bytes.Replace(a, old, edit, 1)
	i := bytes.LastIndex(a, old)
	tamperedPoint := append(append(append([]byte{}, a[:i]...), edit...), a[i+len(old):]...)
	tamperedPoint = bytes.Replace(tamperedPoint, []byte(`"total": 4,`), []byte(`"total": 5,`), 1)
	tamperedPoint = bytes.Replace(tamperedPoint, old, edit, 1)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"report.csv", []byte("\ufeff项目,人次\n"), "not a kiosk visits export"},
		{"other.json", []byte(`{"name": "something else"}`), "not a kiosk visits export"},
		{"list.json", []byte(`[1, 2, 3]`), "not a kiosk visits export"},
		{"empty.json", nil, "not a kiosk visits export"},
		{"2025.json", other, "is the export of 2025, but a.json is of 2026"},
		{"edited-level.json", tamperedLevel, "(damaged or edited export): levels.county: total 5 is not the sum"},
		{"edited-point.json", tamperedPoint, "point xq-01: months[0] (January) is 3 but its visits list has 2"},
	}
	for _, c := range cases {
		_, err := Merge([]Input{in("a.json", a), in(c.name, c.data)}, MergeOptions{Labels: testLabels})
		if err == nil || !strings.HasPrefix(err.Error(), c.name+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming the file and saying %q", c.name, err, c.want)
		}
	}
	_, err := Merge([]Input{in("x.csv", []byte("a,b"))}, MergeOptions{})
	if !errors.Is(err, ErrNotExport) {
		t.Errorf("error %v does not wrap ErrNotExport", err)
	}
}

func TestReadPointsFile(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "points.csv")
	must(t, os.WriteFile(csvPath, []byte("\ufeffid,name,level\n# 县级\nxq-01,区政务服务中心查阅点,county\nzj-07, 张家镇政府查阅点 ,township\n"), 0o644))
	p, err := ReadPointsFile(csvPath)
	must(t, err)
	if len(p) != 2 || p[1] != (config.Point{ID: "zj-07", Name: "张家镇政府查阅点", Level: "township"}) {
		t.Fatalf("%+v", p)
	}
	tomlPath := filepath.Join(dir, "points.toml")
	must(t, os.WriteFile(tomlPath, []byte("[[point]]\nid = \"xq-01\"\nname = \"区政务服务中心查阅点\"\nlevel = \"county\"\n"), 0o644))
	p, err = ReadPointsFile(tomlPath)
	must(t, err)
	if len(p) != 1 || p[0].ID != "xq-01" {
		t.Fatalf("%+v", p)
	}
	for name, body := range map[string]string{
		"bad-level.csv": "xq-01,x,city\n",
		"dup.csv":       "xq-01,x,county\nxq-01,y,county\n",
		"fields.csv":    "xq-01,county\n",
		"empty.csv":     "id,name,level\n",
		"keys.toml":     "[[point]]\nid=\"a\"\nlevel=\"county\"\nhours=\"9-5\"\ncolour=\"red\"\n",
	} {
		path := filepath.Join(dir, name)
		must(t, os.WriteFile(path, []byte(body), 0o644))
		if _, err := ReadPointsFile(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// The newer export of a point gives its name and level, the newer by the
// instant it was made, whatever zone generated_at is written in; a level
// that differs between exports gets the same note in either order.
func TestMergeNewerExportByInstant(t *testing.T) {
	moved := testCounty
	moved.Name, moved.Level = "区政务服务中心查阅点(新址)", config.LevelTownship
	// 10:00 in Beijing, then 03:30 UTC = 11:30 in Beijing: the second is
	// newer although its text sorts first.
	older := kioskExportAt(t, testCounty, 2026, time.Date(2027, 1, 5, 10, 0, 0, 0, cst), d(1, 5, 9))
	newer := kioskExportAt(t, moved, 2026, time.Date(2027, 1, 5, 3, 30, 0, 0, time.UTC), d(1, 5, 9), d(2, 1, 9))
	if !bytes.Contains(newer, []byte(`"generated_at": "2027-01-05T03:30:00Z"`)) {
		t.Fatalf("fixture: %s", newer)
	}
	var notes []string
	for _, order := range [][]Input{
		{in("old.json", older), in("new.json", newer)},
		{in("new.json", newer), in("old.json", older)},
	} {
		r, err := Merge(order, MergeOptions{Labels: testLabels, Now: genNow})
		must(t, err)
		if len(r.Points) != 1 || r.Points[0].Name != moved.Name || r.Points[0].Level != moved.Level || r.Total != 2 {
			t.Errorf("%s first: points %+v, total %d; want the newer export's name and level", order[0].Name, r.Points, r.Total)
		}
		notes = append(notes, strings.Join(r.Notes, "\n"))
	}
	if !strings.Contains(notes[0], "new.json") || !strings.Contains(notes[0], "old.json") || notes[0] != notes[1] {
		t.Errorf("level notes differ with the order or do not name both files:\n%q\n%q", notes[0], notes[1])
	}
}

func TestMergeRefusesTrailingData(t *testing.T) {
	a := kioskExport(t, testCounty, 2026, d(1, 5, 9))
	for name, tail := range map[string]string{
		"two.json":     string(a),
		"garbage.json": "x",
		"brace.json":   "}",
		"object.json":  `{"format": "kiosk-visits"}`,
	} {
		_, err := Merge([]Input{in(name, append(append([]byte{}, a...), tail...))}, MergeOptions{Labels: testLabels})
		if err == nil || !strings.HasPrefix(err.Error(), name+": ") || !strings.Contains(err.Error(), "文件末尾有多余内容 (trailing data after the JSON object)") {
			t.Errorf("%s: error %v", name, err)
		}
	}
	// Blank lines after the object are not data.
	if _, err := Merge([]Input{in("blank.json", append(append([]byte{}, a...), " \r\n\n"...))}, MergeOptions{Labels: testLabels}); err != nil {
		t.Errorf("trailing blanks refused: %v", err)
	}
}

// An edited month whose total still adds up is named: the level or
// point, the month and the field.
func TestMergeNamesTheBadMonth(t *testing.T) {
	a := kioskExport(t, testCounty, 2026, d(1, 5, 9), d(1, 6, 9), d(2, 1, 9))
	months := []byte(`"months":[2,1,0,0,0,0,0,0,0,0,0,0]`)
	shifted := []byte(`"months":[1,2,0,0,0,0,0,0,0,0,0,0]`)
	if bytes.Count(a, months) != 2 { // levels.county, then the point
		t.Fatalf("fixture: %s", a)
	}
	level := bytes.Replace(a, months, shifted, 1)
	point := bytes.ReplaceAll(a, months, shifted)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"level.json", level, "levels.county: months[0] (January) is 1 but its points add up to 2"},
		{"point.json", point, "point xq-01: months[0] (January) is 1 but its visits list has 2"},
	} {
		_, err := Merge([]Input{in(c.name, c.data)}, MergeOptions{Labels: testLabels})
		if err == nil || !strings.HasPrefix(err.Error(), c.name+": ") || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "total") {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

func TestMergeRefusesBadGeneratedAt(t *testing.T) {
	a := kioskExport(t, testCounty, 2026, d(1, 5, 9))
	gen := []byte(`"generated_at": "2027-01-05T10:00:00+08:00"`)
	for name, repl := range map[string]string{
		"text.json":    `"generated_at": "5 January 2027"`,
		"missing.json": `"generated_by": "x"`,
	} {
		_, err := Merge([]Input{in(name, bytes.Replace(a, gen, []byte(repl), 1))}, MergeOptions{Labels: testLabels})
		if err == nil || !strings.HasPrefix(err.Error(), name+": ") || !strings.Contains(err.Error(), "generated_at") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}
