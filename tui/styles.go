package tui

import (
	"charm.land/lipgloss/v2"
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
}

func newStyles(palette string) styles {
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
	return s
}
