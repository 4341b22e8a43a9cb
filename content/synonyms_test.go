package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

func TestParseSynonymsGood(t *testing.T) {
	src := "\ufeff# 医疗保障 —— 来源:《中华人民共和国社会保险法》第三章\n" + // line 1
		`"医保" = ["医疗保险", "基本医疗保险", "医疗保障"]` + "\n" + // 2
		"\n" + // 3
		`# a comment with "quotes", = signs, [brackets] and 'apostrophes` + "\n" + // 4
		`"低保" = [  # 多行数组` + "\n" + // 5
		`  "最低生活保障",  # "这不是词" = ["x"]` + "\n" + // 6
		"\n" + // 7
		`  '低保金',` + "\n" + // 8
		`]` + "\n" + // 9
		`'12345' = ["12345热线", "政务服务便民热线"] # [不是表]` + "\n" + // 10
		`ETC = ["不停车收费"]` + "\r\n" + // 11: a bare ASCII key, CRLF
		`"因公出国（境）费" = ["因公出国费", "出国（境）经费", "A-1·甲、乙(丙)"]` + "\n" // 12
	groups, probs := ParseSynonyms("synonyms.toml", []byte(src))
	if len(probs) != 0 {
		t.Fatalf("problems:\n%v", probs)
	}
	want := []SynonymGroup{
		{Words: []string{"医保", "医疗保险", "基本医疗保险", "医疗保障"}, Line: 2},
		{Words: []string{"低保", "最低生活保障", "低保金"}, Line: 5},
		{Words: []string{"12345", "12345热线", "政务服务便民热线"}, Line: 10},
		{Words: []string{"ETC", "不停车收费"}, Line: 11},
		{Words: []string{"因公出国（境）费", "因公出国费", "出国（境）经费", "A-1·甲、乙(丙)"}, Line: 12},
	}
	if !reflect.DeepEqual(groups, want) {
		t.Errorf("groups:\n%v\nwant:\n%v", groups, want)
	}
	for _, empty := range []string{"", "# 只有注释\n\n"} {
		if g, p := ParseSynonyms("s.toml", []byte(empty)); len(g) != 0 || len(p) != 0 {
			t.Errorf("%q: %v %v", empty, g, p)
		}
	}
}

