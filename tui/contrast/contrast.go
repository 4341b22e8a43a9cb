// Package contrast computes WCAG 2.x contrast ratios between terminal
// colours, models how terminals draw them (terminal.go: xterm, the Linux
// console, bold drawn bright or not, 8 colours) and holds the palettes
// the TUI draws with, one set per colour profile (palette.go).
//
// Colours are image/color values, so lipgloss colours can be passed
// directly: lipgloss.Color("252") is an ansi.IndexedColor whose RGBA is
// the xterm-256 palette entry (the same values as Xterm below).
//
// The 16 basic colours (0–15) are drawn by each terminal from its own
// theme: their ratios are computed per Terminal, never from one table.
package contrast

import (
	"image/color"
	"math"
)

// Luminance returns the WCAG 2.x relative luminance of c, from 0 (black)
// to 1 (white). Alpha is ignored: terminal colours are opaque.
func Luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return 0.2126*linear(r) + 0.7152*linear(g) + 0.0722*linear(b)
}

// linear converts a 16-bit sRGB channel to linear light (WCAG 2.x formula,
// with its 0.03928 threshold).
func linear(v uint32) float64 {
	c := float64(v) / 0xffff
	if c <= 0.03928 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

// Ratio returns the WCAG 2.x contrast ratio of two colours, from 1 (same
// luminance) to 21 (black on white). The order does not matter.
func Ratio(fg, bg color.Color) float64 {
	l1, l2 := Luminance(fg), Luminance(bg)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

// WCAG 2.x thresholds for text.
const (
	AA  = 4.5 // normal text, level AA (1.4.3)
	AAA = 7.0 // normal text, level AAA (1.4.6)
)

// Xterm returns the RGB value of an xterm-256 palette index: 16–231 the
// 6×6×6 cube, 232–255 the grey ramp — the same in every 256-colour
// terminal; 0–15 the basic colours as lipgloss takes them (terminals draw
// those from their own theme: see Terminal).
func Xterm(i uint8) color.RGBA {
	switch {
	case i < 16:
		// lipgloss's values for the basic colours.
		basic := [16]uint32{
			0x000000, 0x800000, 0x008000, 0x808000, 0x000080, 0x800080, 0x008080, 0xc0c0c0,
			0x808080, 0xff0000, 0x00ff00, 0xffff00, 0x0000ff, 0xff00ff, 0x00ffff, 0xffffff,
		}
		v := basic[i]
		return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
	case i < 232:
		n := i - 16
		return color.RGBA{cube(n / 36), cube(n / 6 % 6), cube(n % 6), 0xff}
	default:
		v := 8 + 10*(i-232)
		return color.RGBA{v, v, v, 0xff}
	}
}

// cube returns the channel value of step n (0–5) of the xterm colour cube:
// 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff.
func cube(n uint8) uint8 {
	if n == 0 {
		return 0
	}
	return 55 + 40*n
}
