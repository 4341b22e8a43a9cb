package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Import turns a disclosure report as published — the plain text copied
// from its web page, or the saved HTML page itself, in UTF-8, UTF-16 (with
// or without BOM) or GBK/GB18030 — into a pack document: front matter plus
// Markdown body, laid out the way the default pack is (see
// defaultpack/README.md).
//
// name is the input's file name; it only labels warnings and decides
// nothing except that a .htm/.html name forces HTML parsing.
//
// Import does what is mechanical and reports what needs a person: it does
// not restore characters lost by the extraction (a missing chapter
// numeral, 年/月 missing from a date), it warns with the input line number
// instead. The result always parses; when metadata is missing the
// front matter carries the key with an empty value and a warning, so staff
// fill it in before the document loads into a pack.
//
// The error is non-nil only when the input is not a report at all: empty,
// binary (PDF, Word, images), in an unknown encoding, or without Chinese
// text. It wraps one of ErrEmpty, ErrBinary, ErrEncoding, ErrNoChinese.
func Import(name string, data []byte) (*Imported, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("导入 %s: %w", name, ErrEmpty)
	}
	if kind := binaryKind(data); kind != "" {
		return nil, fmt.Errorf("导入 %s: %w(看起来是 %s 文件,请先在浏览器中打开原网页另存为网页或文本)", name, ErrBinary, kind)
	}
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, fmt.Errorf("导入 %s: %w", name, err)
	}
	text, removed := removeControls(text)
	// A stray control character (a backspace pasted from Word) is
	// removed; many of them mean the input is binary data.
	if removed > 8 && removed > utf8.RuneCountInString(text)/100 {
		return nil, fmt.Errorf("导入 %s: %w(含 %d 个控制字符)", name, ErrBinary, removed)
	}
	im := &Imported{Encoding: enc}
	if removed > 0 {
		im.Warnings = append(im.Warnings, Problem{File: name, Msg: fmt.Sprintf("已删除 %d 个控制字符或文字方向控制符", removed), Warning: true})
	}
	// A pack document already (front matter and Markdown) in another
	// encoding: convert the encoding only and keep every line, then check
	// it as the loader will.
	if strings.HasPrefix(strings.TrimLeft(text, "\ufeff"), "---\n") || strings.HasPrefix(strings.TrimLeft(text, "\ufeff"), "---\r\n") {
		doc := strings.ReplaceAll(strings.TrimLeft(text, "\ufeff"), "\r\n", "\n")
		im.Markdown = []byte(doc)
		d, probs := ParseDocument(name, im.Markdown)
		if d == nil {
			return nil, fmt.Errorf("导入 %s: 文件已是内容包文档(以 --- 开头),但有错误:\n%w", name, probs.Errors())
		}
		im.Fields = map[string]string{KeyTitle: d.Title, KeyIndexNo: d.IndexNo, KeyPublisher: d.Publisher,
			KeyDate: d.Date.Format("2006-01-02"), KeyCatalogue: d.Catalogue, KeyMode: d.Mode, KeyDocNo: d.DocNo, KeyURL: d.URL}
		im.Warnings = append(im.Warnings, probs...)
		if enc != "UTF-8" {
			im.Warnings = append(im.Warnings, Problem{File: name, Msg: "文件已是内容包文档,只把编码从 " + enc + " 转换为 UTF-8,内容未改动", Warning: true})
		}
		return im, nil
	}
	var lines []srcLine
	pageTitle := ""
	if looksLikeHTML(name, text) {
		im.HTML = true
		lines, pageTitle = htmlLines(text)
	} else {
		lines = textLines(text)
	}
	han := 0
	for _, l := range lines {
		han += countHan(l.text)
	}
	if han < minHan {
		return nil, fmt.Errorf("导入 %s: %w(只找到 %d 个汉字)", name, ErrNoChinese, han)
	}
	b := &importer{name: name, im: im, fields: map[string]string{}, pageTitle: pageTitle}
	b.run(lines)
	return im, nil
}

// Imported is the result of Import.
type Imported struct {
	// Markdown is the pack document: front matter between --- lines, then
	// the body. Write it to a .md file in a pack.
	Markdown []byte
	// Fields holds the front matter values by their Chinese keys (标题,
	// 索引号, …); a key Import could not fill is present with "".
	Fields map[string]string
	// Encoding is the input's encoding: "UTF-8", "UTF-16" or "GB18030".
	Encoding string
	// HTML tells whether the input was parsed as an HTML page.
	HTML bool
	// Dropped lists the input lines left out of the document (web page
	// chrome, the metadata header that became front matter), so staff can
	// check nothing of the report went with them.
	Dropped []DroppedLine
	// Warnings are what Import could not decide; each names an input line
	// (for HTML, the line of the page source). Warning is true in all.
	Warnings Problems
}

// DroppedLine is one input line Import left out of the document.
type DroppedLine struct {
	Line int
	Text string
	Why  string
}

