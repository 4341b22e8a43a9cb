package render

import (
	"fmt"
	"hash/maphash"
	"strings"
	"sync"
	"unicode/utf8"

	"charm.land/glamour/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark"
)

// MinWidth is the narrowest width glamour is asked to lay out; narrower
// requests are laid out at MinWidth and then hard-wrapped to fit.
const MinWidth = 20

// maxCache bounds the number of cached renderings per Renderer, maxTerms
// the number of glamour TermRenderers (one per width seen).
const (
	maxCache = 512
	maxTerms = 8
)

// Options configure a Renderer.
type Options struct {
	// Style is "dark" (default), "light" or "notty" (no escape codes at
	// all, for plain output).
	Style string
}

// Renderer renders Markdown for one kiosk session. It caches rendered
// text per (key, width) — the style is fixed per Renderer — and keeps one
// glamour TermRenderer per width. It is safe for concurrent use.
type Renderer struct {
	style string
	seed  maphash.Seed
	md    goldmark.Markdown // for prepare; goldmark parsing is concurrency-safe

	colors *Colors // the only colours drawn (WithColors); nil: the style's

	mu    sync.Mutex
	cache map[cacheKey]cacheEntry
	terms map[int]*term
}

type cacheKey struct {
	key   string
	width int
}

type cacheEntry struct {
	hash uint64 // of the Markdown, so a changed text under the same key is re-rendered
	out  string
}

// term is a glamour TermRenderer and the lock serialising its use (a
// TermRenderer is not documented as safe for concurrent use).
type term struct {
	mu sync.Mutex
	tr *glamour.TermRenderer
}

// New returns a Renderer. An unknown style is treated as "dark".
func New(opts Options) *Renderer {
	s := opts.Style
	if s != StyleLight && s != StyleNoTTY {
		s = StyleDark
	}
	return &Renderer{
		style: s,
		seed:  maphash.MakeSeed(),
		md:    newParser(),
		cache: make(map[cacheKey]cacheEntry),
		terms: make(map[int]*term),
	}
}

// Style returns the Renderer's style name.
func (r *Renderer) Style() string { return r.style }

// Render renders markdown (untrusted: it is sanitized here) for a terminal
// width cells wide. The result has no trailing newline; no line is wider
// than width display cells (ambiguous-width characters count as 1), and it
// contains no escape sequences other than SGR (none at all in notty).
//
// key names the content (e.g. a section reference) for the cache; the
// cache also checks a hash of markdown, so a changed text is re-rendered.
// An empty key disables caching.
func (r *Renderer) Render(key, markdown string, width int) (string, error) {
	if width < 2 {
		width = 2
	}
	var h uint64
	if key != "" {
		h = maphash.String(r.seed, markdown)
		r.mu.Lock()
		e, ok := r.cache[cacheKey{key, width}]
		r.mu.Unlock()
		if ok && e.hash == h {
			return e.out, nil
		}
	}
	out, err := r.render(markdown, width)
	if err != nil {
		return "", err
	}
	if key != "" {
		r.mu.Lock()
		if len(r.cache) >= maxCache {
			for k := range r.cache { // evict an arbitrary entry
				delete(r.cache, k)
				break
			}
		}
		r.cache[cacheKey{key, width}] = cacheEntry{h, out}
		r.mu.Unlock()
	}
	return out, nil
}

func (r *Renderer) render(markdown string, width int) (string, error) {
	src, tables := prepare(r.md, Sanitize(markdown))
	layout := max(width, MinWidth)
	t, err := r.term(layout)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	out, err := t.tr.Render(src)
	t.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("排版失败 (render): %w", err)
	}
	return r.finish(out, width, tables), nil
}

// term returns the TermRenderer for a layout width, creating it once.
func (r *Renderer) term(width int) (*term, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.terms[width]; ok {
		return t, nil
	}
	if len(r.terms) >= maxTerms {
		for w := range r.terms { // a user resizing: forget an arbitrary width
			delete(r.terms, w)
			break
		}
	}
	tr, err := glamour.NewTermRenderer(
		glamour.WithStyles(r.config()),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return nil, fmt.Errorf("排版失败 (render): %w", err)
	}
	t := &term{tr: tr}
	r.terms[width] = t
	return t, nil
}

