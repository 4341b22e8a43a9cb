package content

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// looksLikeHTML decides whether the input is a web page rather than text
// copied from one.
func looksLikeHTML(name, text string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".htm", ".html", ".shtml", ".xhtml":
		return true
	}
	head := strings.ToLower(strings.TrimLeftFunc(text, unicode.IsSpace))
	if len(head) > 2048 {
		head = head[:2048]
	}
	if !strings.HasPrefix(head, "<") {
		return false
	}
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<div", "<p>", "<p ", "<table"} {
		if strings.Contains(head, tag) {
			return true
		}
	}
	return false
}

// htmlLines extracts the visible text of a page as lines: one per block
// element, a blank line after each block, and one line per row of a data
// table with its cells separated by tabs (so the statistics table keeps
// its empty cells). It also returns the page's <title>.
//
// The tree is parsed with golang.org/x/net/html, which has no source
// positions; line numbers are found by looking each line's first words up
// in the source, in order, and are approximate where markup splits them.
func htmlLines(src string) ([]srcLine, string) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // only a failing reader errors; a string reader does not
		return nil, ""
	}
	w := &htmlWalker{src: src, line: 1}
	w.walk(doc)
	w.endBlock()
	return w.lines, w.title
}

type htmlWalker struct {
	src       string
	pos, line int // where the last line was found in src, and its line number
	cur       strings.Builder
	lines     []srcLine
	title     string
}

// htmlSkipped reports elements whose text is not page text.
func htmlSkipped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Svg, atom.Object,
		atom.Select, atom.Textarea, atom.Button, atom.Math, atom.Canvas:
		return true
	}
	return false
}

// htmlBlock reports elements that start a new line.
func htmlBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Table, atom.Tr, atom.Td, atom.Th, atom.Thead, atom.Tbody, atom.Tfoot, atom.Caption,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Nav, atom.Aside, atom.Main, atom.Form,
		atom.Blockquote, atom.Pre, atom.Hr, atom.Dl, atom.Dt, atom.Dd, atom.Center, atom.Address,
		atom.Figure, atom.Figcaption, atom.Body, atom.Html:
		return true
	}
	return false
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.cur.WriteString(n.Data)
		return
	case html.ElementNode:
		switch {
		case n.DataAtom == atom.Title:
			if w.title == "" {
				w.title = collapseSpace(nodeText(n))
			}
			return
		case htmlSkipped(n.DataAtom):
			return
		case n.DataAtom == atom.Br:
			w.emit(false)
			return
		case n.DataAtom == atom.Table && isDataTable(n):
			w.endBlock()
			w.dataTable(n)
			w.endBlock()
			return
		case htmlBlock(n.DataAtom):
			w.endBlock()
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				w.walk(c)
			}
			w.endBlock()
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

// emit ends the current line; blank adds an empty line after it, as
// between paragraphs.
func (w *htmlWalker) emit(blank bool) {
	t := trimSpace(collapseSpace(w.cur.String()))
	w.cur.Reset()
	if t != "" {
		w.lines = append(w.lines, srcLine{w.locate(t), t})
	}
	if blank && len(w.lines) > 0 && w.lines[len(w.lines)-1].text != "" {
		w.lines = append(w.lines, srcLine{w.line, ""})
	}
}

func (w *htmlWalker) endBlock() { w.emit(true) }

// locate returns the source line of text t: its first few characters
// searched for from the previous line's position.
func (w *htmlWalker) locate(t string) int {
	f := strings.FieldsFunc(t, unicode.IsSpace)
	if len(f) == 0 {
		return w.line
	}
	key := []rune(f[0])
	if len(key) > 6 {
		key = key[:6]
	}
	if k := string(key); k != "" {
		if i := strings.Index(w.src[w.pos:], k); i >= 0 {
			w.line += strings.Count(w.src[w.pos:w.pos+i], "\n")
			w.pos += i
		}
	}
	return w.line
}

// dataTable writes each row of a data table as one line of cells joined
// by tabs.
func (w *htmlWalker) dataTable(t *html.Node) {
	var rows func(n *html.Node)
	rows = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				var cells []string
				nonEmpty := false
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						// Tabs inside a cell would split it.
						ct := strings.ReplaceAll(trimSpace(collapseSpace(nodeText(td))), "\t", " ")
						cells = append(cells, ct)
						nonEmpty = nonEmpty || ct != ""
					}
				}
				if nonEmpty {
					// Not through emit: collapsing white space would
					// turn the tabs between cells into spaces.
					t := strings.Join(cells, "\t")
					w.lines = append(w.lines, srcLine{w.locate(t), t})
				}
			case atom.Thead, atom.Tbody, atom.Tfoot:
				rows(c)
			}
		}
	}
	rows(t)
}

// isDataTable tells a table of figures from a table that lays out the
// page: a data table has no nested table, has rows of at least two cells,
// and no cell holds a paragraph of text.
func isDataTable(t *html.Node) bool {
	multi, data := false, true
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil && data; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Table:
				data = false
				return
			case atom.Tr:
				cells := 0
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						cells++
						if runeLen(collapseSpace(nodeText(td))) > 100 {
							data = false
						}
					}
				}
				multi = multi || cells >= 2
			}
			visit(c)
		}
	}
	visit(t)
	return data && multi
}

// nodeText is the text of n's subtree, blocks separated by newlines.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && htmlSkipped(n.DataAtom):
			return
		case n.Type == html.ElementNode && (htmlBlock(n.DataAtom) || n.DataAtom == atom.Br):
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return b.String()
}

// collapseSpace turns each run of white space into one space, and removes
// a run that holds a line break unless it separates two ASCII words: such
// a break is only the page source's wrapping, and a space inside Chinese
// text shows on screen.
func collapseSpace(s string) string {
	rs := []rune(s)
	var b strings.Builder
	word := func(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
	for i := 0; i < len(rs); {
		if !unicode.IsSpace(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j, nl := i, false
		for j < len(rs) && unicode.IsSpace(rs[j]) {
			nl = nl || rs[j] == '\n' || rs[j] == '\r'
			j++
		}
		if !(nl && i > 0 && j < len(rs) && !(word(rs[i-1]) && word(rs[j]))) {
			b.WriteByte(' ')
		}
		i = j
	}
	return b.String()
}
