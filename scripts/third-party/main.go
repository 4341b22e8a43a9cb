// Command third-party writes THIRD_PARTY_NOTICES.txt: every module linked
// into the kiosk binary with its licence, the data the kiosk embeds, and
// the licence and notice texts, each text once. It fails when a linked
// module's licence is GPL, LGPL or AGPL, or is not one it recognises, and
// when the kiosk embeds a file it has no entry for (embedded.go).
//
//	go run ./scripts/third-party -o THIRD_PARTY_NOTICES.txt   # regenerate
//	go run ./scripts/third-party -check THIRD_PARTY_NOTICES.txt  # CI
//
// It reads `go list -deps ./cmd/kiosk` (for linux, where kiosks run) and
// each module's licence files from the module cache; it needs no network
// once the modules are downloaded.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"kiosk/internal/atomicfile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("third-party", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "write the notices to `FILE` (default: standard output)")
	check := fl.String("check", "", "compare the notices with `FILE` and fail when they differ")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 0 || (*out != "" && *check != "") {
		fmt.Fprintln(stderr, "usage: third-party [-o FILE | -check FILE]")
		return 2
	}
	pkgs, goroot, err := goList(".")
	if err != nil {
		fmt.Fprintln(stderr, "third-party:", err)
		return 1
	}
	rep, err := build(pkgs, goroot)
	if err != nil {
		fmt.Fprintln(stderr, "third-party:", err)
		return 1
	}
	var buf bytes.Buffer
	rep.write(&buf)
	switch {
	case *check != "":
		old, err := os.ReadFile(*check)
		if err != nil {
			fmt.Fprintln(stderr, "third-party:", err)
			return 1
		}
		if !bytes.Equal(old, buf.Bytes()) {
			fmt.Fprintf(stderr, "third-party: %s is out of date: run go run ./scripts/third-party -o %s\n", *check, *check)
			return 1
		}
	case *out != "":
		if err := atomicfile.Write(*out, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintln(stderr, "third-party:", err)
			return 1
		}
	default:
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintln(stderr, "third-party:", err)
			return 1
		}
	}
	return 0
}

// goModule and goPackage are the fields of `go list -json` used here.
type goModule struct {
	Path      string
	Version   string
	Dir       string
	Main      bool
	GoVersion string
	Replace   *goModule
}

type goPackage struct {
	ImportPath string
	Dir        string
	Module     *goModule
	EmbedFiles []string
}

// goList lists the packages linked into cmd/kiosk for linux/amd64 (the
// module set is the same on arm64 and 386) and GOROOT, from dir, the
// module root.
func goList(dir string) ([]goPackage, string, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,Module,EmbedFiles", "./cmd/kiosk")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, "", fmt.Errorf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, "", fmt.Errorf("go env GOROOT: %v", err)
	}
	return pkgs, strings.TrimSpace(string(root)), nil
}

// licenceFile tells the files of a module's root that carry its licence
// (LICENSE, COPYING, UNLICENSE, with any extension) from further notices
// it ships (LICENSE-GO, LICENSE-3RD-PARTY.md, NOTICE).
func licenceFile(name string) (primary, notice bool) {
	n := strings.ToLower(name)
	base, _, _ := strings.Cut(n, ".")
	switch {
	case base == "license" || base == "licence" || base == "copying" || base == "unlicense":
		return true, false
	case strings.HasPrefix(n, "license-"), strings.HasPrefix(n, "licence-"), strings.HasPrefix(n, "copying-"), base == "notice":
		return false, true
	}
	return false, false
}

// moduleFiles reads and classifies the licence and notice files at the
// root of a module. Every licence file must be recognised and none may be
// copyleft; notices need only not be copyleft (some list several
// licences). A module with only LICENSE-MIT and LICENSE-APACHE and the
// like has those as its licence files.
func moduleFiles(dir, label string) ([]text, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []text
	primaries := 0
	for _, e := range ents {
		primary, notice := licenceFile(e.Name())
		if e.IsDir() || (!primary && !notice) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if primary {
			primaries++
		}
		files = append(files, text{label: label + "/" + e.Name(), body: string(data), licence: primary})
	}
	var problems []string
	for i := range files {
		f := &files[i]
		if primaries == 0 && !strings.HasPrefix(strings.ToLower(filepath.Base(f.label)), "notice") {
			f.licence = true
		}
		ids, cl := classify(f.body)
		f.ids = ids
		switch {
		case cl:
			problems = append(problems, filepath.Base(f.label)+" is GPL, LGPL or AGPL")
		case f.licence && len(ids) == 0:
			problems = append(problems, filepath.Base(f.label)+" is not a licence this script recognises (classify.go)")
		}
	}
	if !slices.ContainsFunc(files, func(f text) bool { return f.licence }) {
		problems = append(problems, "no licence file (LICENSE, COPYING)")
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return files, nil
}
