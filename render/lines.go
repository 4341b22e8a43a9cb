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

// TableLines reports which rendered lines belong to a table drawn by
// Render: its header, the rule under it and its rows, a wrapped cell's
// continuation lines among them. A table reads only as a block (a wrapped
// cell's second line is not a row of its own), so a layout that spaces
// lines out, like 长者模式's blank line between lines, must keep it whole.
//
// A table is the block of non-blank lines around its header rule: a line
// whose last field is made of ─ and ┼ (- and | in notty), with at least
// one ┼ (|). Render puts a blank line before and after every table and
// none inside it. A table of one column has no ┼ to tell its rule from a
// notty heading's underline (a line of ─): it is not reported.
func TableLines(lines []string) []bool {
	in := make([]bool, len(lines))
	for i, l := range lines {
		if !isTableRule(l) {
			continue
		}
		a, z := i, i
		for a > 0 && !isBlank(lines[a-1]) {
			a--
		}
		for z+1 < len(lines) && !isBlank(lines[z+1]) {
			z++
		}
		for k := a; k <= z; k++ {
			in[k] = true
		}
	}
	return in
}

// isTableRule reports a table's header rule (see layoutTable).
func isTableRule(l string) bool {
	f := strings.Fields(ansi.Strip(l))
	if len(f) == 0 {
		return false
	}
	last := f[len(f)-1]
	switch {
	case strings.Trim(last, "─┼") == "":
		return strings.Contains(last, "─") && strings.Contains(last, "┼")
	case strings.Trim(last, "-|") == "":
		return strings.Contains(last, "-") && strings.Contains(last, "|")
	}
	return false
}
