package render

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// newParser returns a goldmark parser configured like glamour's, so that
// the positions found here are the ones glamour will see.
func newParser() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, extension.DefinitionList))
}

type edit struct {
	start, end int // source range replaced (start == end: insertion)
	repl       string
}

// prepare rewrites sanitized Markdown for glamour:
//
//  1. Soft line breaks inside a paragraph are joined. Between two non-ASCII
//     characters (Chinese) they vanish — glamour would show a space
//     (NOTES defect 3); elsewhere they become one space as in CommonMark.
//  2. Tables are replaced by placeholder paragraphs and returned, to be
//     laid out by layoutTable (see table.go).
//  3. Every line-break opportunity that Unicode line breaking (UAX #14,
//     github.com/rivo/uniseg) allows inside a text run, and that is not
//     already a space, gets a breakMark. UAX #14 forbids breaks before
//     closing punctuation (，。、；：？！）》」』” …) and after opening
//     punctuation (（《「『“ …), so glamour's greedy wrapper, breaking only at
//     spaces and marks, produces kinsoku-correct lines, and an ASCII space
//     no longer throws a whole Chinese run onto the next line (defect 4).
//
// Marks go only into ast.Text nodes (never code spans, code blocks, link
// destinations or HTML), never next to a space or to ASCII punctuation that
// means something in Markdown (* _ ~ ` [ ] < > \ …), so they cannot change
// how the text parses, and never between an ASCII letter or digit and a
// following Chinese character (see isAlnum).
func prepare(md goldmark.Markdown, src string) (string, []tableData) {
	if src == "" {
		return src, nil
	}
	source := []byte(src)
	doc := md.Parser().Parse(text.NewReader(source))
	var edits []edit
	var tables []tableData
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if t, ok := n.(*east.Table); ok {
			if td, start, end, ok := collectTable(t, source); ok {
				edits = append(edits, edit{start, end, "\n\n" + placeholder(len(tables)) + "\n\n"})
				tables = append(tables, td)
			}
			return ast.WalkSkipChildren, nil
		}
		switch n.Kind() {
		case ast.KindCodeSpan, ast.KindCodeBlock, ast.KindFencedCodeBlock,
			ast.KindHTMLBlock, ast.KindRawHTML, ast.KindAutoLink:
			return ast.WalkSkipChildren, nil
		}
		t, ok := n.(*ast.Text)
		if !ok {
			return ast.WalkContinue, nil
		}
		seg := t.Segment
		edits = markBreaks(src, seg.Start, seg.Stop, edits)
		if t.SoftLineBreak() {
			edits = joinSoftBreak(src, seg.Stop, edits)
		}
		return ast.WalkContinue, nil
	})
	if len(edits) == 0 {
		return src, nil
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b strings.Builder
	b.Grow(len(src) + len(edits)*3)
	last := 0
	for _, e := range edits {
		if e.start < last { // overlapping edit (should not happen): skip it
			continue
		}
		b.WriteString(src[last:e.start])
		b.WriteString(e.repl)
		last = e.end
	}
	b.WriteString(src[last:])
	return b.String(), tables
}

// markBreaks appends a breakMark insertion at every non-mandatory UAX #14
// break opportunity strictly inside src[start:stop] that is safe to mark.
func markBreaks(src string, start, stop int, edits []edit) []edit {
	// A hyphen between digits (telephone numbers, dates): glamour's wrapper
	// always breaks after '-'; U+2011 looks the same, is one cell wide and
	// is turned back into '-' after rendering.
	for i := start + 1; i+1 < stop; i++ {
		if src[i] == '-' && isDigit(src[i-1]) && isDigit(src[i+1]) {
			edits = append(edits, edit{i, i + 1, nbHyphen})
		}
	}
	if stop-start < 2 || !hasNonASCII(src[start:stop]) {
		return edits
	}
	rest := src[start:stop]
	pos := start
	state := -1
	var seg string
	var must bool
	for len(rest) > 0 {
		seg, rest, must, state = uniseg.FirstLineSegmentInString(rest, state)
		pos += len(seg)
		if len(rest) == 0 || must {
			continue
		}
		a, _ := utf8.DecodeLastRuneInString(seg)
		b, _ := utf8.DecodeRuneInString(rest)
		if markable(a) && markable(b) && (a >= utf8.RuneSelf || b >= utf8.RuneSelf && !isAlnum(a)) {
			edits = append(edits, edit{pos, pos, string(breakMark)})
		}
	}
	return edits
}

// markable reports whether a break mark may stand next to r.
func markable(r rune) bool {
	if r < utf8.RuneSelf {
		// Letters, digits and punctuation that has no Markdown meaning
		// inside a text node (not * _ ~ ` [ ] < > \ & | # …).
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' ||
			strings.ContainsRune(",.;:?!()%'\"", r)
	}
	return !unicode.IsSpace(r) && r != utf8.RuneError
}

// isAlnum reports an ASCII letter or digit. No mark goes after one when a
// Chinese character follows, so a number keeps its unit or counter
// ("2018年", "1条", as W3C clreq prefers); a break before a number or a
// Latin word stays allowed.
func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// joinSoftBreak replaces the soft line break after a text segment ending at
// stop (trailing spaces, the newline, the next line's indentation and
// block-quote markers) by nothing, a breakMark or a space.
func joinSoftBreak(src string, stop int, edits []edit) []edit {
	i := stop
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i >= len(src) || src[i] != '\n' {
		return edits
	}
	i++
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '>') {
		i++
	}
	if i >= len(src) {
		return edits
	}
	a, _ := utf8.DecodeLastRuneInString(src[:stop])
	b, _ := utf8.DecodeRuneInString(src[i:])
	repl := " "
	if a >= utf8.RuneSelf && b >= utf8.RuneSelf && !unicode.IsSpace(a) && !unicode.IsSpace(b) {
		repl = ""
		// Keep a break opportunity where UAX #14 allows one.
		pair := string(a) + string(b)
		if first, _, _, _ := uniseg.FirstLineSegmentInString(pair, -1); len(first) < len(pair) {
			repl = string(breakMark)
		}
	}
	return append(edits, edit{stop, i, repl})
}
