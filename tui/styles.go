package tui

import (
	"charm.land/lipgloss/v2"

	"kiosk/tui/contrast"
)

// styles are built per session from the palette chosen for the terminal's
// colour profile, the configured style and 长者模式 (contrast.For). Every
// style takes its colours and attributes from one of the palette's inks,
// whose contrast is tested on the terminals of that profile; the frame
// is painted in the palette's text colours (paint), so no text is left
// on the terminal's own background.
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

	// elder is 长者模式: buttons put the words first.
	elder bool
	// palette is what the styles were made from; the frame is painted in
	// its Text colours.
	palette contrast.Palette
}

// ink is the lipgloss style of a palette ink.
func ink(i contrast.Ink) lipgloss.Style {
	s := lipgloss.NewStyle().Bold(i.Bold).Underline(i.Underline).Reverse(i.Reverse)
	if i.FG != nil {
		s = s.Foreground(i.FG)
	}
	if i.BG != nil {
		s = s.Background(i.BG)
	}
	return s
}

func newStyles(p contrast.Palette) styles {
	s := styles{elder: p.Elder, palette: p}
	s.Header = ink(p.Header)
	s.HeaderDim = ink(p.Header).Bold(false)
	s.Title = ink(p.Title)
	s.Subtle = ink(p.Dim)
	s.Meta = ink(p.Text)
	s.Item = ink(p.Item)
	s.ItemSelected = ink(p.Selected)
	s.Number = ink(p.Number)
	s.NumberSelected = ink(p.Selected)
	s.Category = ink(p.Strong)
	s.Button = ink(p.Button)
	s.ButtonKey = ink(p.ButtonKey)
	s.Status = ink(p.Dim)
	s.Error = ink(p.Error)
	s.Notice = ink(p.Title).Underline(false)
	s.AttractTitle = ink(p.Title)
	s.AttractCT = ink(p.Selected).Padding(0, 2)
	// A rule is a row of underlined spaces: one cell each in every
	// terminal (─ is two where ambiguous characters are drawn wide).
	s.Rule = ink(p.Dim).Underline(true)
	s.Match = ink(p.Match)
	s.MatchCurrent = ink(p.MatchCurrent)
	s.Speaking = ink(p.Speaking)
	return s
}
