package visits

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"kiosk/internal/termtext"
)

// Format is an export format.
type Format string

// The export formats.
const (
	FormatCSV      Format = "csv"
	FormatJSON     Format = "json"
	FormatXLSX     Format = "xlsx"
	FormatMarkdown Format = "md"
)

// Formats lists the formats in the order help texts show them.
var Formats = []Format{FormatCSV, FormatJSON, FormatXLSX, FormatMarkdown}

// ParseFormat accepts csv, json, xlsx, md (or markdown).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimPrefix(s, "."))); f {
	case FormatCSV, FormatJSON, FormatXLSX, FormatMarkdown:
		return f, nil
	case "markdown":
		return FormatMarkdown, nil
	}
	return "", fmt.Errorf("未知的格式 %q:可用 csv、json、xlsx 或 md (unknown format %q: use csv, json, xlsx or md)", s, s)
}

// FormatOf guesses the format from a file name's extension.
func FormatOf(path string) (Format, bool) {
	f, err := ParseFormat(filepath.Ext(path))
	return f, err == nil
}

// Write writes the report in format f.
func (r *Report) Write(w io.Writer, f Format) error {
	switch f {
	case FormatCSV:
		return r.WriteCSV(w)
	case FormatJSON:
		return r.WriteJSON(w)
	case FormatXLSX:
		return r.WriteXLSX(w)
	case FormatMarkdown:
		return r.WriteMarkdown(w)
	}
	return fmt.Errorf("未知的格式 %q (unknown format %q)", f, f)
}

// Title is the heading of every rendering.
func (r *Report) Title() string {
	return fmt.Sprintf("%d年政府信息查阅点接待人数(人次)", r.Year)
}

// RowTotal is the wording of the annual report's row.
const RowTotal = "查阅点接待人数"

func monthHeaders() []string {
	h := make([]string, 12)
	for i := range h {
		h[i] = fmt.Sprintf("%d月", i+1)
	}
	return h
}

// cell is a table cell: a number or a text.
type cell struct {
	s   string
	n   int
	num bool
}

func txt(s string) cell { return cell{s: s} }
func num(n int) cell    { return cell{n: n, num: true} }

// String is the cell as every rendering shows it: a number, or the text
// as one line safe for a terminal (names and labels come from points
// files, kiosk.toml and other kiosks' exports).
func (c cell) String() string {
	if c.num {
		return strconv.Itoa(c.n)
	}
	return termtext.Line(c.s)
}

// csvField is how every field of every CSV this program writes is
// written: a count as its digits; a text as one safe line (cell.String)
// and, when a spreadsheet would take it for a formula, with a single quote
// in front (the OWASP rule against CSV injection: Excel and WPS run a cell
// starting with =, +, -, @, a tab or a CR, e.g. =HYPERLINK(…) in a point's
// name; the quote makes it text). A blank before the sign does not hide it.
func csvField(c cell) string {
	s := c.String()
	if c.num {
		return s
	}
	if strings.HasPrefix(c.s, "\t") || strings.HasPrefix(c.s, "\r") {
		return "'" + s
	}
	if t := strings.TrimLeft(s, " \u3000"); t != "" && strings.IndexByte("=+-@", t[0]) >= 0 {
		return "'" + s
	}
	return s
}

func months(m [12]int) []cell {
	out := make([]cell, 12)
	for i, n := range m {
		out[i] = num(n)
	}
	return out
}

// summaryTable: the report rows by month.
func (r *Report) summaryTable() [][]cell {
	head := []cell{txt("项目"), txt("查阅点数(个)")}
	for _, h := range monthHeaders() {
		head = append(head, txt(h))
	}
	head = append(head, txt("合计(人次)"))
	row := func(label string, points int, m [12]int, total int) []cell {
		c := []cell{txt(label), num(points)}
		c = append(c, months(m)...)
		return append(c, num(total))
	}
	return [][]cell{
		head,
		row(RowTotal, r.County.Points+r.Township.Points+r.otherPoints(), r.Months, r.Total),
		row("(一)"+r.County.Label, r.County.Points, r.County.Months, r.County.Total),
		row("(二)"+r.Township.Label, r.Township.Points, r.Township.Months, r.Township.Total),
	}
}

func (r *Report) otherPoints() int {
	return len(r.Points) - r.County.Points - r.Township.Points
}