// MaxImportBytes is the largest input ReadImport reads: four times a pack
// document's limit (4 MiB), room for a saved web page's markup around a
// report at that limit, or for GBK text that grows by half as UTF-8.
// Import needs about 10 bytes of memory per input byte (16 MiB of text:
// 150 MB, measured), so the limit also bounds the memory of
// kiosk content import.
const MaxImportBytes = 16 << 20

// ErrTooLarge is returned by ReadImport for an input over MaxImportBytes.
var ErrTooLarge = fmt.Errorf("文件超过导入大小上限 %s (file larger than the %s import limit)", sizeText(MaxImportBytes), sizeText(MaxImportBytes))

// ReadImport reads an input for Import from r, never more than
// MaxImportBytes and one byte: memory stays bounded whatever r holds.
func ReadImport(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, ErrTooLarge
	}
	return data, nil
}

// Errors wrapped by Import.
var (
	ErrEmpty     = errors.New("文件是空的")
	ErrBinary    = errors.New("不是文本文件")
	ErrEncoding  = errors.New("无法识别文本编码(不是 UTF-8、UTF-16 或 GBK/GB18030)")
	ErrNoChinese = errors.New("没有中文正文,不像是政府信息公开报告")
)

// minHan is the fewest Chinese characters a report can have; below it the
// input is something else (an English page, a log file, random bytes that
// happened to decode).
const minHan = 10

// minWrapped is the shortest line taken for part of a hard-wrapped
// paragraph (pages and editors wrap Chinese at 30–40 characters).
const minWrapped = 20

// binaryKind recognises the binary formats staff are likely to pick up
// instead of the page text, to say what they gave.
func binaryKind(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "PDF"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "ZIP/Word(docx)/Excel(xlsx)"
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return "Word(doc)/Excel(xls)"
	case bytes.HasPrefix(data, []byte("\x89PNG")), bytes.HasPrefix(data, []byte("GIF8")), bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return "图片"
	case bytes.IndexByte(data, 0) >= 0 && !isUTF16(data):
		return "二进制"
	}
	return ""
}

// decodeText returns data as UTF-8 text. Pages of Chinese government sites
// are often GBK; invalid UTF-8 that decodes as GB18030 without a single
// replacement character is taken to be GB18030 (a superset of GBK and
// GB2312). UTF-16 is recognised by its byte-order mark or, without one, by
// the NUL bytes of its ASCII characters (utf16Order).
func decodeText(data []byte) (string, string, error) {
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		data = data[3:]
	} else if order, ok := utf16Order(data); ok {
		dec := xunicode.UTF16(order, xunicode.UseBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			return "", "", ErrEncoding
		}
		return string(out), "UTF-16", nil
	}
	if utf8.Valid(data) {
		return string(data), "UTF-8", nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) || !utf8.Valid(out) {
		return "", "", ErrEncoding
	}
	return string(out), "GB18030", nil
}

// removeControls removes control characters other than line breaks and
// tabs, and the bidirectional overrides that can reorder what a terminal
// shows: report text has none of them, binary data decoded as text has
// many. It returns the text and how many it removed.
func removeControls(s string) (string, int) {
	n := 0
	out := strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return r
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			n++
			return -1
		}
		return r
	}, s)
	return out, n
}

func countHan(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}

// srcLine is one line of the report's text with its line number in the
// input (1-based), so warnings point where staff can look.
type srcLine struct {
	no   int
	text string
}

func textLines(text string) []srcLine {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var out []srcLine
	for i, l := range strings.Split(text, "\n") {
		out = append(out, srcLine{i + 1, l})
	}
	return out
}

