package render

import (
	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
)

// Style names accepted by Options.Style.
const (
	StyleDark  = "dark"
	StyleLight = "light"
	StyleNoTTY = "notty"
)

const (
	nbsp = "\u00a0"

	// nbHyphen (U+2011) stands in for '-' between digits during rendering.
	nbHyphen = "\u2011"

	// breakMark is inserted into the Markdown at every permitted line break
	// (UAX #14) inside Chinese text. glamour's wrapper (ansi.Wrap) breaks at
	// any unicode.IsSpace rune and measures U+2028 as 0 cells, so glamour
	// wraps there — and nowhere else unless a run is longer than a whole
	// line. Every U+2028 is removed from the output; Sanitize turns U+2028
	// in the input into a newline so the mark is unambiguous.
	breakMark = '\u2028'

	// Heading sentinels (Unicode noncharacters, removed by Sanitize) open
	// a heading in notty output so it can be underlined afterwards.
	sentH1 = '\ufdd1'
	sentH2 = '\ufdd2'
	sentH3 = '\ufdd3'

	// sentTable brackets table placeholders (see placeholder).
	sentTable = '\ufdd0'
)

func strPtr(s string) *string { return &s }
func boolPtr(b bool) *bool    { return &b }

// styleConfig returns the Chinese-tuned glamour style for name.
//
// Changes against glamour's stock styles:
//   - dark/light: the "## " heading prefixes are hidden. A "##" means
//     nothing to a citizen at a kiosk, and its trailing space was a break
//     opportunity that stranded the marker on its own line (NOTES defect 1).
//     Headings are told apart by colour and bold (H1 keeps its coloured
//     band, padded with U+00A0 so the padding cannot be split off).
//   - bullets and enumeration markers use U+00A0 instead of a space, so a
//     marker never stays alone on a line.
//   - notty: **bold** / *emphasis* markers are not printed (stock notty
//     prints them literally); headings carry a sentinel and are underlined
//     (═ for H1, ─ for H2, - below) after rendering.
func styleConfig(name string) ansi.StyleConfig {
	var c ansi.StyleConfig
	switch name {
	case StyleLight:
		c = styles.LightStyleConfig
	case StyleNoTTY:
		c = styles.NoTTYStyleConfig
	default:
		c = styles.DarkStyleConfig
	}
	// c is a shallow copy: only assign fields, never write through pointers.
	c.Item.BlockPrefix = "•" + nbsp
	c.Enumeration.BlockPrefix = "." + nbsp

	if name == StyleNoTTY {
		c.Strong.BlockPrefix, c.Strong.BlockSuffix = "", ""
		c.Emph.BlockPrefix, c.Emph.BlockSuffix = "", ""
		c.H1.Prefix = string(sentH1)
		c.H2.Prefix = string(sentH2)
		for _, h := range []*ansi.StyleBlock{&c.H3, &c.H4, &c.H5, &c.H6} {
			h.Prefix = string(sentH3)
		}
		return c
	}

	c.H1.Prefix, c.H1.Suffix = nbsp, nbsp
	c.H2.Prefix = ""
	for _, h := range []*ansi.StyleBlock{&c.H3, &c.H4, &c.H5, &c.H6} {
		h.Prefix = ""
	}
	if name == StyleLight {
		c.H2.Color = strPtr("27")
		c.H3.Color = strPtr("30")
	} else {
		c.H2.Color = strPtr("39")
		c.H3.Color = strPtr("80")
	}
	c.H2.Bold = boolPtr(true)
	c.H3.Bold = boolPtr(true)
	return c
}
