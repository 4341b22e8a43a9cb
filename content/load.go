package content

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// ManifestFile is the name of a pack's manifest.
const ManifestFile = "pack.toml"

// Section limits (docs/content-format.md, "Limits"). The default pack's
// report has 36 sections; 2,000 is over 50 times that, room for the longest
// report a district publishes. A document of 391,388 headings loaded and
// froze the kiosk for 58 s when a citizen pressed End in its contents.
// A pack of the 20,000 documents MaxFiles allows, at 10 sections each, has
// 200,000; 100,000 sections of 10,000 documents load and index in 33 s
// (docs/deploy.md).
const (
	MaxDocSections  = 2000   // ## and ### sections of one document
	MaxPackSections = 200000 // sections of all documents, 前言 included
)

// Problem is one thing wrong with a pack, located by file and line.
type Problem struct {
	File    string
	Line    int // 0 when the problem concerns the whole file
	Msg     string
	Warning bool // a warning does not stop the pack from loading
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Warning {
		return loc + ": 警告: " + p.Msg
	}
	return loc + ": " + p.Msg
}

// Problems is a list of problems; as an error it reports every one.
type Problems []Problem

func (ps Problems) Error() string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// Errors returns only the problems that are not warnings.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Front matter keys (docs/content-format.md).
const (
	KeyTitle     = "标题"
	KeyIndexNo   = "索引号"
	KeyPublisher = "发布机构"
	KeyDate      = "发布日期"
	KeyCatalogue = "公开目录"
	KeyMode      = "公开方式"
	KeyDocNo     = "文号"
	KeyURL       = "网址"
	KeyKeywords  = "关键词"
)

var requiredKeys = []string{KeyTitle, KeyIndexNo, KeyPublisher, KeyDate, KeyCatalogue, KeyMode}
var knownKeys = map[string]bool{KeyTitle: true, KeyIndexNo: true, KeyPublisher: true, KeyDate: true,
	KeyCatalogue: true, KeyMode: true, KeyDocNo: true, KeyURL: true, KeyKeywords: true}

// Load reads a pack from fsys (its root holds pack.toml, *.md documents,
// possibly in sub-folders, and optionally synonyms.toml; README.md files
// are documentation, not documents). It returns the pack and every problem
// found; the pack is nil when any problem is an error.
func Load(fsys fs.FS) (*Pack, Problems) {
	var probs Problems
	p := &Pack{}
	raw, err := fs.ReadFile(fsys, ManifestFile)
	if err != nil {
		probs = append(probs, Problem{File: ManifestFile, Msg: "缺少清单文件 pack.toml"})
	} else {
		probs = append(probs, parseManifest(raw, &p.Manifest)...)
	}
	var files []string
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && name != SynonymsFile && path.Base(name) == SynonymsFile {
			probs = append(probs, Problem{File: name, Warning: true, Msg: "只使用内容包根目录的 synonyms.toml,这个文件没有使用 / only the synonyms.toml at the pack's root is used"})
			return nil
		}
		if d.IsDir() || path.Ext(name) != ".md" || strings.EqualFold(path.Base(name), "README.md") {
			return nil
		}
		files = append(files, name)
		return nil
	})
	if err != nil {
		probs = append(probs, Problem{File: ".", Msg: "无法读取内容包: " + err.Error()})
	}
	sort.Strings(files)
	seen := map[string]string{}
	complete := true // every document parsed
	sections := 0    // of the documents so far
	sum := sha256.New()
	sum.Write(raw)
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			probs = append(probs, Problem{File: name, Msg: "无法读取: " + err.Error()})
			continue
		}
		fmt.Fprintf(sum, "\x00%s\x00%d\x00", name, len(data))
		sum.Write(data)
		doc, dp := ParseDocument(name, data)
		probs = append(probs, dp...)
		if doc == nil {
			complete = false
			continue
		}
		if first, dup := seen[doc.IndexNo]; dup {
			probs = append(probs, Problem{File: name, Line: frontMatterLine(data, KeyIndexNo), Msg: fmt.Sprintf("索引号 %s 与 %s 重复", doc.IndexNo, first)})
			continue
		}
		seen[doc.IndexNo] = name
		if room := MaxPackSections - sections; room >= 0 && len(doc.Sections) > room {
			probs = append(probs, Problem{File: name, Line: doc.Sections[room].Line,
				Msg: fmt.Sprintf("内容包的章节超过 %s 个的上限 / more than %s sections in the pack", thousands(MaxPackSections), thousands(MaxPackSections))})
		}
		sections += len(doc.Sections)
		p.Docs = append(p.Docs, doc)
	}
	// synonyms.toml is optional; a pack without it hashes as it always did.
	if data, err := fs.ReadFile(fsys, SynonymsFile); err == nil {
		fmt.Fprintf(sum, "\x00%s\x00%d\x00", SynonymsFile, len(data))
		sum.Write(data)
		var sp Problems
		p.Synonyms, sp = ParseSynonyms(SynonymsFile, data)
		probs = append(probs, sp...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		probs = append(probs, Problem{File: SynonymsFile, Msg: "无法读取: " + err.Error()})
	}
	if len(files) == 0 && err == nil {
		probs = append(probs, Problem{File: ".", Msg: "内容包中没有文档(*.md)"})
	}
	probs = append(probs, checkLinks(p.Docs, complete)...)
	sortDocs(p.Docs)
	p.Fingerprint = hex.EncodeToString(sum.Sum(nil))
	if len(probs.Errors()) > 0 {
		return nil, probs
	}
	return p, probs
}