// pointsTable: one row per lookup point, then the total.
func (r *Report) pointsTable() [][]cell {
	head := []cell{txt("编号"), txt("查阅点"), txt("层级")}
	for _, h := range monthHeaders() {
		head = append(head, txt(h))
	}
	head = append(head, txt("合计"), txt("备注"))
	t := [][]cell{head}
	for _, p := range r.Points {
		c := []cell{txt(p.ID), txt(p.Name), txt(r.LevelLabel(p.Level))}
		c = append(c, months(p.Months)...)
		note := ""
		switch {
		case p.Missing:
			note = "未报送"
		case p.Unexpected:
			note = "不在查阅点清单中"
		}
		t = append(t, append(c, num(p.Total), txt(note)))
	}
	c := []cell{txt("合计"), txt(""), txt("")}
	c = append(c, months(r.Months)...)
	return append(t, append(c, num(r.Total), txt("")))
}

// notes: what the figures are and what they are not.
func (r *Report) notes() []string {
	n := []string{
		fmt.Sprintf("年度: %d", r.Year),
		"生成时间: " + r.GeneratedAt.Format(time.RFC3339),
		"口径: 每次访问按开始时的当地日期计入当日、当月、当年 (a visit counts on the local date it began)",
	}
	if len(r.Sources) > 0 {
		n = append(n, fmt.Sprintf("合并文件: %d 个 (%d merged files)", len(r.Sources), len(r.Sources)))
	}
	switch {
	case !r.MissingKnown && len(r.Sources) > 0:
		n = append(n, "未提供查阅点清单 (--points),无法判断哪些查阅点未报送 (missing points cannot be known without --points)")
	case r.MissingKnown:
		var ids []string
		for _, p := range r.Missing() {
			ids = append(ids, p.ID+" "+p.Name)
		}
		if len(ids) == 0 {
			n = append(n, "未报送的查阅点: 无 (every expected point reported)")
		} else {
			n = append(n, fmt.Sprintf("未报送的查阅点 (%d): %s", len(ids), strings.Join(ids, "、")))
		}
	}
	return append(n, r.Notes...)
}

// WriteCSV writes the report rows, a blank line, the per-point table and
// the notes, as UTF-8 with a BOM and CRLF line ends so that Excel and WPS
// open it correctly.
func (r *Report) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	put := func(t [][]cell) {
		for _, row := range t {
			rec := make([]string, len(row))
			for i, c := range row {
				rec[i] = csvField(c)
			}
			cw.Write(rec)
		}
	}
	put([][]cell{{txt(r.Title())}})
	put(r.summaryTable())
	cw.Write([]string{})
	put(r.pointsTable())
	cw.Write([]string{})
	for _, n := range r.notes() {
		put([][]cell{{txt(n)}})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteMarkdown writes the tables for pasting into the annual report.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n\n", r.Title())
	table := func(t [][]cell) {
		for i, row := range t {
			bw.WriteString("|")
			for _, c := range row {
				bw.WriteString(" " + mdEscape(c.String()) + " |")
			}
			bw.WriteString("\n")
			if i == 0 {
				bw.WriteString("|")
				for _, c := range row {
					if c.s == "项目" || c.s == "编号" || c.s == "查阅点" || c.s == "层级" || c.s == "备注" {
						bw.WriteString(" --- |")
					} else {
						bw.WriteString(" ---: |")
					}
				}
				bw.WriteString("\n")
			}
		}
	}
	// The report's own row, as it is printed: a total and its sub-rows.
	fmt.Fprintf(bw, "| 项目 | 查阅点数(个) | 接待人次 |\n| --- | ---: | ---: |\n")
	for _, row := range r.summaryTable()[1:] {
		fmt.Fprintf(bw, "| %s | %s | %s |\n", mdEscape(row[0].String()), row[1], row[len(row)-1])
	}
	bw.WriteString("\n## 按月 (by month)\n\n")
	table(r.summaryTable())
	bw.WriteString("\n## 按查阅点 (by lookup point)\n\n")
	table(r.pointsTable())
	bw.WriteString("\n")
	for _, n := range r.notes() {
		bw.WriteString("- " + mdEscape(txt(n).String()) + "\n")
	}
	return bw.Flush()
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// Sheet names of the XLSX export, one per view.
const (
	SheetSummary = "年报汇总"
	SheetPoints  = "查阅点明细"
	SheetNotes   = "说明"
)

// WriteXLSX writes a workbook with a sheet per view: the report rows by
// month, the per-point table and the notes.
func (r *Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	put := func(sheet string, first int, t [][]cell) error {
		for i, row := range t {
			vals := make([]any, len(row))
			for j, c := range row {
				if c.num {
					vals[j] = c.n
				} else {
					vals[j] = c.String() // a string cell: text, never a formula
				}
			}
			addr, _ := excelize.CoordinatesToCellName(1, first+i)
			if err := f.SetSheetRow(sheet, addr, &vals); err != nil {
				return err
			}
		}
		return nil
	}
	if err := f.SetCellStr(SheetSummary, "A1", r.Title()); err != nil {
		return err
	}
	if err := put(SheetSummary, 2, r.summaryTable()); err != nil {
		return err
	}
	f.SetColWidth(SheetSummary, "A", "A", 32)
	f.SetColWidth(SheetSummary, "B", "B", 12)
	if _, err := f.NewSheet(SheetPoints); err != nil {
		return err
	}
	if err := put(SheetPoints, 1, r.pointsTable()); err != nil {
		return err
	}
	f.SetColWidth(SheetPoints, "B", "C", 24)
	if _, err := f.NewSheet(SheetNotes); err != nil {
		return err
	}
	var nt [][]cell
	for _, n := range r.notes() {
		nt = append(nt, []cell{txt(n)})
	}
	if err := put(SheetNotes, 1, nt); err != nil {
		return err
	}
	f.SetColWidth(SheetNotes, "A", "A", 100)
	return f.Write(w)
}

// JSONFormat is the "format" key that marks a visits export.
const JSONFormat = "kiosk-visits"

// JSONVersion is the version of the JSON export format.
const JSONVersion = 1

type jsonLevel struct {
	Label  string  `json:"label"`
	Points int     `json:"points"`
	Months [12]int `json:"months"`
	Total  int     `json:"total"`
}

type jsonPoint struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Level  string  `json:"level"`
	Months [12]int `json:"months"`
	Total  int     `json:"total"`
}

