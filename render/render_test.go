package render

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"charm.land/glamour/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kiosk/content"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Closing punctuation may not start a line; opening may not end one.
// ASCII ,.;:?!) are included because the pack's Chinese text uses them.
const (
	closing = "，。、；：？！）》」』”’〕】〉〗〙〛｝］．｡､" + "｠" + ",.;:?!)"
	opening = "（《「『“‘〔【〈〖〘〚｛［｟" + "("
)

type input struct {
	name, md string
}

// fixtures returns the testdata fixtures and every section of the default
// pack. packSections reports how many came from the pack.
func fixtures(t testing.TB) (all []input, packSections int) {
	t.Helper()
	files, err := filepath.Glob("testdata/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, input{filepath.Base(f), string(b)})
	}
	p, err := content.Default()
	if err != nil {
		t.Logf("default pack does not load: %v", err)
		return all, 0
	}
	for _, d := range p.Docs {
		for _, s := range d.Sections {
			all = append(all, input{s.Ref(), s.Markdown()})
			packSections++
		}
	}
	return all, packSections
}

func hanRunes(s string) []rune {
	var out []rune
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			out = append(out, r)
		}
	}
	return out
}

// cellRunes returns the Han characters and digits of table text: stock
// glamour drops digits of statistics at some widths (19475 → 1947).
func cellRunes(s string) []rune {
	var out []rune
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || r >= '0' && r <= '9' {
			out = append(out, r)
		}
	}
	return out
}

// checkEscapes fails unless every escape sequence in out is SGR (and there
// are none in notty) and no other control character is present.
func checkEscapes(out string, notty bool) error {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == 0x1b:
			if notty {
				return fmt.Errorf("escape sequence in notty output at byte %d", i)
			}
			j := i + 1
			if j >= len(out) || out[j] != '[' {
				return fmt.Errorf("non-CSI escape at byte %d: %q", i, out[i:min(i+12, len(out))])
			}
			j++
			for j < len(out) && (out[j] >= '0' && out[j] <= '9' || out[j] == ';' || out[j] == ':') {
				j++
			}
			if j >= len(out) || out[j] != 'm' {
				return fmt.Errorf("non-SGR escape at byte %d: %q", i, out[i:min(j+1, len(out))])
			}
			i = j + 1
			continue
		case r == '\n':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Errorf("control character %U at byte %d", r, i)
		case r == breakMark || r == 0x2011 || unicode.Is(unicode.Noncharacter_Code_Point, r) || r == utf8.RuneError:
			return fmt.Errorf("internal character %U leaked at byte %d", r, i)
		}
		i += size
	}
	return nil
}

// tableSeps are the column separators of the three styles (and the dark
// block-quote bar, which also must stay in one column).
const tableSeps = "|│┼"

// stripQuote removes a block-quote bar ("| " or "│ " after the margin).
func stripQuote(l string) string {
	t := strings.TrimLeft(l, " ")
	for _, bar := range []string{"| ", "│ "} {
		if strings.HasPrefix(t, bar) {
			return strings.Repeat(" ", len(l)-len(t)+2) + t[len(bar):]
		}
	}
	return l
}

// sepColumns returns the display columns of table separators in a plain
// line (block-quote bars excepted).
func sepColumns(plain string) []int {
	plain = stripQuote(plain)
	var cols []int
	col := 0
	for _, g := range graphemes(plain) {
		if strings.Contains(tableSeps, g) {
			cols = append(cols, col)
		}
		col += ansi.StringWidth(g)
	}
	return cols
}

func graphemes(s string) []string {
	var out []string
	for len(s) > 0 {
		g, _ := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		if g == "" {
			break
		}
		out = append(out, g)
		s = s[len(g):]
	}
	return out
}

// kinsokuViolations returns the lines (plain) that start with closing or end
// with opening punctuation; table cells and quote bars count as line
// boundaries.
func kinsokuViolations(plain string) []string {
	var bad []string
	for _, l := range strings.Split(plain, "\n") {
		for _, part := range strings.FieldsFunc(stripQuote(l), func(r rune) bool { return strings.ContainsRune(tableSeps, r) }) {
			part = strings.Trim(part, " \u00a0")
			if part == "" {
				continue
			}
			first, _ := utf8.DecodeRuneInString(part)
			last, _ := utf8.DecodeLastRuneInString(part)
			if strings.ContainsRune(closing, first) || strings.ContainsRune(opening, last) {
				bad = append(bad, l)
				break
			}
		}
	}
	return bad
}