// finish cleans glamour's output: drops non-SGR escapes (glamour writes
// OSC 8 hyperlinks) and line padding, gives list items a hanging indent,
// drops break marks, draws tables, underlines notty headings, trims blank
// lines and, as a safety net, hard-wraps any line still wider than width.
func (r *Renderer) finish(out string, width int, tables []tableData) string {
	notty := r.style == StyleNoTTY
	out = stripEscapes(out, !notty)
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if notty {
			lines[i] = strings.TrimRight(l, " ")
		} else {
			lines[i] = trimPadding(l)
		}
	}
	lines = hangLists(lines, width)
	for i, l := range lines {
		lines[i] = unmark(l)
	}
	if len(tables) > 0 {
		lines = r.insertTables(lines, width, tables)
	}
	if notty {
		lines = underlineHeadings(lines)
	}
	var fixed []string
	for _, l := range lines {
		blank := isBlank(l)
		if blank && (len(fixed) == 0 || fixed[len(fixed)-1] == "") {
			continue // no blank line at the top, at most one in a row
		}
		if blank {
			l = ""
		}
		if len(l) > width && ansi.StringWidth(l) > width { // a cell needs ≥ 1 byte
			fixed = append(fixed, hardWrap(l, width)...)
			continue
		}
		fixed = append(fixed, l)
	}
	for len(fixed) > 0 && fixed[len(fixed)-1] == "" {
		fixed = fixed[:len(fixed)-1]
	}
	// Where a run longer than the line was cut anywhere (glamour's hard
	// break), no line may start with 。 either.
	fixed = fixKinsoku(fixed, width, TableLines(fixed))
	return strings.Join(fixed, "\n")
}

// hardWrap is the safety net for a line wider than width (only seen below
// MinWidth): lipgloss.Wrap keeps styles; what it leaves too wide (runs of
// spaces) is trimmed or cut by ansi.Hardwrap.
func hardWrap(l string, width int) []string {
	var out []string
	for _, p := range strings.Split(lipgloss.Wrap(l, width, ""), "\n") {
		if ansi.StringWidth(p) > width {
			p = strings.TrimRight(p, " ")
		}
		if ansi.StringWidth(p) > width {
			out = append(out, strings.Split(ansi.Hardwrap(p, width, false), "\n")...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// isBlank reports a line with nothing visible (spaces and SGR only).
func isBlank(l string) bool {
	return strings.TrimSpace(ansi.Strip(l)) == ""
}

// contentStart returns the byte offset of the first visible non-space
// character of a line, and the display width before it.
func contentStart(l string) (off, col int) {
	for i := 0; i < len(l); {
		switch l[i] {
		case 0x1b:
			i = skipEscape(l, i)
		case ' ':
			i++
			col++
		default:
			return i, col
		}
	}
	return len(l), col
}

// listMarker returns the length in bytes and width of a list marker
// ("•\u00a0", "12.\u00a0") at the start of s, escape sequences included
// (dark styles the number and the dot separately), or 0.
func listMarker(s string) (n, w int) {
	plain := ansi.Strip(s)
	var runes int
	switch {
	case strings.HasPrefix(plain, "•"+nbsp):
		runes, w = 2, 2
	default:
		d := 0
		for d < len(plain) && isDigit(plain[d]) {
			d++
		}
		if d == 0 || !strings.HasPrefix(plain[d:], "."+nbsp) {
			return 0, 0
		}
		runes, w = d+2, d+2
	}
	// Find the byte offset in s after that many visible runes.
	i := 0
	for runes > 0 && i < len(s) {
		if s[i] == 0x1b {
			i = skipEscape(s, i)
			continue
		}
		_, size := utf8DecodeAt(s, i)
		i += size
		runes--
	}
	return i, w
}

// hangLists re-wraps list items so that their continuation lines start
// under the text, not under the bullet (glamour puts them under the
// bullet). It runs while break marks are still in the text, so the
// re-wrap keeps the kinsoku rules.
//
// glamour drops the space or mark where it broke a line; the join guesses
// which: nothing after a full line of ASCII letters (a hard break inside a
// word), a space between ASCII characters, a break mark otherwise.
func hangLists(lines []string, width int) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		off, indent := contentStart(l)
		mlen, mw := listMarker(l[off:])
		if mlen == 0 {
			out = append(out, l)
			continue
		}
		limit := width - indent - 2 // glamour's right margin
		textW := limit - mw
		if textW < 4 {
			out = append(out, l)
			continue
		}
		head := l[:off+mlen]
		text := l[off+mlen:]
		prevFull := ansi.StringWidth(ansi.Strip(l[off:])) >= limit
		j := i + 1
		for ; j < len(lines); j++ {
			next := lines[j]
			noff, nindent := contentStart(next)
			if noff >= len(next) || nindent != indent {
				break
			}
			if n, _ := listMarker(next[noff:]); n > 0 {
				break
			}
			text += joiner(text, next[noff:], prevFull) + next[noff:]
			prevFull = ansi.StringWidth(ansi.Strip(next[noff:])) >= limit
		}
		if j == i+1 && ansi.StringWidth(l) <= width {
			out = append(out, l) // single line: nothing to do
			continue
		}
		pad := strings.Repeat(" ", indent+mw)
		for k, wl := range strings.Split(lipgloss.Wrap(text, textW, ""), "\n") {
			if k == 0 {
				out = append(out, head+wl)
			} else {
				out = append(out, pad+wl)
			}
		}
		i = j - 1
	}
	return out
}

// joiner returns what glamour most likely dropped between two wrapped lines.
func joiner(prev, next string, prevFull bool) string {
	a, _ := utf8.DecodeLastRuneInString(ansi.Strip(prev))
	b, _ := utf8.DecodeRuneInString(ansi.Strip(next))
	ascii := a < utf8.RuneSelf && b < utf8.RuneSelf
	switch {
	case ascii && prevFull && isAlnum(a) && isAlnum(b):
		return ""
	case ascii:
		return " "
	}
	return string(breakMark)
}

// underlineHeadings removes the notty heading sentinels and puts a rule
// under each heading, as wide as its widest line and at its indentation.
func underlineHeadings(lines []string) []string {
	out := make([]string, 0, len(lines)+8)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		idx := strings.IndexAny(l, string([]rune{sentH1, sentH2, sentH3}))
		if idx < 0 {
			out = append(out, l)
			continue
		}
		rule := "-"
		switch {
		case strings.HasPrefix(l[idx:], string(sentH1)):
			rule = "═"
		case strings.HasPrefix(l[idx:], string(sentH2)):
			rule = "─"
		}
		_, size := utf8DecodeAt(l, idx)
		l = l[:idx] + l[idx+size:]
		indent := l[:idx]
		w := 0
		for {
			w = max(w, ansi.StringWidth(strings.TrimRight(l, " "))-len(indent))
			out = append(out, l)
			if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) == "" {
				break
			}
			i++
			l = lines[i]
		}
		out = append(out, indent+strings.Repeat(rule, max(w, 1)))
	}
	return out
}

