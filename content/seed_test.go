package content

import (
	"bufio"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The default pack is the seed report made readable by hand. These tests
// make sure nothing of the seed was lost on the way: the README of the pack
// lists every restoration and every dropped line, and the tests hold the
// pack to exactly that list.

const (
	seedPath          = "testdata/seed/lanshan-2018-disclosure-report.txt"
	defaultReportFile = "lanshan-2018-annual-report.md"
)

func readSeedLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatalf("reading the seed copy: %v", err)
	}
	return strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
}

type restoration struct {
	line          int // 1-based seed line
	before, after string
}

var (
	// 1. 第17行: `before` → `after` — why
	restorationRE = regexp.MustCompile("^\\d+\\. 第(\\d+)行: `([^`]+)` → `([^`]+)`")
	// - 第1行: `text` — why
	droppedRE = regexp.MustCompile("^- 第(\\d+)行: `([^`]*)`")
)

// readPackREADME parses the restoration and dropped-line lists of the
// default pack's README.md.
func readPackREADME(t *testing.T) ([]restoration, map[int]string) {
	t.Helper()
	data, err := fs.ReadFile(DefaultFS(), "README.md")
	if err != nil {
		t.Fatalf("default pack README: %v", err)
	}
	var rs []restoration
	dropped := map[int]string{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		l := sc.Text()
		if m := restorationRE.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			rs = append(rs, restoration{n, m[2], m[3]})
		} else if m := droppedRE.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			dropped[n] = m[2]
		}
	}
	if len(rs) == 0 || len(dropped) == 0 {
		t.Fatalf("README.md lists %d restorations and %d dropped lines; its lists lost their format", len(rs), len(dropped))
	}
	return rs, dropped
}

// normalizeForCompare removes whitespace (the page's no-break spaces
// included) and table pipes, so that text compares equal however it was
// laid out in Markdown.
func normalizeForCompare(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '|' {
			return -1
		}
		return r
	}, s)
}

// splitSentences splits a line at sentence ends, Chinese or ASCII.
func splitSentences(line string) []string {
	return strings.FieldsFunc(line, func(r rune) bool {
		switch r {
		case '。', '!', '?', ';', '\uFF01', '\uFF1F', '\uFF1B': // 。!?; and their full-width forms
			return true
		}
		return false
	})
}

func TestSeedSentencesAreInDefaultPack(t *testing.T) {
	lines := readSeedLines(t)
	rs, dropped := readPackREADME(t)
	for _, r := range rs {
		if r.line < 1 || r.line > len(lines) {
			t.Fatalf("README restoration for line %d: the seed has %d lines", r.line, len(lines))
		}
		l := lines[r.line-1]
		if !strings.Contains(l, r.before) {
			t.Errorf("README restoration %q → %q: not on seed line %d: %s", r.before, r.after, r.line, l)
			continue
		}
		lines[r.line-1] = strings.ReplaceAll(l, r.before, r.after)
	}
	for n, want := range dropped {
		if n < 1 || n > len(lines) {
			t.Fatalf("README drops line %d: the seed has %d lines", n, len(lines))
		}
		if got := normalizeForCompare(lines[n-1]); got != normalizeForCompare(want) {
			t.Errorf("README drops line %d as %q but the seed line is %q", n, want, lines[n-1])
		}
	}
	data, err := fs.ReadFile(DefaultFS(), defaultReportFile)
	if err != nil {
		t.Fatal(err)
	}
	skip := map[int]bool{}
	for n := range dropped {
		skip[n] = true
	}
	assertSentencesInOrder(t, lines, skip, string(data), defaultReportFile)
}

// assertSentencesInOrder checks that every sentence of the seed lines
// (but the skipped line numbers) appears in text, in reading order, and
// prints each one that does not.
func assertSentencesInOrder(t *testing.T, lines []string, skip map[int]bool, text, where string) {
	t.Helper()
	doc := normalizeForCompare(text)
	// Each sentence is searched for from where the previous one ended.
	// Greedy earliest matching finds an in-order placement whenever one
	// exists, so a failure is real.
	pos, missing := 0, 0
	for i, l := range lines {
		if skip[i+1] {
			continue
		}
		for _, s := range splitSentences(l) {
			s = normalizeForCompare(s)
			if s == "" {
				continue
			}
			j := strings.Index(doc[pos:], s)
			if j < 0 {
				missing++
				if strings.Contains(doc, s) {
					t.Errorf("seed line %d: sentence out of order in %s: %s", i+1, where, s)
				} else {
					t.Errorf("seed line %d: sentence missing from %s: %s", i+1, where, s)
				}
				continue
			}
			pos += j + len(s)
		}
	}
	if missing > 0 {
		t.Logf("%d sentences missing or out of order in %s", missing, where)
	}
}

