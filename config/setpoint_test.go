package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetPointAddsThenReplaces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kiosk.toml")
	orig := "# 查阅点配置\n[kiosk]\nidle = \"90s\" # 秒\n"
	if err := os.WriteFile(p, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := CheckSetPoint(p); err != nil {
		t.Fatal(err)
	}
	if err := SetPoint(p, Point{ID: "jinqueshan", Name: "金雀山街道查阅点", Level: LevelTownship}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	want := orig + "\n[point]\nid = \"jinqueshan\"\nname = \"金雀山街道查阅点\"\nlevel = \"township\"\n"
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if err := SetPoint(p, Point{ID: "lanshan", Name: "兰山区", Level: LevelCounty}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Point.ID != "lanshan" || c.Point.Name != "兰山区" || c.Point.Level != LevelCounty || c.Kiosk.Idle.Seconds() != 90 {
		t.Fatalf("config %+v", c)
	}
	if b, _ := os.ReadFile(p); strings.Count(string(b), "id =") != 1 || !strings.HasPrefix(string(b), orig) {
		t.Fatalf("replaced wrongly:\n%s", b)
	}
}

func TestSetPointRefusesWhatItCannotEdit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kiosk.toml")
	orig := "point = { id = \"a\" }\n"
	os.WriteFile(p, []byte(orig), 0o600)
	for _, err := range []error{CheckSetPoint(p), SetPoint(p, Point{ID: "b", Name: "n", Level: LevelCounty})} {
		if err == nil || !strings.Contains(err.Error(), "nothing changed") {
			t.Fatalf("err %v", err)
		}
	}
	if b, _ := os.ReadFile(p); string(b) != orig {
		t.Fatalf("changed: %q", b)
	}
}
