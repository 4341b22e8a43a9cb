package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// homeScreen is the catalogue: 公开目录 categories and their documents,
// newest first, with 发布日期 and 发布机构.
type homeScreen struct {
	keys *keyMap
	list *list
}

func newHomeScreen(m *Model) *homeScreen {
	var items []listItem
	p := m.d.Pack
	for _, cat := range p.Catalogues() {
		n := 0
		for _, d := range p.Docs {
			if d.Catalogue == cat {
				n++
			}
		}
		if len(items) > 0 {
			items = append(items, listItem{header: true}) // a blank line between catalogues
		}
		items = append(items, listItem{title: fmt.Sprintf("【%s】 %d 篇", cat, n), header: true})
		for _, d := range p.Docs {
			if d.Catalogue != cat {
				continue
			}
			d := d
			items = append(items, listItem{
				title:  d.Title,
				meta:   d.Date.Format("2006年1月2日") + " · " + m.d.Sanitize(d.Publisher),
				indent: 1,
				open: func(m *Model) tea.Cmd {
					m.push(newDocumentScreen(m, d))
					return nil
				},
			})
		}
	}
	return &homeScreen{keys: &m.keys, list: newList(items)}
}

func (s *homeScreen) crumbs() []string { return []string{"公开目录"} }

func (s *homeScreen) bindings() []binding { return forList(s.keys.listBindings(false), s.list) }

func (s *homeScreen) do(m *Model, a action) tea.Cmd {
	if cmd, ok := s.list.do(m, a); ok {
		return cmd
	}
	return commonAction(m, a)
}

func (s *homeScreen) number(m *Model, n int) tea.Cmd { return s.list.number(m, n) }

func (s *homeScreen) body(m *Model, w, h int) (string, []zone) {
	return withIntro(m, "请选择要查阅的文档:按数字键,或点击,或用 ↑↓ 选择后按 Enter。", s.list, w, h)
}

func (s *homeScreen) wheel(m *Model, delta int) { s.list.wheel(delta) }
