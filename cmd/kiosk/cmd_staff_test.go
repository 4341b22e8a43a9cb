package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A kiosk.toml with a hand-typed staff_pin_hash is refused at start with
// its line; kiosk staff set-pin puts it right, changing that line only.
func TestStaffSetPINRepairsJunkHash(t *testing.T) {
	data := t.TempDir()
	cfg := filepath.Join(data, "kiosk.toml")
	before := "# 金雀山街道查阅点\n[point]\nid = \"jqs\"  # 合并按这个编号\nlevel = \"township\"\n\n[kiosk]\nstaff_pin_hash = \"2468\"   # 错:不能直接写 PIN\n"
	os.WriteFile(cfg, []byte(before), 0o600)

	code, _, errOut := kiosk(t, data, "list")
	if code != 1 || !strings.Contains(errOut, cfg+":7: kiosk.staff_pin_hash 不是 bcrypt 哈希值") {
		t.Fatalf("start with a junk hash: %d %q", code, errOut)
	}

	var out, errb bytes.Buffer
	code = run([]string{"--data", data, "staff", "set-pin"}, strings.NewReader("1357\n1357\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("set-pin: %d %q", code, errb.String())
	}
	got, _ := os.ReadFile(cfg)
	lines, want := strings.Split(string(got), "\n"), strings.Split(before, "\n")
	if len(lines) != len(want) {
		t.Fatalf("set-pin rewrote the file:\n%s", got)
	}
	for i := range want {
		if i == 6 {
			if !strings.HasPrefix(lines[i], "staff_pin_hash = \"$2a$") || !strings.HasSuffix(lines[i], "\"   # 错:不能直接写 PIN") {
				t.Errorf("line 7: %q", lines[i])
			}
		} else if lines[i] != want[i] {
			t.Errorf("line %d changed: %q, was %q", i+1, lines[i], want[i])
		}
	}
	if code, _, errOut := kiosk(t, data, "list"); code != 0 {
		t.Errorf("after set-pin: %d %q", code, errOut)
	}
}

// Every message of the staff commands is Chinese first.
func TestMessagesChineseFirst(t *testing.T) {
	data := t.TempDir()
	for _, c := range []struct {
		args  []string
		stdin string
	}{
		{[]string{"staff", "frobnicate"}, ""},
		{[]string{"staff", "set-pin"}, ""},
		{[]string{"staff", "set-pin"}, "12\n12\n"},
		{[]string{"staff", "set-pin"}, "12ab\n12ab\n"},
		{[]string{"staff", "set-pin"}, "1234\n4321\n"},
		{[]string{"frobnicate"}, ""},
		{[]string{"--idle", "1ms", "list"}, ""},
		{[]string{"search", "--limit", "0", "低保"}, ""},
		{[]string{"show", "--width", "5", "x"}, ""},
	} {
		var out, errb bytes.Buffer
		code := run(append([]string{"--data", data}, c.args...), strings.NewReader(c.stdin), &out, &errb)
		msg := errb.String()
		for _, prompt := range []string{"新 PIN (new PIN): ", "再输入一次 (again): ", "kiosk: "} {
			msg = strings.TrimPrefix(msg, prompt)
		}
		if code == 0 || !chineseFirst(msg) {
			t.Errorf("%v: %d %q", c.args, code, errb.String())
		}
	}
}

// chineseFirst reports whether a message says it in Chinese before any
// English in parentheses: "PIN 至少要有 4 位数字 (PIN must have …)".
func chineseFirst(s string) bool {
	for _, r := range s {
		switch {
		case r >= 0x4e00 && r <= 0x9fff:
			return true
		case r == '(':
			return false
		}
	}
	return false
}