func TestParseSynonymsRefusals(t *testing.T) {
	long16 := strings.Repeat("长", 16)
	long17 := strings.Repeat("长", 17)
	cases := []struct {
		name string
		src  string
		want []string // problems' String(), in order
	}{
		{"unquoted chinese key", "# 来源\n\"社保\" = [\"社会保险\"]\n医保 = [\"医疗保险\"]\n",
			[]string{`s.toml:3: 同义词文件格式错误:键要加引号,例如 "医保" = ["医疗保险"]; / TOML syntax error: expected '.' or '=', but got '医' instead`}},
		{"unclosed array", "\"医保\" = [\"医疗保险\",\n\"医疗保障\"\n\n\"低保\" = [\"最低生活保障\"]\n",
			[]string{`s.toml:4: 同义词文件格式错误: / TOML syntax error: expected a comma (',') or array terminator (']'), but got '"'`}},
		{"key twice", "\"医保\" = [\"医疗保险\"]\n\"医保\" = [\"医疗保障\"]\n",
			[]string{`s.toml:2: 同义词文件格式错误: / TOML syntax error: Key '"医保"' has already been defined.`}},
		{"raw control character", "\"医保\" = [\"医疗\x1b[31m保险\"]\n",
			[]string{`s.toml:1: 同义词文件格式错误: / TOML syntax error: TOML files cannot contain control characters: '0x1b'`}},
		{"not an array", "\"社保\" = [\"社会保险\"]\n\"医保\" = \"医疗保险\"\n",
			[]string{`s.toml:2: 同义词组 “医保” 的值应为字符串数组,例如 ["医疗保险", "医疗保障"] / the value must be an array of strings`}},
		{"array of numbers", "\n\"医保\" = [\"医疗保险\", 1]\n",
			[]string{`s.toml:2: 同义词组 “医保” 的值应为字符串数组,例如 ["医疗保险", "医疗保障"] / the value must be an array of strings`}},
		{"inline table", "\"医保\" = {w = \"医疗保险\"}\n",
			[]string{`s.toml:1: 同义词组 “医保” 的值应为字符串数组,例如 ["医疗保险", "医疗保障"] / the value must be an array of strings`}},
		{"empty array", "\"社保\" = [\"社会保险\"]\n\n\"医保\" = []\n",
			[]string{`s.toml:3: 同义词组 “医保” 是空的:至少要写一个同义词 / empty synonym group`}},
		{"empty word", "\"医保\" = [\"医疗保险\", \"\"]\n",
			[]string{`s.toml:1: 同义词组中有空词 / empty word`}},
		{"blank word on its own line", "\"医保\" = [\n  \"医疗保险\",\n  \"  \",\n]\n",
			[]string{`s.toml:3: 同义词组中有空词 / empty word`}},
		{"empty key", "\"社保\" = [\"社会保险\"]\n\"\" = [\"医疗保险\"]\n",
			[]string{`s.toml:2: 同义词组中有空词 / empty word`}},
		{"17 characters", "\"长词\" = [\"" + long16 + "\", \"" + long17 + "\"]\n",
			[]string{`s.toml:1: 词语 “` + long17 + `” 有 17 个字,超过 16 个字的上限 / word longer than 16 characters`}},
		{"escape sequence", "\"医保\" = [\"\\u001b[31m医疗保险\", \"\\e]0;title\\u0007\"]\n",
			[]string{
				`s.toml:1: 词语 “\x1b[31m医疗保险” 含有控制字符或转义序列 / word contains control characters or escape sequences`,
				`s.toml:1: 词语 “\x1b]0;title\a” 含有控制字符或转义序列 / word contains control characters or escape sequences`,
			}},
		{"bidi override", "\"医保\" = [\"医疗\\u202e保险\"]\n",
			[]string{`s.toml:1: 词语 “医疗\u202e保险” 含有控制字符或转义序列 / word contains control characters or escape sequences`}},
		{"space inside", "\"医保\" = [\n\"医疗 保险\",\n\"医疗\u3000保障\",\n\"医疗\\t救助\",\n]\n",
			[]string{
				`s.toml:2: 词语 “医疗 保险” 含有空格 / word contains a space`,
				"s.toml:3: 词语 “医疗\u3000保障” 含有空格 / word contains a space",
				`s.toml:4: 词语 “医疗\t救助” 含有空格 / word contains a space`,
			}},
		{"characters not allowed", "\"医保\" = [\"医疗保险!\", \"医保。\", \"１２３４５\", \"医保😀\", \"医_保\"]\n",
			[]string{
				`s.toml:1: 词语 “医疗保险!” 含有不允许的字符 “!”(只能用汉字、英文字母、数字和 ·、-()) / character U+0021 not allowed`,
				`s.toml:1: 词语 “医保。” 含有不允许的字符 “。”(只能用汉字、英文字母、数字和 ·、-()) / character U+3002 not allowed`,
				`s.toml:1: 词语 “１２３４５” 含有不允许的字符 “１”(只能用汉字、英文字母、数字和 ·、-()) / character U+FF11 not allowed`,
				`s.toml:1: 词语 “医保😀” 含有不允许的字符 “😀”(只能用汉字、英文字母、数字和 ·、-()) / character U+1F600 not allowed`,
				`s.toml:1: 词语 “医_保” 含有不允许的字符 “_”(只能用汉字、英文字母、数字和 ·、-()) / character U+005F not allowed`,
			}},
		{"repeated in group", "\"医保\" = [\n  \"医疗保险\",\n  \"医疗保险\",\n]\n\"ETC\" = [\"etc\"]\n\"低保\" = [\"低保\"]\n",
			[]string{
				`s.toml:3: 词语 “医疗保险” 在同一组中重复 / word repeated in its group`,
				`s.toml:5: 词语 “etc” 在同一组中重复 / word repeated in its group`,
				`s.toml:6: 词语 “低保” 在同一组中重复 / word repeated in its group`,
			}},
		{"table", "\"社保\" = [\"社会保险\"]\n[\"同义词\"]\n\"医保\" = [\"医疗保险\"]\n",
			[]string{`s.toml:2: 同义词组要写在文件顶层,不能使用 [表] / tables are not allowed: write the groups at the top level`}},
		{"dotted key", "\"社保\" = [\"社会保险\"]\nyi.bao = [\"医疗保险\"]\n",
			[]string{`s.toml:2: 键 “yi.bao” 中有点号:请把整个词放在引号里 / dotted key: put the whole word in quotes`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			groups, probs := ParseSynonyms("s.toml", []byte(c.src))
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
				if p.Warning {
					t.Errorf("a warning: %v", p)
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if groups != nil {
				t.Errorf("groups %v returned with errors", groups)
			}
		})
	}
}

// An escape sequence in a word is refused and shown escaped: the message
// never carries the raw control character to the staff's terminal.
func TestParseSynonymsNeverEchoesEscapes(t *testing.T) {
	for _, src := range []string{
		"\"医保\" = [\"\\u001b[2J\\u001b]0;pwned\\u0007医疗保险\"]\n",
		"\"\\u001b[31m医保\" = [\"医疗保险\"]\n",
		"\"医保\" = [\"\"\"医疗\n保险\"\"\"]\n",
		"\"\\u009b31m\" = [\"医疗保险\"]\n",
		"\"医保\" = [\"医疗保险\"]\n\"医保\" = [\"\\u001b[31m\"]\n", // syntax error naming the key
		"\"\\u001b[31m\" = [\"医疗保险\"]\n\"\\u001b[31m\" = [\"x\"]\n",
	} {
		_, probs := ParseSynonyms("s.toml", []byte(src))
		if len(probs.Errors()) == 0 {
			t.Errorf("%q accepted", src)
		}
		for _, p := range probs {
			if strings.ContainsFunc(p.String(), func(r rune) bool { return r != '\t' && isControl(r) || r == '\n' }) {
				t.Errorf("%q: raw control character in %q", src, p.String())
			}
		}
	}
}

func TestParseSynonymsWordInTwoGroups(t *testing.T) {
	src := "# 来源:测试\n\"医保\" = [\"医疗保险\"]\n\"社保\" = [\"社会保险\"]\n\n\"基本医保\" = [\n  \"基本医疗保险\",\n  \"医疗保险\",\n]\n\"Yibao\" = [\"医保\"]\n\"yibao\" = [\"一保\"]\n"
	groups, probs := ParseSynonyms("s.toml", []byte(src))
	want := []string{
		"s.toml:7: 警告: 词语 “医疗保险” 也在第 2 行的同义词组中,两组都会用于搜索 / word also in the group on line 2",
		"s.toml:9: 警告: 词语 “医保” 也在第 2 行的同义词组中,两组都会用于搜索 / word also in the group on line 2",
		"s.toml:10: 警告: 词语 “yibao” 也在第 9 行的同义词组中,两组都会用于搜索 / word also in the group on line 9",
	}
	if probs.Error() != strings.Join(want, "\n") {
		t.Errorf("problems:\n%v\nwant:\n%s", probs, strings.Join(want, "\n"))
	}
	if len(groups) != 5 || groups[2].Line != 5 || len(groups[2].Words) != 3 {
		t.Errorf("groups %v", groups)
	}
}

func TestParseSynonymsLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("# 来源:测试\n")
	for i := range MaxSynonymGroups {
		fmt.Fprintf(&b, "\"词%d\" = [\"语%d\"]\n", i, i)
	}
	groups, probs := ParseSynonyms("s.toml", []byte(b.String()))
	if len(probs) != 0 || len(groups) != MaxSynonymGroups || groups[MaxSynonymGroups-1].Line != MaxSynonymGroups+1 {
		t.Fatalf("%d groups: %d groups %v", MaxSynonymGroups, len(groups), probs)
	}
	b.WriteString("\"多一组\" = [\"超过上限\"]\n")
	groups, probs = ParseSynonyms("s.toml", []byte(b.String()))
	if groups != nil || probs.Error() != "s.toml:2002: 同义词组超过 2000 组 / more than 2000 synonym groups" {
		t.Errorf("%d+1 groups: %v", MaxSynonymGroups, probs)
	}

	big := "\"医保\" = [\"医疗保险\"]\n# " + strings.Repeat("x", MaxSynonymsBytes) + "\n"
	groups, probs = ParseSynonyms("s.toml", []byte(big))
	if groups != nil || probs.Error() != "s.toml: 同义词文件超过大小上限 256 KiB / synonyms file larger than 256 KiB" {
		t.Errorf("big file: %v", probs)
	}
	fits := "\"医保\" = [\"医疗保险\"]\n#" + strings.Repeat("x", MaxSynonymsBytes-len("\"医保\" = [\"医疗保险\"]\n#"))
	if groups, probs = ParseSynonyms("s.toml", []byte(fits)); len(groups) != 1 || len(probs) != 0 {
		t.Errorf("file of exactly 256 KiB: %v %v", groups, probs)
	}
}

