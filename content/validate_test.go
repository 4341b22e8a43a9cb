package content

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"kiosk/internal/termtext"
)

// TestCheckTestdataPacks runs Check on every pack under testdata/packs and
// compares the problems with what each pack is there to show.
func TestCheckTestdataPacks(t *testing.T) {
	cases := []struct {
		pack string
		want []string // each problem's String(), in order
	}{
		{"good", nil},
		{"good.zip", nil},
		{"good.tar.gz", nil},
		{"missing-field", []string{
			`doc.md:6: 元数据行应为 "键: 值"`,
			"doc.md:1: 缺少元数据 发布机构",
		}},
		{"bad-date", []string{`doc.md:5: 发布日期: 日期 "2019-02-29" 不是有效的 YYYY-MM-DD 日期`}},
		{"dup-indexno", []string{"b.md:3: 索引号 ceshiqu/2019-0000005 与 a.md 重复"}},
		{"dangling-ref", []string{
			"doc.md:13: 链接 #9 指向不存在的目标: 文档 ceshiqu/2019-0000006 中没有第 9 节",
			"doc.md:13: 链接 ref:ceshiqu/2099-9999999#1 指向不存在的目标: 没有索引号为 ceshiqu/2099-9999999 的文档",
			"doc.md:17: 链接 #1.3 指向不存在的目标: 文档 ceshiqu/2019-0000006 中没有第 1.3 节",
			`doc.md:17: 链接 #第一部分 中的 "第一部分" 不是章节号(应为 0、4 或 4.2 这样的编号)`,
		}},
		{"gbk", []string{"doc.md:2: 文件是 GBK/GB18030 编码,不是 UTF-8;请用 kiosk content import 转换后再检查"}},
		{"control-chars", []string{
			`doc.md:9: 警告: 已删除控制字符或转义序列 "\x1b[31m\x1b[0m"`,
			`doc.md:13: 警告: 已删除控制字符或转义序列 "\a\x1b]0;改标题\a\b"`,
		}},
		{"empty", []string{"empty: 内容包是空的:没有 pack.toml,也没有 .md 文档"}},
		{"no-frontmatter", []string{"doc.md:1: 缺少文首元数据(文件应以 --- 开头)"}},
		{"zipslip.zip", []string{"../../etc/evil.md: 条目路径含有 ..(可能写到内容包以外),已拒绝"}},
		{"absolute.tar.gz", []string{"/etc/evil.md: 条目使用绝对路径,已拒绝"}},
		{"symlink.zip", []string{"link.md: 条目是符号链接,已拒绝"}},
		{"symlink.tar.gz", []string{"link.md: 条目是符号链接,已拒绝"}},
		{"hardlink.tar.gz", []string{"hard.md: 条目是硬链接,已拒绝"}},
		{"device.tar.gz", []string{"dev/null.md: 条目是设备文件,已拒绝", "dev/fifo.md: 条目是命名管道,已拒绝"}},
	}
	for _, c := range cases {
		t.Run(c.pack, func(t *testing.T) {
			p, probs, err := Check(filepath.Join("testdata", "packs", c.pack), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, pr := range probs {
				got = append(got, pr.String())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if (p != nil) != (len(probs.Errors()) == 0) {
				t.Errorf("pack %v with %d errors", p != nil, len(probs.Errors()))
			}
		})
	}
}

func TestGoodPackContent(t *testing.T) {
	p, probs, err := Check(filepath.Join("testdata", "packs", "good"), DefaultLimits())
	if err != nil || p == nil {
		t.Fatal(err, probs)
	}
	if len(p.Docs) != 2 {
		t.Fatalf("%d docs", len(p.Docs))
	}
	d, s, err := p.Find("ceshiqu/2019-0000001#2.1")
	if err != nil || s.Title != "依申请公开情况" {
		t.Fatalf("Find: %v %v", s, err)
	}
	links := DocumentLinks(d)
	want := []Link{
		{Line: 15, Text: "依申请公开情况", Target: "#2.1", Section: "2.1"},
		{Line: 25, Text: "办事指南", Target: "ref:ceshiqu/2019-0000002#1", IndexNo: "ceshiqu/2019-0000002", Section: "1"},
	}
	if len(links) != len(want) {
		t.Fatalf("links %+v", links)
	}
	for i := range want {
		if links[i] != want[i] {
			t.Errorf("link %d = %+v, want %+v", i, links[i], want[i])
		}
		td, ts, err := p.Resolve(d, links[i])
		if err != nil || td == nil || ts == nil {
			t.Errorf("Resolve %+v: %v", links[i], err)
		}
	}
	if d.Keywords[1] != "信息公开" || len(d.Keywords) != 3 {
		t.Errorf("keywords %q", d.Keywords)
	}
}

// A document with no lead text: link lines count from the first heading.
func TestLinkLinesWithoutLead(t *testing.T) {
	src := "---\n标题: t\n索引号: a\n发布机构: p\n发布日期: 2019-01-01\n公开目录: c\n公开方式: m\n---\n\n\n## 一\n\n见[二](#2)\n\n## 二\n\n[x](#3)\n"
	d, probs := ParseDocument("x.md", []byte(src))
	if d == nil {
		t.Fatal(probs)
	}
	probs = checkLinks([]*Document{d}, true)
	if len(probs) != 1 || probs[0].Line != 17 {
		t.Fatalf("problems %v", probs)
	}
}

func TestEncodingProblems(t *testing.T) {
	utf16 := []byte{0xff, 0xfe, '-', 0, '-', 0, '-', 0}
	if p := encodingProblem("a.md", utf16); !strings.Contains(p.Msg, "UTF-16") {
		t.Errorf("UTF-16: %s", p)
	}
	latin := []byte("---\nok\n\xff\xfe\xfd garbage \x80")
	if p := encodingProblem("a.md", latin); p.Line != 3 || strings.Contains(p.Msg, "GB18030") {
		t.Errorf("binary: %s", p)
	}
}

func TestManySanitizeWarningsAreCapped(t *testing.T) {
	body := strings.Repeat("x\x07\n", 30)
	src := "---\n标题: t\n索引号: a\n发布机构: p\n发布日期: 2019-01-01\n公开目录: c\n公开方式: m\n---\n" + body
	d, probs := ParseDocument("x.md", []byte(src))
	if d == nil || len(probs) != 11 || !strings.Contains(probs[10].Msg, "另有 20 行") {
		t.Fatalf("%d problems: %v", len(probs), probs)
	}
}

// FuzzFrontMatter feeds arbitrary documents to the parser: it must not
// panic, every problem must have a location, a parsed document must hold
// only clean text, and its links must carry lines inside the file.
func FuzzFrontMatter(f *testing.F) {
	f.Add([]byte("---\n标题: t\n索引号: a\n发布机构: p\n发布日期: 2019-01-01\n公开目录: c\n公开方式: m\n---\n## 一\n[x](#1)\n### 二\n[y](ref:a#1.1)"))
	f.Add([]byte("---\n标题：全角冒号\n网址: http://x\n关键词: a，b、c\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("\ufeff---\r\n标题: \"q\"\r\n---\r\n\x1b[31m"))
	f.Add([]byte("---\n发布日期: 2019-02-30\n"))
	for _, name := range []string{"good/2019/annual-report.md", "dangling-ref/doc.md", "control-chars/doc.md", "gbk/doc.md"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "packs", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, probs := ParseDocument("f.md", data)
		nlines := strings.Count(string(data), "\n") + 1
		for _, p := range probs {
			if p.File != "f.md" || p.Line < 0 || p.Line > nlines || p.Msg == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
		if (d == nil) == (len(probs.Errors()) == 0) {
			t.Fatalf("doc %v with problems %v", d != nil, probs)
		}
		if d == nil {
			return
		}
		for _, s := range []string{d.Title, d.IndexNo, d.Body} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && termtext.Unsafe(r) }) {
				t.Fatalf("unclean text %q", s)
			}
		}
		for _, s := range d.Sections {
			if s.Doc != d || s.Line < 1 || s.Line > nlines {
				t.Fatalf("section %+v", s)
			}
		}
		for _, lk := range DocumentLinks(d) {
			if lk.Line < 1 || lk.Line > nlines {
				t.Fatalf("link %+v outside %d lines", lk, nlines)
			}
		}
		checkLinks([]*Document{d}, true)
	})
}

