// Package speech reads text aloud (语音播报) sentence by sentence through a
// configurable text-to-speech command, such as espeak-ng.
//
// Split cuts a section's Markdown into sentences, keeping each one's byte
// range in the input so the screen can mark the sentence being read. A
// Reader (one per session) runs the command once per sentence and reports
// progress as Events on a channel that a tea.Cmd can wait on.
package speech

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"kiosk/internal/mdinline"
)

// Sentence is one piece of text to speak.
type Sentence struct {
	// Text is what is spoken: the source with Markdown syntax removed
	// (heading marks, list bullets, **, `, link targets, table pipes).
	Text string
	// Start and End are the sentence's byte range in the text given to
	// Split: text[Start:End] is the source of the sentence, Markdown and
	// closing punctuation included, surrounding spaces and line-leading
	// Markdown marks (#, -, >, |) excluded.
	Start, End int
	// Cells holds a table row's cells (spoken joined by ","); nil for
	// other sentences.
	Cells []string
}

// Split cuts Markdown (or plain text) into sentences.
//
// A sentence ends at 。！？；!?; (with any closing quotes or brackets after
// them, and runs like ？！ or ……。 kept together) and at every line end:
// each Markdown paragraph is one line. Headings and list items are
// sentences of their own. A table row is one sentence whose cells are
// joined with ",", its separator row (|---|) is skipped. Pieces with no
// letter or digit (punctuation only, rules like ---, blank lines) are
// skipped. An ASCII '.' never ends a sentence (2.5 亿元, www.gov.cn).
func Split(text string) []Sentence {
	var out []Sentence
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off
		}
		out = splitLine(out, text, off, end)
		off = end + 1
	}
	return out
}

// splitLine appends the sentences of text[start:end], one source line.
func splitLine(out []Sentence, text string, start, end int) []Sentence {
	line := text[start:end]
	// Leading and trailing spaces (and a \r) are not part of any sentence.
	lead := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
	line = strings.TrimRightFunc(line, unicode.IsSpace)
	if lead >= len(line) {
		return out
	}
	if line[lead] == '|' {
		return appendTableRow(out, line[lead:], start+lead)
	}
	if fence(line[lead:]) {
		return out
	}
	p := lead + blockPrefix(line[lead:])
	for p < len(line) {
		// Skip spaces between sentences.
		for p < len(line) && (line[p] == ' ' || line[p] == '\t') {
			p++
		}
		q := sentenceEnd(line, p)
		out = appendSentence(out, line[p:q], start+p)
		p = q
	}
	return out
}

// appendSentence cleans src and appends it when something speakable is left.
func appendSentence(out []Sentence, src string, at int) []Sentence {
	trimmed := strings.TrimRightFunc(src, unicode.IsSpace)
	spoken := cleanInline(trimmed)
	if !speakable(spoken) {
		return out
	}
	return append(out, Sentence{Text: spoken, Start: at, End: at + len(trimmed)})
}

// sentenceEnd returns the end of the sentence starting at line[p:].
func sentenceEnd(line string, p int) int {
	for i := p; i < len(line); {
		r, n := utf8.DecodeRuneInString(line[i:])
		i += n
		if !isTerminator(r) {
			continue
		}
		// An ASCII ! ? ; directly followed by a letter or digit is inside
		// an address or a name (…/list?id=3, Yahoo!Mail), not an end;
		// "![" starts an image.
		if r < utf8.RuneSelf && i < len(line) && (isASCIIAlnum(line[i]) || r == '!' && line[i] == '[') {
			continue
		}
		// Keep runs of terminators and the closing marks after them.
		for i < len(line) {
			r, n := utf8.DecodeRuneInString(line[i:])
			switch {
			case r == '*' || r == '_':
				// Emphasis marks close the sentence's open emphasis
				// ("**请排队。**") or open the next one ("。__注意__").
				if runs(line[p:i], byte(r))%2 == 0 {
					return i
				}
				n = len(line[i:]) - len(strings.TrimLeft(line[i:], string(r)))
			case r == '!' && i+1 < len(line) && line[i+1] == '[':
				return i // an image follows
			case !isTerminator(r) && !isCloser(r) && r != '…':
				return i
			}
			i += n
		}
		return i
	}
	return len(line)
}

func isTerminator(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '!', '?', ';', '｡':
		return true
	}
	return false
}

// runs counts the runs of c in s ("**a**" has two runs of '*').
func runs(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c && (i == 0 || s[i-1] != c) {
			n++
		}
	}
	return n
}

func isASCIIAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isCloser(r rune) bool {
	switch r {
	case '”', '’', '」', '』', '）', ')', '》', '】', '〕', '"', '\'':
		return true
	}
	return false
}

// speakable reports whether s has a letter or a digit.
func speakable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
}

// fence reports a code fence or a thematic break line.
func fence(s string) bool {
	return strings.HasPrefix(s, "```") || strings.HasPrefix(s, "~~~")
}

// blockPrefix returns the length of the Markdown block marks at the start
// of a line: "## ", "> ", "- ", "* ", "+ ", "1. ", "1) " (repeated, as in
// "> - "). Chinese numbering such as "一、" or "(一)" is text and stays.
func blockPrefix(s string) int {
	n := 0
	for {
		rest := s[n:]
		switch {
		case strings.HasPrefix(rest, "#"):
			k := len(rest) - len(strings.TrimLeft(rest, "#"))
			if k > 6 || (k < len(rest) && rest[k] != ' ' && rest[k] != '\t') {
				return n
			}
			n += k
		case strings.HasPrefix(rest, ">"):
			n++
		case len(rest) >= 2 && (rest[0] == '-' || rest[0] == '*' || rest[0] == '+') && (rest[1] == ' ' || rest[1] == '\t'):
			n += 2
		default:
			k := 0
			for k < len(rest) && k < 9 && rest[k] >= '0' && rest[k] <= '9' {
				k++
			}
			if k == 0 || k+1 >= len(rest) || (rest[k] != '.' && rest[k] != ')') || (rest[k+1] != ' ' && rest[k+1] != '\t') {
				return n
			}
			n += k + 2
		}
		for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
			n++
		}
	}
}

// appendTableRow appends a Markdown table row as one sentence, its cells
// joined with ","; a separator row (|---|:--:|) has nothing to speak.
func appendTableRow(out []Sentence, row string, at int) []Sentence {
	inner := strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var cells []string
	for _, c := range strings.Split(inner, "|") {
		c = cleanInline(strings.TrimSpace(c))
		if speakable(c) {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return out
	}
	return append(out, Sentence{Text: strings.Join(cells, ","), Start: at, End: at + len(row), Cells: cells})
}

// cleanInline removes inline Markdown: emphasis marks (** __ and single *
// next to text), code backticks, images and links (their text is kept,
// their address dropped), HTML tags and backslash escapes.
func cleanInline(s string) string { return strings.TrimSpace(mdinline.Strip(s, nil, htmlTag)) }

// htmlTag drops an HTML tag.
func htmlTag(s string) (string, int) {
	if j := strings.IndexByte(s, '>'); j > 0 && isTag(s[1:j]) {
		return "", j + 1
	}
	return "", 0
}

// isTag reports whether s (between < and >) looks like an HTML tag.
func isTag(s string) bool {
	s = strings.TrimPrefix(s, "/")
	if s == "" {
		return false
	}
	c := s[0]
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
