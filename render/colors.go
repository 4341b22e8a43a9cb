package render

import (
	"fmt"
	"image/color"
	"reflect"

	"charm.land/glamour/v2/ansi"
	xansi "github.com/charmbracelet/x/ansi"
)

// Colors are the only colours a Renderer made by WithColors draws in.
// Colours 0–15 stay basic colours (SGR 30–37), 16–255 indexed, others RGB.
type Colors struct {
	Text    color.Color // body text; nil: no colour (the caller's or the terminal's)
	Heading color.Color // headings, which are bold as well
	Link    color.Color // links, which are underlined as well
	// UnderlineHeadings underlines headings too, for palettes in which
	// bold cannot be relied on.
	UnderlineHeadings bool
}

// WithColors returns a Renderer like r (same style, its own cache) whose
// output has no colour but c's: glamour's other colours — code, quotes,
// rules, syntax highlighting, the H1 band, faint text — are dropped, so
// a caller that checks its palette's contrast checks everything the
// reader shows. With the notty style it is r's style as it is.
func (r *Renderer) WithColors(c Colors) *Renderer {
	n := New(Options{Style: r.style})
	n.colors = &c
	return n
}

// config is the glamour style of the Renderer, in its Colors if it has
// them.
func (r *Renderer) config() ansi.StyleConfig {
	c := styleConfig(r.style)
	if r.colors == nil || r.style == StyleNoTTY {
		return c
	}
	dropColours(reflect.ValueOf(&c).Elem())
	cs := r.colors
	c.Document.Color = colourString(cs.Text)
	for _, h := range []*ansi.StyleBlock{&c.H1, &c.H2, &c.H3, &c.H4, &c.H5, &c.H6} {
		h.Color = colourString(cs.Heading)
		h.Bold = boolPtr(true)
		if cs.UnderlineHeadings {
			h.Underline = boolPtr(true)
		}
	}
	c.Link.Color, c.LinkText.Color = colourString(cs.Link), colourString(cs.Link)
	c.Link.Underline, c.LinkText.Underline = boolPtr(true), boolPtr(true)
	return c
}

// dropColours clears every Color and BackgroundColor, Faint and the
// syntax-highlighting theme in a glamour style, however deep. Fields are
// reset to nil, never written through: the stock styles share pointers.
func dropColours(v reflect.Value) {
	t := v.Type()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch name := t.Field(i).Name; {
		case name == "Color" || name == "BackgroundColor" || name == "Faint" || name == "Chroma":
			f.Set(reflect.Zero(f.Type()))
		case name == "Theme" && f.Kind() == reflect.String:
			f.SetString("")
		case f.Kind() == reflect.Struct:
			dropColours(f)
		}
	}
}

// colourString writes a colour the way glamour's styles name them.
func colourString(c color.Color) *string {
	switch c := c.(type) {
	case nil:
		return nil
	case xansi.BasicColor:
		return strPtr(fmt.Sprint(int(c)))
	case xansi.IndexedColor:
		return strPtr(fmt.Sprint(int(c)))
	}
	r, g, b, _ := c.RGBA()
	return strPtr(fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8))
}