func TestDefaultPackLoadsWithoutProblems(t *testing.T) {
	p, probs := Load(DefaultFS())
	if len(probs) > 0 {
		t.Fatalf("default pack problems:\n%v", probs)
	}
	if p == nil || len(p.Docs) != 1 {
		t.Fatalf("want 1 document, got pack %v", p)
	}
	if _, err := Default(); err != nil {
		t.Fatal(err)
	}
	d := p.Docs[0]
	if d.IndexNo != "lanshanqulsqzf/2019-0000001" || d.Publisher != "兰山区政府" ||
		d.Catalogue != "区政府信息公开年报" || d.Mode != "主动公开" || d.DocNo != "" || d.URL != "" ||
		d.Date.Format("2006-01-02") != "2019-01-22" || d.Title != "兰山区人民政府2018年政府信息公开工作年度报告" {
		t.Errorf("metadata: %+v", d.Meta)
	}
}

func defaultDoc(t *testing.T) *Document {
	t.Helper()
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return p.Docs[0]
}

func TestDefaultPackSections(t *testing.T) {
	d := defaultDoc(t)
	// The chapters, in order; the duplicate 五 is the source's own.
	want := []string{
		"0 ",
		"1 一、工作概述",
		"2 二、主动公开政府信息情况",
		"3 三、政务主动公开情况及《2018年临沂市政务公开工作要点》落实情况",
		"4 四、依申请公开办理情况",
		"5 五、政府信息公开的收费及减免情况",
		"6 六、因政府信息公开申请申请行政复议、提起行政诉讼情况",
		"7 五、政策解读、回应关切",
		"8 七、政府信息公开工作存在的主要问题及改进情况",
		"9 八、做好人大代表建议和政协委员提案办理情况的公开情况。",
		"10 统计报表",
	}
	var got []string
	for _, s := range d.Sections {
		if s.Level < 3 {
			got = append(got, s.Number+" "+s.Title)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("chapters:\n got %q\nwant %q", got, want)
	}
	for num, title := range map[string]string{
		"2.1":   "(一)组织领导和制度建设",
		"2.3":   "(三)平台建设情况。",
		"3.9":   "(九)公共企事业单位信息公开情况",
		"10.1":  "一、主动公开情况",
		"10.11": "十一、查阅点接待人数",
		"10.13": "十三、政府信息公开会议和培训情况",
	} {
		s := d.Section(num)
		if s == nil || s.Title != title {
			t.Errorf("section %s: got %+v, want title %q", num, s, title)
		}
	}
	if n := len(d.Section("1").Children); n != 0 {
		t.Errorf("一、工作概述 has %d subsections; its (一)… lines are paragraphs", n)
	}
	if n := len(d.Section("10").Children); n != 13 {
		t.Errorf("统计报表 has %d parts, want 13", n)
	}
	if !strings.HasPrefix(d.Section("0").Text, "本报告由临沂市兰山区人民政府办公室") {
		t.Errorf("lead: %.60q", d.Section("0").Text)
	}
}

// tableRows returns the rows of the Markdown tables in text (header and
// separator rows excluded), each as its trimmed cells, and fails on any
// row that does not have exactly cols cells.
func tableRows(t *testing.T, where, text string, cols int) [][]string {
	t.Helper()
	var rows [][]string
	inTable := 0
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "|") {
			inTable = 0
			continue
		}
		inTable++
		if !strings.HasSuffix(l, "|") {
			t.Errorf("%s body line %d: table row does not end with |: %s", where, i+1, l)
			continue
		}
		cells := strings.Split(l[1:len(l)-1], "|")
		if len(cells) != cols {
			t.Errorf("%s body line %d: %d cells, want %d: %s", where, i+1, len(cells), cols, l)
			continue
		}
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		switch inTable {
		case 1:
			if strings.Join(cells, "|") != "指标|单位|统计数" {
				t.Errorf("%s body line %d: header %q", where, i+1, cells)
			}
		case 2:
			for _, c := range cells {
				if strings.Trim(c, "-:") != "" || !strings.Contains(c, "---") {
					t.Errorf("%s body line %d: not a separator row: %s", where, i+1, l)
				}
			}
		default:
			rows = append(rows, cells)
		}
	}
	return rows
}

func TestDefaultPackTables(t *testing.T) {
	d := defaultDoc(t)
	tableRows(t, d.File, d.Body, 3) // every table, every row: 3 columns
	var visitors *Section
	for _, s := range d.Section("10").Children {
		if strings.Contains(s.Markdown(), "查阅点接待人数") {
			visitors = s
		}
		if len(tableRows(t, s.Number, s.Text, 3)) == 0 {
			t.Errorf("statistics part %s %s has no table rows", s.Number, s.Title)
		}
	}
	if visitors == nil {
		t.Fatal("no statistics part mentions 查阅点接待人数")
	}
	var nums []string
	for _, r := range tableRows(t, visitors.Number, visitors.Text, 3) {
		nums = append(nums, r[2])
	}
	if got := strings.Join(nums, " "); got != "56954 25411 31543" {
		t.Errorf("查阅点接待人数 rows: %s", got)
	}
	// Units sit on their own rows; everything else has none.
	units := map[string]string{}
	for _, r := range tableRows(t, d.File, d.Body, 3) {
		if r[1] != "" {
			units[r[0]] = r[1]
		}
	}
	if len(units) != 2 || units["(三)接受培训人员数"] != "人次" ||
		units["(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费)"] != "万元" {
		t.Errorf("units: %q", units)
	}
}
