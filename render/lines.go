package render

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Plain returns rendered text without its escape sequences.
func Plain(rendered string) string { return ansi.Strip(rendered) }

// LineOf returns the index (0-based) of the rendered line on which the nth
// occurrence (0-based) of needle begins, comparing plain text, or -1 if
// there is no such occurrence. Occurrences may span wrapped lines: line
// breaks inserted by rendering, and the spaces of indentation and padding
// around them, are ignored.
func LineOf(rendered, needle string, n int) int {
	needle = strings.Join(strings.Fields(needle), "")
	if needle == "" || n < 0 {
		return -1
	}
	// Flatten the plain text without spaces, remembering each byte's line.
	var flat strings.Builder
	var lineOf []int
	for i, l := range strings.Split(Plain(rendered), "\n") {
		for _, f := range strings.Fields(l) {
			flat.WriteString(f)
			for range len(f) {
				lineOf = append(lineOf, i)
			}
		}
	}
	s := flat.String()
	off := 0
	for k := 0; ; k++ {
		j := strings.Index(s[off:], needle)
		if j < 0 {
			return -1
		}
		if k == n {
			return lineOf[off+j]
		}
		off += j + len(needle)
	}
}
