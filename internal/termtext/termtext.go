// Package termtext makes untrusted text safe to show on a terminal: the one
// implementation every package uses (content files, pack.toml, kiosk.toml,
// points files, merged exports, file and folder names, search queries).
//
// Every variant removes
//   - escape sequences whole: CSI (ESC [ … final byte), OSC, DCS, SOS, PM
//     and APC strings (ESC ] P X ^ _ … up to BEL, ESC \ or 8-bit ST, e.g.
//     ESC ]0;title BEL which retitles the window, OSC 52 clipboard writes),
//     nF and two-byte sequences (ESC ( B, ESC c) and a bare ESC; a string
//     with no terminator ends at the next newline (kept) or before the next
//     ESC, so one stray introducer cannot swallow a document;
//   - C1 controls U+0080–U+009F, with the parameters or string of an 8-bit
//     CSI (U+009B) or OSC/DCS/SOS/PM/APC;
//   - the other C0 controls and DEL (BEL, backspace, a lone CR, …);
//   - format characters (Unicode Cf): bidirectional embeddings, overrides,
//     isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C),
//     which make text display as something other than what it is,
//     zero-width characters (U+200B–U+200D, U+2060, U+FEFF), soft hyphens…;
//   - Unicode noncharacters (U+FDD0–U+FDEF, U+xFFFE/F: render uses some as
//     internal marks) and invalid UTF-8.
//
// They differ in what they make of line and tab characters:
//
//	            \n, CRLF   \t         U+2028   U+2029   reports removals
//	Line        space      space      space    space    no
//	Text        \n         4 spaces   \n       \n\n     no
//	Source      \n         \t         kept     kept     yes, by line
//
// Line is for one line of output (a name, a title, a file name, an error
// printed on one line); Text for text shown with its lines (glamour input,
// search text); Source for a file's text that is kept and checked, with the
// line numbers of the file unchanged (a leading byte-order mark is kept too:
// it marks the file, it is not text).
package termtext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s as one line of plain text safe for a terminal: controls,
// escape sequences, format characters and invalid UTF-8 removed; newlines
// (LF, CRLF, U+2028, U+2029) and tabs become a space.
func Line(s string) string { return clean(s, modeLine, nil) }

// Text returns s safe for a terminal, keeping its lines: CRLF becomes LF,
// U+2028 LF and U+2029 two LFs, a tab four spaces; everything Line removes
// is removed.
func Text(s string) string { return clean(s, modeText, nil) }

// Removal is one line of text from which Source removed something.
type Removal struct {
	Line    int    // 1-based, counted in LF
	Removed string // what was removed, quoted for a log (e.g. \x1b[31m)
}

// Source removes what Line and Text remove from a file's text, keeps tabs,
// line and paragraph separators and a leading byte-order mark, turns CRLF
// into LF silently, and reports what it removed line by line. Line numbers
// do not change.
func Source(s string) (string, []Removal) {
	var rems []Removal
	out := clean(s, modeSource, &rems)
	return out, rems
}

// IsControl reports whether r is a control character: C0 (tab and newline
// included), DEL, C1, or a bidirectional embedding, override or isolate
// (U+202A–U+202E, U+2066–U+2069).
func IsControl(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Unsafe reports whether r must never reach a terminal as it is: a control
// character (IsControl; the variants map tab and newline), a format
// character or a noncharacter. Writers of data formats that may be printed
// (JSON) escape these instead of removing them.
func Unsafe(r rune) bool {
	return IsControl(r) || isFormat(r) || isNonchar(r)
}

// SequenceLen returns how many bytes at the start of s form one control
// character or escape sequence (0 for an empty s). s should start with a
// control character (IsControl); anything else counts as one character.
// A sequence never goes past a newline.
func SequenceLen(s string) int {
	if s == "" {
		return 0
	}
	r, size := utf8.DecodeRuneInString(s)
	switch r {
	case 0x1b:
		if len(s) == 1 {
			return 1
		}
		switch c := s[1]; {
		case c == '[':
			return 2 + csiLen(s[2:])
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			return 2 + stringLen(s[2:])
		case c >= 0x20 && c <= 0x2f: // nF: intermediates, then a final byte
			i := 2
			for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
				i++
			}
			if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
				i++
			}
			return i
		case c >= 0x30 && c <= 0x7e: // ESC c, ESC 7, ESC M …
			return 2
		default: // ESC before a control or non-ASCII: the ESC alone
			return 1
		}
	case 0x9b: // 8-bit CSI
		return size + csiLen(s[size:])
	case 0x90, 0x98, 0x9d, 0x9e, 0x9f: // 8-bit DCS, SOS, OSC, PM, APC
		return size + stringLen(s[size:])
	}
	return size
}

