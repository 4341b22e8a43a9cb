package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// action is what a key press or a tap asks for. Screens act on actions, not
// on keys: the footer's tap targets and the key bindings both map to
// actions, so a hint shown in the footer is exactly what the key does.
type action int

const (
	actNone action = iota
	actUp
	actDown
	actPageUp
	actPageDown
	actTop
	actBottom
	actOpen
	actBack
	actHome
	actPrevSection
	actNextSection
	actSearch
	actFind
	actNextMatch
	actPrevMatch
	actEndVisit
	actStaff
	actSubmit
	actDelete
	actToResults
	actToQuery
	actClear
	actFilterCatalogue
	actFilterYear
	actElder
	actTraditional
	actHelp
	actSpeak
	actQR
	actPrint
	actContinue
)

// binding ties keys (with their hint) to an action.
type binding struct {
	key.Binding
	act action
	// button is the footer label when it differs from the help text, e.g. a
	// wider touch label.
	button string
	// hidden bindings work but are not offered in the footer (g, End, the
	// staff key; a hint that has nothing to act on).
	hidden bool
}

func bind(act action, keys []string, helpKey, desc string) binding {
	return binding{Binding: key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc)), act: act}
}

// hiddenKey is a binding that works without a hint.
func hiddenKey(act action, keys ...string) binding {
	return hidden(bind(act, keys, "", ""))
}

// with is b answering to more keys too (← goes back in a list).
func (b binding) with(keys ...string) binding {
	b.SetKeys(append(append([]string(nil), b.Keys()...), keys...)...)
	return b
}

// without is b without some of its keys (⌫ edits text where text is typed).
func (b binding) without(drop ...string) binding {
	var keys []string
	for _, k := range b.Keys() {
		if !slices.Contains(drop, k) {
			keys = append(keys, k)
		}
	}
	b.SetKeys(keys...)
	return b
}

// titled is b under another name (取消 where 返回 leaves a question).
func (b binding) titled(desc string) binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// keyMap holds every binding a session uses. It is built per session (the
// bindings can be disabled per screen), never shared.
type keyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom binding
	Open, Back, Home                        binding
	PrevSection, NextSection                binding
	Search, Find, NextMatch, PrevMatch      binding
	EndVisit, Staff                         binding
	Submit, Delete                          binding
	// Bindings of screens where letters and digits are typed text.
	ToResults, BackToQuery, Clear binding
	FilterCatalogue, FilterYear   binding
	Elder, Traditional, Help      binding
	Speak, QR, Print              binding
	// Continue is the idle countdown's button: any key or tap dismisses
	// the countdown, so its hint names no one key.
	Continue binding
}

func newKeyMap(staffKey string) keyMap {
	return keyMap{
		Up:          bind(actUp, []string{"up", "k"}, "↑", "上移"),
		Down:        bind(actDown, []string{"down", "j"}, "↓", "下移"),
		PageUp:      bind(actPageUp, []string{"pgup", "b"}, "PgUp", "上一页"),
		PageDown:    bind(actPageDown, []string{"pgdown", "space", "f"}, "PgDn", "下一页"),
		Top:         hiddenKey(actTop, "g"),
		Bottom:      hiddenKey(actBottom, "end", "G"),
		Open:        bind(actOpen, []string{"enter", "right", "l"}, "Enter", "打开"),
		Back:        bind(actBack, []string{"esc", "backspace"}, "Esc", "返回"),
		Home:        bind(actHome, []string{"home", "h"}, "h", "首页"),
		PrevSection: bind(actPrevSection, []string{"left", "p", "["}, "←", "上一节"),
		NextSection: bind(actNextSection, []string{"right", "n", "]"}, "→", "下一节"),
		Search:      bind(actSearch, []string{"s", "ctrl+f"}, "s", "搜索"),
		Find:        bind(actFind, []string{"/"}, "/", "查找"),
		NextMatch:   bind(actNextMatch, []string{"n"}, "n", "下一处"),
		PrevMatch:   bind(actPrevMatch, []string{"N"}, "N", "上一处"),
		EndVisit:    bind(actEndVisit, []string{"x"}, "x", "结束浏览"),
		Staff:       hiddenKey(actStaff, staffKey),
		Submit:      bind(actSubmit, []string{"enter"}, "Enter", "确定"),
		Delete:      bind(actDelete, []string{"backspace"}, "⌫", "删除"),

		ToResults:   bind(actToResults, []string{"enter", "down", "tab"}, "Enter", "选择结果"),
		BackToQuery: bind(actToQuery, []string{"tab"}, "Tab", "修改搜索"),
		Clear:       bind(actClear, []string{"ctrl+u"}, "^U", "清空"),

		FilterCatalogue: bind(actFilterCatalogue, []string{"f2"}, "F2", "换目录"),
		// Letters work where nothing is being typed; the F-keys always.
		Elder:       bind(actElder, []string{"z", "f4"}, "z", "长者模式"),
		Traditional: bind(actTraditional, []string{"t", "f6"}, "t", "繁體"),
		Help:        bind(actHelp, []string{"?", "f1"}, "?", "帮助"),
		Speak:       bind(actSpeak, []string{"r"}, "r", "朗读"),
		QR:          bind(actQR, []string{"m"}, "m", "扫码"),
		Print:       bind(actPrint, []string{"d"}, "d", "打印"),
		FilterYear:  bind(actFilterYear, []string{"f3"}, "F3", "换年份"),
		Continue:    bind(actContinue, []string{"enter"}, "任意键", "继续浏览"),
	}
}

