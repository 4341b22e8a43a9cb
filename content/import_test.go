package content

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

func importFile(t *testing.T, path string) *Imported {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import(path, data)
	if err != nil {
		t.Fatalf("Import(%s): %v", path, err)
	}
	return im
}

// parseImported parses an import result as the pack loader would and
// fails on any problem but the listed warnings-to-staff.
func parseImported(t *testing.T, im *Imported) *Document {
	t.Helper()
	doc, probs := ParseDocument("imported.md", im.Markdown)
	if len(probs) > 0 || doc == nil {
		t.Fatalf("imported document does not load cleanly:\n%v\n%s", probs, im.Markdown)
	}
	return doc
}

func hasWarning(im *Imported, line int, substr string) bool {
	for _, w := range im.Warnings {
		if w.Line == line && strings.Contains(w.Msg, substr) {
			return true
		}
	}
	return false
}

// Importing the seed must give the default pack's sections; the only
// differences allowed are the chapter numerals the pack restored by hand
// (the importer warns instead of inventing them).
func TestImportSeedMatchesDefaultPack(t *testing.T) {
	im := importFile(t, seedPath)
	if im.Encoding != "UTF-8" || im.HTML {
		t.Errorf("encoding %s, HTML %v", im.Encoding, im.HTML)
	}
	got := parseImported(t, im)
	want := defaultDoc(t)
	restored := map[string]string{"5": "五", "6": "六", "8": "七"} // section number → numeral added by hand
	if len(got.Sections) != len(want.Sections) {
		t.Errorf("imported %d sections, default pack has %d", len(got.Sections), len(want.Sections))
	}
	for i := 0; i < min(len(got.Sections), len(want.Sections)); i++ {
		g, w := got.Sections[i], want.Sections[i]
		title := g.Title
		if n, ok := restored[g.Number]; ok && strings.HasPrefix(title, "、") {
			title = n + title
		}
		if g.Number != w.Number || title != w.Title || g.Level != w.Level {
			t.Errorf("section %d: imported #%s %q (level %d), default pack #%s %q (level %d)",
				i, g.Number, g.Title, g.Level, w.Number, w.Title, w.Level)
		}
	}
	// The statistics tables must be the same, cell for cell.
	gotRows := tableRows(t, "imported", got.Body, 3)
	wantRows := tableRows(t, "default pack", want.Body, 3)
	if len(gotRows) != len(wantRows) {
		t.Errorf("imported %d table rows, default pack has %d", len(gotRows), len(wantRows))
	}
	for i := 0; i < min(len(gotRows), len(wantRows)); i++ {
		if !slices.Equal(gotRows[i], wantRows[i]) {
			t.Errorf("table row %d: imported %q, default pack %q", i, gotRows[i], wantRows[i])
		}
	}
	for k, v := range map[string]string{KeyTitle: want.Title, KeyIndexNo: want.IndexNo, KeyPublisher: want.Publisher,
		KeyCatalogue: want.Catalogue, KeyDate: "2019-01-22", KeyMode: want.Mode, KeyDocNo: ""} {
		if im.Fields[k] != v {
			t.Errorf("front matter %s = %q, want %q", k, im.Fields[k], v)
		}
	}
	// What the pack restored by hand, the importer flags, at the right line.
	for line, msg := range map[int]string{
		17: "201811日", 21: "〔201820号", 41: "4576,", 47: "”", 93: "不成对", 97: "不成对",
		113: "193。", 115: "89,", 55: "〔201830号", 105: "〔2018335号", 117: "“五、”", 121: "“六、”", 125: "重复", 131: "“七、”", 143: "118(",
	} {
		if !hasWarning(im, line, msg) {
			t.Errorf("no warning for line %d mentioning %q; warnings:\n%v", line, msg, im.Warnings)
		}
	}
	// Every sentence of the seed is in the import, in order, but for the
	// lines it reports as dropped — and those are exactly the pack's
	// dropped lines plus the ones that became front matter.
	_, readmeDropped := readPackREADME(t)
	wantDropped := []int{4, 10, 11, 12, 13}
	for n := range readmeDropped {
		wantDropped = append(wantDropped, n)
	}
	slices.Sort(wantDropped)
	skip := map[int]bool{}
	var gotDropped []int
	for _, d := range im.Dropped {
		skip[d.Line] = true
		gotDropped = append(gotDropped, d.Line)
	}
	if !slices.Equal(gotDropped, wantDropped) {
		t.Errorf("dropped lines %v, want %v", gotDropped, wantDropped)
	}
	assertSentencesInOrder(t, readSeedLines(t), skip, string(im.Markdown), "the imported seed")
}