// allowedKinsoku lists violations that the source forces, as the plain
// text of the offending (trimmed) line part.
//
// Only one kind exists in the fixtures: a run with no break opportunity
// that is longer than the line, which has to be cut somewhere —
// mixed.md's 86-letter English word followed by "，".
func allowedKinsoku(name, part string) bool {
	return name == "mixed.md" && (strings.Contains(part, "XYZ，") || strings.HasPrefix(strings.TrimSpace(part), "，后接中文"))
}

// splitSourceTables separates GFM table lines (starting with "|") from the
// rest of a Markdown text and returns each table's columns, concatenated.
func splitSourceTables(md string) (rest string, tables [][]string) {
	var b strings.Builder
	var cur []string
	for _, l := range strings.Split(md, "\n") {
		tl := strings.TrimSpace(l)
		if !strings.HasPrefix(tl, "|") {
			cur = nil
			b.WriteString(l + "\n")
			continue
		}
		if strings.Trim(tl, "|-: ") == "" { // delimiter row
			continue
		}
		cells := strings.Split(strings.Trim(tl, "|"), "|")
		if cur == nil {
			cur = make([]string, len(cells))
			tables = append(tables, cur)
		}
		for j := range min(len(cells), len(cur)) {
			cur[j] += cells[j]
		}
	}
	return b.String(), tables
}

// splitOutputTables does the same for rendered plain lines: a table is a
// run of lines with separators; columns are cut at the separators.
func splitOutputTables(lines []string) (rest string, tables [][]string) {
	var b strings.Builder
	var cur []string
	for _, l := range lines {
		if len(sepColumns(l)) == 0 {
			cur = nil
			b.WriteString(l + "\n")
			continue
		}
		cells := strings.FieldsFunc(stripQuote(l), func(r rune) bool { return strings.ContainsRune(tableSeps, r) })
		if strings.Trim(l, " -─|│┼") == "" {
			continue // rule under the header
		}
		if cur == nil {
			cur = make([]string, len(sepColumns(l))+1)
			tables = append(tables, cur)
		}
		for j := range min(len(cells), len(cur)) {
			cur[j] += cells[j]
		}
	}
	return b.String(), tables
}

type widthPlan struct {
	style string
	step  int
}

// plans: every width 40…200 for dark; every 7th width for light and notty
// (the three styles share the same wrapping, only colours differ).
var plans = []widthPlan{{StyleDark, 1}, {StyleLight, 7}, {StyleNoTTY, 7}}

func TestProperties(t *testing.T) {
	inputs, packN := fixtures(t)
	if packN == 0 {
		t.Log("WARNING: default pack has no documents yet; testing fixtures only")
	} else {
		t.Logf("%d fixtures + %d pack sections", len(inputs)-packN, packN)
	}
	for _, plan := range plans {
		t.Run(plan.style, func(t *testing.T) {
			t.Parallel()
			r := New(Options{Style: plan.style})
			for _, in := range inputs {
				wantHan := hanRunes(Sanitize(in.md))
				for w := 40; w <= 200; w += plan.step {
					out, err := r.Render("", in.md, w)
					if err != nil {
						t.Fatalf("%s w=%d: %v", in.name, w, err)
					}
					checkOutput(t, in, plan.style, w, out, wantHan)
				}
			}
		})
	}
}

