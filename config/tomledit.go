package config

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// A line-level reading of kiosk.toml: where a key is set, so that errors
// name their line and `kiosk staff set-pin` can change one line and leave
// every other byte of the file (comments, blank lines, order) as the office
// wrote it. It understands the TOML staff write — [tables], key = value,
// dotted keys, comments, multi-line strings — and SetPIN checks every edit
// by decoding the result, so a file it reads wrongly is never damaged.

// tomlLine is one line of a TOML file as scanFile reads it.
type tomlLine struct {
	text  string // without its line break ("\r" of a CRLF kept)
	table string // the table the line is in ("" for the root), dotted
	key   string // the full dotted key set on this line, "" if none
	eq    int    // byte offset of the "=" when key is set
	head  bool   // a [table] header line
}

// scanFile splits src into lines and says which table each is in and which
// key it sets. Lines inside a multi-line string set nothing.
func scanFile(src string) []tomlLine {
	src = strings.TrimPrefix(src, "\ufeff")
	raw := strings.Split(src, "\n")
	out := make([]tomlLine, 0, len(raw))
	table := ""
	inString := "" // `"""` or `'''` while inside a multi-line string
	for _, text := range raw {
		l := tomlLine{text: text, table: table}
		t := strings.TrimSpace(text)
		switch {
		case inString != "":
			if strings.Contains(t, inString) {
				inString = ""
			}
		case strings.HasPrefix(t, "[["):
			table = "\x00array" // an array of tables: no key of ours is in it
			l.table, l.head = table, true
		case strings.HasPrefix(t, "["):
			if end := strings.Index(t, "]"); end > 0 {
				table = dottedKey(t[1:end])
				l.table, l.head = table, true
			}
		case t == "" || strings.HasPrefix(t, "#"):
		default:
			eq := keyEnd(text)
			if eq < 0 {
				break
			}
			l.key, l.eq = dottedKey(text[:eq]), eq
			if table != "" {
				l.key = table + "." + l.key
			}
			rest := text[eq+1:]
			for _, q := range []string{`"""`, `'''`} {
				if strings.Count(rest, q)%2 == 1 {
					inString = q
				}
			}
		}
		out = append(out, l)
	}
	return out
}

// keyEnd returns the offset of the "=" that ends the key at the start of
// line, skipping quoted key parts, or -1.
func keyEnd(line string) int {
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '"', '\'':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				return -1
			}
			i += j + 1
		case '=':
			return i
		case '#':
			return -1
		}
	}
	return -1
}

