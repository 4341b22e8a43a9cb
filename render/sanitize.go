package render

import (
	"strings"
	"unicode/utf8"
)

// Sanitize makes untrusted text safe to pass to glamour or print on a
// terminal. It removes
//   - escape sequences: CSI (ESC [ … final), OSC (ESC ] … BEL/ST, e.g. OSC 52
//     clipboard writes and OSC 0/2 title changes), DCS, SOS, PM and APC
//     strings (ESC P/X/^/_ … ST), two-byte ESC sequences and a bare ESC;
//     a string sequence with no terminator ends at the next newline;
//   - C1 controls U+0080–U+009F, including 8-bit CSI (U+009B, with its
//     parameters) and 8-bit OSC/DCS/SOS/PM/APC strings;
//   - all other C0 controls and DEL (BEL, backspace, CR, …), except \n;
//   - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069),
//     which can make text display differently from what it is;
//   - Unicode noncharacters (U+FDD0–U+FDEF, U+xFFFE/F) and invalid UTF-8.
//
// It keeps \n, turns \t into four spaces and U+2028/U+2029 (line and
// paragraph separators) into \n and \n\n.
func Sanitize(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++ // invalid byte: drop
			continue
		}
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString("    ")
		case r == 0x1b:
			i = skipEscape(s, i)
			continue
		case r == 0x9b: // 8-bit CSI
			i = skipCSIBody(s, i+size)
			continue
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // DCS SOS OSC PM APC
			i = skipString(s, i+size)
			continue
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			// other controls: drop
		case r == 0x2028:
			b.WriteByte('\n')
		case r == 0x2029:
			b.WriteString("\n\n")
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			// bidi controls: drop
		case isNonchar(r):
			// drop
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isClean reports whether s needs no change (fast path for the common case).
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			// Decode and check the special ranges.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size <= 1 || r < 0xa0 ||
				r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) ||
				(r >= 0x2066 && r <= 0x2069) || isNonchar(r) {
				return false
			}
			i += size - 1
		}
	}
	return true
}

func isNonchar(r rune) bool {
	return (r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe
}

// skipEscape returns the index after the escape sequence starting with ESC at s[i].
func skipEscape(s string, i int) int {
	i++ // ESC
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSIBody(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f: // intermediates, then a final byte
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e: // two-byte sequence (ESC c, ESC 7, …)
		return i + 1
	default: // bare ESC before a control or non-ASCII: drop the ESC only
		return i
	}
}

// skipCSIBody skips parameter, intermediate and final bytes of a CSI.
func skipCSIBody(s string, i int) int {
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips the body of an OSC/DCS/SOS/PM/APC string up to and
// including its terminator: BEL, ESC \ or 8-bit ST (U+009C). A newline
// also ends it (and is kept) so that one stray introducer cannot swallow
// the rest of a document.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == '\n':
			return i
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + 2
		}
		i++
	}
	return i
}

// stripEscapes removes every escape sequence from rendered output except
// SGR (ESC [ … m) when keepSGR is set. glamour emits OSC 8 hyperlinks for
// links; a kiosk cannot follow them and they are not SGR.
func stripEscapes(s string, keepSGR bool) string {
	if !strings.ContainsRune(s, 0x1b) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] != 0x1b {
			j := strings.IndexByte(s[i:], 0x1b)
			if j < 0 {
				b.WriteString(s[i:])
				break
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		end := skipEscape(s, i)
		if keepSGR && end > i+2 && s[i+1] == '[' && s[end-1] == 'm' {
			b.WriteString(s[i:end])
		}
		i = end
	}
	return b.String()
}

func utf8DecodeAt(s string, i int) (rune, int) { return utf8.DecodeRuneInString(s[i:]) }
