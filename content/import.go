package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
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
		return nil, fmt.Errorf("导入 %s (import): %w", name, ErrEmpty)
	}
	if kind := binaryKind(data); kind != "" {
		return nil, fmt.Errorf("导入 %s (import): %w(看起来是 %s 文件,请先在浏览器中打开原网页另存为网页或文本) (it looks like a %s file: open the original page in a browser and save it as a web page or text first)", name, ErrBinary, kind, kind)
	}
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, fmt.Errorf("导入 %s (import): %w", name, err)
	}
	text, removed := removeControls(text)
	// A stray control character (a backspace pasted from Word) is
	// removed; many of them mean the input is binary data.
	if removed > 8 && removed > utf8.RuneCountInString(text)/100 {
		return nil, fmt.Errorf("导入 %s (import): %w(含 %d 个控制字符) (%d control characters)", name, ErrBinary, removed, removed)
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
			return nil, fmt.Errorf("导入 %s: 文件已是内容包文档(以 --- 开头),但有错误 (import: already a pack document, with errors):\n%w", name, probs.Errors())
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
		return nil, fmt.Errorf("导入 %s (import): %w(只找到 %d 个汉字) (only %d Chinese characters)", name, ErrNoChinese, han, han)
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
	ErrEmpty     = errors.New("文件是空的 (the file is empty)")
	ErrBinary    = errors.New("不是文本文件 (not a text file)")
	ErrEncoding  = errors.New("无法识别文本编码(不是 UTF-8、UTF-16 或 GBK/GB18030) (unknown text encoding: not UTF-8, UTF-16 or GBK/GB18030)")
	ErrNoChinese = errors.New("没有中文正文,不像是政府信息公开报告 (no Chinese text: not a government information report)")
)

// minHan is the fewest Chinese characters a report can have; below it the
// input is something else (an English page, a log file, random bytes that
// happened to decode).
const minHan = 10

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
