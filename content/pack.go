// Package content holds the disclosure content a kiosk shows: packs of
// documents, their sections, and the references people type to find them.
package content

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Manifest describes a pack as a whole (pack.toml).
type Manifest struct {
	Title     string `toml:"title"`     // 包名称, e.g. 兰山区政府信息公开
	Version   string `toml:"version"`   // staff-visible version, e.g. 2019.01.22-1
	Published string `toml:"published"` // YYYY-MM-DD
	Publisher string `toml:"publisher"` // 发布单位
}

// Meta is the disclosure metadata every Chinese government page carries.
type Meta struct {
	Title     string // 标题
	IndexNo   string // 索引号, unique within a pack
	Publisher string // 发布机构
	Date      time.Time
	Catalogue string // 公开目录
	Mode      string // 公开方式
	DocNo     string // 文号, may be empty
	URL       string // 网址, optional address of the original page
	Keywords  []string
}

// Document is one published document: metadata and its sections.
type Document struct {
	Meta
	File     string     // path inside the pack, for error messages
	Sections []*Section // in reading order (depth-first)
	Body     string     // the Markdown body without front matter
}

// Section is a part of a document delimited by a heading.
//
// Level 2 sections are chapters (## headings); level 3 are their
// subsections (### headings). Text before the first ## heading forms the
// lead section, number "0", titled by the UI. A chapter's Text is only its
// own lead text; Markdown renders it with its subsections included.
type Section struct {
	Doc      *Document
	Number   string // "0", "4", "4.2"
	Title    string // heading text; empty for the lead section
	Level    int    // 1 for the lead section, 2 or 3
	Line     int    // 1-based line of the heading in File
	Text     string // Markdown of this section alone (without sub-sections, without heading)
	Children []*Section
	Parent   *Section
}

// Pack is a loaded content pack.
type Pack struct {
	Manifest Manifest
	Docs     []*Document // newest first, then by 索引号
	// Synonyms are the groups of the pack's synonyms.toml (nil without
	// one), used when searching along with the built-in list.
	Synonyms []SynonymGroup
	// Fingerprint is a hash of every file the pack was loaded from; an
	// index built from the pack records it so a stale index is noticed.
	Fingerprint string
}

// Ref is the stable reference of a document or section: 索引号 optionally
// followed by '#' and a section number, e.g. lanshanqulsqzf/2019-0000001#4.2.
func (s *Section) Ref() string { return s.Doc.IndexNo + "#" + s.Number }

// Ref returns the document's reference (its 索引号).
func (d *Document) Ref() string { return d.IndexNo }

// Markdown returns the section as Markdown including its heading and, for a
// chapter, all its subsections — what the reader shows.
func (s *Section) Markdown() string {
	var b strings.Builder
	s.writeMarkdown(&b)
	return b.String()
}

func (s *Section) writeMarkdown(b *strings.Builder) {
	if s.Title != "" {
		b.WriteString(strings.Repeat("#", s.Level))
		b.WriteString(" ")
		b.WriteString(s.Title)
		b.WriteString("\n\n")
	}
	if t := strings.TrimSpace(s.Text); t != "" {
		b.WriteString(t)
		b.WriteString("\n\n")
	}
	for _, c := range s.Children {
		c.writeMarkdown(b)
	}
}

// DisplayTitle is the section's title as shown in lists.
func (s *Section) DisplayTitle() string {
	if s.Title == "" {
		return "前言"
	}
	return s.Title
}

// Find resolves a reference typed by a person: "索引号" or "索引号#4.2".
// Surrounding spaces and a full-width ＃ are accepted.
func (p *Pack) Find(ref string) (*Document, *Section, error) {
	ref = strings.TrimSpace(strings.ReplaceAll(ref, "＃", "#"))
	idx, num, hasNum := strings.Cut(ref, "#")
	for _, d := range p.Docs {
		if d.IndexNo != idx {
			continue
		}
		if !hasNum {
			return d, nil, nil
		}
		if s := d.Section(num); s != nil {
			return d, s, nil
		}
		return d, nil, fmt.Errorf("文档 %s 中没有第 %s 节 (document %s has no section %s)", idx, num, idx, num)
	}
	return nil, nil, fmt.Errorf("没有索引号为 %q 的文档 (no document with index number %q)", idx, idx)
}

// Section returns the section with the given number, or nil.
func (d *Document) Section(num string) *Section {
	for _, s := range d.Sections {
		if s.Number == num {
			return s
		}
	}
	return nil
}

// Next returns the section after s in reading order: its next sibling, or
// its parent's next sibling. A chapter's next is the next chapter (its
// subsections are part of it); nil at the end.
func (s *Section) Next() *Section { return s.sibling(+1) }

// Prev is the mirror of Next: the previous sibling, or the parent.
func (s *Section) Prev() *Section {
	if p := s.sibling(-1); p != nil {
		return p
	}
	return s.Parent
}

func (s *Section) sibling(dir int) *Section {
	list := s.Doc.topLevel()
	if s.Parent != nil {
		list = s.Parent.Children
	}
	for i, x := range list {
		if x != s {
			continue
		}
		j := i + dir
		if j >= 0 && j < len(list) {
			return list[j]
		}
		if dir > 0 && s.Parent != nil {
			return s.Parent.Next()
		}
		return nil
	}
	return nil
}

// Chapters are the document's top-level sections (the lead and the ##
// chapters), in order.
func (d *Document) Chapters() []*Section { return d.topLevel() }

func (d *Document) topLevel() []*Section {
	var out []*Section
	for _, s := range d.Sections {
		if s.Parent == nil {
			out = append(out, s)
		}
	}
	return out
}

// Catalogues returns the 公开目录 names in order of their newest document.
func (p *Pack) Catalogues() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range p.Docs {
		if !seen[d.Catalogue] {
			seen[d.Catalogue] = true
			out = append(out, d.Catalogue)
		}
	}
	return out
}

// sectionNumber formats a section number from its chapter and subsection ordinals.
func sectionNumber(chapter, sub int) string {
	if sub == 0 {
		return strconv.Itoa(chapter)
	}
	return strconv.Itoa(chapter) + "." + strconv.Itoa(sub)
}
