package contrast

import (
	"image/color"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// Ink is how one kind of text is drawn: its colours and attributes.
// Colours are nil only in the mono palettes (the terminal's own colours).
type Ink struct {
	FG, BG                   color.Color
	Bold, Underline, Reverse bool
}

// Palette is every ink the screens use, chosen for one colour profile.
// Each ink's text passes Min on every terminal the profile is checked on
// (Terminals), bold included: xterm and the Linux console draw bold
// colours 0–7 in 8–15, so a bold ink in those colours must pass in both.
//
// The TUI paints Text's colours behind every cell (the terminal's own
// background may be white, as in xterm, or black, as on the console), so
// the ratios hold whatever the terminal's defaults. Colour is never the
// only cue: the TUI marks the selected item with ►, errors with !, the
// current match with underline as well.
type Palette struct {
	Name    string
	Profile colorprofile.Profile
	Elder   bool
	Min     float64 // AA 4.5:1; AAA 7:1 in 长者模式
	// NoBold: no text may be bold (the TUI removes bold from the whole
	// frame). The 16-colour light palettes: bold black on light grey is
	// drawn #7f7f7f on #e5e5e5 by xterm, 3.2:1.
	NoBold bool
	// HeadingUnderline: headings in rendered Markdown are underlined as
	// well (they cannot be told apart by bold or colour alone).
	HeadingUnderline bool

	Text         Ink // body text, metadata; its colours are painted behind everything
	Item         Ink // list items
	Strong       Ink // category headings in lists
	Dim          Ink // secondary text: hints, status line, rules
	Title        Ink // screen titles, notices
	Number       Ink // the number key beside each list item
	Header       Ink // the header bar
	Selected     Ink // the selected list item (with ►), the call to action
	Button       Ink // footer buttons and chips (tap targets)
	ButtonKey    Ink // the key shown on a button
	Match        Ink // search and find matches
	MatchCurrent Ink // the current find match
	Speaking     Ink // the sentence being read aloud
	Error        Ink // errors and warnings (with !)
	Heading      Ink // headings in rendered Markdown (the renderer makes them bold)
	Link         Ink // links in rendered Markdown
}

// NamedInk is an ink with the palette field it came from.
type NamedInk struct {
	Name string
	Ink
}

// Inks lists the palette's inks in field order, for checks and reports.
func (p Palette) Inks() []NamedInk {
	return []NamedInk{
		{"Text", p.Text}, {"Item", p.Item}, {"Strong", p.Strong}, {"Dim", p.Dim},
		{"Title", p.Title}, {"Number", p.Number}, {"Header", p.Header}, {"Selected", p.Selected},
		{"Button", p.Button}, {"ButtonKey", p.ButtonKey}, {"Match", p.Match},
		{"MatchCurrent", p.MatchCurrent}, {"Speaking", p.Speaking}, {"Error", p.Error},
		{"Heading", p.Heading}, {"Link", p.Link},
	}
}

// Mono reports a palette without colours (colorprofile.Ascii and NoTTY):
// state is shown by reverse, bold, underline and symbols.
func (p Palette) Mono() bool { return p.Text.FG == nil }

// Terminals are the terminals the palette's ratios are computed for.
func (p Palette) Terminals() []Terminal {
	switch {
	case p.Mono():
		return nil
	case p.Profile == colorprofile.ANSI:
		return Terminals16()
	}
	return []Terminal{XtermTerminal()}
}

// For returns the palette for a colour profile, the configured style
// ("dark" or "light") and 长者模式. TrueColor terminals get the
// 256-colour palettes: colours 16–255 are drawn exactly as specified by
// both. Unknown (no profile reported yet) is taken as ANSI256.
func For(profile colorprofile.Profile, style string, elder bool) Palette {
	light := style == "light"
	var p Palette
	switch {
	case profile == colorprofile.NoTTY || profile == colorprofile.ASCII:
		p = mono(elder)
	case profile == colorprofile.ANSI && light:
		p = light16(elder)
	case profile == colorprofile.ANSI:
		p = dark16(elder)
	case light:
		p = light256(elder)
	default:
		p = dark256(elder)
	}
	p.Profile = profile
	return p
}

// xterm-256 colours (ansi.IndexedColor, what lipgloss.Color("231")
// returns): drawn the same by every 256-colour terminal.
const (
	Black      = ansi.IndexedColor(16)  // #000000
	White      = ansi.IndexedColor(231) // #ffffff
	Yellow     = ansi.IndexedColor(226) // #ffff00
	Gold       = ansi.IndexedColor(220) // #ffd700
	Cyan       = ansi.IndexedColor(51)  // #00ffff
	Azure      = ansi.IndexedColor(39)  // #00afff
	SkyBlue    = ansi.IndexedColor(153) // #afd7ff
	SteelBlue  = ansi.IndexedColor(24)  // #005f87
	Blue       = ansi.IndexedColor(25)  // #005faf
	Navy       = ansi.IndexedColor(18)  // #000087
	LightGrey  = ansi.IndexedColor(252) // #d0d0d0
	PaleGrey   = ansi.IndexedColor(254) // #e4e4e4
	MidGrey    = ansi.IndexedColor(247) // #9e9e9e
	Grey       = ansi.IndexedColor(240) // #585858
	DarkGrey   = ansi.IndexedColor(238) // #444444
	Charcoal   = ansi.IndexedColor(236) // #303030
	Coal       = ansi.IndexedColor(235) // #262626
	Night      = ansi.IndexedColor(234) // #1c1c1c
	Coral      = ansi.IndexedColor(203) // #ff5f5f
	DarkRed    = ansi.IndexedColor(124) // #af0000
	Salmon     = ansi.IndexedColor(217) // #ffafaf
	LightGreen = ansi.IndexedColor(157) // #afffaf
	DarkGreen  = ansi.IndexedColor(22)  // #005f00
)

// The eight basic colours, the only ones the 16-colour palettes use:
// backgrounds 8–15 do not exist on the Linux console, foregrounds 8–15 not
// on an 8-colour terminal. Brightness comes from bold where the terminal
// gives it, and every bold ink passes whether it does or not.
const (
	ansiBlack  = ansi.Black
	ansiRed    = ansi.Red
	ansiGreen  = ansi.Green
	ansiYellow = ansi.Yellow // brown on the console: only ever bold there
	ansiBlue   = ansi.Blue
	ansiCyan   = ansi.Cyan
	ansiSilver = ansi.White // #e5e5e5 in xterm, #aaaaaa on the console
)

func on(fg, bg color.Color) Ink { return Ink{FG: fg, BG: bg} }

func (i Ink) bold() Ink      { i.Bold = true; return i }
func (i Ink) underline() Ink { i.Underline = true; return i }
func (i Ink) reverse() Ink   { i.Reverse = true; return i }

// scheme is the handful of colours a palette is made of; palette derives
// every ink from it, the same way for every profile.
type scheme struct {
	bg, text, dim, title, number, heading, link color.Color

	header, selected, button, key Ink
	match, current, speaking, err Ink
}

func (s scheme) palette(name string, elder bool) Palette {
	text := on(s.text, s.bg)
	p := Palette{
		Name:         name,
		Elder:        elder,
		Min:          AA,
		Text:         text,
		Item:         text,
		Strong:       text.bold(),
		Dim:          on(s.dim, s.bg),
		Title:        on(s.title, s.bg).bold(),
		Number:       on(s.number, s.bg).bold(),
		Header:       s.header,
		Selected:     s.selected,
		Button:       s.button,
		ButtonKey:    s.key,
		Match:        s.match,
		MatchCurrent: s.current,
		Speaking:     s.speaking,
		Error:        s.err,
		Heading:      on(s.heading, s.bg),
		Link:         on(s.link, s.bg).underline(),
	}
	if elder {
		// 长者模式: items bold, titles and categories underlined too.
		p.Name, p.Min = "elder-"+name, AAA
		p.Item.Bold = true
		p.Title.Underline, p.Strong.Underline = true, true
	}
	return p
}

// noBold drops bold from every ink (see Palette.NoBold).
func noBold(p Palette) Palette {
	p.NoBold, p.HeadingUnderline = true, true
	for _, i := range []*Ink{&p.Text, &p.Item, &p.Strong, &p.Dim, &p.Title, &p.Number, &p.Header, &p.Selected,
		&p.Button, &p.ButtonKey, &p.Match, &p.MatchCurrent, &p.Speaking, &p.Error, &p.Heading, &p.Link} {
		i.Bold = false
	}
	return p
}

// dark256 is light grey on near-black with a sky-blue accent; 长者模式 is
// white on black with yellow numbers and selection.
func dark256(elder bool) Palette {
	if elder {
		return scheme{
			bg: Black, text: White, dim: LightGrey, title: White, number: Yellow, heading: White, link: Cyan,
			header:   on(Black, LightGrey).bold(),
			selected: on(Black, Yellow).bold(),
			button:   on(White, DarkGrey).bold(),
			key:      on(Yellow, DarkGrey).bold(),
			match:    on(Black, Cyan).underline(),
			current:  on(Black, Cyan).bold().underline(),
			speaking: on(Black, LightGreen).bold(),
			err:      on(Salmon, Black).bold(),
		}.palette("dark-256", true)
	}
	return scheme{
		bg: Night, text: LightGrey, dim: MidGrey, title: Azure, number: Azure, heading: Azure, link: Azure,
		header:   on(Black, Azure).bold(),
		selected: on(White, SteelBlue).bold(),
		button:   on(LightGrey, Charcoal),
		key:      on(Azure, Charcoal).bold(),
		match:    on(Black, LightGrey),
		current:  on(Black, Gold).bold().underline(),
		speaking: on(LightGrey, Night).bold().underline(),
		err:      on(Coral, Night).bold(),
	}.palette("dark-256", false)
}

// light256 is near-black on white with a blue accent; 长者模式 is black on
// white with a navy header and selection.
func light256(elder bool) Palette {
	if elder {
		return scheme{
			bg: White, text: Black, dim: DarkGrey, title: Black, number: Navy, heading: Navy, link: Navy,
			header:   on(White, Navy).bold(),
			selected: on(White, Navy).bold(),
			button:   on(Black, PaleGrey).bold(),
			key:      on(Navy, PaleGrey).bold(),
			match:    on(Black, Yellow).underline(),
			current:  on(Black, Yellow).bold().underline(),
			speaking: on(White, DarkGreen).bold(),
			err:      on(DarkRed, White).bold(),
		}.palette("light-256", true)
	}
	return scheme{
		bg: White, text: Coal, dim: Grey, title: Blue, number: Blue, heading: Blue, link: Blue,
		header:   on(White, Blue).bold(),
		selected: on(Black, SkyBlue).bold(),
		button:   on(Coal, PaleGrey),
		key:      on(Blue, PaleGrey).bold(),
		match:    on(Black, PaleGrey),
		current:  on(Black, Gold).bold().underline(),
		speaking: on(Coal, White).bold().underline(),
		err:      on(DarkRed, White).bold(),
	}.palette("light-256", false)
}

// dark16 is silver on black: yellow and cyan only ever bold (the
// console's colour 3 is brown), white-on-blue keys and selection.
func dark16(elder bool) Palette {
	s := scheme{
		bg: ansiBlack, text: ansiSilver, dim: ansiSilver, title: ansiCyan, number: ansiYellow, heading: ansiCyan, link: ansiCyan,
		header:   on(ansiBlack, ansiCyan),
		selected: on(ansiSilver, ansiBlue).bold(),
		button:   on(ansiBlack, ansiSilver),
		key:      on(ansiSilver, ansiBlue).bold(),
		match:    on(ansiBlack, ansiCyan),
		current:  on(ansiSilver, ansiBlue).bold().underline(),
		speaking: on(ansiBlack, ansiGreen),
		err:      on(ansiSilver, ansiRed).bold(),
	}
	if elder {
		s.title = ansiSilver
		s.match = on(ansiBlack, ansiSilver)
		s.speaking = on(ansiBlack, ansiCyan).underline()
		s.err = on(ansiYellow, ansiBlack).bold().underline() // silver on red is 4.6:1
	}
	return s.palette("dark-16", elder)
}

// light16 is black on silver, without bold (see Palette.NoBold): blue
// accents, cyan buttons, black or blue bars.
func light16(elder bool) Palette {
	s := scheme{
		bg: ansiSilver, text: ansiBlack, dim: ansiBlue, title: ansiBlue, number: ansiBlue, heading: ansiBlue, link: ansiBlue,
		header:   on(ansiSilver, ansiBlack),
		selected: on(ansiSilver, ansiBlue),
		button:   on(ansiBlack, ansiCyan),
		key:      on(ansiSilver, ansiBlue),
		match:    on(ansiBlack, ansiCyan),
		current:  on(ansiSilver, ansiBlue).underline(),
		speaking: on(ansiBlack, ansiGreen),
		err:      on(ansiSilver, ansiBlack).underline(), // red on silver is 3.3:1 on the console
	}
	if elder {
		// Blue on silver is 5.7:1 on the console: only black text.
		s.dim, s.title, s.heading, s.link = ansiBlack, ansiBlack, ansiBlack, ansiBlack
		s.number = ansiBlack
		s.selected = on(ansiBlack, ansiCyan)
		s.key = on(ansiSilver, ansiBlack)
		s.current = on(ansiSilver, ansiBlack).underline()
		s.speaking = on(ansiBlack, ansiCyan).underline()
	}
	return noBold(s.palette("light-16", elder))
}

// mono is for terminals without colour (NO_COLOR, colorprofile.Ascii):
// the terminal's own colours, state by reverse, bold and underline.
func mono(elder bool) Palette {
	plain := Ink{}
	return scheme{
		header:   plain.reverse().bold(),
		selected: plain.reverse().bold(),
		button:   plain.reverse(),
		key:      plain.reverse().bold(),
		match:    plain.reverse(),
		current:  plain.reverse().bold().underline(),
		speaking: plain.bold().underline(),
		err:      plain.bold().underline(),
	}.palette("mono", elder)
}
