package contrast

import (
	"image/color"

	"github.com/charmbracelet/x/ansi"
)

// Terminal is how a terminal draws the colours a program asks for. The 16
// basic colours (0–15) are the terminal's own theme; 16–255 are the xterm
// cube and grey ramp everywhere (Xterm); RGB colours are drawn as given.
type Terminal struct {
	Name string
	// Basic are the RGB values of colours 0–15.
	Basic [16]color.RGBA
	// FG and BG are the default colours: what text in no colour, on no
	// background, is drawn in.
	FG, BG color.RGBA
	// BoldBright: bold text in colours 0–7 is drawn in 8–15 (xterm's
	// boldColors, the Linux console's intensity bit).
	BoldBright bool
	// DarkBackgrounds: backgrounds 8–15 are drawn as 0–7 (the Linux
	// console turns SGR 100–107 into 40–47).
	DarkBackgrounds bool
	// EightColours: foregrounds 8–15 are drawn as 0–7 too (a terminal
	// with 8 colours that ignores the bright ones).
	EightColours bool
}

func rgb(v uint32) color.RGBA { return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff} }

func basic(vs [16]uint32) (out [16]color.RGBA) {
	for i, v := range vs {
		out[i] = rgb(v)
	}
	return out
}

// XtermTerminal is xterm with its default resources: black text on a
// white window, bold colours 0–7 drawn bright. Its colours 0–15 are
// XTerm-col.ad's (xterm 379): bold black becomes #7f7f7f, bold blue
// #5c5cff.
func XtermTerminal() Terminal {
	return Terminal{
		Name: "xterm",
		Basic: basic([16]uint32{
			0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
			0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
		}),
		FG: rgb(0x000000), BG: rgb(0xffffff), BoldBright: true,
	}
}

// XtermPlainBold is xterm's colours in a terminal that draws bold as a
// heavier font only (xterm with boldColors: false, VTE terminals).
func XtermPlainBold() Terminal {
	t := XtermTerminal()
	t.Name, t.BoldBright = "xterm, bold not bright", false
	return t
}

// ConsoleTerminal is the Linux text console (and fbterm, which copies
// it): light grey on black, bold always bright, no bright backgrounds.
// Its colours 0–15 are drivers/tty/vt/vt.c's default_red/grn/blu: colour
// 3 is brown, 7 is #aaaaaa.
func ConsoleTerminal() Terminal {
	return Terminal{
		Name: "Linux console",
		Basic: basic([16]uint32{
			0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
			0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
		}),
		FG: rgb(0xaaaaaa), BG: rgb(0x000000), BoldBright: true, DarkBackgrounds: true,
	}
}

// EightColourTerminal has only colours 0–7 (xterm's), draws 8–15 as 0–7
// and bold as a heavier font.
func EightColourTerminal() Terminal {
	t := XtermTerminal()
	t.Name, t.BoldBright, t.DarkBackgrounds, t.EightColours = "8 colours", false, true, true
	return t
}

// Terminals16 are the terminals a 16-colour palette (colorprofile.ANSI)
// is checked on.
func Terminals16() []Terminal {
	return []Terminal{XtermTerminal(), XtermPlainBold(), ConsoleTerminal(), EightColourTerminal()}
}

// basicIndex returns the index of a colour that the terminal draws from
// its own theme (0–15), or -1.
func basicIndex(c color.Color) int {
	switch c := c.(type) {
	case ansi.BasicColor:
		return int(c)
	case ansi.IndexedColor:
		if c < 16 {
			return int(c)
		}
	}
	return -1
}

// RGB returns the colour the terminal draws for c as a foreground (bg
// false) or a background; nil is the terminal's default colour. Bold
// brightens foregrounds 0–7 where the terminal does.
func (t Terminal) RGB(c color.Color, background, bold bool) color.RGBA {
	if c == nil {
		if background {
			return t.BG
		}
		return t.FG
	}
	if i := basicIndex(c); i >= 0 {
		switch {
		case i >= 8 && (background && t.DarkBackgrounds || t.EightColours):
			i -= 8
		case i < 8 && !background && bold && t.BoldBright:
			i += 8
		}
		return t.Basic[i]
	}
	if i, ok := c.(ansi.IndexedColor); ok {
		return Xterm(uint8(i))
	}
	r, g, b, _ := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}
}

// Draw returns the colours text drawn with fg on bg is shown in. With
// reverse, terminals differ in which colour bold brightens (xterm the
// one asked as foreground, the console the one shown as foreground), so
// both readings are returned; the caller takes the worst.
func (t Terminal) Draw(fg, bg color.Color, bold, reverse bool) [][2]color.RGBA {
	if !reverse {
		return [][2]color.RGBA{{t.RGB(fg, false, bold), t.RGB(bg, true, false)}}
	}
	// xterm: brighten, then swap.
	x := [2]color.RGBA{t.RGB(bg, true, false), t.RGB(fg, false, bold)}
	// console: swap, then brighten what is now the foreground.
	shownFG, shownBG := t.BG, t.FG
	if bg != nil {
		shownFG = t.RGB(bg, false, bold)
	}
	if fg != nil {
		shownBG = t.RGB(fg, true, false)
	}
	return [][2]color.RGBA{x, {shownFG, shownBG}}
}

// Worst returns the lowest contrast ratio with which t draws fg on bg.
func (t Terminal) Worst(fg, bg color.Color, bold, reverse bool) float64 {
	worst := 21.0
	for _, p := range t.Draw(fg, bg, bold, reverse) {
		worst = min(worst, Ratio(p[0], p[1]))
	}
	return worst
}
