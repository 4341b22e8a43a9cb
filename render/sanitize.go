package render

import (
	"strings"
	"unicode/utf8"

	"kiosk/internal/termtext"
)

// Sanitize makes untrusted text safe to pass to glamour or print on a
// terminal: termtext.Text. It removes escape sequences, controls, format
// characters, invalid UTF-8 and the noncharacters this package uses as
// marks (heading and table sentinels); it keeps \n, turns \t into four
// spaces and U+2028/U+2029 (line and paragraph separators) into \n and
// \n\n, so no input can forge a break mark.
func Sanitize(s string) string { return termtext.Text(s) }

// skipEscape returns the index after the escape sequence starting with ESC at s[i].
func skipEscape(s string, i int) int { return i + termtext.SequenceLen(s[i:]) }

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
