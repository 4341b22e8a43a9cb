package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kiosk/tui/contrast"
)

// paint lays the frame on the palette's own colours: every line starts
// in the Text ink's colours, returns to them after every SGR reset (and
// after a default foreground or background), and is padded with them to
// the width. No cell is left in the terminal's default colours, which may
// be black on white (xterm) or grey on black (the console): the palette's
// ratios hold on both. Where the palette forbids bold (Palette.NoBold),
// bold is taken out of every sequence, whoever wrote it (lipgloss,
// glamour). A mono palette's frame is returned as it is.
func paint(frame string, p contrast.Palette, w int) string {
	if p.Mono() {
		return frame
	}
	fg := ansi.Style{}.ForegroundColor(p.Text.FG).String()
	bg := ansi.Style{}.BackgroundColor(p.Text.BG).String()
	base := fg + bg
	var b strings.Builder
	b.Grow(len(frame) + 64*strings.Count(frame, "\n"))
	for i, line := range strings.Split(frame, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(base)
		rest := line
		for {
			j := strings.Index(rest, "\x1b[")
			if j < 0 {
				b.WriteString(rest)
				break
			}
			k := strings.IndexByte(rest[j:], 'm')
			if k < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:j])
			params := rest[j+2 : j+k]
			rest = rest[j+k+1:]
			if p.NoBold {
				var ok bool
				if params, ok = dropBold(params); !ok {
					continue // the sequence only set bold
				}
			}
			b.WriteString("\x1b[" + params + "m")
			switch f, g := resets(params); {
			case f && g:
				b.WriteString(base)
			case f:
				b.WriteString(fg)
			case g:
				b.WriteString(bg)
			}
		}
		if pad := w - ansi.StringWidth(line); pad > 0 {
			b.WriteString(strings.Repeat(" ", pad))
		}
		b.WriteString("\x1b[m")
	}
	return b.String()
}

// sgrParams walks the top-level parameters of an SGR sequence, skipping
// the colour values of 38/48/58 (5;n or 2;r;g;b).
func sgrParams(params string, each func(p string)) {
	ps := strings.Split(params, ";")
	for i := 0; i < len(ps); i++ {
		each(ps[i])
		switch ps[i] {
		case "38", "48", "58":
			if i+1 < len(ps) && ps[i+1] == "5" {
				i += 2
			} else if i+1 < len(ps) && ps[i+1] == "2" {
				i += 4
			}
		}
	}
}

// resets reports whether an SGR sequence sets the foreground or the
// background back to the terminal's default.
func resets(params string) (fg, bg bool) {
	sgrParams(params, func(p string) {
		switch p {
		case "", "0":
			fg, bg = true, true
		case "39":
			fg = true
		case "49":
			bg = true
		}
	})
	return fg, bg
}

// dropBold returns params without bold (1); false when nothing is left.
func dropBold(params string) (string, bool) {
	if params == "" {
		return params, true // a reset
	}
	var kept []string
	ps := strings.Split(params, ";")
	for i := 0; i < len(ps); i++ {
		switch ps[i] {
		case "1":
			continue
		case "38", "48", "58":
			n := 0
			if i+1 < len(ps) && ps[i+1] == "5" {
				n = 2
			} else if i+1 < len(ps) && ps[i+1] == "2" {
				n = 4
			}
			kept = append(kept, ps[i:min(i+1+n, len(ps))]...)
			i += n
			continue
		}
		kept = append(kept, ps[i])
	}
	if len(kept) == 0 {
		return "", false
	}
	return strings.Join(kept, ";"), true
}
