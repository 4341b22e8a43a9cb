package content

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// SynonymsFile is a pack's optional list of synonyms, at the pack's root
// (docs/content-format.md, "同义词 synonyms.toml"). The built-in list,
// index/synonyms.toml, has the same format.
const SynonymsFile = "synonyms.toml"

// Limits of a synonyms file.
const (
	MaxSynonymGroups = 2000      // groups in one file
	MaxSynonymsBytes = 256 << 10 // size of one file: 256 KiB
	MaxSynonymRunes  = 16        // characters in one word
)

// SynonymGroup is one group of interchangeable words: a search for any of
// them also finds the others. It is one `"key" = ["word", …]` line of a
// synonyms file.
type SynonymGroup struct {
	Words []string // the key first, then the values, as written
	Line  int      // 1-based line of the key in the file
}

// ParseSynonyms reads a synonyms file (name is used in the problems). Each
// top-level `"键" = ["词", …]` defines one group, the key and its values.
// Errors are syntax errors, values that are not non-empty arrays of
// strings, tables, dotted keys, words that are empty, longer than
// MaxSynonymRunes, or hold spaces, control characters or characters other
// than Han, ASCII letters and digits and ·、-（）(), a word repeated in its
// group, more than MaxSynonymGroups groups and a file over MaxSynonymsBytes.
// A word that appears in two groups is a warning. The groups are nil when
// there is any error.
func ParseSynonyms(name string, data []byte) ([]SynonymGroup, Problems) {
	if len(data) > MaxSynonymsBytes {
		return nil, Problems{{File: name, Msg: fmt.Sprintf("同义词文件超过大小上限 %s / synonyms file larger than %s", sizeText(MaxSynonymsBytes), sizeText(MaxSynonymsBytes))}}
	}
	if isUTF16(data) || !utf8.Valid(data) {
		return nil, Problems{synonymEncodingProblem(name, data)}
	}
	src := string(data)
	var table map[string]any
	if _, err := toml.Decode(src, &table); err != nil {
		return nil, Problems{synonymSyntaxProblem(name, src, err)}
	}

	var probs Problems
	errorf := func(line int, format string, a ...any) {
		probs = append(probs, Problem{File: name, Line: line, Msg: fmt.Sprintf(format, a...)})
	}
	var groups []SynonymGroup
	firstLine := map[string]int{} // normalised word → line of the first group holding it
	done := map[string]bool{}     // keys of table handled
	add := func(st tomlStatement, key string) {
		done[key] = true
		vals, ok := table[key].([]any)
		if !ok {
			errorf(st.line, "同义词组 %s 的值应为字符串数组,例如 [\"医疗保险\", \"医疗保障\"] / the value must be an array of strings", quoteWord(key))
			return
		}
		if len(vals) == 0 {
			errorf(st.line, "同义词组 %s 是空的:至少要写一个同义词 / empty synonym group", quoteWord(key))
			return
		}
		words := []string{key}
		lines := []int{st.line}
		for i, v := range vals {
			s, ok := v.(string)
			if !ok {
				errorf(st.line, "同义词组 %s 的值应为字符串数组,例如 [\"医疗保险\", \"医疗保障\"] / the value must be an array of strings", quoteWord(key))
				return
			}
			line := st.line
			if len(st.elems) == len(vals) {
				line = st.elems[i]
			}
			words = append(words, s)
			lines = append(lines, line)
		}
		bad := false
		seen := map[string]bool{}
		for i, w := range words {
			if msg := checkSynonymWord(w); msg != "" {
				errorf(lines[i], "%s", msg)
				bad = true
				continue
			}
			n := strings.ToLower(w)
			if seen[n] {
				errorf(lines[i], "词语 %s 在同一组中重复 / word repeated in its group", quoteWord(w))
				bad = true
			}
			seen[n] = true
		}
		if bad {
			return
		}
		for i, w := range words {
			n := strings.ToLower(w)
			if first, ok := firstLine[n]; ok {
				probs = append(probs, Problem{File: name, Line: lines[i], Warning: true,
					Msg: fmt.Sprintf("词语 %s 也在第 %d 行的同义词组中,两组都会用于搜索 / word also in the group on line %d", quoteWord(w), first, first)})
				continue
			}
			firstLine[n] = st.line
		}
		groups = append(groups, SynonymGroup{Words: words, Line: st.line})
	}

	stmts := scanTOMLStatements(src)
	if len(stmts) > MaxSynonymGroups {
		errorf(stmts[MaxSynonymGroups].line, "同义词组超过 %d 组 / more than %d synonym groups", MaxSynonymGroups, MaxSynonymGroups)
		return nil, probs
	}
	for _, st := range stmts {
		if st.header {
			errorf(st.line, "同义词组要写在文件顶层,不能使用 [表] / tables are not allowed: write the groups at the top level")
			return nil, probs
		}
		key, dotted, ok := decodeTOMLKey(st.key)
		switch {
		case !ok:
			continue // cannot happen: the file parsed; the key is checked below
		case dotted:
			done[key] = true
			errorf(st.line, "键 %s 中有点号:请把整个词放在引号里 / dotted key: put the whole word in quotes", quoteWord(strings.TrimSpace(st.key)))
			continue
		}
		if _, in := table[key]; !in || done[key] {
			continue
		}
		add(st, key)
	}
	// Every key has been met by the scan above; this only keeps a key it
	// missed from escaping the checks.
	var rest []string
	for k := range table {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		add(tomlStatement{}, k)
	}
	if len(probs.Errors()) > 0 {
		return nil, probs
	}
	return groups, probs
}