// trimSpace trims Unicode white space, which includes the no-break and
// ideographic spaces pages pad cells with.
func trimSpace(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// runeLen counts characters, the measure of "short" for Chinese lines.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// Line patterns. Brackets and punctuation come in ASCII and full-width
// forms in published reports (the seed uses ASCII parentheses), so every
// pattern accepts both.
var (
	// 一、工作概述 — a chapter; the numeral is group 1.
	chapterRE = regexp.MustCompile(`^([一二三四五六七八九十百零〇]+)[、\x{FF0E}.]\s*(.*)$`)
	// (一)组织领导和制度建设 — a sub-heading when standalone and short.
	subRE = regexp.MustCompile(`^[(\x{FF08}][一二三四五六七八九十]+[)\x{FF09}]`)
	// 1、政府门户网站 / 1.政府公报… — a numbered item.
	// Not "2.3万元": a digit after the dot makes it a number.
	itemRE = regexp.MustCompile(`^[0-9\x{FF10}-\x{FF19}]{1,2}[、.\x{FF0E}][^0-9\x{FF10}-\x{FF19}]`)
	// A statistics value: digits, possibly with thousands separators or decimals.
	numberRE = regexp.MustCompile(`^-?[0-9\x{FF10}-\x{FF19}][0-9\x{FF10}-\x{FF19},\x{FF0C}.\x{FF0E}]*$`)
	// Losses the extraction is known to make (see defaultpack/README.md).
	lostDateRE  = regexp.MustCompile(`(^|[^0-9])(20[0-9]{2})([0-9]{1,4})日`)
	lostDocNoRE = regexp.MustCompile(`〔[0-9]{4}[0-9]+号`)
	// A count with its measure word, and a count right after a Chinese
	// character (not part of a date, phone number or code) and right
	// before punctuation.
	measuredRE   = regexp.MustCompile(`[0-9]+余?[件条]`)
	bareNumberRE = regexp.MustCompile(`\p{Han}([0-9]+)([,;()\x{FF0C}\x{FF1B}\x{FF08}\x{FF09}。])`)
	// Page chrome: lines that are site navigation, counters and buttons,
	// never report text. Matched only on short lines (see isChrome).
	chromeRE = regexp.MustCompile(`欢迎访问|^简体\s*繁体|繁體|网站支持IPv6|无障碍|长者模式|点击数|点击量|浏览次数|访问量|关闭窗口|打印本页|【打印】|【关闭】|扫一扫|分享到|字号[::\x{FF1A}]?\s*[大中小]|^上一篇|^下一篇|当前位置|您现在的位置|版权所有|网站标识码|ICP备|公网安备|主办单位[::\x{FF1A}]|^首页\s*[>»]`)
)

// sentenceEnd reports whether r ends a sentence (ASCII or full-width).
func sentenceEnd(r rune) bool {
	switch r {
	case '。', '!', '?', ';', '\uFF01', '\uFF1F', '\uFF1B':
		return true
	}
	return false
}

func isChrome(s string) bool { return runeLen(s) <= 60 && chromeRE.MatchString(s) }

// canonicalKey maps the metadata labels sites use to front matter keys.
func canonicalKey(k string) string {
	k = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, k)
	switch k {
	case "索引号", "信息索引号", "索引":
		return KeyIndexNo
	case "公开目录", "信息分类", "公开类别", "所属目录":
		return KeyCatalogue
	case "发布机构", "发文机关", "发布单位", "发布部门":
		return KeyPublisher
	case "发布日期", "发布时间", "公开日期", "生成日期":
		return KeyDate
	case "公开方式", "公开形式":
		return KeyMode
	case "文号", "发文字号":
		return KeyDocNo
	case "标题", "名称", "文件名称":
		return KeyTitle
	case "网址", "链接":
		return KeyURL
	case "关键词", "主题词":
		return KeyKeywords
	}
	return ""
}

// frontMatterKeys is the order of keys in the written front matter (the
// default pack's order).
func frontMatterKeys() []string {
	return []string{KeyTitle, KeyIndexNo, KeyPublisher, KeyCatalogue, KeyDate, KeyMode, KeyDocNo, KeyURL, KeyKeywords}
}

// importer holds the state of one Import call.
type importer struct {
	name   string
	im     *Imported
	fields map[string]string
	// fromKV marks fields that came from a "key: value" line; the
	// table-like header is only used for keys those lines lack.
	fromKV map[string]bool
	blocks []string // Markdown blocks of the body, in order
	// paragraph joining: the block index, input line and that line's
	// length of the last paragraph, so a hard-wrapped paragraph is joined
	// back.
	lastPara, lastParaNo, lastLineLen int
	// chapter numbering, for warnings about lost or repeated numerals
	lastChapter int
	inChapter   bool
	pageTitle   string // an HTML page's <title>, the title of last resort
}

func (b *importer) warn(line int, format string, args ...any) {
	b.im.Warnings = append(b.im.Warnings, Problem{File: b.name, Line: line, Msg: fmt.Sprintf(format, args...), Warning: true})
}

func (b *importer) drop(l srcLine, why string) {
	if t := trimSpace(l.text); t != "" {
		b.im.Dropped = append(b.im.Dropped, DroppedLine{l.no, t, why})
	}
}

func (b *importer) run(lines []srcLine) {
	b.fromKV = map[string]bool{}
	b.lastPara = -1
	body := b.header(lines)
	b.body(body)
	b.finish()
}

// header reads the metadata at the top of the page and returns the lines
// after it. The header ends before the first chapter heading or long
// paragraph; within it, lines that carry metadata are used, chrome is
// dropped, and anything else before the last metadata line is dropped with
// a warning (unless it is the title, which pages repeat above the header).
func (b *importer) header(lines []srcLine) []srcLine {
	end, last := len(lines), -1
	for i, l := range lines {
		t := trimSpace(l.text)
		if chapterRE.MatchString(t) || (runeLen(t) > 60 && strings.ContainsRune(t, '。')) || i >= 60 {
			end = i
			break
		}
		if b.metaLine(t) {
			last = i
		}
	}
	if last < 0 {
		b.warn(1, "没有找到元数据(索引号、发布机构、发布日期等),请在文首手工填写")
	}
	var out []srcLine
	for i, l := range lines {
		t := trimSpace(l.text)
		switch {
		case i >= end || i > last:
			// Between the metadata and the text, pages show chrome and
			// repeat the title (an <h1>); both are left out.
			if i < end && isChrome(t) {
				b.drop(l, "网页页眉")
				continue
			}
			if i < end && t != "" && b.isTitle(t) {
				b.drop(l, "标题,已写入文首")
				continue
			}
			out = append(out, l)
		case t == "":
		case isChrome(t):
			b.drop(l, "网页页眉")
		case b.metaLine(t):
			b.drop(l, "元数据,已写入文首")
		case b.isTitle(t):
			b.drop(l, "标题,已写入文首")
		default:
			b.drop(l, "元数据之前的内容")
			b.warn(l.no, "元数据之前的一行未放入正文,请核对: %s", t)
		}
	}
	return out
}