// typesText reports whether a key name is one that types text where text
// is typed: one printable character (a letter, a digit, ?) or the space.
func typesText(k string) bool {
	return k == "space" || len([]rune(k)) == 1
}

// isText reports whether a key press types text (shift aside).
func isText(msg tea.KeyPressMsg) bool {
	return msg.Text != "" && msg.Mod&^tea.ModShift == 0
}

// textFree is b without the keys that type text, for a screen where those
// keys are typed: its hint then names a key that still works there (z and
// F4 → F4). With no key left, b is disabled and not shown.
func textFree(b binding) binding {
	var keys []string
	named := false // the hint names a key that is dropped
	for _, k := range b.Keys() {
		if !typesText(k) {
			keys = append(keys, k)
		} else if k == b.Help().Key {
			named = true
		}
	}
	if len(keys) == 0 {
		b.SetEnabled(false)
		return b
	}
	b.SetKeys(keys...)
	if named {
		b.SetHelp(keyLabel(keys[0]), b.Help().Desc)
	}
	return b
}

// keyLabel is how a hint names a key: F4, ^X, Home.
func keyLabel(k string) string {
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return "^" + strings.ToUpper(rest)
	}
	if len(k) > 1 && k[0] == 'f' && k[1] >= '0' && k[1] <= '9' {
		return strings.ToUpper(k)
	}
	if k == "" {
		return k
	}
	return strings.ToUpper(k[:1]) + k[1:]
}

// hidden is b active but not offered in the footer.
func hidden(b binding) binding {
	b.hidden = true
	return b
}

// leave is Back where text is typed: Esc only, ⌫ edits the text.
func (k *keyMap) leave() binding { return k.Back.without("backspace") }

// typingKeys are the bindings that mean Home and 结束浏览 where letters are
// typed: Home alone, and ^X for x.
func (k *keyMap) typingKeys() (home, endVisit binding) {
	return textFree(k.Home), textFree(k.EndVisit.with("ctrl+x"))
}

// cancel is leave for a question or a PIN: 取消.
func (k *keyMap) cancel() binding { return k.leave().titled("取消") }

// lookup returns the first binding in bs matching the key press.
func lookup(bs []binding, msg tea.KeyPressMsg) (binding, bool) {
	for _, b := range bs {
		if b.Enabled() && key.Matches(msg, b.Binding) {
			return b, true
		}
	}
	return binding{}, false
}

// isLockedKey reports the keys that leave or suspend an ordinary terminal
// program (q only outside text entry). In the kiosk they do nothing.
func isLockedKey(s string) bool {
	switch s {
	case "ctrl+c", "ctrl+z", "ctrl+\\", "ctrl+d", "ctrl+q":
		return true
	}
	return false
}

// numberKey returns 1–9 for the digit keys (and the full-width digits an
// input method may send), 0 otherwise.
func numberKey(msg tea.KeyPressMsg) int {
	if d, ok := digit(msg); ok && d != '0' {
		return int(d - '0')
	}
	return 0
}

// digit returns the digit a key types, half- or full-width (an input
// method may send ２).
func digit(msg tea.KeyPressMsg) (byte, bool) {
	if msg.Mod&^tea.ModShift != 0 {
		return 0, false
	}
	switch r := []rune(msg.Text); {
	case len(r) != 1:
	case r[0] >= '0' && r[0] <= '9':
		return byte(r[0]), true
	case r[0] >= '０' && r[0] <= '９':
		return byte(r[0]-'０') + '0', true
	}
	return 0, false
}

// listBindings are the bindings of a list screen, in footer order.
func (k *keyMap) listBindings(back bool) []binding {
	bs := []binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Open}
	if back {
		bs = append(bs, k.Back.with("left"), k.Home)
	}
	return append(bs, k.Search, k.EndVisit, k.Top, k.Bottom)
}

// forList drops the moving hints a list does not need: ↑↓ with a single
// item, PgUp/PgDn when everything fits on the screen.
func forList(bs []binding, l *list) []binding {
	n := 0
	for _, it := range l.items {
		if !it.header {
			n++
		}
	}
	out := bs[:0:0]
	for _, b := range bs {
		switch {
		case n <= 1 && (b.act == actUp || b.act == actDown),
			l.height > 0 && l.offset == 0 && l.more == 0 && (b.act == actPageUp || b.act == actPageDown):
			b = hidden(b) // the key still works; the footer does not offer it
		}
		out = append(out, b)
	}
	return out
}

// readerBindings are the reader's bindings; n/N step through matches while
// a search or find is active and change sections otherwise.
func (k *keyMap) readerBindings(matches bool) []binding {
	bs := []binding{k.Up, k.Down, k.PageUp, k.PageDown}
	if matches {
		bs = append(bs, k.NextMatch, k.PrevMatch)
	}
	return append(bs, k.PrevSection, k.NextSection, k.Back, k.Home, k.Find, k.Search, k.EndVisit, k.Top, k.Bottom)
}