// synonymEncodingProblem is encodingProblem (same detection, same line)
// with advice that fits a synonyms file: kiosk content import converts
// documents, not synonyms.toml.
func synonymEncodingProblem(name string, data []byte) Problem {
	p := encodingProblem(name, data)
	switch {
	case isUTF16(data):
		p.Msg = "文件是 UTF-16 编码(记事本的“Unicode”格式),不是 UTF-8;请另存为 UTF-8 / the file is UTF-16: save it as UTF-8"
	case looksGBK(data):
		p.Msg = "文件是 GBK/GB18030 编码,不是 UTF-8;请另存为 UTF-8 / the file is GBK: save it as UTF-8"
	default:
		p.Msg = fmt.Sprintf("不是有效的 UTF-8 文本(第 %d 行有无效字节) / not valid UTF-8 (line %d)", p.Line, p.Line)
	}
	return p
}

// checkSynonymWord returns what is wrong with a word of a group, "" when
// nothing is; the word is shown escaped when it holds control characters.
func checkSynonymWord(w string) string {
	if strings.TrimSpace(w) == "" {
		return "同义词组中有空词 / empty word"
	}
	for _, r := range w {
		if r != '\t' && isControl(r) {
			return fmt.Sprintf("词语 %s 含有控制字符或转义序列 / word contains control characters or escape sequences", quoteWord(w))
		}
	}
	for _, r := range w {
		if unicode.IsSpace(r) {
			return fmt.Sprintf("词语 %s 含有空格 / word contains a space", quoteWord(w))
		}
	}
	if n := utf8.RuneCountInString(w); n > MaxSynonymRunes {
		return fmt.Sprintf("词语 %s 有 %d 个字,超过 %d 个字的上限 / word longer than %d characters", quoteWord(w), n, MaxSynonymRunes, MaxSynonymRunes)
	}
	for _, r := range w {
		if !synonymRune(r) {
			return fmt.Sprintf("词语 %s 含有不允许的字符 %s(只能用汉字、英文字母、数字和 ·、-()) / character %U not allowed", quoteWord(w), quoteWord(string(r)), r)
		}
	}
	return ""
}

// synonymRune reports whether r may appear in a synonym: Han, ASCII
// letters and digits, and the punctuation of official names (·、- and
// parentheses, as in 因公出国（境）费).
func synonymRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r >= 0x3400 && unicode.Is(unicode.Han, r):
		return true
	}
	return strings.ContainsRune("·、-（）()", r)
}

// quoteWord shows a word of a synonyms file in a message: as it is, or
// escaped when it holds control characters (quoteName, as for entry names).
func quoteWord(w string) string { return "“" + quoteName(w) + "”" }