func sortDocs(docs []*Document) {
	sort.SliceStable(docs, func(i, j int) bool {
		if !docs[i].Date.Equal(docs[j].Date) {
			return docs[i].Date.After(docs[j].Date)
		}
		return docs[i].IndexNo < docs[j].IndexNo
	})
}

func parseManifest(raw []byte, m *Manifest) Problems {
	var probs Problems
	md, err := toml.Decode(string(raw), m)
	if err != nil {
		line := 0
		var perr toml.ParseError
		if errors.As(err, &perr) {
			line = perr.Position.Line
		}
		return Problems{{File: ManifestFile, Line: line, Msg: "清单格式错误: " + err.Error()}}
	}
	for _, k := range md.Undecoded() {
		probs = append(probs, Problem{File: ManifestFile, Msg: "未知的键 " + k.String(), Warning: true})
	}
	for _, f := range []struct{ key, val string }{{"title", m.Title}, {"version", m.Version}, {"published", m.Published}, {"publisher", m.Publisher}} {
		if strings.TrimSpace(f.val) == "" {
			probs = append(probs, Problem{File: ManifestFile, Msg: "缺少 " + f.key})
		}
	}
	if m.Published != "" {
		if _, err := ParseDate(m.Published); err != nil {
			probs = append(probs, Problem{File: ManifestFile, Msg: "published: " + err.Error()})
		}
	}
	return probs
}

// ParseDate parses a YYYY-MM-DD date that must exist in the calendar.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("日期 %q 不是有效的 YYYY-MM-DD 日期", s)
	}
	return t, nil
}

