package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is a main module that embeds one file, the Go root and three
// modules; licences maps a module to its LICENSE text ("" for none).
type fixture struct {
	pkgs   []goPackage
	goroot string
}

func newFixture(t *testing.T, embed string, licences map[string]string) fixture {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kiosk/LICENSE", mitText)
	write("kiosk/index/"+embed, "医保 = [\"医疗保险\"]\n")
	write("goroot/LICENSE", bsdHead+bsd3Clause)
	main := &goModule{Path: "kiosk", Dir: filepath.Join(dir, "kiosk"), Main: true, GoVersion: "1.26.8"}
	f := fixture{goroot: filepath.Join(dir, "goroot")}
	f.pkgs = append(f.pkgs,
		goPackage{ImportPath: "fmt"},
		goPackage{ImportPath: "kiosk/index", Dir: filepath.Join(dir, "kiosk", "index"), Module: main, EmbedFiles: []string{embed}},
		goPackage{ImportPath: "kiosk/cmd/kiosk", Dir: filepath.Join(dir, "kiosk", "cmd", "kiosk"), Module: main})
	for path, text := range licences {
		mdir := filepath.Join(dir, "mod", filepath.FromSlash(path))
		if err := os.MkdirAll(mdir, 0o755); err != nil {
			t.Fatal(err)
		}
		write("mod/"+path+"/go.mod", "module "+path+"\n")
		if text != "" {
			write("mod/"+path+"/LICENSE", text)
		}
		m := &goModule{Path: path, Version: "v1.0.0", Dir: mdir}
		f.pkgs = append(f.pkgs, goPackage{ImportPath: path, Dir: mdir, Module: m}, goPackage{ImportPath: path + "/sub", Dir: filepath.Join(mdir, "sub"), Module: m})
	}
	return f
}

func TestBuildWritesEachModuleAndEachTextOnce(t *testing.T) {
	f := newFixture(t, "synonyms.toml", map[string]string{
		"example.com/a": mitText, "example.com/b": mitText, "example.com/c": bsdHead + bsd3Clause,
	})
	rep, err := build(f.pkgs, f.goroot)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep.write(&buf)
	out := buf.String()
	for _, want := range []string{
		"the 3 modules below",
		"Licences of the 3 modules (a module with two counts twice): MIT 2, BSD-3-Clause 1.",
		"Go standard library and runtime  go 1.26.8  BSD-3-Clause  [1]\n",
		"example.com/a                    v1.0.0     MIT  [2]\n",
		"example.com/b                    v1.0.0     MIT  [2]\n",
		"example.com/c                    v1.0.0     BSD-3-Clause  [1]\n",
		"index/synonyms.toml\n    the built-in synonym list (内置同义词表)\n    the kiosk's own: MIT, in LICENSE\n",
		"[2] MIT\n    example.com/a@v1.0.0/LICENSE\n    example.com/b@v1.0.0/LICENSE\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Permission is hereby granted"); n != 1 {
		t.Errorf("the MIT text is printed %d times, want once", n)
	}
	if strings.Contains(out, f.goroot) || strings.Contains(out, "/mod/") {
		t.Errorf("output names this machine's paths:\n%s", out)
	}
	var again bytes.Buffer
	rep.write(&again)
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("two writes of one report differ")
	}
}

func TestBuildRefuses(t *testing.T) {
	for _, c := range []struct {
		name     string
		embed    string
		licences map[string]string
		want     []string // in the error
	}{
		{"GPL", "synonyms.toml", map[string]string{"example.com/gpl": gpl3, "example.com/ok": mitText},
			[]string{"example.com/gpl v1.0.0: LICENSE is GPL, LGPL or AGPL"}},
		{"LGPL notice beside an MIT licence", "synonyms.toml", map[string]string{"example.com/lgpl": mitText + "\nSPDX-License-Identifier: LGPL-3.0"},
			[]string{"example.com/lgpl v1.0.0: LICENSE is GPL"}},
		{"unrecognised", "synonyms.toml", map[string]string{"example.com/custom": "Copyright 2020 X. You may use this for good, not evil."},
			[]string{"example.com/custom v1.0.0: LICENSE is not a licence this script recognises"}},
		{"no licence file", "synonyms.toml", map[string]string{"example.com/none": ""},
			[]string{"example.com/none v1.0.0: no licence file"}},
		{"unknown embedded data", "fonts/wqy.ttf", map[string]string{"example.com/ok": mitText},
			[]string{"embedded file index/fonts/wqy.ttf: no entry in scripts/third-party/embedded.go"}},
		{"every problem at once", "fonts/wqy.ttf", map[string]string{"example.com/gpl": gpl3, "example.com/none": ""},
			[]string{"example.com/gpl", "example.com/none", "index/fonts/wqy.ttf"}},
	} {
		f := newFixture(t, c.embed, c.licences)
		rep, err := build(f.pkgs, f.goroot)
		if err == nil {
			t.Errorf("%s: no error (report %v)", c.name, rep != nil)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestBuildModuleNotDownloaded(t *testing.T) {
	f := newFixture(t, "synonyms.toml", nil)
	f.pkgs = append(f.pkgs, goPackage{ImportPath: "example.com/gone", Module: &goModule{Path: "example.com/gone", Version: "v0.1.0"}})
	if _, err := build(f.pkgs, f.goroot); err == nil || !strings.Contains(err.Error(), "example.com/gone v0.1.0: not in the module cache") {
		t.Errorf("error %v, want the module named as not downloaded", err)
	}
}
