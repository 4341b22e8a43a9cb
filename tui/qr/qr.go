// Package qr draws a QR code of a web address with half-block characters
// (扫码在手机打开), so a citizen can open the current page on a phone.
//
// Each character cell holds two modules, one above the other, so modules
// come out roughly square on a terminal whose cells are twice as tall as
// wide. Lines contain only "█", "▀", "▄" and " "; no colour codes.
//
// By default the glyphs draw the LIGHT modules and the quiet zone, and
// spaces leave the DARK modules to the background: on a dark-background
// terminal (light text on black) this shows a normal dark-on-light code.
// Scanners expect dark modules on a light ground; an inverted code fails
// on many phones. The TUI should therefore render the code with explicit
// colours, light foreground on black (e.g. lipgloss Foreground 231,
// Background 16), which makes it correct under every palette. For a
// terminal drawing dark text on white without explicit colours, set
// Options.DarkInk.
//
// Encoding uses github.com/skip2/go-qrcode (MIT) in byte mode; error
// correction M when it fits in the same version as L, otherwise L, and
// always the smallest version that holds the address.
package qr

import (
	"errors"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// DefaultQuiet is the default quiet zone, in modules, on each side. The
// standard asks for 4; phone scanners read 2 reliably, and 2 keeps an
// 80-character address (version 5, 37 modules) at 21 rows, which leaves
// room for a title and a footer at 80×24.
const DefaultQuiet = 2

// Options adjust the drawing.
type Options struct {
	// Quiet is the quiet zone in modules on each side; 0 means
	// DefaultQuiet, a negative value none.
	Quiet int
	// DarkInk draws the dark modules with the glyphs instead of the light
	// ones: for terminals that draw dark text on a light background when
	// the code is shown without explicit colours.
	DarkInk bool
}

// Code is an encoded QR code.
type Code struct {
	// Modules[y][x] is true for a dark module, without quiet zone.
	Modules [][]bool
	Version int    // 1–40
	Level   string // "L" or "M"
}

// Encode encodes text (a web address) with the smallest version, using
// level M when that needs no bigger version than L, else L.
func Encode(text string) (*Code, error) {
	if text == "" {
		return nil, errors.New("二维码:地址为空")
	}
	low, err := qrcode.New(text, qrcode.Low)
	if err != nil {
		return nil, errors.New("二维码:地址太长,无法生成")
	}
	best, level := low, "L"
	if med, err := qrcode.New(text, qrcode.Medium); err == nil && med.VersionNumber == low.VersionNumber {
		best, level = med, "M"
	}
	best.DisableBorder = true
	return &Code{Modules: best.Bitmap(), Version: best.VersionNumber, Level: level}, nil
}

// Render draws text's QR code with the default options.
func Render(text string) (string, error) {
	return RenderWith(text, Options{})
}

// RenderWith draws text's QR code: lines of equal width joined by "\n",
// no trailing newline. Its size in cells is Size(version, quiet).
func RenderWith(text string, o Options) (string, error) {
	c, err := Encode(text)
	if err != nil {
		return "", err
	}
	return c.Draw(o), nil
}

// Size returns the width and height in cells of a drawn code of the given
// version and quiet zone: width = modules, height = ⌈modules/2⌉, where
// modules = 17 + 4·version + 2·quiet.
func Size(version, quiet int) (w, h int) {
	n := 17 + 4*version + 2*max(quiet, 0)
	return n, (n + 1) / 2
}

// Draw draws the code with half blocks.
func (c *Code) Draw(o Options) string {
	q := o.Quiet
	if q == 0 {
		q = DefaultQuiet
	}
	q = max(q, 0)
	n := len(c.Modules) + 2*q
	// ink reports whether module (x, y) of the padded code is drawn with
	// a glyph; rows past the bottom are background.
	ink := func(x, y int) bool {
		if y >= n {
			return false
		}
		dark := false
		if y >= q && y < n-q && x >= q && x < n-q {
			dark = c.Modules[y-q][x-q]
		}
		return dark == o.DarkInk
	}
	var b strings.Builder
	b.Grow((n + 1) / 2 * (n*3 + 1))
	for y := 0; y < n; y += 2 {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := 0; x < n; x++ {
			top, bottom := ink(x, y), ink(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}