// shortReport is a small report as copied from a page, for encoding tests.
const shortReport = `欢迎访问测试区人民政府
测试局2019年政府信息公开工作年度报告
索引号: test/2020-0000001
发布机构: 测试局
公开目录: 部门年报
发布日期: 2020/1/20
公开方式: 主动公开
文号: 测政发〔2020〕1号
标题: 测试局2019年政府信息公开工作年度报告

本报告根据《中华人民共和国政府信息公开条例》编制。

一、总体情况

2019年,我局主动公开政府信息120条,
收到申请5件。

(一)主动公开

全年主动公开政府信息120条。

二、存在的主要问题及改进情况

公开内容不够全面。
关闭窗口
`

func TestImportGBK(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(shortReport))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(gbk) {
		t.Fatal("the GBK copy is valid UTF-8; the test would not test decoding")
	}
	im, err := Import("report-gbk.txt", gbk)
	if err != nil {
		t.Fatal(err)
	}
	if im.Encoding != "GB18030" {
		t.Errorf("encoding %q, want GB18030", im.Encoding)
	}
	utf, err := Import("report.txt", []byte(shortReport))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(im.Markdown, utf.Markdown) {
		t.Errorf("GBK import differs from UTF-8 import:\n%s\n---\n%s", im.Markdown, utf.Markdown)
	}
	doc := parseImported(t, im)
	var titles []string
	for _, s := range doc.Sections {
		titles = append(titles, s.Number+" "+s.Title)
	}
	want := []string{"0 ", "1 一、总体情况", "1.1 (一)主动公开", "2 二、存在的主要问题及改进情况"}
	if !slices.Equal(titles, want) {
		t.Errorf("sections %q, want %q", titles, want)
	}
	if doc.IndexNo != "test/2020-0000001" || doc.Date.Format("2006-01-02") != "2020-01-20" || doc.DocNo != "测政发〔2020〕1号" {
		t.Errorf("metadata %+v", doc.Meta)
	}
	// The hard-wrapped paragraph is joined without a space; the line
	// after the sentence end is not.
	if !strings.Contains(doc.Body, "\n2019年,我局主动公开政府信息120条,收到申请5件。\n") {
		t.Errorf("wrapped paragraph not joined:\n%s", doc.Body)
	}
	if strings.Contains(doc.Body, "关闭窗口") || strings.Contains(doc.Body, "欢迎访问") {
		t.Errorf("page chrome left in the body:\n%s", doc.Body)
	}
	if len(im.Warnings) != 0 {
		t.Errorf("unexpected warnings:\n%v", im.Warnings)
	}
}