func TestParseSynonymsEncoding(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("# 来源:测试\n\"医保\" = [\"医疗保险\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ data, want string }{
		{gbk, "synonyms.toml:1: 文件是 GBK/GB18030 编码,不是 UTF-8;请另存为 UTF-8 / the file is GBK: save it as UTF-8"},
		{"\xff\xfe\"\x00a\x00\"\x00", "synonyms.toml:1: 文件是 UTF-16 编码(记事本的“Unicode”格式),不是 UTF-8;请另存为 UTF-8 / the file is UTF-16: save it as UTF-8"},
		{string(utf16NoBOM(t, "# 来源:测试\n\"医保\" = [\"医疗保险\"]\n", xunicode.LittleEndian)), "synonyms.toml:1: 文件是 UTF-16 编码(记事本的“Unicode”格式),不是 UTF-8;请另存为 UTF-8 / the file is UTF-16: save it as UTF-8"},
		{"\"医保\" = [\"医疗保险\"]\n\"x\" = [\"\xc3\x28\"]\n", "synonyms.toml:2: 不是有效的 UTF-8 文本(第 2 行有无效字节) / not valid UTF-8 (line 2)"},
	} {
		groups, probs := ParseSynonyms("synonyms.toml", []byte(c.data))
		if groups != nil || probs.Error() != c.want {
			t.Errorf("%q: %v", c.data, probs)
		}
	}
}

