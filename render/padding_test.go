package render

import (
	"testing"

	"charm.land/glamour/v2/styles"
)

func TestVisibleOnSpace(t *testing.T) {
	for seq, want := range map[string]bool{
		"\x1b[38;5;252m": false, "\x1b[m": false, "\x1b[1;38;5;39m": false,
		"\x1b[38;5;48m": false, "\x1b[38;2;1;48;3m": false, "\x1b[38;2;1;2;3;48;5;63m": true,
		"\x1b[48;5;63m": true, "\x1b[7m": true, "\x1b[41m": true, "\x1b[104m": true, "\x1b[4m": false,
	} {
		if got := visibleOnSpace(seq); got != want {
			t.Errorf("visibleOnSpace(%q) = %v", seq, got)
		}
	}
	if got := trimPadding("\x1b[38;5;252m文字\x1b[m\x1b[38;5;252m \x1b[m\x1b[38;5;252m \x1b[m"); got != "\x1b[38;5;252m文字\x1b[m" {
		t.Errorf("trimPadding = %q", got)
	}
	if got := trimPadding("\x1b[48;5;63m 标题 \x1b[m\x1b[38;5;252m \x1b[m  "); got != "\x1b[48;5;63m 标题 \x1b[m" {
		t.Errorf("trimPadding dropped a background: %q", got)
	}
}

// TestStockStylesUntouched: styleConfig copies glamour's style variables;
// it must never write through to them (other code may use them).
func TestStockStylesUntouched(t *testing.T) {
	for _, s := range []string{StyleDark, StyleLight, StyleNoTTY} {
		_ = styleConfig(s)
	}
	if styles.DarkStyleConfig.H2.Prefix != "## " || styles.NoTTYStyleConfig.Strong.BlockPrefix != "**" ||
		styles.LightStyleConfig.Item.BlockPrefix != "• " || styles.DarkStyleConfig.H1.Prefix != " " {
		t.Error("glamour's stock styles were modified")
	}
}