// utf16NoBOM encodes s as UTF-16 without a byte-order mark, as some editors
// and Windows tools ("Unicode" without signature) save it.
func utf16NoBOM(t testing.TB, s string, order xunicode.Endianness) []byte {
	b, err := xunicode.UTF16(order, xunicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// UTF-16 without a byte-order mark was called GBK (GB18030 decodes the NUL
// bytes of its ASCII characters without complaint).
func TestEncodingUTF16WithoutBOM(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "packs", "good", "guide.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range []xunicode.Endianness{xunicode.LittleEndian, xunicode.BigEndian} {
		data := utf16NoBOM(t, string(doc), order)
		d, probs := ParseDocument("guide.md", data)
		if d != nil || len(probs) != 1 || !strings.Contains(probs[0].Msg, "UTF-16") || strings.Contains(probs[0].Msg, "GBK") {
			t.Errorf("order %v: %v", order, probs)
		}
	}
	// Chinese text with few ASCII characters (one line break a paragraph)
	// is still recognised.
	text := "---\n" + strings.Repeat(strings.Repeat("政府信息公开工作年度报告依申请公开情况", 10)+"\n", 20)
	if p := encodingProblem("a.md", utf16NoBOM(t, text, xunicode.LittleEndian)); !strings.Contains(p.Msg, "UTF-16") {
		t.Errorf("mostly Chinese: %s", p)
	}
	// GBK stays GBK; random bytes with NULs are not UTF-16.
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes(doc)
	if p := encodingProblem("a.md", gbk); !strings.Contains(p.Msg, "GBK") {
		t.Errorf("GBK: %s", p)
	}
	r := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	if _, ok := utf16Order(random); ok {
		t.Error("random bytes taken for UTF-16")
	}
}

// UTF-8 text with a few stray NUL bytes is not UTF-16: the NULs are removed
// with a warning, as other control characters are.
func TestStrayNULsAreNotUTF16(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("defaultpack", "lanshan-2018-annual-report.md"))
	if err != nil {
		t.Fatal(err)
	}
	stray := 0
	for i := 1001; i < len(b); i += 2 {
		if b[i] == ' ' || b[i] == '\n' {
			b[i] = 0 // a NUL at an odd offset, where UTF-16LE has them
			stray++
			i += 400
		}
	}
	if stray < 20 {
		t.Fatalf("only %d stray NULs", stray)
	}
	if isUTF16(b) {
		t.Fatal("UTF-8 with stray NULs taken for UTF-16")
	}
	if d, probs := ParseDocument("guide.md", b); d == nil {
		t.Fatal(probs)
	}
}

