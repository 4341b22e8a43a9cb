package qr

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// parse turns drawn half blocks back into rows of "ink" modules.
func parse(t *testing.T, s string) [][]bool {
	t.Helper()
	var rows [][]bool
	for _, line := range strings.Split(s, "\n") {
		var top, bottom []bool
		for _, r := range line {
			switch r {
			case '█':
				top, bottom = append(top, true), append(bottom, true)
			case '▀':
				top, bottom = append(top, true), append(bottom, false)
			case '▄':
				top, bottom = append(top, false), append(bottom, true)
			case ' ':
				top, bottom = append(top, false), append(bottom, false)
			default:
				t.Fatalf("unexpected character %q", r)
			}
		}
		rows = append(rows, top, bottom)
	}
	return rows
}

// screenshot paints the ink modules as a terminal would: ink in the
// foreground colour, the rest in the background colour, with a margin of
// background around the drawing (the rest of the screen), 4 px a module.
func screenshot(ink [][]bool, fg, bg color.Gray) image.Image {
	const px, margin = 4, 6
	w, h := len(ink[0])+2*margin, len(ink)+2*margin
	img := image.NewGray(image.Rect(0, 0, w*px, h*px))
	for y := 0; y < h*px; y++ {
		for x := 0; x < w*px; x++ {
			mx, my := x/px-margin, y/px-margin
			c := bg
			if my >= 0 && my < len(ink) && mx >= 0 && mx < len(ink[my]) && ink[my][mx] {
				c = fg
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}

func decode(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

var (
	black = color.Gray{0}
	white = color.Gray{255}
)

var urls = []string{
	"http://www.lyls.gov.cn/",
	"http://www.lyls.gov.cn/info/1234/56789.htm",                                     // 42
	"http://www.lanshan.gov.cn/xxgk/zfxxgk/ndbg/2019/201901/t20190122_1234567.html",  // 78
	"https://www.linyi.gov.cn/info/1012/2019-0000001.htm?from=kiosk&section=4.2#top", // 80
	"http://www.lyls.gov.cn/module/download/downfile.jsp?classid=0&filename=附件一.pdf", // non-ASCII
}

// TestRenderScans draws each address, reads the drawing back as a
// terminal would show it (light glyphs on a dark screen) and decodes it
// with ZXing: the address must come back exactly.
func TestRenderScans(t *testing.T) {
	for _, u := range urls {
		s, err := Render(u)
		if err != nil {
			t.Fatal(err)
		}
		ink := parse(t, s)
		if got := decode(t, screenshot(ink, white, black)); got != u {
			t.Errorf("decoded %q, want %q", got, u)
		}
		c, _ := Encode(u)
		w, h := Size(c.Version, DefaultQuiet)
		lines := strings.Split(s, "\n")
		if len(lines) != h {
			t.Errorf("%q: %d lines, Size says %d", u, len(lines), h)
		}
		for _, l := range lines {
			if ansi.StringWidth(l) != w {
				t.Fatalf("%q: line width %d, Size says %d", u, ansi.StringWidth(l), w)
			}
		}
		t.Logf("%3d chars: version %d-%s, %d×%d cells", len(u), c.Version, c.Level, w, h)
	}
}

// TestRenderMatchesEncoder compares the drawing bit for bit with the
// encoder's module matrix, and checks the quiet zone is light.
func TestRenderMatchesEncoder(t *testing.T) {
	u := urls[1]
	c, err := Encode(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {Quiet: 4}, {Quiet: -1}, {DarkInk: true}} {
		ink := parse(t, c.Draw(o))
		q := o.Quiet
		if q == 0 {
			q = DefaultQuiet
		}
		q = max(q, 0)
		n := len(c.Modules) + 2*q
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				dark := false
				if y >= q && y < n-q && x >= q && x < n-q {
					dark = c.Modules[y-q][x-q]
				}
				if ink[y][x] != (dark == o.DarkInk) {
					t.Fatalf("%+v: module (%d,%d) differs", o, x, y)
				}
			}
		}
		// The padding half-row below an odd-sized code is background.
		if len(ink) == n+1 && strings.Contains(fmt.Sprint(ink[n]), "true") {
			t.Errorf("%+v: the padding row is drawn", o)
		}
	}
	// DarkInk on a light screen scans too.
	s, _ := RenderWith(u, Options{DarkInk: true})
	if got := decode(t, screenshot(parse(t, s), black, white)); got != u {
		t.Errorf("DarkInk decoded %q", got)
	}
}

// TestFits80x24: realistic government addresses up to 80 characters fit
// an 80×24 screen with three rows to spare (title, caption, footer).
func TestFits80x24(t *testing.T) {
	for n := 24; n <= 80; n++ {
		u := "http://www.lyls.gov.cn/" + strings.Repeat("x", n-len("http://www.lyls.gov.cn/"))
		s, err := Render(u)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(s, "\n")
		if len(lines) > 21 || ansi.StringWidth(lines[0]) > 41 {
			t.Errorf("%d chars: %d×%d cells", n, ansi.StringWidth(lines[0]), len(lines))
		}
	}
	want := map[int]string{40: "3-M 33×17", 80: "5-M 41×21"}
	for n, w := range want {
		u := "http://www.lyls.gov.cn/" + strings.Repeat("a", n-23)
		c, _ := Encode(u)
		cw, ch := Size(c.Version, DefaultQuiet)
		if got := fmt.Sprintf("%d-%s %d×%d", c.Version, c.Level, cw, ch); got != w {
			t.Errorf("%d chars: %s, want %s", n, got, w)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	if _, err := Render(""); err == nil {
		t.Error("empty address rendered")
	}
	if _, err := Render(strings.Repeat("x", 3000)); err == nil {
		t.Error("3000-byte address rendered")
	}
}
