package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestLoadOverDefaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kiosk.toml")
	os.WriteFile(p, []byte("[point]\nid = \"zj-07\"\nname = \"张家镇政府查阅点\"\nlevel = \"township\"\n[kiosk]\nidle = \"90s\"\n"), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Point.ID != "zj-07" || c.Point.Level != LevelTownship || c.Kiosk.Idle.Duration != 90*time.Second {
		t.Fatalf("%+v", c)
	}
	if c.Kiosk.StaffKey != "f12" || c.Kiosk.PrintLimit != 1 || c.LevelLabel(LevelTownship) != "乡镇政府(街道办事处)" {
		t.Fatalf("defaults lost: %+v", c)
	}
}

func TestPrintLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kiosk.toml")
	os.WriteFile(p, []byte("[kiosk]\nprint_command = \"lp -d kiosk\"\nprint_limit = 3\n"), 0o644)
	c, err := Load(p)
	if err != nil || c.Kiosk.PrintLimit != 3 {
		t.Fatalf("print_limit = 3 read as %d (%v)", c.Kiosk.PrintLimit, err)
	}
}

func TestLoadRefusesMistakes(t *testing.T) {
	for name, body := range map[string]string{
		"unknown key": "[kiosk]\nidel = \"90s\"\n",
		"bad level":   "[point]\nlevel = \"city\"\n",
		"bad idle":    "[kiosk]\nidle = \"soon\"\n",
		"short idle":  "[kiosk]\nidle = \"10ms\"\n",
		"empty id":    "[point]\nid = \"\"\n",
		"bad style":   "[kiosk]\nstyle = \"pink\"\n",
		"no printing": "[kiosk]\nprint_limit = 0\n",
		"not toml":    "[point\n",
	} {
		p := filepath.Join(t.TempDir(), "kiosk.toml")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := Load(p); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: the error does not name the file: %v", name, err)
		}
	}
}

func TestSetPINKeepsOtherSettings(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kiosk.toml")
	os.WriteFile(p, []byte("[point]\nid = \"zj-07\"\nlevel = \"township\"\n"), 0o644)
	if _, err := HashPIN("12a4"); err == nil {
		t.Fatal("a PIN with a letter was accepted")
	}
	if _, err := HashPIN("123"); err == nil {
		t.Fatal("a 3-digit PIN was accepted")
	}
	h, err := HashPIN("2468")
	if err != nil {
		t.Fatal(err)
	}
	if err := SetPIN(p, h); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Point.ID != "zj-07" || !c.CheckPIN("2468") || c.CheckPIN("2469") {
		t.Fatalf("after set-pin: %+v", c)
	}
	if (Config{}).CheckPIN("") {
		t.Fatal("no PIN configured must match nothing")
	}
}

// set-pin changes only the staff_pin_hash line: comments, blank lines, the
// order and spelling of every other key stay as the office wrote them, and
// no default is written into the file.
func TestSetPINEditsOnlyItsLine(t *testing.T) {
	h, err := HashPIN("2468")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, before, after string }{
		{"replace",
			"# 金雀山街道查阅点\n[point]\nid = \"jqs\"   # 不要改\n\n[kiosk]\nidle = \"90s\"\nstaff_pin_hash = \"\"  # kiosk staff set-pin 写入\nstyle = \"light\"\n",
			"# 金雀山街道查阅点\n[point]\nid = \"jqs\"   # 不要改\n\n[kiosk]\nidle = \"90s\"\nstaff_pin_hash = \"HASH\"  # kiosk staff set-pin 写入\nstyle = \"light\"\n"},
		{"add under [kiosk]",
			"[kiosk]   # 终端\nidle = \"90s\"\n\n[labels]\ncounty = \"县直部门\"\n",
			"[kiosk]   # 终端\nstaff_pin_hash = \"HASH\"\nidle = \"90s\"\n\n[labels]\ncounty = \"县直部门\"\n"},
		{"add [kiosk]",
			"[point]\nid = \"jqs\"",
			"[point]\nid = \"jqs\"\n\n[kiosk]\nstaff_pin_hash = \"HASH\"\n"},
		{"dotted key",
			"kiosk.staff_pin_hash = 'old'\n[point]\nid = \"jqs\"\n",
			"kiosk.staff_pin_hash = \"HASH\"\n[point]\nid = \"jqs\"\n"},
		{"dotted table, key missing",
			"kiosk.idle = \"90s\"\n[point]\nid = \"jqs\"\n",
			"kiosk.idle = \"90s\"\nkiosk.staff_pin_hash = \"HASH\"\n[point]\nid = \"jqs\"\n"},
		{"CRLF",
			"[kiosk]\r\nidle = \"90s\"\r\n",
			"[kiosk]\r\nstaff_pin_hash = \"HASH\"\r\nidle = \"90s\"\r\n"},
		{"junk hash replaced",
			"[kiosk]\nstaff_pin_hash = \"hunter2\"\n",
			"[kiosk]\nstaff_pin_hash = \"HASH\"\n"},
		{"a multi-line string that looks like a table",
			"[point]\nhours = \"\"\"\n[kiosk]\nstaff_pin_hash = 'x'\n\"\"\"\n",
			"[point]\nhours = \"\"\"\n[kiosk]\nstaff_pin_hash = 'x'\n\"\"\"\n\n[kiosk]\nstaff_pin_hash = \"HASH\"\n"},
	} {
		p := filepath.Join(t.TempDir(), "kiosk.toml")
		os.WriteFile(p, []byte(c.before), 0o640)
		if err := SetPIN(p, h); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got, _ := os.ReadFile(p)
		if want := strings.ReplaceAll(c.after, "HASH", h); string(got) != want {
			t.Errorf("%s:\n%s\nwant\n%s", c.name, got, want)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v", c.name, fi.Mode())
		}
		if c, err := Load(p); err != nil || !c.CheckPIN("2468") {
			t.Errorf("%s: after set-pin: %v", c.Path, err)
		}
	}
}

func TestSetPINNewFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kiosk.toml")
	h, _ := HashPIN("2468")
	if err := SetPIN(p, h); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "[kiosk]\nstaff_pin_hash = \""+h+"\"\n" {
		t.Errorf("new file:\n%s", got)
	}
}

// A file set-pin cannot edit safely is left as it is, with a message that
// names it.
func TestSetPINRefusesWhatItCannotEdit(t *testing.T) {
	h, _ := HashPIN("2468")
	for name, body := range map[string]string{
		"syntax error": "[kiosk]\nidle = \"90s\n",
		"inline table": "kiosk = { idle = \"90s\" }\n",
		"array value":  "[kiosk]\nstaff_pin_hash = [\"a\"]\n",
	} {
		p := filepath.Join(t.TempDir(), "kiosk.toml")
		os.WriteFile(p, []byte(body), 0o600)
		err := SetPIN(p, h)
		if err == nil || !strings.Contains(err.Error(), p) || !startsChinese(err.Error()) {
			t.Errorf("%s: %v", name, err)
		}
		if got, _ := os.ReadFile(p); string(got) != body {
			t.Errorf("%s: the file changed:\n%s", name, got)
		}
	}
}

// startsChinese reports whether a message starts (after "配置文件" and the
// like) with Chinese: its first letter is a Han character.
func startsChinese(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
		if unicode.IsLetter(r) {
			return false
		}
	}
	return false
}

// Junk that used to be accepted silently is refused with the file and line.
func TestLoadRefusesJunkStaffSettings(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"[kiosk]\n\nstaff_pin_hash = \"hunter2\"\n", ":3: kiosk.staff_pin_hash"},
		{"[kiosk]\nstaff_pin_hash = \"$2a$10$short\"\n", ":2: kiosk.staff_pin_hash"},
		{"[kiosk]\nstaff_key = \"banana\"\n", ":2: kiosk.staff_key"},
		{"[kiosk]\nstaff_key = \"F12\"\n", ":2: kiosk.staff_key"},
		{"[kiosk]\nstaff_key = \"\"\n", ":2: kiosk.staff_key"},
		{"[kiosk]\nstaff_key = \"a\"\n", ":2: kiosk.staff_key"},
		{"[kiosk]\nstaff_key = \"enter\"\n", ":2: kiosk.staff_key"},
		{"[kiosk]\nstaff_key = \"shift+ctrl+k\"\n", ":2: kiosk.staff_key"},
		{"[kiosk]\nstaff_key = \"ctrl+\\u001b\"\n", ":2: kiosk.staff_key"},
		{"[point]\nlevel = \"city\"\n", ":2: point.level"},
		{"[kiosk]\nidle = \"soon\"\n", ":2: kiosk.idle"},
		{"[kiosk]\nidel = \"90s\"\n", ":2: 未知的键 kiosk.idel"},
	} {
		p := filepath.Join(t.TempDir(), "kiosk.toml")
		os.WriteFile(p, []byte(c.body), 0o644)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), p+c.want) || !startsChinese(err.Error()) {
			t.Errorf("%q: %v", c.body, err)
		}
	}
	for _, k := range []string{"f12", "f5", "ctrl+alt+k", "ctrl+shift+f12", "alt+f10"} {
		p := filepath.Join(t.TempDir(), "kiosk.toml")
		os.WriteFile(p, []byte("[kiosk]\nstaff_key = \""+k+"\"\n"), 0o644)
		if _, err := Load(p); err != nil {
			t.Errorf("%s refused: %v", k, err)
		}
	}
}

func TestContentSigningKeys(t *testing.T) {
	const key = "3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	p := filepath.Join(t.TempDir(), "kiosk.toml")
	os.WriteFile(p, []byte("[content]\nrequire_signed = true\nsigning_keys = [\""+key+"\"]\n"), 0o644)
	c, err := Load(p)
	if err != nil || !c.Content.RequireSigned || len(c.Content.Keys()) != 1 || len(c.Content.Keys()[0]) != 32 {
		t.Fatalf("%+v %v", c.Content, err)
	}
	for body, want := range map[string]string{
		"[content]\nrequire_signed = true\n":                                    ":2: content.require_signed 为 true 时",
		"[content]\n\nsigning_keys = [\"" + key + "\", \"c2hvcnQ=\"]\n":         ":3: content.signing_keys 第 2 个不是公钥",
		"[content]\nsigning_keys = [\"-----BEGIN PUBLIC KEY-----\"]\n":          "content.signing_keys 第 1 个不是公钥",
		"[content]\nrequire_signed = true\nsigning_keys = [\"" + key + "x\"]\n": "第 1 个不是公钥",
	} {
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}
