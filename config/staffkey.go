package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkStaffKey says what is wrong with a staff_key value, "" when it is a
// key the kiosk can see and citizens do not press. The kiosk compares the
// value with Bubble Tea's name of each key pressed, so a value that is not
// such a name (F12, banana, shift+ctrl+k) would never match and staff could
// never leave the screen; a key citizens type or browse with (a letter,
// enter, the arrows) would open the PIN prompt under their fingers.
func checkStaffKey(k string) string {
	const hint = "应为 f12、ctrl+alt+k 这样的小写按键名 (must be a key name such as f12 or ctrl+alt+k)"
	if k == "" {
		return "不能为空;" + hint
	}
	if !utf8.ValidString(k) || strings.ContainsFunc(k, unicode.IsControl) || strings.ContainsFunc(k, unicode.IsSpace) {
		return fmt.Sprintf("%q 不是按键名;%s", k, hint)
	}
	parts := strings.Split(k, "+")
	base, mods := parts[len(parts)-1], parts[:len(parts)-1]
	if base == "" && len(parts) > 1 { // "ctrl++"
		base, mods = "+", parts[:len(parts)-2]
	}
	// Bubble Tea writes the modifiers in this order, and only in it.
	order := "ctrl alt shift meta hyper super"
	last := -1
	for _, m := range mods {
		i := strings.Index(order, m)
		if m == "" || i < 0 || strings.Contains(m, " ") {
			return fmt.Sprintf("%q 中的 %q 不是修饰键(ctrl、alt、shift、meta、hyper、super);%s", k, m, hint)
		}
		if i <= last {
			return fmt.Sprintf("%q 的修饰键顺序不对:应按 ctrl、alt、shift、meta、hyper、super 的顺序写 (modifiers must come in this order)", k)
		}
		last = i
	}
	modified := false // a modifier other than shift
	for _, m := range mods {
		modified = modified || m != "shift"
	}
	switch {
	case fkey(base):
		return ""
	case browseKey(base):
		if !modified {
			return fmt.Sprintf("%q 是访客浏览时会按的键;请用功能键或组合键,如 f12、ctrl+alt+k (citizens press this key)", k)
		}
		return ""
	case otherKey(base):
		return ""
	case utf8.RuneCountInString(base) == 1:
		r, _ := utf8.DecodeRuneInString(base)
		if !unicode.IsPrint(r) {
			return fmt.Sprintf("%q 不是按键名;%s", k, hint)
		}
		if !modified {
			return fmt.Sprintf("%q 是访客打字时会按的键;请用功能键或组合键,如 f12、ctrl+alt+k (citizens type this key)", k)
		}
		if unicode.IsUpper(r) {
			return fmt.Sprintf("%q 应写小写字母 (write the letter in lower case)", k)
		}
		return ""
	}
	if lower := strings.ToLower(k); lower != k && checkStaffKey(lower) == "" {
		return fmt.Sprintf("%q 应写成小写 %q (key names are lower case)", k, lower)
	}
	return fmt.Sprintf("%q 不是按键名;%s", k, hint)
}

// fkey reports whether k is a function key, f1 … f63.
func fkey(k string) bool {
	n, ok := strings.CutPrefix(k, "f")
	if !ok || n == "" || n[0] == '0' {
		return false
	}
	i, err := strconv.Atoi(n)
	return err == nil && i >= 1 && i <= 63
}

// browseKey reports whether k is a key citizens use to browse or type.
func browseKey(k string) bool {
	switch k {
	case "enter", "tab", "backspace", "esc", "space", "up", "down", "left", "right",
		"pgup", "pgdown", "home", "end", "delete":
		return true
	}
	return false
}

// otherKey reports whether k is another key Bubble Tea names.
func otherKey(k string) bool {
	switch k {
	case "insert", "begin", "find", "select", "menu", "pause", "printscreen", "scrolllock":
		return true
	}
	return false
}
