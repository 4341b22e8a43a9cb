package main

import (
	"os"
	"slices"
	"strings"
	"testing"
)

const (
	mitText = `MIT License

Copyright (c) 2024 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
`
	bsdHead = `Copyright (c) 2015, Someone
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

* Redistributions of source code must retain the above copyright notice, this
  list of conditions and the following disclaimer.

* Redistributions in binary form must reproduce the above copyright notice,
  this list of conditions and the following disclaimer in the documentation
  and/or other materials provided with the distribution.
`
	bsd3Clause = `
* Neither the name of the copyright holder nor the names of its
  contributors may be used to endorse or promote products derived from
  this software without specific prior written permission.
`
	bsdAdvertisingClause = `
3. All advertising materials mentioning features or use of this software
   must display the following acknowledgement.
`
	gpl3 = `                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
`
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		name     string
		text     string
		want     []string
		copyleft bool
	}{
		{"MIT", mitText, []string{"MIT"}, false},
		{"MIT in Markdown", strings.ReplaceAll(mitText, "Permission is", "**Permission** is"), []string{"MIT"}, false},
		{"BSD-2", bsdHead, []string{"BSD-2-Clause"}, false},
		{"BSD-3", bsdHead + bsd3Clause, []string{"BSD-3-Clause"}, false},
		{"BSD-4 is not accepted", bsdHead + bsdAdvertisingClause + bsd3Clause, nil, false},
		{"Apache-2.0 text", "\n                                 Apache License\n                           Version 2.0, January 2004\n", []string{"Apache-2.0"}, false},
		{"Apache-2.0 header", "Licensed under the Apache License, Version 2.0 (the \"License\");\nyou may not use this file except in compliance with the License.", []string{"Apache-2.0"}, false},
		{"ISC", "Permission to use, copy, modify, and/or distribute this software for any\npurpose with or without fee is hereby granted, provided that the above\ncopyright notice and this permission notice appear in all copies.", []string{"ISC"}, false},
		{"MPL-2.0 names the GPL as a secondary licence", "Mozilla Public License Version 2.0\n==================================\n1.12. \"Secondary License\"\n    means either the GNU General Public License, Version 2.0, the GNU Lesser\n    General Public License, Version 2.1, the GNU Affero General Public\n    License, Version 3.0, or any later versions of those licenses.", []string{"MPL-2.0"}, false},
		{"dual MIT and Apache", mitText + "\nLicensed under the Apache License, Version 2.0", []string{"MIT", "Apache-2.0"}, false},
		{"GPL-3.0", gpl3, nil, true},
		{"GPL-2.0", "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991", nil, true},
		{"LGPL-2.1", "GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 2.1, February 1999", nil, true},
		{"LGPL-2.0", "GNU LIBRARY GENERAL PUBLIC LICENSE\nVersion 2, June 1991", nil, true},
		{"AGPL-3.0", "GNU AFFERO GENERAL PUBLIC LICENSE\n                       Version 3, 19 November 2007", nil, true},
		{"GPL notice", "This program is free software: you can redistribute it and/or modify\nit under the terms of the GNU General Public License as published by\nthe Free Software Foundation, either version 3 of the License.", nil, true},
		{"SPDX", "// SPDX-License-Identifier: LGPL-2.1-or-later", nil, true},
		{"MIT beside a GPL text is still GPL", mitText + gpl3, []string{"MIT"}, true},
		{"unknown", "All rights reserved. Use permitted only with written permission.", nil, false},
	} {
		ids, cl := classify(c.text)
		if !slices.Equal(ids, c.want) || cl != c.copyleft {
			t.Errorf("%s: classify = %v, copyleft %v; want %v, %v", c.name, ids, cl, c.want, c.copyleft)
		}
	}
}

// The OpenCC NOTICE mentions the GPL only to say that code is not used.
func TestClassifyOpenCCNotice(t *testing.T) {
	b, err := os.ReadFile("../../index/hanconv/dict/NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	if _, cl := classify(string(b)); cl {
		t.Error("index/hanconv/dict/NOTICE taken for a GPL text")
	}
}

func TestLicenceFile(t *testing.T) {
	for name, want := range map[string][2]bool{
		"LICENSE": {true, false}, "LICENSE.md": {true, false}, "license.txt": {true, false}, "COPYING": {true, false},
		"COPYING.LESSER": {true, false}, "UNLICENSE": {true, false},
		"LICENSE-GO": {false, true}, "LICENSE-2.0.txt": {false, true}, "LICENSE-3RD-PARTY.md": {false, true}, "NOTICE": {false, true},
		"README.md": {false, false}, "PATENTS": {false, false}, "licenses.go": {false, false},
	} {
		p, n := licenceFile(name)
		if [2]bool{p, n} != want {
			t.Errorf("licenceFile(%q) = %v, %v; want %v", name, p, n, want)
		}
	}
}
