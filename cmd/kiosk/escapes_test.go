package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/visits"
)

// hostile is what a USB stick, a points file, a pack or a kiosk.toml can
// carry into a staff member's terminal: a window-title change (OSC 0,
// ended by BEL), a clear-screen (CSI 2J) and a right-to-left override.
const hostile = "\x1b]0;pwned\a\x1b[2J\u202e"

// hostileTOML is hostile as TOML escapes.
const hostileTOML = `\u001b]0;pwned\u0007\u001b[2J\u202e`

// assertNoEscapes fails if out holds ESC, BEL or U+202E.
func assertNoEscapes(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexAny(out, "\x1b\a\u202e"); i >= 0 {
		t.Errorf("%s prints a raw escape at byte %d: %q", what, i, out[max(0, i-40):min(len(out), i+40)])
	}
}

func TestContentCommandsPrintNoEscapes(t *testing.T) {
	dir := t.TempDir()
	// A source folder whose name, pack.toml and skipped files are hostile.
	src := filepath.Join(dir, "pack"+hostile)
	if err := os.CopyFS(src, os.DirFS(packPath("good"))); err != nil {
		t.Fatal(err)
	}
	manifest := "title = \"测试" + hostileTOML + "区\"\nversion = \"2026.1" + hostileTOML + "\"\npublished = \"2026-11-25\"\npublisher = \"测试区人民政府办公室\"\n"
	for name, body := range map[string]string{
		"pack.toml":                   manifest,
		"notes" + hostile + ".txt":    "x",
		"a\u202etxt.exe":              "x",
		"2019/readme" + hostile + ".": "x",
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	// file names with control characters are refused, and named safely
	for _, args := range [][]string{{"content", "check", src}, {"content", "load", src}} {
		code, out, errOut := kiosk(t, data, args...)
		if code != 1 || !strings.Contains(out+errOut, "文件名含有控制字符") {
			t.Errorf("%v: exit %d, want 1 naming the files\n%s\n%s", args, code, out, errOut)
		}
		assertNoEscapes(t, strings.Join(args[:2], " ")+" stdout", out)
		assertNoEscapes(t, strings.Join(args[:2], " ")+" stderr", errOut)
	}
	// without them the pack loads; its hostile title and folder name are
	// printed safely
	for _, name := range []string{"notes" + hostile + ".txt", "a\u202etxt.exe", "2019/readme" + hostile + "."} {
		if err := os.Remove(filepath.Join(src, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"content", "check", src},
		{"content", "load", src},
		{"content", "list"},
		{"content", "rollback"},
		{"content", "rollback", "v" + hostile},
	} {
		code, out, errOut := kiosk(t, data, args...)
		if code != 0 && args[len(args)-1] != "v"+hostile {
			t.Errorf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		assertNoEscapes(t, strings.Join(args[:2], " ")+" stdout", out)
		assertNoEscapes(t, strings.Join(args[:2], " ")+" stderr", errOut)
		if args[1] == "list" && !strings.Contains(out, "测试区 2026.1(") {
			t.Errorf("content list lost the title's text:\n%s", out)
		}
	}
}

func TestVisitsCommandsPrintNoEscapes(t *testing.T) {
	data := t.TempDir()
	toml := "[point]\nid = \"zj-07" + hostileTOML + "\"\nname = \"张家镇" + hostileTOML + "\"\nlevel = \"township\"\n" +
		"[labels]\ncounty = \"县" + hostileTOML + "\"\ntownship = \"乡镇" + hostileTOML + "\"\n"
	if err := os.WriteFile(filepath.Join(data, "kiosk.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := visits.Open(filepath.Join(data, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	// Visits of the configured point and of one whose name is only in
	// the database (the kiosk stood there before).
	for _, p := range []config.Point{
		{ID: "zj-07" + hostile, Name: "张家镇" + hostile, Level: config.LevelTownship},
		{ID: "xq-01" + hostile, Name: "区中心" + hostile, Level: config.LevelCounty},
	} {
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.Local)
		tr, err := visits.NewTracker(s, p, visits.TrackerOptions{Now: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Activity(); err != nil {
			t.Fatal(err)
		}
		if err := tr.End(); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	stick := t.TempDir()
	export := filepath.Join(stick, "zj-07.json")
	points := filepath.Join(stick, "points.csv")
	os.WriteFile(points, []byte("id,name,level\nzj-07"+hostile+",张家镇"+hostile+",township\nxq-09,=HYPERLINK(1)"+hostile+",county\n"), 0o644)
	dup := filepath.Join(stick, "dup.csv")
	os.WriteFile(dup, []byte("a"+hostile+",x,county\na"+hostile+",y,county\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"visits", "summary"}, 0},
		{[]string{"visits", "export", "--year", "2026"}, 0},
		{[]string{"visits", "export", "--year", "2026", "--format", "csv"}, 0},
		{[]string{"visits", "export", "--year", "2026", "--format", "json"}, 0},
		{[]string{"visits", "export", "--year", "2026", "--out", export}, 0},
		{[]string{"visits", "merge", export, "--points", points}, 0},
		{[]string{"visits", "merge", export, "--points", points, "--format", "csv"}, 0},
		{[]string{"visits", "merge", export, "--points", dup}, 1},
		{[]string{"visits", "merge", filepath.Join(stick, "nonesuch"+hostile+".json")}, 1},
	} {
		code, out, errOut := visitsCLI(t, data, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s\n%s", c.args, code, c.code, out, errOut)
		}
		assertNoEscapes(t, strings.Join(c.args, " ")+" stdout", out)
		assertNoEscapes(t, strings.Join(c.args, " ")+" stderr", errOut)
	}
}
