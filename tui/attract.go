package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// attract is the screen a kiosk shows while nobody uses it: where it is,
// what it offers and how to start. Any key or tap starts a visit.
func (m *Model) attract(w, h int) (string, []zone) {
	st := m.st
	p := m.d.Config.Point
	var lines []string
	add := func(s string) { lines = append(lines, s) }
	add(st.AttractTitle.Render(m.d.Sanitize(p.Name)))
	add("")
	add(st.Title.Render("政府信息公开 · 自助查阅"))
	add("")
	offers := []string{"浏览公开目录:年度报告、政策文件", "逐节阅读;长者模式颜色更清楚、行距更宽", "全文搜索:可输入汉字,也可输入拼音或拼音首字母"}
	for _, o := range offers {
		add("· " + o)
	}
	if m.d.Pack != nil {
		add("")
		add(st.Subtle.Render("内容:" + m.d.Sanitize(m.d.Pack.Manifest.Title) + "(" + m.d.Sanitize(m.d.Pack.Manifest.Version) + ")"))
	}
	if p.Hours != "" {
		add(st.Subtle.Render("开放时间:" + m.d.Sanitize(p.Hours)))
	}
	add("")
	add("")
	add(st.AttractCT.Render("按任意键或触摸屏幕开始"))
	add("")
	chips, chipZones := m.chips(m.modeBindings(), 0, 0)
	add(chips)
	// Wrap every line to the width (nothing may be cut), then centre.
	var wrapped []string
	for _, l := range lines {
		for _, wl := range wrapLines(l, w-2) {
			wrapped = append(wrapped, wl)
		}
	}
	body := fitLines(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, strings.Join(wrapped, "\n")), w, h)
	// The mode chips are tap targets of their own: find where Place put
	// them (the last non-blank line) and shift their zones there.
	var zones []zone
	rows := strings.Split(body, "\n")
	for y := len(rows) - 1; y >= 0; y-- {
		plain := ansi.Strip(rows[y])
		if strings.TrimSpace(plain) == "" {
			continue
		}
		x := len(plain) - len(strings.TrimLeft(plain, " ")) // leading spaces: one byte, one cell each
		if lipgloss.Width(chips) <= w-2 {
			for _, z := range chipZones {
				z.x0, z.x1, z.y0, z.y1 = z.x0+x, z.x1+x, y, y+1
				zones = append(zones, z)
			}
		}
		break
	}
	// Anywhere else, a tap starts the visit.
	return body, append(zones, zone{x0: 0, y0: 0, x1: w, y1: h, tap: func(m *Model) tea.Cmd { return m.start() }})
}