// The scanner finds each top-level key, whatever strings, comments and
// multi-line values around it hold; every source here is valid TOML.
func TestScanTOMLStatementsKeys(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"\"a\" = [\"x\"]\n'b' = ['y']\nc = []\n", "a|b|c"},
		{"# \"x\" = 1\n\"a\" = [ # ]\n\"=\", '#', \"]\",\n\"\\\"\" ]\n  \"b # c\" = [\"d\"] # \"e\" = [\n\"f\" = \"\"\"\n\"g\" = [\n\"\"\"\n", "a|b # c|f"},
		{"\"a\" = '''\n'h' = 1\n'''\n\"b\" = \"\"\"x\\\n  \"\"\"\"\"\n\"c\" = [\"\"\"\n]\"\"\", '''\n[''']\n", "a|b|c"},
		{"\"a\" = [[\"x\"], {y = \"]\"}]\n\"b\" = 1 # ]\n", "a|b"},
		{"\ufeff\"甲\"\t=\t[\"乙\"]\r\n\"丙\" = [\r\n\"丁\",\r\n]\r\n", "甲|丙"},
		{"\"a\".\"b\" = 1\n\"c\" . d = 2\n\"e.f\" = 3\n", "a (dotted)|c (dotted)|e.f"},
	} {
		var m map[string]any
		if _, err := toml.Decode(c.src, &m); err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		var got []string
		for _, st := range scanTOMLStatements(c.src) {
			k, dotted, ok := decodeTOMLKey(st.key)
			if !ok || st.header {
				t.Errorf("%q: statement %+v", c.src, st)
				continue
			}
			if dotted {
				k += " (dotted)"
			}
			got = append(got, k)
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%q: scanned %q, want %s", c.src, got, c.want)
		}
	}
}

func TestScanTOMLStatementLines(t *testing.T) {
	src := "# c\n\"a\" = [\n  \"x\", 'y',\n\n  \"\"\"z\n\"\"\",\n]\n\"b\" = '''\n[x]\n'''\n[\"t\"]\n\"c\" = 1\n"
	got := fmt.Sprint(scanTOMLStatements(src))
	want := fmt.Sprint([]tomlStatement{
		{line: 2, key: `"a" `, elems: []int{3, 3, 5}},
		{line: 8, key: `"b" `},
		{line: 11, header: true},
		{line: 12, key: `"c" `},
	})
	if got != want {
		t.Errorf("statements\n%s\nwant\n%s", got, want)
	}
}

// oldFingerprint is how Load hashed a pack before synonyms.toml existed.
func oldFingerprint(t *testing.T, fsys fs.FS) string {
	sum := sha256.New()
	raw, _ := fs.ReadFile(fsys, ManifestFile)
	sum.Write(raw)
	var names []string
	fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(name) == ".md" && !strings.EqualFold(path.Base(name), "README.md") {
			names = append(names, name)
		}
		return err
	})
	sort.Strings(names)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(sum, "\x00%s\x00%d\x00", name, len(data))
		sum.Write(data)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

