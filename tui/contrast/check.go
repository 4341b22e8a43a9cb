package contrast

import (
	"fmt"
	"image/color"
)

// Shortfall is text a terminal would draw below the palette's bar.
type Shortfall struct {
	Terminal string
	Ratio    float64
}

func (s Shortfall) String() string { return fmt.Sprintf("%.2f:1 on %s", s.Ratio, s.Terminal) }

// WorstRatio returns the lowest ratio with which the palette's terminals
// draw text in fg on bg (nil: the palette's Text colours, painted behind
// everything), bold or not, reversed or not, and the terminal drawing it.
// Mono palettes have no terminals: 21.
func (p Palette) WorstRatio(fg, bg color.Color, bold, reverse bool) (float64, string) {
	if fg == nil {
		fg = p.Text.FG
	}
	if bg == nil {
		bg = p.Text.BG
	}
	bold = bold && !p.NoBold
	worst, where := 21.0, ""
	for _, t := range p.Terminals() {
		if r := t.Worst(fg, bg, bold, reverse); r < worst {
			worst, where = r, t.Name
		}
	}
	return worst, where
}

// InkRatio is WorstRatio for an ink. Inks rendered Markdown may make bold
// (body text, headings, links) are checked bold as well.
func (p Palette) InkRatio(name string, i Ink) (float64, string) {
	r, where := p.WorstRatio(i.FG, i.BG, i.Bold, i.Reverse)
	switch name {
	case "Text", "Heading", "Link":
		if rb, wb := p.WorstRatio(i.FG, i.BG, true, i.Reverse); rb < r {
			r, where = rb, wb
		}
	}
	return r, where
}

// Shortfalls lists the palette's inks that some terminal draws below Min.
func (p Palette) Shortfalls() map[string]Shortfall {
	out := map[string]Shortfall{}
	for _, ni := range p.Inks() {
		if r, where := p.InkRatio(ni.Name, ni.Ink); r < p.Min {
			out[ni.Name] = Shortfall{Terminal: where, Ratio: r}
		}
	}
	return out
}
