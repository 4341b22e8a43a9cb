package visits

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kiosk/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var genTime = time.Date(2027, 1, 5, 10, 0, 0, 0, cst)

func genNow() time.Time { return genTime }

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		must(t, os.MkdirAll("testdata", 0o755))
		must(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./visits/ -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// visitAt records one visit of p from start lasting d, through a Tracker.
func visitAt(t testing.TB, s *Store, p config.Point, ids func() string, start time.Time, d time.Duration, sections int) {
	t.Helper()
	c := &clock{t: start}
	tr, err := NewTracker(s, p, TrackerOptions{Now: c.now, NewID: ids})
	must(t, err)
	must(t, tr.Activity())
	for range sections {
		c.add(d / time.Duration(sections+1))
		must(t, tr.SectionRead())
	}
	c.t = start.Add(d)
	must(t, tr.Activity())
	must(t, tr.IdleEnd())
}

// fixtureStore is a kiosk's store over 2026 (and its edges): the county
// point, plus a few visits from when the same kiosk stood at a township.
func fixtureStore(t testing.TB) *Store {
	s := openTemp(t)
	ids := seqIDs("0000000-aaaa-4bbb-8ccc-00000000")
	at := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, cst) }
	visitAt(t, s, testCounty, ids, time.Date(2025, 12, 31, 16, 0, 0, 0, cst), time.Minute, 0) // other year
	visitAt(t, s, testTownship, ids, at(1, 3, 9, 0), 3*time.Minute, 2)
	visitAt(t, s, testTownship, ids, at(1, 3, 10, 0), 2*time.Minute, 1)
	visitAt(t, s, testCounty, ids, at(3, 8, 14, 30), 5*time.Minute, 3)
	visitAt(t, s, testCounty, ids, at(3, 9, 9, 15), time.Minute, 0)
	visitAt(t, s, testCounty, ids, at(7, 1, 0, 5), 10*time.Minute, 1)
	visitAt(t, s, testCounty, ids, at(12, 31, 23, 59), 2*time.Minute, 1)                    // ends in 2027
	visitAt(t, s, testCounty, ids, time.Date(2027, 1, 1, 8, 30, 0, 0, cst), time.Minute, 0) // next year
	// Visit 9: still in progress (an export taken while the kiosk runs).
	c := &clock{t: at(11, 20, 15, 0)}
	tr, err := NewTracker(s, testCounty, TrackerOptions{Now: c.now, NewID: ids})
	must(t, err)
	must(t, tr.Activity())
	return s
}

func exportReport(t testing.TB, s *Store) *Report {
	t.Helper()
	r, err := BuildReport(context.Background(), s, ReportOptions{Year: 2026, Point: testCounty, Labels: testLabels, Now: genNow})
	must(t, err)
	return r
}

func render(t testing.TB, r *Report, f Format) []byte {
	t.Helper()
	var b bytes.Buffer
	must(t, r.Write(&b, f))
	return b.Bytes()
}

// xlsxDump reads a workbook back as text: a section per sheet, a line per
// row, cells separated by " | ", numeric cells marked with '#'.
func xlsxDump(t testing.TB, b []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	must(t, err)
	defer f.Close()
	var out strings.Builder
	for _, sheet := range f.GetSheetList() {
		out.WriteString("## " + sheet + "\n")
		rows, err := f.GetRows(sheet)
		must(t, err)
		for i, row := range rows {
			cells := make([]string, len(row))
			for j, v := range row {
				name, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, err := f.GetCellType(sheet, name)
				must(t, err)
				if v != "" && typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
					v = "#" + v
				}
				cells[j] = v
			}
			out.WriteString(strings.Join(cells, " | ") + "\n")
		}
	}
	return []byte(out.String())
}

func TestExportFigures(t *testing.T) {
	r := exportReport(t, fixtureStore(t))
	if r.Total != 7 || r.County.Total != 5 || r.Township.Total != 2 || r.County.Points != 1 || r.Township.Points != 1 {
		t.Fatalf("total %d = %d + %d over %d + %d points", r.Total, r.County.Total, r.Township.Total, r.County.Points, r.Township.Points)
	}
	if r.Months != [12]int{2, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 1} {
		t.Fatalf("months %v", r.Months)
	}
	if r.VisitCount() != 7 {
		t.Fatalf("visits list %d", r.VisitCount())
	}
}

func TestExportGolden(t *testing.T) {
	s := fixtureStore(t)
	r := exportReport(t, s)
	golden(t, "export.md", render(t, r, FormatMarkdown))
	golden(t, "export.json", render(t, r, FormatJSON))

	c := render(t, r, FormatCSV)
	if !bytes.HasPrefix(c, []byte("\ufeff")) || !bytes.Contains(c, []byte("\r\n")) {
		t.Error("CSV lacks the UTF-8 BOM or CRLF line ends Excel/WPS need")
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	must(t, err)
	if recs[2][0] != RowTotal || recs[2][len(recs[2])-1] != "7" || recs[3][0] != "(一)县政府(开发区)及其部门" {
		t.Errorf("CSV report rows: %q", recs[1:5])
	}
	golden(t, "export.csv", c)

	x := xlsxDump(t, render(t, r, FormatXLSX))
	golden(t, "export.xlsx.txt", x)
	if !bytes.Contains(x, []byte("## 年报汇总\n")) || !bytes.Contains(x, []byte("## 查阅点明细\n")) {
		t.Error("XLSX lacks a sheet per view")
	}
	if !bytes.Contains(x, []byte("查阅点接待人数 | #2 | #2 | #0 | #2")) {
		t.Error("XLSX report row is not numeric")
	}

	var j map[string]any
	must(t, json.Unmarshal(render(t, r, FormatJSON), &j))
	for _, k := range []string{"year", "generated_at", "total", "levels", "points", "visits"} {
		if _, ok := j[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
}

func TestExportIsReadOnlyAndCountsOpenVisits(t *testing.T) {
	s := fixtureStore(t)
	ro, err := OpenReadOnly(s.Path())
	must(t, err)
	defer ro.Close()
	r := exportReport(t, ro)
	if r.Months[10] != 1 {
		t.Fatal("the visit in progress is not counted")
	}
	if !strings.Contains(string(render(t, r, FormatJSON)), `"start":"2026-11-20T15:00:00+08:00","end":"2026-11-20T15:00:00+08:00"`) {
		t.Error("an open visit does not end at its last activity in the export")
	}
}

func TestExportEmptyYearListsThePoint(t *testing.T) {
	s := openTemp(t)
	r, err := BuildReport(context.Background(), s, ReportOptions{Year: 2026, Point: testTownship, Labels: testLabels, Now: genNow})
	must(t, err)
	if r.Total != 0 || len(r.Points) != 1 || r.Points[0].ID != "zj-07" {
		t.Fatalf("%+v", r.Points)
	}
	// It merges as "arrived, zero".
	m, err := Merge([]Input{{"zj-07.json", bytes.NewReader(render(t, r, FormatJSON))}}, MergeOptions{Labels: testLabels, Expected: []config.Point{testTownship}, Now: genNow})
	must(t, err)
	if len(m.Missing()) != 0 || m.Total != 0 {
		t.Fatalf("%+v", m.Missing())
	}
}
