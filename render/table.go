package render

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// Tables are laid out by this package, not by glamour.
//
// glamour v2 hands tables to lipgloss/v2/table, which at some widths cuts
// cell text while shrinking columns — measured on the pack: at width 75 the
// header 统计数 became 统计 and 19475 became 1947, and an "8" vanished (at
// 76 all was right). Statistics that silently lose a digit are not
// acceptable, so prepare replaces every table by a placeholder paragraph
// and finish draws the table in its place: columns never narrower than
// their header (when the width allows), cells wrapped at UAX #14 break
// opportunities (kinsoku as in text), nothing ever truncated, GFM column
// alignment honoured. Inline formatting inside cells is reduced to text.

type tableData struct {
	align []east.Alignment
	rows  [][]string // rows[0] is the header
}

// placeholder is the paragraph text standing for table i. It is wrapped
// in noncharacters, which Sanitize removes from input, so no text can
// pose as a placeholder.
func placeholder(i int) string { return fmt.Sprintf("%cKIOSKTABLE%d%c", sentTable, i, sentTable) }

// collectTable extracts a table's cells as plain text and the source
// range of its lines.
func collectTable(t *east.Table, src []byte) (td tableData, start, end int, ok bool) {
	td.align = t.Alignments
	start, end = -1, -1
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			if l := c.Lines(); l.Len() > 0 {
				seg := l.At(0)
				if start < 0 {
					start = seg.Start
				}
				end = max(end, seg.Stop)
			}
			cells = append(cells, strings.TrimSpace(inlineText(c, src)))
		}
		td.rows = append(td.rows, cells)
	}
	if start < 0 || len(td.rows) == 0 {
		return td, 0, 0, false
	}
	for start > 0 && src[start-1] != '\n' {
		start--
	}
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return td, start, end, true
}

// inlineText returns the visible text of an inline subtree.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch v := c.(type) {
		case *ast.Text:
			b.Write(v.Segment.Value(src))
			if v.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(v.Value)
		case *ast.AutoLink:
			b.Write(v.URL(src))
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// unmark removes break marks and restores hyphens.
func unmark(s string) string {
	s = strings.ReplaceAll(s, string(breakMark), "")
	return strings.ReplaceAll(s, nbHyphen, "-")
}

type tableChars struct {
	col, center, row string
	header           lipgloss.Style
	plain            bool
}

func tableCharsFor(style string) tableChars {
	if style == StyleNoTTY {
		return tableChars{col: "|", center: "|", row: "-", plain: true}
	}
	return tableChars{col: "│", center: "┼", row: "─", header: lipgloss.NewStyle().Bold(true)}
}

