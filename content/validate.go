package content

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"kiosk/internal/termtext"
)

// Limits bound what a pack may hold. They are checked while a pack is read
// from a folder or an archive (see docs/content-format.md, "Limits"); sizes
// are the bytes actually read, never the sizes an archive declares.
type Limits struct {
	MaxFileBytes  int64 // one file (pack.toml or a document)
	MaxFiles      int   // pack files kept: pack.toml, synonyms.toml and documents
	MaxEntries    int   // every entry of an archive or folder, folders and ignored files included
	MaxTotalBytes int64 // all bytes read from the source, ignored files included
}

// DefaultLimits are the limits `kiosk content check/load` apply.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:  4 << 20,   // 4 MiB: the 2018 annual report is 26 KB
		MaxFiles:      20000,     // documents + pack.toml
		MaxEntries:    50000,     // files and folders
		MaxTotalBytes: 256 << 20, // 256 MiB
	}
}

// Removal is one line of text from which Sanitize removed something.
type Removal = termtext.Removal

// Sanitize removes control characters, terminal escape sequences (CSI,
// OSC, DCS… up to their terminator, never past the end of the line),
// bidirectional controls, other format characters and noncharacters from
// text that a kiosk will draw on a terminal, and says what it removed on
// which line: termtext.Source. Tabs, newlines and a leading byte-order mark
// are kept; CRLF becomes LF silently; a lone CR is removed. Line numbers do
// not change.
func Sanitize(s string) (string, []Removal) { return termtext.Source(s) }

// isControl reports C0 (tab and newline included), DEL, C1 and bidi
// controls: termtext.IsControl.
func isControl(r rune) bool { return termtext.IsControl(r) }

// sanitizeProblems turns removals into warnings, at most maxPerFile of them
// plus a count of the rest.
func sanitizeProblems(file string, rems []Removal) Problems {
	const maxPerFile = 10
	var probs Problems
	for i, r := range rems {
		if i == maxPerFile {
			probs = append(probs, Problem{File: file, Line: r.Line, Warning: true,
				Msg: fmt.Sprintf("另有 %d 行含控制字符或转义序列,均已删除", len(rems)-maxPerFile)})
			break
		}
		probs = append(probs, Problem{File: file, Line: r.Line, Warning: true,
			Msg: "已删除控制字符或转义序列 \"" + r.Removed + "\""})
	}
	return probs
}

