// Package texttable prints rows of text as columns aligned by terminal
// cells, so that a column of Chinese names lines up as a column of ids
// does (text/tabwriter counts runes: a Han character is one rune but two
// cells). Cells must already be safe for a terminal (internal/termtext).
package texttable

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Write prints rows with gap spaces between columns; the last column is
// not padded.
func Write(w io.Writer, rows [][]string, gap int) error {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], ansi.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-ansi.StringWidth(c)+gap))
			}
		}
		// Columns left empty at the end leave no trailing spaces.
		line := strings.TrimRight(b.String(), " ")
		b.Reset()
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	return nil
}