// headingsDoc is a document with n ## headings.
func headingsDoc(indexNo string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "---\n标题: t\n索引号: %s\n发布机构: p\n发布日期: 2019-01-01\n公开目录: c\n公开方式: m\n---\n", indexNo)
	for i := range n {
		fmt.Fprintf(&b, "## 第%d部分\n", i+1)
	}
	return []byte(b.String())
}

const manifest = "title = \"t\"\nversion = \"1\"\npublished = \"2019-01-22\"\npublisher = \"p\"\n"

// A document of 391,388 headings loaded and froze the kiosk's contents
// list; sections per document and per pack are limited.
func TestSectionLimits(t *testing.T) {
	if d, probs := ParseDocument("a.md", headingsDoc("a", MaxDocSections)); d == nil || len(d.Sections) != MaxDocSections {
		t.Fatalf("at the limit: %v", probs)
	}
	d, probs := ParseDocument("a.md", headingsDoc("a", MaxDocSections+1))
	want := fmt.Sprintf("a.md:%d: 第 %d 个章节超过每篇文档最多 2,000 个章节的上限 / more than 2,000 sections in one document", 9+MaxDocSections, MaxDocSections+1)
	if d != nil || probs.Error() != want {
		t.Fatalf("over the limit: %v", probs)
	}

	fsys := fstest.MapFS{ManifestFile: {Data: []byte(manifest)}}
	n := MaxPackSections / MaxDocSections
	for i := range n {
		fsys[fmt.Sprintf("d%03d.md", i)] = &fstest.MapFile{Data: headingsDoc(fmt.Sprint(i), MaxDocSections)}
	}
	if p, probs := Load(fsys); p == nil {
		t.Fatalf("pack at the limit: %v", probs)
	}
	fsys[fmt.Sprintf("d%03d.md", n)] = &fstest.MapFile{Data: headingsDoc("last", 1)}
	p, probs := Load(fsys)
	want = fmt.Sprintf("d%03d.md:9: 内容包的章节超过 200,000 个的上限 / more than 200,000 sections in the pack", n)
	if p != nil || probs.Error() != want {
		t.Fatalf("pack over the limit: %v", probs)
	}
}
