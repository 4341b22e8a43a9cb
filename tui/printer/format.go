package printer

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"kiosk/internal/mdinline"
)

// Format returns the plain text that is printed: a heading block (title,
// 索引号, 发布日期, 章节), a rule, then the section with Markdown syntax
// removed. Tables become columns aligned by display width (CJK characters
// count two), numbers right-aligned, with a rule under the header row;
// a table wider than MaxWidth has its widest text column wrapped.
// The text has no ANSI codes and no control characters but \n, and ends
// with a newline.
func Format(doc PrintJob) string {
	var b strings.Builder
	head := []string{clean(doc.Title)}
	if v := clean(doc.IndexNo); v != "" {
		head = append(head, "索引号:"+v)
	}
	if v := clean(doc.Date); v != "" {
		head = append(head, "发布日期:"+v)
	}
	if v := clean(doc.Section); v != "" {
		head = append(head, "章节:"+v)
	}
	w := 0
	for _, h := range head {
		w = max(w, ansi.StringWidth(h))
	}
	for _, h := range head {
		b.WriteString(h + "\n")
	}
	b.WriteString(strings.Repeat("=", min(max(w, 20), 76)) + "\n\n")
	b.WriteString(plain(doc.Text))
	return b.String()
}

// clean strips ANSI codes and control characters from one line of text.
func clean(s string) string {
	s = ansi.Strip(s)
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) || r == '\uFFFD' {
			return -1
		}
		return r
	}, s))
}

