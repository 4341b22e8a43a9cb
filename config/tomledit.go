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

// SetPIN writes hash as kiosk.staff_pin_hash into the config file at path
// and changes nothing else in it: the value on the staff_pin_hash line is
// replaced, or the line is added right under [kiosk] (or a [kiosk] table
// at the end of the file when there is none). A missing file is created
// with that one table. The file is replaced atomically and keeps its mode.
// A file that is not valid TOML, or that the edit would change in any
// other way (checked by decoding both), is left as it is with an error.
func SetPIN(path, hash string) error {
	edited, mode, err := editStrings(path, "kiosk", []keyValue{{"staff_pin_hash", hash}},
		"设置 PIN", `staff_pin_hash = "…"`)
	if err != nil {
		return err
	}
	return writeFile(path, []byte(edited), mode)
}

// SetPoint writes p's id, name and level into the [point] table of the
// config file at path (kiosk enroll), with SetPIN's guarantees: only those
// lines change, and a file it cannot edit safely is left as it is.
func SetPoint(path string, p Point) error {
	edited, mode, err := editStrings(path, "point", pointValues(p), "登记查阅点", `id、name、level`)
	if err != nil {
		return err
	}
	return writeFile(path, []byte(edited), mode)
}

// CheckSetPoint reports the error SetPoint would give for the file at path
// now, writing nothing: kiosk enroll asks before it uses up a code.
func CheckSetPoint(path string) error {
	_, _, err := editStrings(path, "point", pointValues(Point{ID: "x", Name: "x", Level: LevelCounty}), "登记查阅点", `id、name、level`)
	return err
}

// pointValues are SetPoint's keys, in reverse: each new line goes right
// under the [point] header, so a new table reads id, name, level.
func pointValues(p Point) []keyValue {
	return []keyValue{{"level", p.Level}, {"name", p.Name}, {"id", p.ID}}
}

// keyValue is a key of a table and the string it is to hold.
type keyValue struct{ key, value string }

// editStrings returns the config file at path with table.key = value for
// each of kvs and nothing else changed, and the mode to write it with (the
// file's own; 0600 for a new file). purpose and manual word the errors
// (what the edit is for; what staff should write by hand).
func editStrings(path, table string, kvs []keyValue, purpose, manual string) (string, os.FileMode, error) {
	old, err := os.ReadFile(path)
	mode := os.FileMode(0o600)
	switch {
	case os.IsNotExist(err):
		old = nil
	case err != nil:
		return "", 0, fmt.Errorf("无法读取配置文件 (cannot read the config file) %s: %w", path, err)
	default:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	}
	before := map[string]any{}
	if _, err := toml.Decode(string(old), &before); err != nil {
		return "", 0, fmt.Errorf("%v;请先改正它,再%s (fix the file first; nothing changed)", syntaxError(path, err), purpose)
	}
	edited := string(old)
	for _, kv := range kvs {
		edited, err = setKey(edited, table+"."+kv.key, kv.value)
		if err != nil {
			return "", 0, fmt.Errorf("配置文件 %s:%v,没有修改;请在 [%s] 下手工写入 %s (cannot edit the file safely; nothing changed)", path, err, table, manual)
		}
	}
	// The edit must mean exactly "these keys now hold these values".
	var after map[string]any
	_, err = toml.Decode(edited, &after)
	t, ok := before[table].(map[string]any)
	if _, defined := before[table]; !defined {
		t, ok = map[string]any{}, true
		before[table] = t
	}
	if ok {
		for _, kv := range kvs {
			t[kv.key] = kv.value
		}
	}
	if err != nil || !ok || !reflect.DeepEqual(before, after) {
		return "", 0, fmt.Errorf("配置文件 %s 的写法无法自动修改,没有修改;请在 [%s] 下手工写入 %s (cannot edit the file safely; nothing changed)", path, table, manual)
	}
	return edited, mode, nil
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