func TestImportHTML(t *testing.T) {
	const fixture = "testdata/import/report.html"
	im := importFile(t, fixture)
	if !im.HTML {
		t.Fatal("not parsed as HTML")
	}
	doc := parseImported(t, im)
	md := string(im.Markdown)
	for _, bad := range []string{"脚本不是正文", "也不是正文", "样式不是正文", "text-indent", "欢迎访问", "当前位置", "关闭窗口", "版权所有", "&nbsp;", "<", "\u00a0"} {
		if strings.Contains(md, bad) {
			t.Errorf("output contains %q:\n%s", bad, md)
		}
	}
	var titles []string
	for _, s := range doc.Sections {
		titles = append(titles, s.Number+" "+s.Title)
	}
	want := []string{"0 ", "1 一、总体情况", "1.1 (一)主动公开", "1.2 (二)依申请公开", "2 二、存在的主要问题及改进情况",
		"3 、其他需要报告的事项", "4 统计报表", "4.1 一、主动公开情况", "4.2 二、依申请公开情况"}
	if !slices.Equal(titles, want) {
		t.Errorf("sections\n got %q\nwant %q", titles, want)
	}
	if doc.Title != "兰山区测试局2019年政府信息公开工作年度报告" || doc.IndexNo != "lanshan-test/2020-0000002" ||
		doc.Publisher != "兰山区测试局" || doc.Catalogue != "部门信息公开年报" || doc.Mode != "主动公开" ||
		doc.DocNo != "" || doc.Date.Format("2006-01-02") != "2020-01-20" {
		t.Errorf("metadata %+v", doc.Meta)
	}
	if !strings.HasPrefix(doc.Section("0").Text, "本报告根据") {
		t.Errorf("lead %q: the repeated <h1> title or padding was not dropped", doc.Section("0").Text)
	}
	// Source line breaks inside a Chinese paragraph vanish; <br> splits.
	if !strings.Contains(md, "\n2019年,我局认真落实政府信息公开各项要求,全年主动公开政府信息120条。\n") {
		t.Errorf("wrapped source line not joined:\n%s", md)
	}
	rows := tableRows(t, "imported HTML", doc.Body, 3)
	wantRows := [][]string{
		{"(一)主动公开政府信息数", "条", "120"},
		{"其中:主动公开规范性文件数", "件", "2"},
		{"二、依申请公开情况", "件", "5"},
		{"(一)当面申请数", "件", "5"},
		{"(二)政府信息公开专项经费", "万元", ""},
	}
	if !slices.EqualFunc(rows, wantRows, slices.Equal) {
		t.Errorf("table rows\n got %q\nwant %q", rows, wantRows)
	}
	// The lost numeral is reported at its line in the page source.
	src, _ := os.ReadFile(fixture)
	line := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, "、其他需要报告的事项") {
			line = i + 1
		}
	}
	if !hasWarning(im, line, "“三、”") {
		t.Errorf("no lost-numeral warning at line %d:\n%v", line, im.Warnings)
	}
	// The same page saved as GBK imports the same.
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(src)
	if err != nil {
		t.Fatal(err)
	}
	im2, err := Import("report-gbk.htm", gbk)
	if err != nil {
		t.Fatal(err)
	}
	if im2.Encoding != "GB18030" || !bytes.Equal(im2.Markdown, im.Markdown) {
		t.Errorf("GBK page (%s) imports differently:\n%s", im2.Encoding, im2.Markdown)
	}
}

func TestImportRejectsGarbage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty.txt", nil, ErrEmpty},
		{"blank.txt", []byte(" \n\t\r\n"), ErrEmpty},
		{"report.pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ErrBinary},
		{"report.docx", []byte("PK\x03\x04\x14\x00\x06\x00"), ErrBinary},
		{"scan.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrBinary},
		{"random.bin", random, ErrBinary},
		{"latin1.txt", []byte("Caf\xe9 \xff\xfe\xff na\xefve \x80\x80"), ErrEncoding},
		{"english.txt", []byte("Annual report\n\n1. Overview\n\nNothing to report.\n"), ErrNoChinese},
		{"empty.html", []byte("<html><head><title>兰山区人民政府</title></head><body><script>var a='一、二、三、四、五、六';</script></body></html>"), ErrNoChinese},
	} {
		im, err := Import(c.name, c.data)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got error %v (result %v), want %v", c.name, err, im != nil, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error does not name the file: %v", c.name, err)
		}
	}
}

