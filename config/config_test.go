package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