// trimPadding drops the trailing padding glamour writes after the text of
// a line (each space with its own colour code: most of dark output's
// bytes). Spaces drawn with a background colour or in inverse video (the
// H1 band) are visible and kept.
func trimPadding(l string) string {
	lastEnd := 0 // end of the last visible character
	sgr, bg := false, false
	for i := 0; i < len(l); {
		switch l[i] {
		case 0x1b:
			end := skipEscape(l, i)
			seq := l[i:end]
			switch {
			case visibleOnSpace(seq):
				bg = true
			case seq == "\x1b[m" || seq == "\x1b[0m":
				bg = false
			}
			sgr = true
			i = end
		case ' ':
			i++
			if bg {
				lastEnd = i
			}
		default:
			_, size := utf8DecodeAt(l, i)
			i += size
			lastEnd = i
		}
	}
	switch {
	case lastEnd == 0:
		return ""
	case lastEnd == len(l):
		return l
	case sgr:
		return l[:lastEnd] + "\x1b[m"
	}
	return l[:lastEnd]
}

// visibleOnSpace reports whether an SGR sequence sets a background colour
// or inverse video (it parses the parameters without allocating).
func visibleOnSpace(seq string) bool {
	if len(seq) < 3 || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return false
	}
	params := seq[2 : len(seq)-1]
	skip := 0       // arguments of an extended foreground colour still to skip
	colour := false // the next parameter is the colour type (5 or 2)
	for len(params) > 0 {
		p := params
		if i := strings.IndexAny(params, ";:"); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			params = ""
		}
		switch {
		case colour:
			colour = false
			if p == "5" {
				skip = 1
			} else if p == "2" {
				skip = 3
			}
		case skip > 0:
			skip--
		case p == "38" || p == "58":
			colour = true
		case p == "7" || p == "48":
			return true
		case len(p) == 2 && p[0] == '4' && p[1] >= '0' && p[1] <= '7':
			return true
		case len(p) == 3 && p[0] == '1' && p[1] == '0' && p[2] >= '0' && p[2] <= '7':
			return true
		}
	}
	return false
}

// insertTables replaces each table placeholder line by the laid-out table,
// keeping what precedes the placeholder on its line (margin, quote bars).
func (r *Renderer) insertTables(lines []string, width int, tables []tableData) []string {
	tc := tableCharsFor(r.style)
	out := make([]string, 0, len(lines)+16*len(tables))
	for _, l := range lines {
		i := strings.IndexRune(l, sentTable)
		if i < 0 {
			out = append(out, l)
			continue
		}
		var n int
		if _, err := fmt.Sscanf(l[i+len(string(sentTable)):], "KIOSKTABLE%d", &n); err != nil || n < 0 || n >= len(tables) {
			out = append(out, l)
			continue
		}
		prefix := l[:i]
		if j := strings.LastIndex(prefix, "\x1b[m"); j >= 0 && j+4 == len(prefix) {
			prefix = prefix[:j] // drop the reset glamour put after the margin
		}
		avail := width - ansi.StringWidth(prefix) - 2 // glamour's right margin
		for _, tl := range layoutTable(tables[n], max(avail, 4), tc) {
			out = append(out, strings.TrimRight(prefix+tl, " "))
		}
	}
	return out
}