// isTitle reports whether t is the title found in the metadata, spaces
// aside.
func (b *importer) isTitle(t string) bool {
	title := b.fields[KeyTitle]
	return title != "" && strings.Join(strings.Fields(t), "") == strings.Join(strings.Fields(title), "")
}

// metaLine records the metadata of a header line and reports whether the
// line is metadata: either "key: value" or a row of the table-like header
// ("索引号  lanshan…  公开目录  …"). It is idempotent, so header can call
// it twice per line.
func (b *importer) metaLine(t string) bool {
	if i := strings.IndexAny(t, ":\uFF1A"); i > 0 {
		if k := canonicalKey(t[:i]); k != "" {
			_, w := utf8.DecodeRuneInString(t[i:])
			v := trimSpace(t[i+w:])
			if v != "" || !b.fromKV[k] {
				b.fields[k] = v
			}
			b.fromKV[k] = true
			return true
		}
	}
	f := strings.FieldsFunc(t, unicode.IsSpace)
	if len(f) == 0 || canonicalKey(f[0]) == "" {
		return false
	}
	for i := 0; i < len(f); i++ {
		k := canonicalKey(f[i])
		if k == "" {
			continue
		}
		v := ""
		if i+1 < len(f) && canonicalKey(f[i+1]) == "" {
			v = f[i+1]
			// A title may contain spaces: it takes the rest of its row.
			if k == KeyTitle {
				v = strings.Join(f[i+1:], " ")
				i = len(f)
			}
			i++
		}
		if !b.fromKV[k] && (b.fields[k] == "" || v != "") {
			b.fields[k] = v
		}
	}
	return true
}

// body lays out the report text: headings from the Chinese numbering,
// one paragraph per line, and the flattened statistics table rebuilt.
func (b *importer) body(lines []srcLine) {
	prevBlank := true
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := trimSpace(l.text)
		if t == "" {
			prevBlank = true
			continue
		}
		if isChrome(t) {
			b.drop(l, "网页页脚")
			continue
		}
		if n := tableHeader(lines, i); n > 0 {
			for _, h := range lines[i : i+n] {
				b.drop(h, "统计表表头,成为每张表的表头行")
			}
			i = b.table(lines, i+n) - 1
			prevBlank = true
			continue
		}
		// Cells of a table that is not the statistics table read as
		// words of a line.
		t = strings.ReplaceAll(t, "\t", " ")
		b.checkLosses(l.no, t)
		b.line(l.no, t, prevBlank)
		prevBlank = false
	}
}

// line places one non-empty body line.
func (b *importer) line(no int, t string, prevBlank bool) {
	if m := chapterRE.FindStringSubmatch(t); m != nil {
		head, rest := t, ""
		if j := strings.IndexRune(t, '。'); j >= 0 && j+len("。") < len(t) {
			head, rest = t[:j+len("。")], trimSpace(t[j+len("。"):])
		}
		if runeLen(head) <= 50 {
			b.chapter(no, head, chineseNumber(m[1]))
			if rest != "" {
				b.paragraph(no, rest, true)
			}
			return
		}
		b.warn(no, "这一行以“%s、”开头但太长,未当作章节标题,请核对", m[1])
	} else if strings.HasPrefix(t, "、") && b.standalone(t, 60) {
		b.chapter(no, t, 0)
		return
	} else if subRE.MatchString(t) && b.standalone(t, 40) && b.inChapter {
		b.heading(3, t)
		return
	} else if itemRE.MatchString(t) && b.standalone(t, 25) && b.inChapter {
		// A standalone numbered line is a heading below ###; the pack
		// keeps it inside its section.
		b.heading(4, t)
		return
	}
	b.paragraph(no, t, prevBlank)
}

// standalone reports whether t looks like a heading line: short, and no
// sentence ends before its last character.
func (b *importer) standalone(t string, limit int) bool {
	if runeLen(t) > limit {
		return false
	}
	rs := []rune(t)
	for _, r := range rs[:len(rs)-1] {
		if sentenceEnd(r) {
			return false
		}
	}
	return true
}

