package content

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

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
