// Package render turns Markdown into terminal text for Chinese readers,
// through glamour v2.
//
// # API
//
//	r := render.New(render.Options{Style: "dark"}) // or "light", "notty"
//	out, err := r.Render(section.Ref(), section.Markdown(), width)
//	render.Sanitize(text)              // termtext.Text: untrusted text kept in lines
//	                                   // (termtext.Line for one line)
//	render.Plain(out)                  // out without escape sequences
//	render.LineOf(out, "查阅点", 2)    // line of the 3rd occurrence, for scrolling
//
// One Renderer per kiosk session (no package-level state). Render caches
// per (key, width) and reuses one glamour TermRenderer per width; it is
// safe for concurrent use.
//
// # What Render guarantees
//
// For any width ≥ 2 (laid out at MinWidth=20 and hard-wrapped below it):
// no line is wider than width display cells as measured by
// ansi.StringWidth / lipgloss.Width, with ambiguous-width characters
// (“ ” • ─ │ …) counted as 1 cell — do not set RUNEWIDTH_EASTASIAN, which
// x/ansi reads at start-up; the kiosk terminal must draw them narrow. The
// output holds no escape sequence but SGR (none in notty), all of the
// source's Han characters in order, no line (nor line of a table cell)
// starting with closing or ending with opening punctuation unless a
// character with its punctuation is wider than the line or column, and
// tables whose separators stay in one column.
//
// # How
//
// glamour breaks lines only at spaces (ansi.Wrap): Chinese text is cut
// wherever a line is full, so lines start with "，" or "。" (NOTES defect
// 2) and an ASCII space throws the whole following run onto a new line
// (defect 4). prepare parses the Markdown with goldmark and inserts U+2028
// — a space to ansi.Wrap, 0 cells wide — at every line-break opportunity
// that Unicode line breaking (UAX #14, rivo/uniseg) allows inside text, so
// glamour's own greedy wrapper does kinsoku-correct wrapping; the marks
// are removed from the output. It also joins soft line breaks between
// Chinese characters (defect 3) and keeps digit-hyphen-digit (telephone
// numbers) unbroken. A run with no break opportunity longer than the line
// (an e-mail address followed by 。) is still cut where the line is full;
// finish then moves the character before a line-starting 。 down with it
// (kinsoku.go), as it does in table cells, whose columns are kept as wide
// as a character with its punctuation when the table fits.
//
// Tables are drawn by this package (table.go), because lipgloss's table
// resizer, which glamour uses, truncates cells at some widths (a number in
// the statistics table lost its last digit at width 75).
//
// The style (style.go) hides "##" heading marks in dark/light (headings
// are coloured and bold), uses U+00A0 after bullets so a bullet cannot be
// stranded (defect 1), does not print ** in notty (defect 6) and underlines
// headings there. finish (render.go) strips glamour's OSC 8 hyperlinks and
// per-space padding codes (dark output: 7.5× → 1.4× the input size),
// gives list items a hanging indent and collapses blank lines.
package render