func checkOutput(t *testing.T, in input, style string, w int, out string, wantHan []rune) {
	t.Helper()
	where := fmt.Sprintf("%s %s w=%d", in.name, style, w)
	// (e) escapes
	if err := checkEscapes(out, style == StyleNoTTY); err != nil {
		t.Errorf("%s: %v", where, err)
	}
	plain := Plain(out)
	lines := strings.Split(out, "\n")
	plainLines := strings.Split(plain, "\n")
	// (a) width
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w || lipgloss.Width(l) > w {
			t.Errorf("%s: line %d is %d cells wide: %q", where, i, lw, plainLines[i])
		}
	}
	// (b) Han characters in order: outside tables in reading order; in
	// tables column by column (a column read top-down lists its cells in
	// row order, each cell's text in order), digits included.
	srcText, srcTables := splitSourceTables(Sanitize(in.md))
	outText, outTables := splitOutputTables(plainLines)
	if got, want := hanRunes(outText), hanRunes(srcText); !slices.Equal(got, want) {
		t.Errorf("%s: Han characters outside tables differ:\n got: %s\nwant: %s", where, string(got), string(want))
	}
	if len(outTables) != len(srcTables) {
		t.Errorf("%s: %d tables rendered, %d in source", where, len(outTables), len(srcTables))
	} else {
		for k := range srcTables {
			if len(outTables[k]) != len(srcTables[k]) {
				t.Errorf("%s: table %d has %d columns, source %d", where, k, len(outTables[k]), len(srcTables[k]))
				continue
			}
			for j := range srcTables[k] {
				if got, want := cellRunes(outTables[k][j]), cellRunes(srcTables[k][j]); !slices.Equal(got, want) {
					t.Errorf("%s: table %d column %d differs:\n got: %s\nwant: %s", where, k, j, string(got), string(want))
				}
			}
		}
	}
	_ = wantHan
	// (c) kinsoku
	for _, l := range kinsokuViolations(plain) {
		if !allowedKinsoku(in.name, l) {
			t.Errorf("%s: kinsoku violation: %q", where, l)
		}
	}
	// (d) table rows aligned: consecutive lines with separators share columns.
	var ref []int
	for i, l := range plainLines {
		cols := sepColumns(l)
		if len(cols) == 0 {
			ref = nil
			continue
		}
		if ref == nil {
			ref = cols
			continue
		}
		if !slices.Equal(cols, ref) {
			t.Errorf("%s: table line %d separators at %v, previous rows at %v:\n%s\n%s", where, i, cols, ref, plainLines[i-1], l)
		}
	}
}

// TestPackCovered fails when the embedded default pack does not load, so
// the property test cannot silently run on the fixtures alone; it skips
// only while the pack has no documents yet.
func TestPackCovered(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatalf("default pack: %v", err)
	}
	if len(p.Docs) == 0 {
		t.Skip("default pack has no documents yet")
	}
	if _, n := fixtures(t); n == 0 {
		t.Error("pack has documents but no sections were collected")
	}
}

// TestKinsokuAgainstStock measures violations of stock glamour (notty,
// word wrap = width) against this package on the pack, as a report; it
// fails only if this package has any.
func TestKinsokuAgainstStock(t *testing.T) {
	inputs, n := fixtures(t)
	if n == 0 {
		t.Skip("default pack has no documents yet")
	}
	inputs = inputs[len(inputs)-n:]
	r := New(Options{Style: StyleNoTTY})
	for _, w := range []int{40, 80} {
		stock, err := glamour.NewTermRenderer(glamour.WithStandardStyle("notty"), glamour.WithWordWrap(w))
		if err != nil {
			t.Fatal(err)
		}
		var before, after, lines int
		seen := map[string]bool{}
		for _, in := range inputs {
			// Chapters include their subsections: count each text once by
			// using only top-level sections and the lead.
			if strings.Count(in.name[strings.Index(in.name, "#"):], ".") > 0 {
				continue
			}
			if seen[in.md] {
				continue
			}
			seen[in.md] = true
			s, err := stock.Render(in.md)
			if err != nil {
				t.Fatal(err)
			}
			before += len(kinsokuViolations(s))
			out, err := r.Render("", in.md, w)
			if err != nil {
				t.Fatal(err)
			}
			after += len(kinsokuViolations(Plain(out)))
			lines += strings.Count(out, "\n") + 1
		}
		t.Logf("width %d: kinsoku violations stock glamour %d, render %d (%d lines)", w, before, after, lines)
		if after > 0 {
			t.Errorf("width %d: %d violations", w, after)
		}
	}
}

func TestGolden(t *testing.T) {
	r := New(Options{Style: StyleNoTTY})
	for _, f := range []string{"prose.md", "lists.md", "headings.md", "table.md", "mixed.md", "escapes.md"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{80, 40} {
			out, err := r.Render(f, string(b), w)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", fmt.Sprintf("%s.%d.txt", strings.TrimSuffix(f, ".md"), w))
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if out+"\n" != string(want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", f, golden, out)
			}
		}
	}
}

// Sanitize is termtext.Text (tested there); what this package relies on:
// no input reaches glamour holding a mark of its own (break marks,
// heading and table sentinels) or an escape sequence.
func TestSanitize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"政府信息", "政府信息"},
		{"标\x1b]0;title\x07题\x1b[2J", "标题"},
		{"行\u2028分隔\u2029段", "行\n分隔\n\n段"},
		{"哨\ufdd0兵\ufdd1\ufdd2\ufdd3", "哨兵"},
		{"a\tb", "a    b"},
		{"反\u202e向", "反向"},
	}
	for _, c := range cases {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
		if err := checkEscapes(Sanitize(c.in), true); err != nil {
			t.Errorf("Sanitize(%q): %v", c.in, err)
		}
	}
}

