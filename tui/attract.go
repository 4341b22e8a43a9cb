package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// attract is the screen a kiosk shows while nobody uses it: where it is,
// what it offers and how to start. Any key or tap starts a visit.
//
// Each part (the point's name, the title, the list of offers …) is wrapped
// first, with lines of even length so no character is left alone on the
// last one, and then centred as a block: the lines of a part start in one
// column (a list's bullets align). Centring every wrapped line on its own
// left 宽 alone in the middle of a line at 40 columns.
func (m *Model) attract(w, h int) (string, []zone) {
	st := m.st
	p := m.opts.Config.Point
	avail := max(w-2, 4)
	type part struct {
		lines    []string
		optional bool // a blank line that goes first when space is short
		chips    bool
	}
	var parts []part
	add := func(style lipgloss.Style, s string) {
		var lines []string
		for _, l := range balancedWrap(s, avail) {
			lines = append(lines, style.Render(l))
		}
		parts = append(parts, part{lines: lines})
	}
	blank := func(optional bool) { parts = append(parts, part{lines: []string{""}, optional: optional}) }
	add(st.AttractTitle, m.sanitize(p.Name))
	blank(true)
	add(st.Title, "政府信息公开 · 自助查阅")
	blank(false)
	offers := []string{"浏览公开目录:年度报告、政策文件", "逐节阅读;长者模式颜色更清楚、行距更宽", "全文搜索:可输入汉字,也可输入拼音或拼音首字母"}
	var list []string
	for _, o := range offers {
		// A hanging indent: wrapped lines start under the text, not
		// under the bullet.
		for i, l := range balancedWrap(o, avail-2) {
			if i == 0 {
				list = append(list, "· "+l)
			} else {
				list = append(list, "  "+l)
			}
		}
	}
	parts = append(parts, part{lines: list})
	if m.content.Pack != nil {
		blank(false)
		add(st.Subtle, "内容:"+m.sanitize(m.content.Pack.Manifest.Title)+"("+m.sanitize(m.content.Pack.Manifest.Version)+")")
	}
	if p.Hours != "" {
		add(st.Subtle, "开放时间:"+m.sanitize(p.Hours))
	}
	if m.preparing != nil {
		add(st.Subtle, m.preparingText())
	}
	blank(false)
	blank(true)
	// The call to action is one line with padding: shortened, never cut.
	ct := "按任意键或触摸屏幕开始"
	if lipgloss.Width(st.AttractCT.Render(ct)) > w {
		ct = "触摸屏幕开始"
	}
	for _, l := range balancedWrap(ct, max(w-st.AttractCT.GetHorizontalFrameSize(), 4)) {
		parts = append(parts, part{lines: []string{st.AttractCT.Render(l)}})
	}
	blank(true)
	chips, chipZones := m.fitChips(m.modeBindings(), avail)
	parts = append(parts, part{lines: []string{chips}, chips: true})

	// Too tall: optional blank lines go first, then blank lines, then the
	// parts above the call to action from the bottom (the chips and the
	// call to action stay: they are how to start and the 长者模式 switch).
	height := func() int {
		n := 0
		for _, pt := range parts {
			n += len(pt.lines)
		}
		return n
	}
	for _, drop := range []func(part) bool{
		func(pt part) bool { return pt.optional },
		func(pt part) bool { return len(pt.lines) == 1 && pt.lines[0] == "" },
	} {
		for i := len(parts) - 1; i >= 0 && height() > h; i-- {
			if drop(parts[i]) {
				parts = append(parts[:i], parts[i+1:]...)
			}
		}
	}
	for height() > h && len(parts) > 2 {
		parts = parts[1:] // the top goes: what is below says how to start
	}

	top := max((h-height())/2, 0)
	var out []string
	var zones []zone
	for range top {
		out = append(out, "")
	}
	for _, pt := range parts {
		bw := 0
		for _, l := range pt.lines {
			bw = max(bw, lipgloss.Width(l))
		}
		x := max((w-bw)/2, 0)
		if pt.chips {
			for _, z := range chipZones {
				z.x0, z.x1, z.y0, z.y1 = z.x0+x, z.x1+x, len(out), len(out)+1
				zones = append(zones, z)
			}
		}
		for _, l := range pt.lines {
			if l == "" {
				out = append(out, "")
				continue
			}
			out = append(out, strings.Repeat(" ", x)+l)
		}
	}
	body := fitLines(strings.Join(out, "\n"), w, h)
	// Anywhere else, a tap starts the visit.
	return body, append(zones, zone{x0: 0, y0: 0, x1: w, y1: h, tap: func() tea.Cmd { return m.start() }})
}

// balancedWrap wraps s to at most w cells like wrapLines, but with lines
// of even length, so the last line is not one character left over
// (…行距更 / 宽): of the widths that need no more lines than w does, the
// narrowest at which every line but the last ends at a pause (,;:、), else
// the narrowest (…颜 / 色更清楚、行距更宽 at 36 cells becomes
// …颜色更清楚、/ 行距更宽).
func balancedWrap(s string, w int) []string {
	lines := wrapLines(s, w)
	if len(lines) < 2 {
		return lines
	}
	lo, hi := 1, w // the narrowest width giving len(lines) lines is in (lo, hi]
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if len(wrapLines(s, mid)) <= len(lines) {
			hi = mid
		} else {
			lo = mid
		}
	}
	for cw := hi; cw <= w; cw++ {
		ls := wrapLines(s, cw)
		paused := true
		for _, l := range ls[:len(ls)-1] {
			r := []rune(strings.TrimRight(l, " "))
			paused = paused && len(r) > 0 && strings.ContainsRune(",;:、，；：", r[len(r)-1])
		}
		if paused {
			return ls
		}
	}
	return wrapLines(s, hi)
}