// layoutTable draws td in at most width cells; every line has its column
// separators at the same display columns.
func layoutTable(td tableData, width int, tc tableChars) []string {
	ncol := 0
	for _, r := range td.rows {
		ncol = max(ncol, len(r))
	}
	if ncol == 0 {
		return nil
	}
	marked := make([][]string, len(td.rows))
	nat := make([]int, ncol)
	minw := make([]int, ncol)
	unit := make([]int, ncol) // widest kinsoku unit of the column's cells
	for i, r := range td.rows {
		marked[i] = make([]string, ncol)
		for j := range ncol {
			cell := ""
			if j < len(r) {
				cell = r[j]
			}
			marked[i][j] = markString(cell)
			unit[j] = max(unit[j], widestUnit(cell))
			w := ansi.StringWidth(cell)
			nat[j] = max(nat[j], w)
			if i == 0 {
				minw[j] = w // keep headers whole when possible
			}
		}
	}
	for j := range ncol {
		nat[j] = max(nat[j], 1)
		minw[j] = max(min(minw[j], nat[j]), 2)
		minw[j] = min(minw[j], nat[j])
	}
	// Each column has one space either side; separators between columns.
	overhead := 2*ncol + (ncol - 1)
	colw := append([]int(nil), nat...)
	total := func() int {
		s := overhead
		for _, w := range colw {
			s += w
		}
		return s
	}
	shrink := func(floor func(j int) int) {
		for total() > width {
			best := -1
			for j := range ncol {
				if colw[j] > floor(j) && (best < 0 || colw[j] > colw[best]) {
					best = j
				}
			}
			if best < 0 {
				return
			}
			colw[best]--
		}
	}
	// Columns shrink, widest first, down to the first of these floors that
	// lets the table fit: headers whole and every kinsoku unit on one line
	// (a character with the opening punctuation before it and the closing
	// after it: “依, 持”）, 议、), then the units (a header may wrap: no line
	// may start with 、), then headers whole, then two characters, then
	// one. Narrower than its widest unit, a column has to start a line
	// with 、 or end one with （.
	unitFloor := func(limit int) func(int) int {
		return func(j int) int { return min(max(unit[j], 2), limit, nat[j]) }
	}
	floors := []func(int) int{
		func(j int) int { return max(minw[j], unitFloor(width)(j)) },
		unitFloor(width),
		func(j int) int { return minw[j] },
		unitFloor(4),
		func(int) int { return 2 },
	}
	for i, floor := range floors {
		sum := overhead
		for j := range ncol {
			sum += floor(j)
		}
		if sum <= width || i == len(floors)-1 {
			shrink(floor)
			break
		}
	}

	var out []string
	for i, r := range marked {
		cellLines := make([][]string, ncol)
		height := 1
		for j := range ncol {
			wrapped := unmark(lipgloss.Wrap(r[j], colw[j], ""))
			cellLines[j] = fixKinsoku(strings.Split(wrapped, "\n"), colw[j], nil)
			height = max(height, len(cellLines[j]))
		}
		for k := range height {
			var b strings.Builder
			for j := range ncol {
				if j > 0 {
					b.WriteString(tc.col)
				}
				s := ""
				if k < len(cellLines[j]) {
					s = strings.TrimRight(cellLines[j][k], " ")
				}
				s = pad(s, colw[j], alignOf(td.align, j))
				if i == 0 && !tc.plain {
					s = tc.header.Render(s)
				}
				b.WriteString(" " + s + " ")
			}
			out = append(out, b.String())
		}
		if i == 0 {
			var b strings.Builder
			for j := range ncol {
				if j > 0 {
					b.WriteString(tc.center)
				}
				b.WriteString(strings.Repeat(tc.row, colw[j]+2))
			}
			out = append(out, b.String())
		}
	}
	return out
}

func alignOf(a []east.Alignment, j int) east.Alignment {
	if j < len(a) {
		return a[j]
	}
	return east.AlignNone
}

func pad(s string, w int, a east.Alignment) string {
	gap := w - ansi.StringWidth(s)
	if gap <= 0 {
		return s
	}
	switch a {
	case east.AlignRight:
		return strings.Repeat(" ", gap) + s
	case east.AlignCenter:
		return strings.Repeat(" ", gap/2) + s + strings.Repeat(" ", gap-gap/2)
	}
	return s + strings.Repeat(" ", gap)
}

// markString inserts break marks into plain text (see markBreaks).
func markString(s string) string {
	edits := markBreaks(s, 0, len(s), nil)
	if len(edits) == 0 {
		return s
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(s[last:e.start])
		b.WriteString(e.repl)
		last = e.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// widestUnit is the width of the widest piece of s that kinsoku keeps on
// one line: a character with the opening punctuation before it and the
// closing punctuation after it (（“依, 持”）).
func widestUnit(s string) int {
	cs, ws := clusters(s)
	widest := 0
	for i := 0; i < len(cs); {
		w := 0
		for i < len(cs) && strings.ContainsAny(cs[i], openingPunct) {
			w += ws[i]
			i++
		}
		if i < len(cs) {
			w += ws[i]
			i++
		}
		for i < len(cs) && strings.ContainsAny(cs[i], closingPunct) {
			w += ws[i]
			i++
		}
		widest = max(widest, w)
	}
	return widest
}