func TestNoTTYNoMarkers(t *testing.T) {
	r := New(Options{Style: StyleNoTTY})
	out, err := r.Render("", "## 标题\n\n这是**加粗**和*强调*的文字。", 80)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "*#") {
		t.Errorf("markers printed literally:\n%s", out)
	}
	if !strings.Contains(out, "标题\n  ────") {
		t.Errorf("heading not underlined:\n%s", out)
	}
}

// TestDefects checks the four NOTES defects directly.
func TestDefects(t *testing.T) {
	r := New(Options{Style: StyleDark})
	long := strings.Repeat("政府信息公开工作", 8)
	for _, md := range []string{"## " + long, "# " + long, "- " + long, "1. " + long} {
		out, _ := r.Render("", md, 40)
		first := strings.TrimSpace(strings.Split(Plain(out), "\n")[0])
		if !strings.Contains(first, "政府") {
			t.Errorf("defect 1: marker stranded for %q:\n%s", md[:4], Plain(out))
		}
	}
	// Defect 3: a source newline inside a Chinese paragraph is no space.
	out, _ := r.Render("", "政府信息\n公开工作", 80)
	if p := strings.TrimSpace(Plain(out)); p != "政府信息公开工作" {
		t.Errorf("defect 3: got %q", p)
	}
	// Defect 4: an ASCII space must not push the whole run to a new line.
	out, _ = r.Render("", "政府 "+long, 40)
	first := strings.TrimSpace(strings.Split(Plain(out), "\n")[0])
	if ansi.StringWidth(first) < 30 {
		t.Errorf("defect 4: first line %q too short:\n%s", first, Plain(out))
	}
	// Hyphens between digits do not break.
	out, _ = r.Render("", strings.Repeat("政", 17)+"电话0539-8196766", 40)
	if !strings.Contains(Plain(out), "0539-8196766") {
		t.Errorf("telephone number split:\n%s", Plain(out))
	}
}

func TestNarrowAndCache(t *testing.T) {
	b, _ := os.ReadFile("testdata/table.md")
	r := New(Options{})
	for _, w := range []int{1, 5, 10, 19, 20, 30} {
		out, err := r.Render("t", string(b), w)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(out, "\n") {
			if ansi.StringWidth(l) > max(w, 2) {
				t.Errorf("w=%d: line too wide: %q", w, Plain(l))
			}
		}
		if w >= 30 && strings.Contains(Plain(out), "…") {
			t.Errorf("w=%d: table cells truncated:\n%s", w, Plain(out))
		}
	}
	// At 40 columns the header cells stay whole, on one line.
	out, _ := r.Render("t", string(b), 40)
	header := ""
	for _, l := range strings.Split(Plain(out), "\n") {
		if strings.Contains(l, "指标") {
			header = l
			break
		}
	}
	if !strings.Contains(header, "单位") || !strings.Contains(header, "统计数") {
		t.Errorf("w=40: header cells not whole on one line: %q\n%s", header, Plain(out))
	}
	a, _ := r.Render("k", "# 甲", 60)
	b2, _ := r.Render("k", "# 乙", 60) // same key, new text: not the cached one
	if Plain(a) == Plain(b2) || !strings.Contains(Plain(b2), "乙") {
		t.Errorf("cache returned stale text: %q", Plain(b2))
	}
}

func TestConcurrent(t *testing.T) {
	inputs, _ := fixtures(t)
	r := New(Options{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, in := range inputs {
				w := 40 + (i+g)%3*20
				if _, err := r.Render(in.name, in.md, w); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestLineOf(t *testing.T) {
	r := New(Options{Style: StyleDark})
	out, _ := r.Render("", strings.Repeat("甲乙丙丁", 30)+"\n\n政府信息公开", 40)
	if got := LineOf(out, "政府信息公开", 0); got != strings.Count(out, "\n") {
		t.Errorf("LineOf = %d, want last line %d", got, strings.Count(out, "\n"))
	}
	// The 8th 甲乙 (index 7): 4 per 36-cell line of 9 groups… compute from plain.
	lines := strings.Split(Plain(out), "\n")
	n, want := 0, -1
	for i, l := range lines {
		c := strings.Count(l, "甲乙")
		if n+c > 10 {
			want = i
			break
		}
		n += c
	}
	if got := LineOf(out, "甲乙", 10); got != want {
		t.Errorf("LineOf(甲乙, 10) = %d, want %d", got, want)
	}
	if got := LineOf(out, "不存在", 0); got != -1 {
		t.Errorf("LineOf(absent) = %d", got)
	}
}