type jsonMissing struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// WriteJSON writes the exchange format (docs/visits.md): the figures, then
// the visits list, streamed one visit per line.
func (r *Report) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head := func(key string, v any) error {
		b, err := marshalJSON(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "  %q: %s,\n", key, b)
		return nil
	}
	bw.WriteString("{\n")
	head("format", JSONFormat)
	head("version", JSONVersion)
	head("year", r.Year)
	head("generated_at", r.GeneratedAt.Format(time.RFC3339))
	head("total", r.Total)
	head("levels", map[string]jsonLevel{
		"county":   {r.County.Label, r.County.Points, r.County.Months, r.County.Total},
		"township": {r.Township.Label, r.Township.Points, r.Township.Months, r.Township.Total},
	})
	bw.WriteString("  \"points\": [")
	n := 0
	for _, p := range r.Points {
		if p.Missing {
			continue
		}
		b, err := marshalJSON(jsonPoint{p.ID, p.Name, p.Level, p.Months, p.Total})
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(b)
		n++
	}
	bw.WriteString("\n  ],\n")
	if r.MissingKnown {
		missing := []jsonMissing{}
		for _, p := range r.Missing() {
			missing = append(missing, jsonMissing{p.ID, p.Name, p.Level})
		}
		head("missing", missing)
	}
	bw.WriteString("  \"visits\": [")
	n = 0
	quoted := map[string][]byte{}
	var line []byte
	if r.visits != nil {
		err := r.visits(func(v VisitRecord) error {
			q, ok := quoted[v.Point]
			if !ok {
				q, _ = marshalJSON(v.Point)
				quoted[v.Point] = q
			}
			line = line[:0]
			if n > 0 {
				line = append(line, ',')
			}
			line = append(line, "\n    {\"id\":"...)
			line = appendJSONString(line, v.ID)
			line = append(line, ",\"point\":"...)
			line = append(line, q...)
			line = append(line, ",\"start\":\""...)
			line = v.Start.AppendFormat(line, time.RFC3339)
			line = append(line, "\",\"end\":\""...)
			line = v.End.AppendFormat(line, time.RFC3339)
			line = append(line, "\"}"...)
			n++
			_, err := bw.Write(line)
			return err
		})
		if err != nil {
			return err
		}
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// appendJSONString appends s as a JSON string: the fast path for the plain
// ASCII of UUIDs, marshalJSON for anything else.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := marshalJSON(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// marshalJSON is json.Marshal with every character a terminal must not be
// sent (termtext.Unsafe: DEL, C1 controls, bidi and other format
// characters, noncharacters; encoding/json escapes only C0 and U+2028/9)
// written as a \u escape: the exchange format keeps names exactly, and a
// file printed or opened in an editor shows no hidden text.
func marshalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	i := bytes.IndexFunc(b, termtext.Unsafe)
	if i < 0 {
		return b, nil
	}
	// Outside strings JSON is ASCII without controls: every match is
	// inside a string, where an escape means the same character.
	out := append([]byte(nil), b[:i]...)
	for _, r := range string(b[i:]) {
		if !termtext.Unsafe(r) {
			out = utf8.AppendRune(out, r)
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out, nil
}
