package index

import (
	"strings"
	"testing"
	"unicode/utf8"

	"kiosk/content"
)

func TestBuiltinSynonymsParse(t *testing.T) {
	groups, probs := content.ParseSynonyms("index/synonyms.toml", builtinSynonymsTOML)
	if len(probs) > 0 {
		t.Fatalf("problems (warnings included):\n%v", probs)
	}
	if len(groups) < 110 {
		t.Errorf("%d groups, want at least 110", len(groups))
	}
	if got := BuiltinSynonyms(); len(got) != len(groups) {
		t.Errorf("BuiltinSynonyms: %d groups, ParseSynonyms %d", len(got), len(groups))
	}
	for _, g := range groups {
		for _, w := range g.Words {
			if utf8.RuneCountInString(w) < 2 {
				t.Errorf("line %d: %q has fewer than 2 characters", g.Line, w)
			}
		}
	}
}

// Every group says where its equivalence comes from: a "# 来源:…" comment
// on the line above it or at the end of its line.
func TestBuiltinSynonymsHaveSources(t *testing.T) {
	groups, _ := content.ParseSynonyms("index/synonyms.toml", builtinSynonymsTOML)
	lines := strings.Split(string(builtinSynonymsTOML), "\n")
	hasSource := func(comment string) bool {
		rest, ok := strings.CutPrefix(strings.TrimSpace(comment), "#")
		src, ok2 := strings.CutPrefix(strings.TrimSpace(rest), "来源:")
		return ok && ok2 && utf8.RuneCountInString(strings.TrimSpace(src)) >= 4
	}
	for _, g := range groups {
		own := lines[g.Line-1]
		_, trailing, _ := strings.Cut(own[strings.LastIndex(own, "]")+1:], "#")
		if trailing != "" && hasSource("#"+trailing) {
			continue
		}
		if g.Line >= 2 && hasSource(lines[g.Line-2]) {
			continue
		}
		t.Errorf("line %d (%s): no 来源 comment on the line or the line above", g.Line, g.Words[0])
	}
}
