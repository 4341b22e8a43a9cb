// Package mdinline removes inline Markdown from a line of text, for the
// outputs that cannot show it: a printed page, a sentence read aloud.
package mdinline

import "strings"

// Rule says what a construct at the start of s becomes and how many bytes
// of s it takes; n = 0 leaves its first byte as text.
type Rule func(s string) (out string, n int)

// Strip removes backslash escapes (keeping the character), emphasis marks
// (* and __), code backticks and the brackets of links and images. A
// link's "](address)" is handed to link, an HTML '<' to tag; nil drops the
// link's address and keeps '<' as text.
func Strip(s string, link, tag Rule) string {
	if !strings.ContainsAny(s, "*_`[]\\<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		var rule Rule
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_{}[]()#+-.!|<>", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
			continue
		case c == '*' || c == '`':
			i++
			continue
		case c == '_' && i+1 < len(s) && s[i+1] == '_':
			i += 2
			continue
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			i++
			continue
		case c == ']' && i+1 < len(s) && s[i+1] == '(':
			rule = link
			if rule == nil {
				rule = dropAddress
			}
		case c == '[' || c == ']':
			i++
			continue
		case c == '<':
			rule = tag
		}
		if rule != nil {
			if out, n := rule(s[i:]); n > 0 {
				b.WriteString(out)
				i += n
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// dropAddress takes a link's "](address)" and writes nothing; without the
// closing parenthesis it takes the bracket alone.
func dropAddress(s string) (string, int) {
	if j := strings.IndexByte(s, ')'); j > 0 {
		return "", j + 1
	}
	return "", 1
}
