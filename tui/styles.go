package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"kiosk/tui/contrast"
)

// styles are built per session from the configured palette.
type styles struct {
	Header, HeaderDim       lipgloss.Style
	Title, Subtle, Meta     lipgloss.Style
	Item, ItemSelected      lipgloss.Style
	Number, NumberSelected  lipgloss.Style
	Category                lipgloss.Style
	Button, ButtonKey       lipgloss.Style
	Status, Error, Notice   lipgloss.Style
	AttractTitle, AttractCT lipgloss.Style
	Rule                    lipgloss.Style
	Match, MatchCurrent     lipgloss.Style
	Speaking                lipgloss.Style // the sentence being read aloud

	// elder is the 长者模式 palette; background and foreground are then
	// set as the terminal's own colours so every cell has them.
	elder                  bool
	background, foreground color.Color
}

func newStyles(palette string) styles {
	switch palette {
	case "elder-dark":
		return elderStyles(contrast.ElderDark())
	case "elder-light":
		return elderStyles(contrast.ElderLight())
	}
	fg, dim, accent, accentFg, sel, selFg, bar, warn := lipgloss.Color("252"), lipgloss.Color("245"), lipgloss.Color("39"), lipgloss.Color("16"), lipgloss.Color("24"), lipgloss.Color("231"), lipgloss.Color("236"), lipgloss.Color("203")
	if palette == "light" {
		fg, dim, accent, accentFg, sel, selFg, bar, warn = lipgloss.Color("235"), lipgloss.Color("240"), lipgloss.Color("25"), lipgloss.Color("231"), lipgloss.Color("153"), lipgloss.Color("16"), lipgloss.Color("254"), lipgloss.Color("124")
	}
	s := styles{}
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(accentFg).Background(accent)
	s.HeaderDim = lipgloss.NewStyle().Foreground(accentFg).Background(accent)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Subtle = lipgloss.NewStyle().Foreground(dim)
	s.Meta = lipgloss.NewStyle().Foreground(fg)
	s.Item = lipgloss.NewStyle().Foreground(fg)
	s.ItemSelected = lipgloss.NewStyle().Bold(true).Foreground(selFg).Background(sel)
	s.Number = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.NumberSelected = lipgloss.NewStyle().Bold(true).Foreground(selFg).Background(sel)
	s.Category = lipgloss.NewStyle().Bold(true).Foreground(fg)
	s.Button = lipgloss.NewStyle().Foreground(fg).Background(bar)
	s.ButtonKey = lipgloss.NewStyle().Bold(true).Foreground(accent).Background(bar)
	s.Status = lipgloss.NewStyle().Foreground(dim)
	s.Error = lipgloss.NewStyle().Bold(true).Foreground(warn)
	s.Notice = lipgloss.NewStyle().Foreground(accent)
	s.AttractTitle = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.AttractCT = lipgloss.NewStyle().Bold(true).Foreground(accentFg).Background(accent).Padding(0, 2)
	s.Rule = lipgloss.NewStyle().Foreground(dim)
	s.Match = lipgloss.NewStyle().Reverse(true)
	s.MatchCurrent = lipgloss.NewStyle().Reverse(true).Bold(true).Underline(true)
	s.Speaking = lipgloss.NewStyle().Underline(true).Bold(true)
	return s
}

// elderStyles are the 长者模式 styles: every pair comes from a palette whose
// contrast ratios are tested (tui/contrast), and every state is bold or
// marked by a symbol as well as coloured.
func elderStyles(p contrast.Palette) styles {
	pair := func(pr contrast.Pair) lipgloss.Style {
		return lipgloss.NewStyle().Foreground(pr.FG).Background(pr.BG)
	}
	s := styles{elder: true, background: p.Background, foreground: p.Text.FG}
	s.Header = pair(p.Header).Bold(true)
	s.HeaderDim = pair(p.Header)
	s.Title = pair(p.Text).Bold(true).Underline(true)
	s.Subtle = pair(p.Dim)
	s.Meta = pair(p.Text)
	s.Item = pair(p.Text).Bold(true)
	s.ItemSelected = pair(p.Selected).Bold(true)
	s.Number = pair(p.Number).Bold(true)
	s.NumberSelected = pair(p.Selected).Bold(true)
	s.Category = pair(p.Text).Bold(true).Underline(true)
	s.Button = pair(p.Button).Bold(true)
	s.ButtonKey = pair(p.ButtonKey).Bold(true)
	s.Status = pair(p.Dim)
	s.Error = pair(p.Error).Bold(true)
	s.Notice = pair(p.Text).Bold(true)
	s.AttractTitle = pair(p.Text).Bold(true)
	s.AttractCT = pair(p.Selected).Bold(true).Padding(0, 2)
	s.Rule = pair(p.Dim)
	s.Match = pair(p.Match).Underline(true)
	s.MatchCurrent = pair(p.Match).Underline(true).Bold(true)
	s.Speaking = pair(p.Speaking).Bold(true)
	return s
}