func TestImportMissingMetadataWarns(t *testing.T) {
	im, err := Import("bare.txt", []byte("一、总体情况\n\n我局2019年主动公开政府信息120条,没有收到申请。\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(im, 1, "没有找到元数据") {
		t.Errorf("no warning about missing metadata:\n%v", im.Warnings)
	}
	for _, k := range []string{KeyIndexNo, KeyTitle, KeyDate} {
		if v, ok := im.Fields[k]; !ok || v != "" {
			t.Errorf("field %s = %q, %v; want present and empty for staff to fill in", k, v, ok)
		}
		if !strings.Contains(string(im.Markdown), "\n"+k+":\n") {
			t.Errorf("front matter lacks an empty %s line:\n%s", k, im.Markdown)
		}
		if !hasWarning(im, 0, "缺少元数据 "+k) {
			t.Errorf("no warning that %s is missing:\n%v", k, im.Warnings)
		}
	}
}

func TestChineseNumbers(t *testing.T) {
	for n := 1; n <= 99; n++ {
		s := chineseNumeral(n)
		if got := chineseNumber(s); got != n {
			t.Errorf("chineseNumber(%q) = %d, want %d", s, got, n)
		}
	}
	for s, want := range map[string]int{"十三": 13, "二十": 20, "一百零五": 105, "甲": 0, "": 0} {
		if got := chineseNumber(s); got != want {
			t.Errorf("chineseNumber(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzImport(f *testing.F) {
	// Seeds are kept to a few KB: the fuzzer minimises every input that
	// finds new code before it goes on, and minimising the whole 25 KB
	// seed takes the whole fuzzing time. The unit tests cover the seed.
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.Split(string(seed), "\n")
	f.Add("seed-head.txt", []byte(strings.Join(lines[:24], "\n")))
	f.Add("seed-part.txt", []byte(strings.Join(lines[106:124], "\n")))
	f.Add("seed-table.txt", []byte(strings.Join(lines[140:200], "\n")+strings.Join(lines[436:], "\n")))
	html, err := os.ReadFile("testdata/import/report.html")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("report.html", html)
	f.Add("short.txt", []byte(shortReport))
	if gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(shortReport)); err == nil {
		f.Add("gbk.txt", gbk)
	}
	f.Add("x.html", []byte("<table><tr><td>统计指标</td><td>单位</td><td>统计数</td></tr><tr><td>一、情况|甲</td><td>5</td><td>5</td></tr></table>"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		im, err := Import(name, data)
		if err != nil {
			if im != nil {
				t.Fatal("both a result and an error")
			}
			return
		}
		if !utf8.Valid(im.Markdown) || !bytes.HasPrefix(im.Markdown, []byte("---\n")) {
			t.Fatalf("output is not a UTF-8 document with front matter:\n%q", im.Markdown)
		}
		// The front matter must always parse; only missing or invalid
		// values may be reported, which staff then fill in.
		_, probs := ParseDocument("fuzz.md", im.Markdown)
		for _, p := range probs {
			if strings.Contains(p.Msg, "文首元数据") || strings.Contains(p.Msg, "元数据行") || strings.Contains(p.Msg, "重复") {
				t.Fatalf("broken front matter: %v\n%s", p, im.Markdown)
			}
		}
		for _, w := range im.Warnings {
			if w.Line < 0 || !w.Warning {
				t.Fatalf("bad warning %+v", w)
			}
		}
	})
}

func TestImportLineKinds(t *testing.T) {
	in := strings.Join([]string{
		"索引号: t/1", "发布机构: 测试局", "公开目录: 年报", "发布日期: 2020年01月20日", "公开方式: 主动公开", "标题: 测试报告", "",
		"一、总体情况", "",
		"(一)深入开展主动公开工作。对照要求,不断强化公开理念。", "",
		"(二)平台建设情况。", "",
		"1、政府门户网站", "",
		"2.3万元用于平台建设,已全部支出。", "",
		"#不是标题的一段话,以井号开头。", "",
		"三、做好建议提案办理情况的公开。2018年共办理建议提案328件。", "",
		"四、" + strings.Repeat("很长的一段以序号开头的正文", 6) + "。", "",
		"、其他事项", "",
		"无。",
	}, "\n")
	im, err := Import("kinds.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimPrefix(strings.SplitN(string(im.Markdown), "---\n", 3)[2], "\n")
	want := strings.Join([]string{
		"## 一、总体情况",
		"(一)深入开展主动公开工作。对照要求,不断强化公开理念。",
		"### (二)平台建设情况。",
		"#### 1、政府门户网站",
		"2.3万元用于平台建设,已全部支出。",
		`\#不是标题的一段话,以井号开头。`,
		"## 三、做好建议提案办理情况的公开。",
		"2018年共办理建议提案328件。",
		"四、" + strings.Repeat("很长的一段以序号开头的正文", 6) + "。",
		"## 、其他事项",
		"无。",
	}, "\n\n") + "\n"
	if body != want {
		t.Errorf("body:\n%s\nwant:\n%s", body, want)
	}
	if im.Fields[KeyDate] != "2020-01-20" {
		t.Errorf("date %q", im.Fields[KeyDate])
	}
	for line, msg := range map[int]string{20: "跳到“三、”", 22: "太长", 24: "“四、”"} {
		if !hasWarning(im, line, msg) {
			t.Errorf("no warning at line %d about %q:\n%v", line, msg, im.Warnings)
		}
	}
}

func TestImportRemovesStrayControls(t *testing.T) {
	in := strings.Replace(shortReport, "主动公开政府信息120条。", "主动公开\b政府信息\u202e120条。", 1)
	im, err := Import("controls.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(im.Markdown, "\b\u202e") || !bytes.Contains(im.Markdown, []byte("主动公开政府信息120条。")) {
		t.Errorf("controls not removed:\n%s", im.Markdown)
	}
	if !hasWarning(im, 0, "已删除 2 个") {
		t.Errorf("no warning about removed controls:\n%v", im.Warnings)
	}
}

// A GBK-encoded pack document (what `content check` sends to import) is
// converted to UTF-8 line for line, not re-imported as a web page.
func TestImportGBKPackDocumentKeepsMarkdown(t *testing.T) {
	doc := "---\n标题: 关于冬季供暖的通知\n索引号: lanshanqulsqzf/2026-0000200\n发布机构: 兰山区住建局\n发布日期: 2026-11-01\n公开目录: 通知公告\n公开方式: 主动公开\n---\n\n## 一、供暖时间\n\n供暖时间为11月15日至次年3月15日。\n\n## 二、报修电话\n\n| 事项 | 电话 |\n| --- | --- |\n| 供暖服务热线 | 12345 |\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(doc)
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import("notice.md", []byte(gbk))
	if err != nil {
		t.Fatal(err)
	}
	if string(im.Markdown) != doc {
		t.Fatalf("the document changed:\n%s", im.Markdown)
	}
	d, probs := ParseDocument("notice.md", im.Markdown)
	if d == nil || len(d.Sections) != 2 {
		t.Fatalf("sections lost: %v %v", d, probs)
	}
}

// Import converts UTF-16 without a byte-order mark, which it used to call
// binary (its ASCII characters hold NUL bytes).
func TestImportUTF16WithoutBOM(t *testing.T) {
	src := "一、总体情况\n\n我局2019年主动公开政府信息120条,没有收到申请。\n"
	want, err := Import("r.txt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range []xunicode.Endianness{xunicode.LittleEndian, xunicode.BigEndian} {
		im, err := Import("r.txt", utf16NoBOM(t, src, order))
		if err != nil {
			t.Fatalf("order %v: %v", order, err)
		}
		if im.Encoding != "UTF-16" || !bytes.Equal(im.Markdown, want.Markdown) {
			t.Errorf("order %v: %s\n%s", order, im.Encoding, im.Markdown)
		}
	}
}

func TestReadImportLimit(t *testing.T) {
	zeros := func(n int64) io.Reader { return io.LimitReader(zeroReader{}, n) }
	if data, err := ReadImport(zeros(MaxImportBytes)); err != nil || len(data) != MaxImportBytes {
		t.Errorf("at the limit: %d bytes, %v", len(data), err)
	}
	if _, err := ReadImport(zeros(MaxImportBytes + 1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte over: %v", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
