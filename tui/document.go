package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"kiosk/content"
)

// documentScreen shows a document's disclosure metadata and its table of
// contents; a section opens in the reader.
type documentScreen struct {
	listScreen
	doc *content.Document
}

func newDocumentScreen(e *env, d *content.Document) *documentScreen {
	var items []listItem
	for _, s := range d.Sections {
		s := s
		indent := 1
		if s.Level == 3 {
			indent = 4
		}
		items = append(items, listItem{title: s.DisplayTitle(), indent: indent, open: func(e *env) tea.Cmd {
			return openSection(e, s)
		}})
	}
	return &documentScreen{listScreen: listScreen{keys: &e.keys, list: newList(items)}, doc: d}
}

// openSection pushes a reader on a section and counts it as read.
func openSection(e *env, s *content.Section) tea.Cmd {
	e.nav.push(newReaderScreen(e, s))
	e.sectionRead()
	return nil
}

func (s *documentScreen) crumbs() []string { return []string{"公开目录", s.doc.Title} }

func (s *documentScreen) bindings() []binding { return forList(s.keys.listBindings(true), s.list) }

// metaLines lays out the metadata block: two fields per line when wide,
// one per line when narrow.
func (s *documentScreen) metaLines(e *env, w int) []string {
	d := s.doc
	docNo := d.DocNo
	if docNo == "" {
		docNo = "无"
	}
	fields := [][2]string{
		{"索引号", d.IndexNo}, {"发布机构", d.Publisher},
		{"发布日期", d.Date.Format("2006-01-02")}, {"公开目录", d.Catalogue},
		{"公开方式", d.Mode}, {"文号", docNo},
	}
	cell := func(f [2]string) string {
		return e.st.Subtle.Render(f[0]+":") + e.st.Meta.Render(e.sanitize(f[1]))
	}
	var out []string
	for _, l := range wrapLines(e.st.Title.Render(e.sanitize(d.Title)), w-2) {
		out = append(out, " "+l)
	}
	colw := (w - 2) / 2
	twoCols := true
	for _, f := range fields {
		if lipgloss.Width(cell(f)) > colw-1 {
			twoCols = false
		}
	}
	for i := 0; i < len(fields); i++ {
		if twoCols && i+1 < len(fields) {
			out = append(out, " "+padRight(cell(fields[i]), colw)+cell(fields[i+1]))
			i++
			continue
		}
		for _, l := range wrapLines(cell(fields[i]), w-2) {
			out = append(out, " "+l)
		}
	}
	return out
}

func (s *documentScreen) layout(e *env, w, h int) (string, []zone) {
	top := s.metaLines(e, w)
	top = append(top, " "+e.st.Rule.Render(strings.Repeat(" ", max(w-2, 1))))
	top = append(top, " "+e.st.Title.Render("目录")+e.st.Subtle.Render("(按数字键或点击打开一节)"))
	if len(top) > h/2 {
		top = top[:h/2] // a very short screen: keep room for the contents
	}
	list, zones := s.list.layout(e, w, max(h-len(top), 1))
	for i := range zones {
		zones[i].y0 += len(top)
		zones[i].y1 += len(top)
	}
	return strings.Join(top, "\n") + "\n" + list, zones
}

// resume points the contents' cursor at the section last read, back from
// the reader.
func (s *documentScreen) resume(closed screen) {
	r, ok := closed.(*readerScreen)
	if !ok {
		return
	}
	for i, x := range s.doc.Sections {
		if x == r.sec {
			s.list.cursor = i
		}
	}
}
