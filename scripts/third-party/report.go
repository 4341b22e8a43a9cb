package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// text is one licence or notice file.
type text struct {
	label   string // where it is: module@version/LICENSE, or a path in the repository
	body    string
	ids     []string // the licences classify found in it
	licence bool     // a licence file, not a further notice
}

// entry is one linked component: the Go standard library or a module.
type entry struct {
	name, version string
	files         []text
}

// licences is the union of the licences of e's licence files.
func (e entry) licences() []string {
	var ids []string
	for _, f := range e.files {
		if !f.licence {
			continue
		}
		for _, id := range f.ids {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// data is one group of embedded files.
type data struct {
	rule  dataRule
	files []string
	texts []text
}

type report struct {
	goVersion string   // go.mod's go directive
	own       []string // the kiosk's licence
	std       entry
	modules   []entry
	data      []*data
}

// build reads the licences of what go list reported: the modules, the Go
// standard library (GOROOT/LICENSE), the kiosk's own LICENSE and the files
// its packages embed. It reports every problem found, not only the first.
func build(pkgs []goPackage, goroot string) (*report, error) {
	var main *goModule
	mods := map[string]*goModule{}
	for _, p := range pkgs {
		switch {
		case p.Module == nil: // the standard library
		case p.Module.Main:
			main = p.Module
		default:
			mods[p.Module.Path] = p.Module
		}
	}
	if main == nil {
		return nil, errors.New("go list reported no package of the main module")
	}
	var problems []string
	rep := &report{goVersion: main.GoVersion}

	ownFiles, err := moduleFiles(main.Dir, main.Path)
	if err != nil {
		problems = append(problems, "the kiosk's own licence: "+err.Error())
	}
	rep.own = entry{files: ownFiles}.licences()

	stdFiles, err := readLicence(filepath.Join(goroot, "LICENSE"), "go/LICENSE")
	if err != nil {
		problems = append(problems, "Go standard library: "+err.Error())
	}
	rep.std = entry{name: "Go standard library and runtime", version: "go " + main.GoVersion, files: stdFiles}

	paths := make([]string, 0, len(mods))
	for p := range mods {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		m := mods[p]
		version, dir := m.Version, m.Dir
		if r := m.Replace; r != nil {
			version, dir = r.Version, r.Dir
			if version == "" {
				version = r.Path // a local replacement
			}
		}
		if dir == "" {
			problems = append(problems, fmt.Sprintf("%s %s: not in the module cache (go mod download)", p, version))
			continue
		}
		files, err := moduleFiles(dir, p+"@"+version)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", p, version, err))
			continue
		}
		rep.modules = append(rep.modules, entry{name: p, version: version, files: files})
	}

	groups, unknown := embedded(pkgs, main.Dir)
	for _, f := range unknown {
		problems = append(problems, "embedded file "+f+": no entry in scripts/third-party/embedded.go")
	}
	for _, g := range groups {
		if g.rule.licenceDir != "" {
			files, err := moduleFiles(filepath.Join(main.Dir, filepath.FromSlash(g.rule.licenceDir)), g.rule.licenceDir)
			if err != nil {
				problems = append(problems, g.rule.licenceDir+": "+err.Error())
			}
			g.texts = files
		}
	}
	rep.data = groups

	if len(problems) > 0 {
		return nil, errors.New("\n\t" + strings.Join(problems, "\n\t"))
	}
	return rep, nil
}

// readLicence reads and classifies one licence file.
func readLicence(path, label string) ([]text, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ids, cl := classify(string(b))
	if cl || len(ids) == 0 {
		return nil, fmt.Errorf("%s is not a licence this script accepts", path)
	}
	return []text{{label: label, body: string(b), ids: ids, licence: true}}, nil
}

// embedded groups the files the main module's packages embed by the rule
// that covers them, in the rules' order, and returns the files no rule
// covers.
func embedded(pkgs []goPackage, root string) (groups []*data, unknown []string) {
	rules := dataRules()
	byRule := make([]*data, len(rules))
	for _, p := range pkgs {
		if p.Module == nil || !p.Module.Main {
			continue
		}
		rel, err := filepath.Rel(root, p.Dir)
		if err != nil {
			unknown = append(unknown, p.ImportPath+": "+err.Error())
			continue
		}
		for _, f := range p.EmbedFiles {
			name := filepath.ToSlash(filepath.Join(rel, f))
			i := slices.IndexFunc(rules, func(r dataRule) bool { return r.match(name) })
			if i < 0 {
				unknown = append(unknown, name)
				continue
			}
			if byRule[i] == nil {
				byRule[i] = &data{rule: rules[i]}
			}
			byRule[i].files = append(byRule[i].files, name)
		}
	}
	for _, g := range byRule {
		if g != nil {
			slices.Sort(g.files)
			groups = append(groups, g)
		}
	}
	slices.Sort(unknown)
	return groups, unknown
}

// write prints the notices: the summary, the table of modules, the
// embedded data, then every distinct licence or notice text once, with
// the files that carry it. The output depends only on the module graph,
// the licence files and the toolchain's LICENSE: no dates, no paths of
// this machine.
func (r *report) write(w io.Writer) {
	nums := map[string]int{} // a text's key → its number
	var texts [][]text       // by number-1: the files with that text
	ref := func(files []text) string {
		var refs []string
		for _, f := range files {
			k := key(f.body)
			n, ok := nums[k]
			if !ok {
				texts = append(texts, nil)
				n = len(texts)
				nums[k] = n
			}
			texts[n-1] = append(texts[n-1], f)
			refs = append(refs, fmt.Sprintf("[%d]", n))
		}
		return strings.Join(refs, " ")
	}

	counts := map[string]int{}
	for _, m := range r.modules {
		for _, id := range m.licences() {
			counts[id]++
		}
	}
	var summary []string
	for _, l := range licences() {
		if counts[l.id] > 0 {
			summary = append(summary, fmt.Sprintf("%s %d", l.id, counts[l.id]))
		}
	}

	fmt.Fprintf(w, "THIRD-PARTY NOTICES for the kiosk\n\n")
	fmt.Fprintf(w, "Generated by `go run ./scripts/third-party -o THIRD_PARTY_NOTICES.txt`: do not edit.\n")
	fmt.Fprintf(w, "CI regenerates it and fails when it is out of date, when a linked module's\n")
	fmt.Fprintf(w, "licence is GPL, LGPL or AGPL or not recognised, or when new data is embedded.\n\n")
	fmt.Fprintf(w, "The kiosk binary (go build ./cmd/kiosk, for linux) is the kiosk's own code,\n")
	fmt.Fprintf(w, "under the %s licence in LICENSE, linked with the Go standard library and\n", strings.Join(r.own, ", "))
	fmt.Fprintf(w, "the %d modules below; it embeds the data listed after them. The licence\n", len(r.modules))
	fmt.Fprintf(w, "and notice texts follow, each text once, numbered, with the files that carry it.\n\n")
	fmt.Fprintf(w, "Licences of the %d modules (a module with two counts twice): %s.\n\n", len(r.modules), strings.Join(summary, ", "))

	fmt.Fprintf(w, "LINKED MODULES\n\n")
	rows := append([]entry{r.std}, r.modules...)
	wName, wVer := len("module"), len("version")
	for _, e := range rows {
		wName, wVer = max(wName, len(e.name)), max(wVer, len(e.version))
	}
	fmt.Fprintf(w, "%-*s  %-*s  %s\n", wName, "module", wVer, "version", "licence [texts]")
	for _, e := range rows {
		fmt.Fprintf(w, "%-*s  %-*s  %s  %s\n", wName, e.name, wVer, e.version, strings.Join(e.licences(), ", "), ref(e.files))
	}

	fmt.Fprintf(w, "\nEMBEDDED DATA\n")
	for _, d := range r.data {
		fmt.Fprintf(w, "\n%s\n", strings.Join(d.files, "\n"))
		fmt.Fprintf(w, "    %s\n", d.rule.what)
		switch {
		case d.rule.own:
			fmt.Fprintf(w, "    the kiosk's own: %s, in LICENSE\n", strings.Join(r.own, ", "))
		case len(d.texts) > 0:
			fmt.Fprintf(w, "    %s  %s\n", strings.Join(entry{files: d.texts}.licences(), ", "), ref(d.texts))
		default:
			fmt.Fprintf(w, "    %s\n", d.rule.terms)
		}
	}

	fmt.Fprintf(w, "\nTEXTS\n")
	for i, files := range texts {
		fmt.Fprintf(w, "\n%s\n[%d]", strings.Repeat("=", 78), i+1)
		if ids := files[0].ids; len(ids) > 0 {
			fmt.Fprintf(w, " %s", strings.Join(ids, ", "))
		}
		fmt.Fprintln(w)
		for _, f := range files {
			fmt.Fprintf(w, "    %s\n", f.label)
		}
		fmt.Fprintf(w, "%s\n\n%s\n", strings.Repeat("=", 78), key(files[0].body))
	}
}

// key is a text as printed, and what makes two texts the same: line
// endings, trailing spaces and the blank lines around it aside.
func key(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}