// encodingProblem explains why data, which is not valid UTF-8 or is UTF-16
// (whose ASCII is valid UTF-8 with NULs), cannot be read: GBK/GB18030 or
// UTF-16 text gets a message telling staff how to convert it; anything else
// the line of the first bad byte.
func encodingProblem(name string, data []byte) Problem {
	if isUTF16(data) {
		return Problem{File: name, Line: 1, Msg: "文件是 UTF-16 编码(记事本的“Unicode”格式),不是 UTF-8;请另存为 UTF-8,或用 kiosk content import 转换"}
	}
	bad := 0
	for len(data[bad:]) > 0 {
		r, size := utf8.DecodeRune(data[bad:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		bad += size
	}
	line := 1 + bytes.Count(data[:bad], []byte("\n"))
	if looksGBK(data) {
		return Problem{File: name, Line: line, Msg: "文件是 GBK/GB18030 编码,不是 UTF-8;请用 kiosk content import 转换后再检查"}
	}
	return Problem{File: name, Line: line, Msg: fmt.Sprintf("不是有效的 UTF-8 文本(第 %d 行有无效字节;如果是 GBK 编码,请用 kiosk content import 转换)", line)}
}

// looksGBK reports whether data decodes as GB18030 without errors into text
// that contains Chinese characters.
func looksGBK(data []byte) bool {
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return false
	}
	han, bad := 0, 0
	for _, r := range string(dec) {
		switch {
		case r == utf8.RuneError:
			bad++
		case unicode.Is(unicode.Han, r):
			han++
		}
	}
	return han > 0 && bad == 0
}

// Link is a Markdown link in a document whose target is a section or a
// document of the pack (docs/content-format.md, "Links"):
//
//	[年度报告第四部分](ref:lanshanqulsqzf/2019-0000001#4.2)
//	[见第四部分](#4)
type Link struct {
	Line    int    // 1-based line in the document's file
	Text    string // the link text
	Target  string // as written, e.g. "ref:X#4.2" or "#4.2"
	IndexNo string // the 索引号 it refers to ("" for the same document)
	Section string // the section number, "" for the whole document
}

// linkRE matches inline Markdown links whose target is ref:… or #…
var linkRE = regexp.MustCompile(`\[([^\]\n]*)\]\(\s*<?((?:ref:|#|＃)[^\s)>]*)>?(?:\s+"[^"\n]*")?\s*\)`)

// sectionNumberRE is what a section number looks like: 0, 4, 4.2.
var sectionNumberRE = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[1-9][0-9]*)?$`)

// DocumentLinks returns the ref: and # links in d's body, outside code
// blocks and code spans.
func DocumentLinks(d *Document) []Link {
	first := bodyLine(d)
	var out []Link
	fenced := false
	for i, l := range strings.Split(d.Body, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.Contains(l, "](") {
			continue
		}
		l = stripCodeSpans(l)
		for _, m := range linkRE.FindAllStringSubmatch(l, -1) {
			target := m[2]
			lk := Link{Line: first + i, Text: m[1], Target: target}
			t := strings.ReplaceAll(target, "＃", "#")
			if rest, ok := strings.CutPrefix(t, "ref:"); ok {
				lk.IndexNo, lk.Section, _ = strings.Cut(rest, "#")
			} else {
				lk.Section = strings.TrimPrefix(t, "#")
			}
			out = append(out, lk)
		}
	}
	return out
}

// bodyLine is the 1-based line of the file on which d.Body starts.
func bodyLine(d *Document) int {
	for _, s := range d.Sections {
		if s.Number == "0" {
			return s.Line
		}
		break
	}
	// Without a lead section the body starts before the first heading;
	// count back the body's lines from the first heading.
	if len(d.Sections) > 0 {
		before, _, _ := strings.Cut(d.Body, "\n## ")
		if strings.HasPrefix(d.Body, "## ") {
			before = ""
		} else {
			before += "\n"
		}
		return d.Sections[0].Line - strings.Count(before, "\n")
	}
	return 1
}

// stripCodeSpans blanks `code spans` so links inside them are not links.
func stripCodeSpans(l string) string {
	if !strings.Contains(l, "`") {
		return l
	}
	var b strings.Builder
	in := false
	for _, r := range l {
		if r == '`' {
			in = !in
		}
		if in || r == '`' {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Resolve finds what a link in document from points to.
func (p *Pack) Resolve(from *Document, lk Link) (*Document, *Section, error) {
	d := from
	if lk.IndexNo != "" {
		d = nil
		for _, x := range p.Docs {
			if x.IndexNo == lk.IndexNo {
				d = x
				break
			}
		}
		if d == nil {
			return nil, nil, fmt.Errorf("没有索引号为 %s 的文档", lk.IndexNo)
		}
	}
	if lk.Section == "" {
		return d, nil, nil
	}
	if s := d.Section(lk.Section); s != nil {
		return d, s, nil
	}
	return d, nil, fmt.Errorf("文档 %s 中没有第 %s 节", d.IndexNo, lk.Section)
}

// checkLinks reports links to documents or sections that do not exist.
// When complete is false some documents failed to load, so a link to an
// unknown 索引号 is not reported (it may point to one of them).
func checkLinks(docs []*Document, complete bool) Problems {
	byNo := make(map[string]*Document, len(docs))
	for _, d := range docs {
		byNo[d.IndexNo] = d
	}
	var probs Problems
	for _, d := range docs {
		for _, lk := range DocumentLinks(d) {
			switch {
			case strings.HasPrefix(lk.Target, "ref:") && lk.IndexNo == "":
				probs = append(probs, Problem{File: d.File, Line: lk.Line, Msg: fmt.Sprintf("链接 %s 缺少索引号", lk.Target)})
				continue
			case lk.Section != "" && !sectionNumberRE.MatchString(lk.Section),
				lk.Section == "" && !strings.HasPrefix(lk.Target, "ref:"):
				probs = append(probs, Problem{File: d.File, Line: lk.Line, Msg: fmt.Sprintf("链接 %s 中的 %q 不是章节号(应为 0、4 或 4.2 这样的编号)", lk.Target, lk.Section)})
				continue
			}
			td := d
			if lk.IndexNo != "" {
				td = byNo[lk.IndexNo]
			}
			var err error
			switch {
			case td == nil && !complete:
				continue
			case td == nil:
				err = fmt.Errorf("没有索引号为 %s 的文档", lk.IndexNo)
			case lk.Section != "" && td.Section(lk.Section) == nil:
				err = fmt.Errorf("文档 %s 中没有第 %s 节", td.IndexNo, lk.Section)
			default:
				continue
			}
			probs = append(probs, Problem{File: d.File, Line: lk.Line, Msg: fmt.Sprintf("链接 %s 指向不存在的目标: %v", lk.Target, err)})
		}
	}
	return probs
}

// isUTF16 reports whether data is UTF-16 text (see utf16Order).
func isUTF16(data []byte) bool {
	_, ok := utf16Order(data)
	return ok
}

// utf16Order recognises UTF-16 text, with or without a byte-order mark,
// and tells its byte order. Without a mark, UTF-16 is known by its NUL
// bytes: every ASCII character (line breaks, the --- of front matter,
// digits) has one, at odd offsets in little-endian text and at even ones
// in big-endian text, while a Han character rarely has one (一 U+4E00 does).
// The first 64 KiB must then decode to text without control characters
// other than tab and line breaks. A UTF-8 text file holds no NUL bytes.
func utf16Order(data []byte) (xunicode.Endianness, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return xunicode.LittleEndian, true
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return xunicode.BigEndian, true
	}
	head := data[:min(len(data), 64<<10)&^1]
	if bytes.IndexByte(head, 0) < 0 {
		return xunicode.LittleEndian, false
	}
	var zeros [2]int // NUL bytes at even and odd offsets
	for i, b := range head {
		if b == 0 {
			zeros[i&1]++
		}
	}
	var order xunicode.Endianness
	var many, few int
	switch {
	case zeros[1] > zeros[0]:
		order, many, few = xunicode.LittleEndian, zeros[1], zeros[0]
	default:
		order, many, few = xunicode.BigEndian, zeros[0], zeros[1]
	}
	// Random binary data has as many NULs at either offset. UTF-16 with
	// Chinese in it is almost never valid UTF-8; there, a line break in a
	// paragraph of 1,000 characters is enough (1 code unit in 2,000 leaves
	// room for the front matter). Valid UTF-8 is taken for UTF-16 only when
	// it is mostly NUL-padded ASCII, not for UTF-8 text with stray NULs.
	units := len(head) / 2
	need := units / 2000
	if utf8.Valid(data) {
		need = units / 4
	}
	if many < 2 || many < 4*few || many < need {
		return order, false
	}
	text, err := xunicode.UTF16(order, xunicode.IgnoreBOM).NewDecoder().Bytes(head)
	if err != nil {
		return order, false
	}
	for _, r := range string(text) {
		if r == utf8.RuneError || r != '\t' && r != '\n' && r != '\r' && isControl(r) {
			return order, false
		}
	}
	return order, true
}
