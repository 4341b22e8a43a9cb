package main

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// A licence is recognised by phrases of its own text (all must occur),
// after normalise: a copyright line or a reflowed paragraph does not
// change the result, a different licence does.
type licence struct {
	id    string
	all   []string // every phrase must occur
	none  []string // no phrase may occur
	anyOf []string // at least one must occur, when set
}

const (
	bsdRedistribution = "redistribution and use in source and binary forms, with or without modification, are permitted provided that"
	bsdEndorse        = "endorse or promote products derived from this software"
	bsdAdvertising    = "all advertising materials mentioning features or use of this software"
)

// licences are the licences accepted in the binary. A text that matches
// none of them (BSD with the advertising clause, a custom licence) makes
// the generator fail, as does a copyleft one (copyleft below).
func licences() []licence {
	return []licence{
		{id: "MIT", all: []string{
			"permission is hereby granted, free of charge, to any person obtaining a copy of this software",
			"the above copyright notice and this permission notice shall be included in all copies or substantial portions of the software",
		}},
		{id: "BSD-3-Clause", all: []string{bsdRedistribution, bsdEndorse}, none: []string{bsdAdvertising}},
		{id: "BSD-2-Clause", all: []string{bsdRedistribution}, none: []string{bsdEndorse, bsdAdvertising}},
		{id: "Apache-2.0", anyOf: []string{
			"apache license version 2.0, january 2004",
			"licensed under the apache license, version 2.0",
		}},
		{id: "ISC", anyOf: []string{
			"permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted",
			"permission to use, copy, modify, and distribute this software for any purpose with or without fee is hereby granted",
		}},
		{id: "MPL-2.0", anyOf: []string{
			"mozilla public license version 2.0",
			"mozilla public license, version 2.0",
			"mozilla public license, v. 2.0",
		}},
		{id: "Unlicense", all: []string{"this is free and unencumbered software released into the public domain"}},
		// SQLite's dedication (modernc.org/sqlite's LICENSE-SQLITE).
		{id: "public-domain", all: []string{"dedicated to the public domain"}},
	}
}

// copyleft matches GPL, LGPL and AGPL texts and notices: a licence's own
// title with its version and date ("GNU GENERAL PUBLIC LICENSE Version 2,
// June 1991"), the notice placed in source files ("… under the terms of the
// GNU General Public License as published by the Free Software
// Foundation"), or an SPDX identifier. MPL-2.0, which names the GPL as a
// "Secondary License" without a date, does not match.
var copyleft = regexp.MustCompile(`gnu (affero |lesser |library )?general public license,? version \d(\.\d)?, [a-z0-9 ,]*\d{4}` +
	`|as published by the free software foundation` +
	`|spdx-license-identifier: ?\(?(a|l)?gpl`)

// classify returns the licences whose phrases text contains, in the order
// of licences(), and whether it is copyleft (GPL, LGPL or AGPL). A text can
// hold several licences (a project's own and that of code it vendors).
func classify(text string) (ids []string, isCopyleft bool) {
	n := normalise(text)
	for _, l := range licences() {
		if l.matches(n) {
			ids = append(ids, l.id)
		}
	}
	return ids, copyleft.MatchString(n)
}

func (l licence) matches(n string) bool {
	for _, p := range l.all {
		if !strings.Contains(n, p) {
			return false
		}
	}
	for _, p := range l.none {
		if strings.Contains(n, p) {
			return false
		}
	}
	return len(l.anyOf) == 0 || slices.ContainsFunc(l.anyOf, func(p string) bool { return strings.Contains(n, p) })
}

// normalise lowercases text and turns every run of white space and of
// Markdown or comment markup (# * _ ` > |) into one space, so phrases
// match across line breaks, indentation and emphasis.
func normalise(text string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(text) {
		if unicode.IsSpace(r) || strings.ContainsRune("#*_`>|", r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimSpace(b.String())
}
