package contrast

import (
	"image/color"

	"github.com/charmbracelet/x/ansi"
)

// Pair is a foreground colour drawn on a background colour.
type Pair struct {
	FG, BG color.Color
}

// Ratio returns the pair's contrast ratio.
func (p Pair) Ratio() float64 { return Ratio(p.FG, p.BG) }

// Palette is the set of colour pairs a screen uses. Every pair of the
// 长者模式 palettes passes WCAG AA (≥ 4.5:1); text pairs pass AAA (≥ 7:1).
//
// The elder palettes set their own background: the TUI must paint
// Background behind every line (not leave the terminal's own background
// showing), or the computed ratios do not hold.
//
// Colour is never the only cue: the TUI marks the selected item with ▶,
// matches with underline as well as colour, errors with a leading ✗ or
// the word 错误, the sentence being read with ♪.
type Palette struct {
	Name       string
	Background color.Color

	Text      Pair // body text, titles, list items
	Dim       Pair // secondary text: metadata, status line, rules
	Header    Pair // header bar
	Selected  Pair // selected list item (bold, with ▶)
	Button    Pair // footer buttons / tap targets
	ButtonKey Pair // the key shown on a button
	Number    Pair // the number key beside each list item
	Match     Pair // search/find match (with underline)
	Speaking  Pair // the sentence being read aloud (with ♪)
	Error     Pair // errors and unavailable controls (with ✗)
}

// NamedPair is a pair with the palette field it came from.
type NamedPair struct {
	Name string
	Pair
}

// Pairs lists the palette's pairs in field order, for tests and reports.
func (p Palette) Pairs() []NamedPair {
	return []NamedPair{
		{"Text", p.Text}, {"Dim", p.Dim}, {"Header", p.Header}, {"Selected", p.Selected},
		{"Button", p.Button}, {"ButtonKey", p.ButtonKey}, {"Number", p.Number},
		{"Match", p.Match}, {"Speaking", p.Speaking}, {"Error", p.Error},
	}
}

// xterm-256 colours of the elder palettes. They are ansi.IndexedColor,
// the type lipgloss.Color("231") returns, so they can be given to lipgloss
// styles as they are.
const (
	Black      = ansi.IndexedColor(16)  // #000000
	White      = ansi.IndexedColor(231) // #ffffff
	Yellow     = ansi.IndexedColor(226) // #ffff00
	Cyan       = ansi.IndexedColor(51)  // #00ffff
	LightGrey  = ansi.IndexedColor(252) // #d0d0d0
	PaleGrey   = ansi.IndexedColor(254) // #e4e4e4
	DarkGrey   = ansi.IndexedColor(238) // #444444
	Charcoal   = ansi.IndexedColor(236) // #303030
	Navy       = ansi.IndexedColor(18)  // #000087
	DarkRed    = ansi.IndexedColor(124) // #af0000
	Salmon     = ansi.IndexedColor(217) // #ffafaf
	LightGreen = ansi.IndexedColor(157) // #afffaf
	DarkGreen  = ansi.IndexedColor(22)  // #005f00
)

// ElderDark is the 长者模式 palette on black: white text, yellow numbers
// and selection (black on yellow), the classic high-contrast scheme.
func ElderDark() Palette {
	return Palette{
		Name:       "elder-dark",
		Background: Black,
		Text:       Pair{White, Black},
		Dim:        Pair{LightGrey, Black},
		Header:     Pair{Black, LightGrey},
		Selected:   Pair{Black, Yellow},
		Button:     Pair{White, DarkGrey},
		ButtonKey:  Pair{Yellow, DarkGrey},
		Number:     Pair{Yellow, Black},
		Match:      Pair{Black, Cyan},
		Speaking:   Pair{Black, LightGreen},
		Error:      Pair{Salmon, Black},
	}
}

// ElderLight is the 长者模式 palette on white: black text, navy header and
// selection, yellow highlighter for matches.
func ElderLight() Palette {
	return Palette{
		Name:       "elder-light",
		Background: White,
		Text:       Pair{Black, White},
		Dim:        Pair{DarkGrey, White},
		Header:     Pair{White, Navy},
		Selected:   Pair{White, Navy},
		Button:     Pair{Black, PaleGrey},
		ButtonKey:  Pair{Navy, PaleGrey},
		Number:     Pair{Navy, White},
		Match:      Pair{Black, Yellow},
		Speaking:   Pair{White, DarkGreen},
		Error:      Pair{DarkRed, White},
	}
}