// dottedKey normalises a key as written (a.b, "a".b, a . "b") to a.b.
func dottedKey(k string) string {
	var parts []string
	for _, p := range strings.Split(k, ".") {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && (p[0] == '"' && p[len(p)-1] == '"' || p[0] == '\'' && p[len(p)-1] == '\'') {
			if u, err := strconv.Unquote(`"` + p[1:len(p)-1] + `"`); err == nil {
				p = u
			} else {
				p = p[1 : len(p)-1]
			}
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ".")
}

// keyLine returns the 1-based line on which the dotted key is set in src
// (or, for a table, its header), 0 when it is not found.
func keyLine(src, key string) int {
	for i, l := range scanFile(src) {
		if l.key == key || l.head && l.table == key {
			return i + 1
		}
	}
	return 0
}

// pinKey is the key SetPIN writes.
const pinKey = "kiosk.staff_pin_hash"

// SetPIN writes hash as kiosk.staff_pin_hash into the config file at path
// and changes nothing else in it: the value on the staff_pin_hash line is
// replaced, or the line is added right under [kiosk] (or a [kiosk] table
// at the end of the file when there is none). A missing file is created
// with that one table. The file is replaced atomically and keeps its mode.
// A file that is not valid TOML, or that the edit would change in any
// other way (checked by decoding both), is left as it is with an error.
func SetPIN(path, hash string) error {
	old, err := os.ReadFile(path)
	mode := os.FileMode(0o600)
	switch {
	case os.IsNotExist(err):
		old = nil
	case err != nil:
		return fmt.Errorf("无法读取配置文件 (cannot read the config file) %s: %w", path, err)
	default:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	}
	before := map[string]any{}
	if _, err := toml.Decode(string(old), &before); err != nil {
		return fmt.Errorf("%v;请先改正它,再设置 PIN (fix the file first; nothing changed)", syntaxError(path, err))
	}
	edited, err := setKey(string(old), pinKey, hash)
	if err != nil {
		return fmt.Errorf("配置文件 %s:%v,没有修改;请手工写入 staff_pin_hash = \"…\" (cannot edit the file safely; nothing changed)", path, err)
	}
	// The edit must mean exactly "this key now holds hash".
	var after map[string]any
	_, err = toml.Decode(edited, &after)
	if kiosk, ok := before["kiosk"].(map[string]any); ok {
		kiosk["staff_pin_hash"] = hash
	} else if _, defined := before["kiosk"]; !defined {
		before["kiosk"] = map[string]any{"staff_pin_hash": hash}
	}
	if err != nil || !reflect.DeepEqual(before, after) {
		return fmt.Errorf("配置文件 %s 的写法无法自动修改,没有修改;请在 [kiosk] 下手工写入 staff_pin_hash = \"…\" (cannot edit the file safely; nothing changed)", path)
	}
	return writeFile(path, []byte(edited), mode)
}

// setKey returns src with the dotted key (table.name) set to the string
// value: the value of the line that sets it replaced, or a line added.
func setKey(src, key, value string) (string, error) {
	table, name := key[:strings.LastIndex(key, ".")], key[strings.LastIndex(key, ".")+1:]
	quoted := strconv.Quote(value)
	lines := scanFile(src)
	bom := ""
	if strings.HasPrefix(src, "\ufeff") {
		bom = "\ufeff"
	}
	join := func(ls []string) string { return bom + strings.Join(ls, "\n") }
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	eol := ""
	if len(lines) > 0 && strings.HasSuffix(lines[0].text, "\r") {
		eol = "\r"
	}
	// The key is set: replace its value, keep what follows it (a comment).
	for i, l := range lines {
		if l.key != key {
			continue
		}
		rest := l.text[l.eq+1:]
		lead := rest[:len(rest)-len(strings.TrimLeft(rest, " \t"))]
		end := stringEnd(rest[len(lead):])
		if end < 0 {
			return "", fmt.Errorf("%d: %s 的值不是一行内的字符串 (the value is not a one-line string)", i+1, key)
		}
		texts[i] = l.text[:l.eq+1] + lead + quoted + rest[len(lead)+end:]
		return join(texts), nil
	}
	insert := func(at int, line string) string {
		texts = append(texts[:at], append([]string{line + eol}, texts[at:]...)...)
		return join(texts)
	}
	// Under the table's header.
	for i, l := range lines {
		if l.head && l.table == table {
			return insert(i+1, name+" = "+quoted), nil
		}
	}
	// A table made of dotted keys at the root (kiosk.idle = …): after the
	// last of them.
	last := -1
	for i, l := range lines {
		if l.table == "" && strings.HasPrefix(l.key, table+".") {
			last = i
		}
	}
	if last >= 0 {
		return insert(last+1, key+" = "+quoted), nil
	}
	// A new table at the end.
	for len(texts) > 0 && strings.TrimSpace(texts[len(texts)-1]) == "" {
		texts = texts[:len(texts)-1]
	}
	if len(texts) > 0 {
		texts = append(texts, eol)
	}
	texts = append(texts, "["+table+"]"+eol, name+" = "+quoted+eol, "")
	return join(texts), nil
}

// stringEnd returns the length of the one-line TOML string at the start of
// s ("…" with escapes, or '…'), or -1 when s does not start with one.
func stringEnd(s string) int {
	if strings.HasPrefix(s, `"""`) || strings.HasPrefix(s, `'''`) || s == "" {
		return -1
	}
	switch s[0] {
	case '\'':
		if j := strings.IndexByte(s[1:], '\''); j >= 0 {
			return j + 2
		}
	case '"':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
	}
	return -1
}