// plain converts Markdown to plain text, line by line.
func plain(md string) string {
	md = strings.ReplaceAll(md, "\r\n", "\n")
	lines := strings.Split(md, "\n")
	var out []string
	blank := func() {
		if len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}
	inFence := false
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRightFunc(clean(lines[i]), unicode.IsSpace)
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~"):
			inFence = !inFence
		case inFence:
			out = append(out, line)
		case trim == "":
			blank()
		case strings.HasPrefix(trim, "|"):
			j := i
			for j < len(lines) && strings.HasPrefix(strings.TrimSpace(clean(lines[j])), "|") {
				j++
			}
			blank()
			out = append(out, table(lines[i:j])...)
			out = append(out, "")
			i = j - 1
		case isRule(trim):
			out = append(out, strings.Repeat("-", 20))
		case strings.HasPrefix(trim, "#"):
			h := strings.TrimLeft(trim, "#")
			if h == "" || h[0] == ' ' {
				blank()
				out = append(out, inline(strings.TrimSpace(h)), "")
				continue
			}
			out = append(out, inline(trim))
		default:
			out = append(out, listItem(line))
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// isRule reports a thematic break (---, ***, ___).
func isRule(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	return len(s) >= 3 && (strings.Trim(s, "-") == "" || strings.Trim(s, "*") == "" || strings.Trim(s, "_") == "")
}

// listItem keeps a list item's indentation and marker ("- ", "1. ") and
// turns "> " quotes into an indent; the rest is inline text.
func listItem(line string) string {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	rest := line[indent:]
	prefix := strings.Repeat(" ", indent)
	for strings.HasPrefix(rest, ">") {
		rest = strings.TrimLeft(rest[1:], " ")
		prefix += "  "
	}
	if len(rest) >= 2 && (rest[0] == '*' || rest[0] == '+') && rest[1] == ' ' {
		rest = "-" + rest[1:]
	}
	return prefix + inline(rest)
}

// inline removes emphasis marks and code backticks; links keep their text
// and show their address in brackets, images their description.
func inline(s string) string { return mdinline.Strip(s, linkAddress, lineBreak) }

// linkAddress shows a link's address in brackets after its text (not a
// link within the page).
func linkAddress(s string) (string, int) {
	j := strings.IndexByte(s, ')')
	if j < 0 {
		return "", 0
	}
	if url := strings.TrimSpace(s[2:j]); url != "" && !strings.HasPrefix(url, "#") {
		return "(" + url + ")", j + 1
	}
	return "", j + 1
}

// lineBreak makes an HTML <br> a space.
func lineBreak(s string) (string, int) {
	if !strings.HasPrefix(strings.ToLower(s), "<br") {
		return "", 0
	}
	if j := strings.IndexByte(s, '>'); j >= 0 {
		return " ", j + 1
	}
	return "", 0
}

// table lays Markdown table rows out as aligned columns.
func table(rows []string) []string {
	var cells [][]string
	var align []byte // 'l' or 'r' per column from the separator row
	header := -1
	for _, r := range rows {
		cs := splitRow(clean(r))
		if isSeparator(cs) {
			header = len(cells) - 1
			align = make([]byte, len(cs))
			for k, c := range cs {
				c = strings.TrimSpace(c)
				if strings.HasSuffix(c, ":") && !strings.HasPrefix(c, ":") {
					align[k] = 'r'
				}
			}
			continue
		}
		for k := range cs {
			cs[k] = inline(strings.TrimSpace(cs[k]))
		}
		cells = append(cells, cs)
	}
	ncol := 0
	for _, r := range cells {
		ncol = max(ncol, len(r))
	}
	width := make([]int, ncol)
	numeric := make([]bool, ncol)
	for k := range numeric {
		numeric[k] = true
	}
	for i, r := range cells {
		for k := 0; k < ncol; k++ {
			c := ""
			if k < len(r) {
				c = r[k]
			}
			width[k] = max(width[k], ansi.StringWidth(c))
			if i > header && c != "" && !isNumber(c) {
				numeric[k] = false
			}
		}
	}
	// Too wide for the page: narrow the widest text column, whose cells
	// then wrap onto continuation lines.
	total := 2 * (ncol - 1)
	for _, w := range width {
		total += w
	}
	if over := total - MaxWidth; over > 0 {
		widest := -1
		for k := range width {
			if !numeric[k] && (widest < 0 || width[k] > width[widest]) {
				widest = k
			}
		}
		if widest >= 0 {
			width[widest] = max(width[widest]-over, 8)
			total -= over
		}
	}
	var out []string
	for i, r := range cells {
		// Each cell as lines no wider than its column.
		parts := make([][]string, ncol)
		height := 1
		for k := 0; k < ncol; k++ {
			c := ""
			if k < len(r) {
				c = r[k]
			}
			parts[k] = wrap(c, width[k])
			height = max(height, len(parts[k]))
		}
		for ln := 0; ln < height; ln++ {
			var b strings.Builder
			for k := 0; k < ncol; k++ {
				c := ""
				if ln < len(parts[k]) {
					c = parts[k][ln]
				}
				pad := strings.Repeat(" ", max(width[k]-ansi.StringWidth(c), 0))
				right := (k < len(align) && align[k] == 'r') || (numeric[k] && i > header)
				if k > 0 {
					b.WriteString("  ")
				}
				if right {
					b.WriteString(pad + c)
				} else {
					b.WriteString(c + pad)
				}
			}
			out = append(out, strings.TrimRight(b.String(), " "))
		}
		if i == header {
			out = append(out, strings.Repeat("-", total))
		}
	}
	return out
}

// MaxWidth is the widest a table is laid out, in display columns
// (a CJK character is two): 76 fits a text page of 80 columns.
const MaxWidth = 76

// wrap cuts s into lines at most w display columns wide, between any two
// characters (Chinese has no spaces to break at).
func wrap(s string, w int) []string {
	if ansi.StringWidth(s) <= w {
		return []string{s}
	}
	var lines []string
	var cur strings.Builder
	cw := 0
	for _, r := range s {
		rw := ansi.StringWidth(string(r))
		if cw+rw > w && cw > 0 {
			lines = append(lines, cur.String())
			cur.Reset()
			cw = 0
		}
		cur.WriteRune(r)
		cw += rw
	}
	return append(lines, cur.String())
}

// splitRow splits "| a | b |" into cells; "\|" is a literal pipe.
func splitRow(r string) []string {
	r = strings.TrimSpace(r)
	r = strings.TrimPrefix(r, "|")
	if strings.HasSuffix(r, "|") && !strings.HasSuffix(r, `\|`) {
		r = r[:len(r)-1]
	}
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(r); i++ {
		if r[i] == '\\' && i+1 < len(r) && r[i+1] == '|' {
			cur.WriteByte('|')
			i++
			continue
		}
		if r[i] == '|' {
			cells = append(cells, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(r[i])
	}
	return append(cells, cur.String())
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" || strings.Trim(c, ":-") != "" || !strings.Contains(c, "-") {
			return false
		}
	}
	return len(cells) > 0
}

// isNumber reports a figure such as 1,234, 56.7% or -3.
func isNumber(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(",.%-+ ", r):
		default:
			return false
		}
	}
	return digits > 0
}