// chapter writes a ## heading; n is its numeral's value, 0 when the
// numeral is missing (the line starts with 、).
func (b *importer) chapter(no int, title string, n int) {
	switch {
	case n == 0:
		b.warn(no, "章节标题以“、”开头,序号可能在抽取时丢失(按顺序应为“%s、”),请核对原文后补上", chineseNumeral(b.lastChapter+1))
		n = b.lastChapter + 1
	case n <= b.lastChapter:
		b.warn(no, "章节序号“%s、”重复或倒退(前面已到“%s、”),请核对原文", chineseNumeral(n), chineseNumeral(b.lastChapter))
	case n != b.lastChapter+1:
		b.warn(no, "章节序号从“%s、”跳到“%s、”,中间可能缺了章节或序号,请核对原文", chineseNumeral(b.lastChapter), chineseNumeral(n))
	}
	b.lastChapter = max(b.lastChapter, n)
	b.inChapter = true
	b.heading(2, title)
}

func (b *importer) heading(level int, title string) {
	b.blocks = append(b.blocks, strings.Repeat("#", level)+" "+title)
	b.lastPara = -1
}

// paragraph adds a paragraph, or continues the previous one when the text
// was hard-wrapped: no blank line between, and the previous line was long
// (a short one is more likely a label or a title) and did not end a
// sentence. Chinese lines join without a space.
func (b *importer) paragraph(no int, t string, prevBlank bool) {
	defer func() { b.lastLineLen = runeLen(t) }()
	if !prevBlank && b.lastPara >= 0 && b.lastParaNo == no-1 && b.lastLineLen >= minWrapped {
		prev := b.blocks[b.lastPara]
		last, _ := utf8.DecodeLastRuneInString(prev)
		if !sentenceEnd(last) && last != '\uFF1A' && last != ':' {
			sep := ""
			first, _ := utf8.DecodeRuneInString(t)
			if last < utf8.RuneSelf && first < utf8.RuneSelf && last != ' ' {
				sep = " " // two ASCII words
			}
			b.blocks[b.lastPara] = prev + sep + t
			b.lastParaNo = no
			return
		}
	}
	// A paragraph line must not read as a heading or code fence to the
	// pack loader.
	if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
		t = `\` + t
	}
	b.blocks = append(b.blocks, t)
	b.lastPara, b.lastParaNo = len(b.blocks)-1, no
}

// checkLosses warns about characters the extraction is known to lose, so
// staff restore them by hand as was done for the default pack.
func (b *importer) checkLosses(no int, t string) {
	if m := lostDateRE.FindStringSubmatch(t); m != nil {
		b.warn(no, "“%s%s日”疑似丢失了“年”“月”,请核对原文", m[2], m[3])
	}
	docNo := lostDocNoRE.FindString(t)
	if docNo != "" {
		b.warn(no, "文号“%s”缺少“〕”,请核对原文", docNo)
	}
	if strings.Contains(t, "http//") || strings.Contains(t, "https//") {
		b.warn(no, "网址缺少“:”(http//),请核对")
	}
	for _, p := range [][2]string{{"“", "”"}, {"《", "》"}, {"〔", "〕"}} {
		o, c := strings.Count(t, p[0]), strings.Count(t, p[1])
		switch {
		case p[0] == "〔" && docNo != "":
			// already reported as a document number
		case o != c:
			b.warn(no, "%s%s 不成对(%d 个 %s,%d 个 %s),可能丢失了字符,请核对原文", p[0], p[1], o, p[0], c, p[1])
		case o > 0 && strings.Index(t, p[1]) < strings.Index(t, p[0]):
			// Balanced counts but a closing mark first: "兰山政务”“兰山发布"
			// lost the outer pair.
			b.warn(no, "%s 出现在 %s 之前,引号/书名号可能丢失,请核对原文", p[1], p[0])
		}
	}
	// When some numbers in a line carry their measure word (226件) and
	// another is followed directly by punctuation (193。), the extraction
	// probably lost that measure word.
	if measuredRE.MatchString(t) {
		for _, m := range bareNumberRE.FindAllStringSubmatch(t, -1) {
			b.warn(no, "“%s”后可能缺少量词(件/条),请核对原文", m[1]+m[2])
		}
	}
}

// tableHeader recognises the header of a flattened statistics table at
// lines[i] — "统 计 指 标", then "单位" and "统计数" on their own lines,
// or all three in one row of cells — and returns how many lines it spans
// (0 when there is none).
func tableHeader(lines []srcLine, i int) int {
	squash := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	first := squash(lines[i].text)
	switch first {
	case "统计指标单位统计数", "指标单位统计数", "统计指标计量单位统计数", "指标名称单位数量":
		return 1
	case "统计指标", "指标", "指标名称":
	default:
		return 0
	}
	want := []map[string]bool{{"单位": true, "计量单位": true}, {"统计数": true, "数量": true, "数值": true}}
	n := 1
	for _, w := range want {
		for i+n < len(lines) && squash(lines[i+n].text) == "" {
			n++
		}
		if i+n >= len(lines) || !w[squash(lines[i+n].text)] {
			return 0
		}
		n++
	}
	return n
}

// isUnit reports whether a whole cell is a unit of measure. Only short
// cells from a fixed list are units, so a label is never taken for one.
func isUnit(s string) bool {
	switch s {
	case "万元", "元", "人次", "人", "个", "件", "条", "次", "期", "份", "篇", "家", "项", "场", "起":
		return true
	}
	return false
}

// statRow is one row of a statistics table.
type statRow struct{ label, unit, value string }

// statPart is one part (一、主动公开情况 …) of the statistics table.
type statPart struct {
	title string
	rows  []statRow
}

// table rebuilds the flattened statistics table from lines[i:], one cell
// per line (label, then optional unit, then optional value), or one row
// per line with cells separated by tabs (from an HTML table). It returns
// the index of the first line it did not consume.
func (b *importer) table(lines []srcLine, i int) int {
	var parts []*statPart
	var row *statRow // the row the next unit or value belongs to
	rowDone := false // the row has its value; a further number has no label
	newRow := func(no int, label string) {
		if chapterRE.MatchString(label) {
			parts = append(parts, &statPart{title: label})
		} else if len(parts) == 0 {
			b.warn(no, "统计表第一行不是“一、”这样的部分标题,已放入“统计表”部分")
			parts = append(parts, &statPart{title: "统计表"})
		}
		p := parts[len(parts)-1]
		p.rows = append(p.rows, statRow{label: label})
		row, rowDone = &p.rows[len(p.rows)-1], false
	}
	for ; i < len(lines); i++ {
		l := lines[i]
		t := trimSpace(l.text)
		if t == "" {
			continue
		}
		if isChrome(t) {
			b.drop(l, "网页页脚")
			continue
		}
		if runeLen(t) > 60 && strings.ContainsRune(t, '。') {
			break // prose after the table
		}
		if strings.Contains(t, "\t") {
			cells := strings.Split(t, "\t")
			for j := range cells {
				cells[j] = trimSpace(cells[j])
			}
			newRow(l.no, cells[0])
			for _, c := range cells[1:] {
				b.cell(l.no, c, row, &rowDone)
			}
			continue
		}
		if row != nil && (numberRE.MatchString(t) || isUnit(t)) {
			b.cell(l.no, t, row, &rowDone)
			continue
		}
		// A label whose parenthesis is still open continues on the next
		// line(s): the page broke it inside the cell.
		label := t
		for k, limit := i+1, i+6; k < len(lines) && k <= limit && openParens(label) > 0; k++ {
			next := trimSpace(lines[k].text)
			if next == "" {
				continue
			}
			if numberRE.MatchString(next) || isUnit(next) || chapterRE.MatchString(next) || subRE.MatchString(next) {
				break
			}
			label += next
			i = k
		}
		newRow(l.no, label)
	}
	// Parts whose own line carries no value: the title is the ### heading
	// only. Parts whose line carries one keep it as their first row.
	for _, p := range parts {
		if len(p.rows) > 0 && p.rows[0].label == p.title && p.rows[0].unit == "" && p.rows[0].value == "" {
			p.rows = p.rows[1:]
		}
	}
	if len(parts) == 0 {
		b.warn(lines[min(i, len(lines)-1)].no, "统计表表头之后没有指标")
		return i
	}
	// The heading is added: the flattened table has none of its own (the
	// seed's lead calls it 相关统计报表).
	b.heading(2, "统计报表")
	for _, p := range parts {
		b.heading(3, p.title)
		var t strings.Builder
		t.WriteString("| 指标 | 单位 | 统计数 |\n| --- | --- | ---: |")
		for _, r := range p.rows {
			fmt.Fprintf(&t, "\n| %s | %s | %s |", tableCell(r.label), tableCell(r.unit), tableCell(r.value))
		}
		b.blocks = append(b.blocks, t.String())
	}
	b.lastPara = -1
	return i
}

// cell puts a unit or value cell into row.
func (b *importer) cell(no int, c string, row *statRow, rowDone *bool) {
	switch {
	case c == "":
	case isUnit(c) && row.unit == "" && row.value == "":
		row.unit = c
	case numberRE.MatchString(c) && !*rowDone:
		row.value = c
		*rowDone = true
	default:
		b.warn(no, "统计表中“%s”无法归入指标“%s”的单位或统计数,已放入统计数列,请核对", c, row.label)
		if row.value != "" {
			row.value += " "
		}
		row.value += c
	}
}

func openParens(s string) int {
	return strings.Count(s, "(") + strings.Count(s, "\uFF08") - strings.Count(s, ")") - strings.Count(s, "\uFF09")
}

// tableCell escapes a cell's pipes so the row keeps its three columns.
func tableCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// finish writes the document.
func (b *importer) finish() {
	f := b.fields
	if f[KeyTitle] == "" && b.pageTitle != "" {
		f[KeyTitle] = b.pageTitle
		b.warn(0, "没有找到标题,已使用网页标题“%s”,请核对", b.pageTitle)
	}
	if d, ok := f[KeyDate]; ok && d != "" {
		if nd, ok := normalizeDate(d); ok {
			f[KeyDate] = nd
		} else {
			b.warn(0, "发布日期“%s”无法识别,请改为 YYYY-MM-DD", d)
		}
	}
	var out bytes.Buffer
	out.WriteString("---\n")
	for _, k := range frontMatterKeys() {
		v, ok := f[k]
		if !ok && (k == KeyURL || k == KeyKeywords) {
			continue // optional, and nothing to suggest
		}
		// Front matter is one line per key: a value never spans lines.
		v = strings.Join(strings.Fields(v), " ")
		f[k] = v
		if v == "" {
			out.WriteString(k + ":\n")
		} else {
			out.WriteString(k + ": " + v + "\n")
		}
	}
	out.WriteString("---\n")
	for _, blk := range b.blocks {
		out.WriteString("\n" + blk + "\n")
	}
	b.im.Fields = f
	b.im.Markdown = out.Bytes()
	// The document must load into a pack: report what stops it, in the
	// loader's own words.
	if _, probs := ParseDocument(b.name, b.im.Markdown); len(probs) > 0 {
		for _, p := range probs {
			b.warn(0, "生成的文档: %s", p.Msg)
		}
	}
	if len(b.blocks) == 0 {
		b.warn(0, "没有找到正文")
	}
}

// normalizeDate accepts the date forms pages use (2019-01-22, 2019/1/22,
// 2019.01.22, 2019年1月22日, possibly followed by a time) and returns
// YYYY-MM-DD.
func normalizeDate(s string) (string, bool) {
	var nums []int
	cur, in := 0, false
	for _, r := range s {
		if r >= '0' && r <= '9' {
			cur, in = cur*10+int(r-'0'), true
			if cur > 99999 {
				return "", false
			}
			continue
		}
		if in {
			nums = append(nums, cur)
			cur, in = 0, false
		}
	}
	if in {
		nums = append(nums, cur)
	}
	if len(nums) < 3 {
		return "", false
	}
	t := time.Date(nums[0], time.Month(nums[1]), nums[2], 0, 0, 0, 0, time.UTC)
	if t.Year() != nums[0] || int(t.Month()) != nums[1] || t.Day() != nums[2] || nums[0] < 1900 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// chineseNumber parses a Chinese numeral up to 999 (一 … 十三 … 二十一);
// 0 when it is not one.
func chineseNumber(s string) int {
	digit := func(r rune) int {
		i := strings.IndexRune("零一二三四五六七八九", r)
		if i < 0 {
			return -1
		}
		return i / len("一")
	}
	total, cur := 0, 0
	for _, r := range s {
		switch r {
		case '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur = 0
		case '百':
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur = 0
		case '〇':
			cur = 0
		default:
			d := digit(r)
			if d < 0 {
				return 0
			}
			cur = d
		}
	}
	return total + cur
}

// chineseNumeral writes n (1–99) as a Chinese numeral, for warnings.
func chineseNumeral(n int) string {
	const digits = "零一二三四五六七八九"
	d := func(i int) string { return string([]rune(digits)[i]) }
	switch {
	case n <= 0 || n > 99:
		return strconv.Itoa(n)
	case n < 10:
		return d(n)
	case n == 10:
		return "十"
	case n < 20:
		return "十" + d(n%10)
	case n%10 == 0:
		return d(n/10) + "十"
	default:
		return d(n/10) + "十" + d(n%10)
	}
}

// looksLikeHTML decides whether the input is a web page rather than text
// copied from one.
func looksLikeHTML(name, text string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".htm", ".html", ".shtml", ".xhtml":
		return true
	}
	head := strings.ToLower(strings.TrimLeftFunc(text, unicode.IsSpace))
	if len(head) > 2048 {
		head = head[:2048]
	}
	if !strings.HasPrefix(head, "<") {
		return false
	}
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<div", "<p>", "<p ", "<table"} {
		if strings.Contains(head, tag) {
			return true
		}
	}
	return false
}

// htmlLines extracts the visible text of a page as lines: one per block
// element, a blank line after each block, and one line per row of a data
// table with its cells separated by tabs (so the statistics table keeps
// its empty cells). It also returns the page's <title>.
//
// The tree is parsed with golang.org/x/net/html, which has no source
// positions; line numbers are found by looking each line's first words up
// in the source, in order, and are approximate where markup splits them.
func htmlLines(src string) ([]srcLine, string) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // only a failing reader errors; a string reader does not
		return nil, ""
	}
	w := &htmlWalker{src: src, line: 1}
	w.walk(doc)
	w.endBlock()
	return w.lines, w.title
}

type htmlWalker struct {
	src       string
	pos, line int // where the last line was found in src, and its line number
	cur       strings.Builder
	lines     []srcLine
	title     string
}

// htmlSkipped reports elements whose text is not page text.
func htmlSkipped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Svg, atom.Object,
		atom.Select, atom.Textarea, atom.Button, atom.Math, atom.Canvas:
		return true
	}
	return false
}

// htmlBlock reports elements that start a new line.
func htmlBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Table, atom.Tr, atom.Td, atom.Th, atom.Thead, atom.Tbody, atom.Tfoot, atom.Caption,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Nav, atom.Aside, atom.Main, atom.Form,
		atom.Blockquote, atom.Pre, atom.Hr, atom.Dl, atom.Dt, atom.Dd, atom.Center, atom.Address,
		atom.Figure, atom.Figcaption, atom.Body, atom.Html:
		return true
	}
	return false
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.cur.WriteString(n.Data)
		return
	case html.ElementNode:
		switch {
		case n.DataAtom == atom.Title:
			if w.title == "" {
				w.title = collapseSpace(nodeText(n))
			}
			return
		case htmlSkipped(n.DataAtom):
			return
		case n.DataAtom == atom.Br:
			w.emit(false)
			return
		case n.DataAtom == atom.Table && isDataTable(n):
			w.endBlock()
			w.dataTable(n)
			w.endBlock()
			return
		case htmlBlock(n.DataAtom):
			w.endBlock()
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				w.walk(c)
			}
			w.endBlock()
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

// emit ends the current line; blank adds an empty line after it, as
// between paragraphs.
func (w *htmlWalker) emit(blank bool) {
	t := trimSpace(collapseSpace(w.cur.String()))
	w.cur.Reset()
	if t != "" {
		w.lines = append(w.lines, srcLine{w.locate(t), t})
	}
	if blank && len(w.lines) > 0 && w.lines[len(w.lines)-1].text != "" {
		w.lines = append(w.lines, srcLine{w.line, ""})
	}
}

func (w *htmlWalker) endBlock() { w.emit(true) }

// locate returns the source line of text t: its first few characters
// searched for from the previous line's position.
func (w *htmlWalker) locate(t string) int {
	f := strings.FieldsFunc(t, unicode.IsSpace)
	if len(f) == 0 {
		return w.line
	}
	key := []rune(f[0])
	if len(key) > 6 {
		key = key[:6]
	}
	if k := string(key); k != "" {
		if i := strings.Index(w.src[w.pos:], k); i >= 0 {
			w.line += strings.Count(w.src[w.pos:w.pos+i], "\n")
			w.pos += i
		}
	}
	return w.line
}

// dataTable writes each row of a data table as one line of cells joined
// by tabs.
func (w *htmlWalker) dataTable(t *html.Node) {
	var rows func(n *html.Node)
	rows = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				var cells []string
				nonEmpty := false
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						// Tabs inside a cell would split it.
						ct := strings.ReplaceAll(trimSpace(collapseSpace(nodeText(td))), "\t", " ")
						cells = append(cells, ct)
						nonEmpty = nonEmpty || ct != ""
					}
				}
				if nonEmpty {
					// Not through emit: collapsing white space would
					// turn the tabs between cells into spaces.
					t := strings.Join(cells, "\t")
					w.lines = append(w.lines, srcLine{w.locate(t), t})
				}
			case atom.Thead, atom.Tbody, atom.Tfoot:
				rows(c)
			}
		}
	}
	rows(t)
}

// isDataTable tells a table of figures from a table that lays out the
// page: a data table has no nested table, has rows of at least two cells,
// and no cell holds a paragraph of text.
func isDataTable(t *html.Node) bool {
	multi, data := false, true
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil && data; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Table:
				data = false
				return
			case atom.Tr:
				cells := 0
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						cells++
						if runeLen(collapseSpace(nodeText(td))) > 100 {
							data = false
						}
					}
				}
				multi = multi || cells >= 2
			}
			visit(c)
		}
	}
	visit(t)
	return data && multi
}

// nodeText is the text of n's subtree, blocks separated by newlines.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && htmlSkipped(n.DataAtom):
			return
		case n.Type == html.ElementNode && (htmlBlock(n.DataAtom) || n.DataAtom == atom.Br):
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return b.String()
}

// collapseSpace turns each run of white space into one space, and removes
// a run that holds a line break unless it separates two ASCII words: such
// a break is only the page source's wrapping, and a space inside Chinese
// text shows on screen.
func collapseSpace(s string) string {
	rs := []rune(s)
	var b strings.Builder
	word := func(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
	for i := 0; i < len(rs); {
		if !unicode.IsSpace(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j, nl := i, false
		for j < len(rs) && unicode.IsSpace(rs[j]) {
			nl = nl || rs[j] == '\n' || rs[j] == '\r'
			j++
		}
		if !(nl && i > 0 && j < len(rs) && !(word(rs[i-1]) && word(rs[j]))) {
			b.WriteByte(' ')
		}
		i = j
	}
	return b.String()
}
