package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// homeScreen is the catalogue: 公开目录 categories and their documents,
// newest first, with 发布日期 and 发布机构.
type homeScreen struct{ listScreen }

func newHomeScreen(e *env) *homeScreen {
	var items []listItem
	p := e.content.Pack
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
				meta:   d.Date.Format("2006年1月2日") + " · " + e.sanitize(d.Publisher),
				indent: 1,
				open: func(e *env) tea.Cmd {
					e.nav.push(newDocumentScreen(e, d))
					return nil
				},
			})
		}
	}
	return &homeScreen{listScreen{keys: &e.keys, list: newList(items)}}
}

func (s *homeScreen) crumbs() []string { return []string{"公开目录"} }

func (s *homeScreen) bindings() []binding { return forList(s.keys.listBindings(false), s.list) }

func (s *homeScreen) layout(e *env, w, h int) (string, []zone) {
	k := s.keys
	intro := fmt.Sprintf("请选择要查阅的文档:按数字键,或点击,或用 %s%s 选择后按 %s。", k.Up.Help().Key, k.Down.Help().Key, k.Open.Help().Key)
	return withIntro(e, intro, s.list, w, h)
}