// ParseDocument parses one Markdown document with front matter.
func ParseDocument(name string, data []byte) (*Document, Problems) {
	var probs Problems
	if isUTF16(data) || !utf8.Valid(data) {
		return nil, Problems{encodingProblem(name, data)}
	}
	text, removed := Sanitize(string(data)) // also turns CRLF into LF
	probs = append(probs, sanitizeProblems(name, removed)...)
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return nil, Problems{{File: name, Line: 1, Msg: "缺少文首元数据(文件应以 --- 开头)"}}
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, Problems{{File: name, Line: 1, Msg: "文首元数据没有结束的 --- 行"}}
	}
	fields := map[string]string{}
	fieldLine := map[string]int{}
	for i := 1; i < end; i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		// The key ends at the first colon, ASCII or full-width (staff type
		// either with a Chinese input method). Cutting at the ASCII colon
		// first would split "网址：http://…" inside the address.
		var k, v string
		c := strings.IndexAny(l, ":：")
		ok := c >= 0
		if ok {
			_, w := utf8.DecodeRuneInString(l[c:])
			k, v = l[:c], l[c+w:]
		}
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			probs = append(probs, Problem{File: name, Line: i + 1, Msg: "元数据行应为 \"键: 值\""})
			continue
		}
		v = unquote(strings.TrimSpace(v))
		if !knownKeys[k] {
			probs = append(probs, Problem{File: name, Line: i + 1, Msg: "未知的元数据键 " + k, Warning: true})
			continue
		}
		if _, dup := fields[k]; dup {
			probs = append(probs, Problem{File: name, Line: i + 1, Msg: "元数据键 " + k + " 重复"})
			continue
		}
		fields[k] = v
		fieldLine[k] = i + 1
	}
	for _, k := range requiredKeys {
		if strings.TrimSpace(fields[k]) == "" {
			line := fieldLine[k]
			if line == 0 {
				line = 1
			}
			probs = append(probs, Problem{File: name, Line: line, Msg: "缺少元数据 " + k})
		}
	}
	doc := &Document{File: name}
	doc.Title = fields[KeyTitle]
	doc.IndexNo = fields[KeyIndexNo]
	doc.Publisher = fields[KeyPublisher]
	doc.Catalogue = fields[KeyCatalogue]
	doc.Mode = fields[KeyMode]
	doc.DocNo = fields[KeyDocNo]
	doc.URL = fields[KeyURL]
	if strings.ContainsAny(doc.IndexNo, "# \t") {
		probs = append(probs, Problem{File: name, Line: fieldLine[KeyIndexNo], Msg: "索引号不能包含 # 或空白"})
	}
	if kw := fields[KeyKeywords]; kw != "" {
		for _, w := range strings.FieldsFunc(kw, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
			doc.Keywords = append(doc.Keywords, w)
		}
	}
	if v, ok := fields[KeyDate]; ok && v != "" {
		t, err := ParseDate(v)
		if err != nil {
			probs = append(probs, Problem{File: name, Line: fieldLine[KeyDate], Msg: "发布日期: " + err.Error()})
		}
		doc.Date = t
	}
	if u := doc.URL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		probs = append(probs, Problem{File: name, Line: fieldLine[KeyURL], Msg: "网址应以 http:// 或 https:// 开头"})
	}
	doc.Body = strings.Join(lines[end+1:], "\n")
	var over int
	doc.Sections, over = splitSections(doc, lines, end+1)
	if over > 0 {
		probs = append(probs, Problem{File: name, Line: over,
			Msg: fmt.Sprintf("第 %d 个章节超过每篇文档最多 %s 个章节的上限 / more than %s sections in one document", MaxDocSections+1, thousands(MaxDocSections), thousands(MaxDocSections))})
	}
	if len(probs.Errors()) > 0 {
		return nil, probs
	}
	return doc, probs
}

// frontMatterLine returns the 1-based line of key in data's front matter,
// or 1 if it is not found.
func frontMatterLine(data []byte, key string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if i > 0 && strings.TrimSpace(l) == "---" {
			break
		}
		if k, _, ok := strings.Cut(strings.TrimSpace(l), key); ok && k == "" {
			return i + 1
		}
	}
	return 1
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

// splitSections cuts the body (lines[start:]) at ## and ### headings.
// Headings inside fenced code blocks are not headings. It stops at a
// heading past MaxDocSections and returns its 1-based line as well.
func splitSections(doc *Document, lines []string, start int) ([]*Section, int) {
	lead := &Section{Doc: doc, Number: "0", Level: 1, Line: start + 1}
	var out []*Section
	cur := lead
	var buf []string
	flush := func() { cur.Text = strings.TrimSpace(strings.Join(buf, "\n")); buf = buf[:0] }
	var chapter *Section
	nch, nsub := 0, 0
	fenced := false
	for i := start; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(strings.TrimSpace(l), "```") || strings.HasPrefix(strings.TrimSpace(l), "~~~") {
			fenced = !fenced
		}
		level := 0
		if !fenced {
			switch {
			case strings.HasPrefix(l, "### "):
				level = 3
			case strings.HasPrefix(l, "## "):
				level = 2
			}
		}
		if level == 0 || (level == 3 && chapter == nil) {
			buf = append(buf, l)
			continue
		}
		if len(out) == MaxDocSections {
			return out, i + 1
		}
		flush()
		title := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(l[level+1:]), "#"))
		if level == 2 {
			nch++
			nsub = 0
			chapter = &Section{Doc: doc, Number: sectionNumber(nch, 0), Title: title, Level: 2, Line: i + 1}
			cur = chapter
		} else {
			nsub++
			cur = &Section{Doc: doc, Number: sectionNumber(nch, nsub), Title: title, Level: 3, Line: i + 1, Parent: chapter}
			chapter.Children = append(chapter.Children, cur)
		}
		out = append(out, cur)
	}
	flush()
	if lead.Text != "" {
		out = append([]*Section{lead}, out...)
	}
	return out, 0
}

// thousands writes n with thousands separators: 200,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