// synonymSyntaxProblem reports a TOML syntax error at its line, with a hint
// when the line starts with an unquoted Chinese key.
func synonymSyntaxProblem(name, src string, err error) Problem {
	line, msg := 0, err.Error()
	var perr toml.ParseError
	if errors.As(err, &perr) {
		line, msg = perr.Position.Line, perr.Message
	}
	hint := ""
	if line > 0 {
		lines := strings.Split(src, "\n")
		if line <= len(lines) {
			l := strings.TrimSpace(strings.TrimPrefix(lines[line-1], "\ufeff"))
			if r, _ := utf8.DecodeRuneInString(l); r >= 0x80 {
				hint = "键要加引号,例如 \"医保\" = [\"医疗保险\"];"
			}
		}
	}
	return Problem{File: name, Line: line, Msg: "同义词文件格式错误:" + hint + " / TOML syntax error: " + quoteName(msg)}
}

// tomlStatement is a top-level line of a TOML file: a table header or a
// key = value pair.
type tomlStatement struct {
	line   int    // 1-based line where it starts
	header bool   // [table] or [[array of tables]]
	key    string // the key as written (key = value only)
	elems  []int  // lines of the strings directly inside an array value
}

// scanTOMLStatements finds the top-level statements of src, which must be
// valid TOML (toml.Decode accepted it): BurntSushi/toml does not tell where
// a key is. It follows strings (basic, literal, multi-line), comments and
// brackets, so a '#', '=', '[' or newline inside them is not mistaken for
// the start of a statement.
func scanTOMLStatements(src string) []tomlStatement {
	var out []tomlStatement
	i, line := 0, 1
	if strings.HasPrefix(src, "\ufeff") {
		i = len("\ufeff")
	}
	// skipString skips the string starting at src[i], counting lines.
	skipString := func() {
		q := src[i]
		if strings.HasPrefix(src[i:], strings.Repeat(string(q), 3)) {
			i += 3
			for i < len(src) {
				switch c := src[i]; {
				case c == '\\' && q == '"':
					i++
					if i < len(src) && src[i] != '\n' {
						i++
					}
				case c == q:
					n := 0
					for i+n < len(src) && src[i+n] == q {
						n++
					}
					i += n
					if n >= 3 {
						return
					}
				case c == '\n':
					line++
					i++
				default:
					i++
				}
			}
			return
		}
		i++
		for i < len(src) && src[i] != '\n' {
			c := src[i]
			i++
			if c == '\\' && q == '"' && i < len(src) && src[i] != '\n' {
				i++
			} else if c == q {
				return
			}
		}
	}
	skipComment := func() {
		for i < len(src) && src[i] != '\n' {
			i++
		}
	}
	for i < len(src) {
		switch c := src[i]; c {
		case '\n':
			line++
			i++
		case ' ', '\t', '\r':
			i++
		case '#':
			skipComment()
		case '[':
			out = append(out, tomlStatement{line: line, header: true})
			skipComment() // a header is one line; what follows it can only be a comment
		default:
			st := tomlStatement{line: line}
			start := i
			for i < len(src) && src[i] != '=' && src[i] != '\n' {
				if src[i] == '"' || src[i] == '\'' {
					skipString()
					continue
				}
				i++
			}
			st.key = src[start:i]
			if i < len(src) && src[i] == '=' {
				i++
			}
			// The value, up to the newline that ends it outside brackets.
			var stack []byte
		value:
			for i < len(src) {
				switch c := src[i]; c {
				case '\n':
					if len(stack) == 0 {
						break value
					}
					line++
					i++
				case '#':
					skipComment()
				case '[', '{':
					stack = append(stack, c)
					i++
				case ']', '}':
					if len(stack) > 0 {
						stack = stack[:len(stack)-1]
					}
					i++
				case '"', '\'':
					if len(stack) == 1 && stack[0] == '[' {
						st.elems = append(st.elems, line)
					}
					skipString()
				default:
					i++
				}
			}
			out = append(out, st)
		}
	}
	return out
}

// decodeTOMLKey decodes a key as written in a TOML file ("医保", '医保',
// bare ASCII); dotted reports a dotted key (a.b), whose first part is key.
func decodeTOMLKey(raw string) (key string, dotted, ok bool) {
	var m map[string]any
	if _, err := toml.Decode(raw+" = 0\n", &m); err != nil || len(m) != 1 {
		return "", false, false
	}
	for k, v := range m {
		_, isMap := v.(map[string]any)
		return k, isMap, true
	}
	return "", false, false
}