func TestLoadSynonyms(t *testing.T) {
	dir := filepath.Join("testdata", "packs", "synonyms")
	p, probs := Load(os.DirFS(dir))
	if p == nil || len(probs) != 0 {
		t.Fatalf("load: %v", probs)
	}
	want := []SynonymGroup{
		{Words: []string{"医保", "医疗保险", "基本医疗保险"}, Line: 3},
		{Words: []string{"低保", "最低生活保障", "低保金"}, Line: 6},
		{Words: []string{"区医保局", "测试区医疗保障局"}, Line: 10},
	}
	if !reflect.DeepEqual(p.Synonyms, want) {
		t.Errorf("synonyms %v", p.Synonyms)
	}

	// The same pack without synonyms.toml hashes as before synonyms.toml
	// existed; with one the fingerprint differs (a changed list is a new
	// version to `content load`).
	mem := fstest.MapFS{}
	for _, n := range []string{"pack.toml", "doc.md", "synonyms.toml"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		mem[n] = &fstest.MapFile{Data: b}
	}
	with := p.Fingerprint
	delete(mem, SynonymsFile)
	p, probs = Load(mem)
	if p == nil || len(probs) != 0 || p.Synonyms != nil {
		t.Fatalf("without synonyms.toml: %v %v", probs, p)
	}
	if p.Fingerprint != oldFingerprint(t, mem) || p.Fingerprint == with {
		t.Errorf("fingerprint without synonyms.toml %s, before %s, with %s", p.Fingerprint, oldFingerprint(t, mem), with)
	}
	for _, name := range []string{"good", "control-chars"} {
		fsys := os.DirFS(filepath.Join("testdata", "packs", name))
		if p, _ := Load(fsys); p == nil || p.Fingerprint != oldFingerprint(t, fsys) {
			t.Errorf("%s: fingerprint changed", name)
		}
	}
	if p, err := Default(); err != nil || p.Fingerprint != oldFingerprint(t, DefaultFS()) || p.Synonyms != nil {
		t.Errorf("default pack: fingerprint changed or synonyms %v (%v)", p.Synonyms, err)
	}

	// Only the root's synonyms.toml is used; one elsewhere is a warning.
	mem["sub/synonyms.toml"] = &fstest.MapFile{Data: []byte("\"不用\" = [\"不会读到\"]\n")}
	p, probs = Load(mem)
	if p == nil || p.Synonyms != nil || probs.Error() != "sub/synonyms.toml: 警告: 只使用内容包根目录的 synonyms.toml,这个文件没有使用 / only the synonyms.toml at the pack's root is used" {
		t.Errorf("nested synonyms.toml: %v", probs)
	}

	// An error in synonyms.toml stops the load; a warning does not.
	mem[SynonymsFile] = &fstest.MapFile{Data: []byte("\"医保\" = [\"医疗保险\"]\n\"社保\" = [\"医疗保险\"]\n")}
	delete(mem, "sub/synonyms.toml")
	if p, probs = Load(mem); p == nil || len(p.Synonyms) != 2 || len(probs) != 1 || !probs[0].Warning {
		t.Errorf("warning: %v", probs)
	}
	mem[SynonymsFile] = &fstest.MapFile{Data: []byte("\"医保\" = []\n")}
	if p, probs = Load(mem); p != nil || probs.Error() != "synonyms.toml:1: 同义词组 “医保” 是空的:至少要写一个同义词 / empty synonym group" {
		t.Errorf("error: %v %v", p, probs)
	}
}

func TestCheckBadSynonyms(t *testing.T) {
	p, probs, err := Check(filepath.Join("testdata", "packs", "bad-synonyms"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if p != nil || probs.Error() != "synonyms.toml:3: 同义词组中有空词 / empty word" {
		t.Errorf("pack %v, problems:\n%v", p != nil, probs)
	}
}

// synonyms.toml in a zip or tar.gz (inside the usual top folder) is kept,
// not reported as a skipped file, and used.
func TestCheckSynonymsInArchives(t *testing.T) {
	entries := goodEntries(t)
	entries = append(entries, entry{name: "测试包-2019/synonyms.toml", body: "# 来源:测试\n\"医保\" = [\"医疗保险\"]\n"})
	for name, data := range map[string][]byte{"s.zip": writeZip(t, entries), "s.tar.gz": writeTarGz(t, entries)} {
		src := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, probs, err := Check(src, DefaultLimits())
		if err != nil || p == nil || len(probs) != 0 {
			t.Fatalf("%s: %v %v", name, err, probs)
		}
		if want := []SynonymGroup{{Words: []string{"医保", "医疗保险"}, Line: 2}}; !reflect.DeepEqual(p.Synonyms, want) {
			t.Errorf("%s: synonyms %v", name, p.Synonyms)
		}
	}
}
