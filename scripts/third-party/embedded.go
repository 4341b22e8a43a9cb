package main

import (
	"path"
	"strings"
)

// dataRule describes files the kiosk's own packages embed (//go:embed).
// Every embedded file must match a rule, so data added to the binary
// without an entry here fails the generator.
type dataRule struct {
	// pattern is a path.Match pattern relative to the module root, or a
	// folder ending in "/" that covers everything below it.
	pattern string
	what    string
	// own: the kiosk's own work, under its LICENSE.
	own bool
	// licenceDir holds the data's LICENSE and NOTICE, relative to the
	// module root; they are checked like a module's.
	licenceDir string
	// terms, for data that is neither the kiosk's nor licensed: what it is.
	terms string
}

func dataRules() []dataRule {
	return []dataRule{
		{pattern: "index/hanconv/dict/KioskPhrases.txt", own: true,
			what: "the kiosk's corrections to OpenCC's STPhrases (simplified → traditional)"},
		{pattern: "index/hanconv/dict/*.txt", licenceDir: "index/hanconv/dict",
			what: "OpenCC dictionary data (Open Chinese Convert, https://github.com/BYVoid/OpenCC), unmodified; index/hanconv/dict/NOTICE says where it was taken from"},
		{pattern: "index/synonyms.toml", own: true,
			what: "the built-in synonym list (内置同义词表)"},
		{pattern: "hub/web/templates/", own: true,
			what: "the office status page's HTML templates"},
		{pattern: "hub/web/static/", own: true,
			what: "the office status page's stylesheet"},
		{pattern: "content/defaultpack/",
			what:  "the default content: 兰山区人民政府2018年政府信息公开工作年度报告, the district government's published annual disclosure report (content/defaultpack/README.md); the pack's README.md and pack.toml are the kiosk's own",
			terms: "government information as published by 兰山区人民政府; no licence text accompanies it"},
	}
}

// match reports whether the embedded file p (relative to the module root)
// falls under the rule.
func (r dataRule) match(p string) bool {
	if strings.HasSuffix(r.pattern, "/") {
		return strings.HasPrefix(p, r.pattern)
	}
	ok, _ := path.Match(r.pattern, p)
	return ok
}
