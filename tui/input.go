package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"kiosk/internal/termtext"
)

// lineInput is a one-line text entry for queries. It takes whatever text a
// key press or an input method delivers (Chinese, pinyin, digits) and
// keeps it as runes, so deleting removes a whole character. There is no
// cursor movement: a kiosk query is typed, corrected at the end, or cleared.
type lineInput struct {
	value []rune
	limit int // in runes
}

func newLineInput(limit int) lineInput { return lineInput{limit: limit} }

func (in *lineInput) String() string { return string(in.value) }

func (in *lineInput) Reset() { in.value = nil }

// update applies a key press; it reports whether the input changed or
// consumed the key.
func (in *lineInput) update(msg tea.KeyPressMsg) (changed, consumed bool) {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if len(in.value) > 0 {
			in.value = in.value[:len(in.value)-1]
			return true, true
		}
		return false, true
	case "ctrl+u":
		changed = len(in.value) > 0
		in.value = nil
		return changed, true
	}
	if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
		return in.insert(msg.Text), true
	}
	return false, false
}

// insert appends typed or pasted text, dropping control characters (a
// paste may carry newlines or escape sequences).
func (in *lineInput) insert(s string) bool {
	s = strings.Map(func(r rune) rune {
		if termtext.IsControl(r) {
			return -1
		}
		return r
	}, s)
	added := false
	for _, r := range s {
		if in.limit > 0 && len(in.value) >= in.limit {
			break
		}
		in.value = append(in.value, r)
		added = true
	}
	return added
}
