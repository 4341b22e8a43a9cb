package tui

import "strings"

// narrow replaces, in a finished frame, the East Asian ambiguous-width
// characters the screens use for arrows, bullets, markers and the cursor
// with look-alikes of the same width that every terminal draws the same:
// a terminal set to draw ambiguous characters wide (xterm -cjk_width,
// many Chinese terminal profiles) draws ↑ ↓ · … ▶ ♪ two cells wide, which
// pushed the footer hints, list markers and breadcrumbs out of their
// places (and the terminal's idea of every later cell in the row). Each
// replacement is one cell where the original was one (⏳, which Go counts
// as two but xterm's fonts lack, becomes a full-width !), so the layout
// and the tap zones stay as they were; text is matched and read aloud
// from the original. The look-alikes are in DejaVu Sans Mono or
// WenQuanYi Zen Hei (docs/screens/ shows them). Content keeps its own
// characters except these (a “quotation” stays as it is).
func narrow(frame string) string { return strings.Map(narrowRune, frame) }

func narrowRune(r rune) rune {
	switch r {
	case '↑':
		return '⬆'
	case '↓':
		return '⬇'
	case '←':
		return '⬅'
	case '→':
		return '➡'
	case '·':
		return '∙'
	case '…':
		return '⋯'
	case '▶':
		return '►'
	case '♪':
		return '♫'
	case '⏳':
		return '！'
	}
	return r
}
