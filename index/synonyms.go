package index

import (
	_ "embed"

	"kiosk/content"
)

// builtinSynonymsTOML is the built-in synonym list (synonyms.toml beside
// this file; format in docs/content-format.md, "同义词 synonyms.toml"). It
// is used when searching, together with the pack's own synonyms.toml.
//
//go:embed synonyms.toml
var builtinSynonymsTOML []byte

// BuiltinSynonyms returns the groups of the built-in synonym list. The list
// is static data checked by the tests, so a problem in it panics.
func BuiltinSynonyms() []content.SynonymGroup {
	groups, probs := content.ParseSynonyms("index/synonyms.toml", builtinSynonymsTOML)
	if len(probs) > 0 {
		panic("index/synonyms.toml:\n" + probs.Error())
	}
	return groups
}