// csiLen is the length of a CSI's parameter and intermediate bytes and its
// final byte. Anything else (a newline, another control, non-ASCII) ends
// it early: what follows is text.
func csiLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3f:
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		default:
			return i
		}
	}
	return len(s)
}

// stringLen is the length of the body of an OSC/DCS/SOS/PM/APC string up
// to and including its terminator: BEL, ESC \ or 8-bit ST (U+009C); CAN
// and SUB cancel it. It stops before a newline, and before an ESC that is
// not ST (a terminal abandons the string there and starts a new sequence).
func stringLen(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return i
		case 0x07, 0x18, 0x1a:
			return i + 1
		case 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case 0xc2: // U+009C is C2 9C; C2 is never a continuation byte
			if i+1 < len(s) && s[i+1] == 0x9c {
				return i + 2
			}
		}
	}
	return len(s)
}

// isFormat reports a format character (Cf), bidi controls included.
func isFormat(r rune) bool {
	if r < 0xad || r >= 0x3000 && r < 0xfeff {
		return false // fast path: ASCII, Latin-1 letters, CJK (no Cf there)
	}
	return unicode.Is(unicode.Cf, r)
}

// isNonchar reports a Unicode noncharacter.
func isNonchar(r rune) bool {
	return r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe && r <= unicode.MaxRune
}

type mode int

const (
	modeLine mode = iota
	modeText
	modeSource
)

// clean is every variant: it copies s only from the first change on, so
// clean text costs one scan and no allocation.
func clean(s string, m mode, rems *[]Removal) string {
	var b strings.Builder
	done := 0 // s[:done] is written to b, when b is in use
	replace := func(i, j int, with string) {
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(with)
		done = j
	}
	line := 1
	var cur strings.Builder // removed on this line (Source)
	endLine := func() {
		if rems != nil && cur.Len() > 0 {
			q := strconv.Quote(cur.String())
			*rems = append(*rems, Removal{Line: line, Removed: q[1 : len(q)-1]})
			cur.Reset()
		}
		line++
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			i++
			continue
		case c == '\n' || c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			n := 1
			if c == '\r' {
				n = 2
			}
			switch {
			case m == modeLine:
				replace(i, i+n, " ")
			case n == 2:
				replace(i, i+n, "\n")
			}
			endLine()
			i += n
			continue
		case c == '\t':
			switch m {
			case modeLine:
				replace(i, i+1, " ")
			case modeText:
				replace(i, i+1, "    ")
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n := 0 // bytes to remove
		switch {
		case r >= 0x3000 && r < 0xfdd0:
			// CJK and the like: the common case, nothing to do
		case r == utf8.RuneError && size == 1:
			n = 1
		case IsControl(r):
			n = SequenceLen(s[i:])
		case r == '\u2028' || r == '\u2029':
			switch {
			case m == modeLine:
				replace(i, i+size, " ")
			case m == modeText && r == '\u2028':
				replace(i, i+size, "\n")
			case m == modeText:
				replace(i, i+size, "\n\n")
			}
		case r == '\ufeff' && i == 0 && m == modeSource:
			// a byte-order mark marks the file: the caller drops it
		case isFormat(r) || isNonchar(r):
			n = size
		}
		if n == 0 {
			i += size
			continue
		}
		if rems != nil {
			cur.WriteString(s[i : i+n])
		}
		replace(i, i+n, "")
		i += n
	}
	if rems != nil && cur.Len() > 0 {
		endLine()
	}
	if b.Cap() == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}
