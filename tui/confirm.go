package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// confirmScreen asks before a step that cannot be undone (ending the
// visit forgets what the citizen opened and typed; leaving the kiosk
// closes it). Its two buttons, 确定 and 取消, come from its bindings: the
// footer shows them with their keys, and the body shows them large for a
// finger; both are tap targets.
type confirmScreen struct {
	keys     *keyMap
	title    string // the breadcrumb
	question string
	detail   string
	yes      func(e *env) tea.Cmd
}

// staffConfirm is a confirmation asked of staff: their input is not a
// visit.
type staffConfirm struct{ *confirmScreen }

func (staffConfirm) staff() {}

// confirmEndVisit asks before 结束浏览 ends the visit.
func confirmEndVisit(e *env) screen {
	return &confirmScreen{keys: &e.keys, title: "结束浏览", question: "结束本次浏览吗?",
		detail: "您打开的内容和输入的文字都会清除,屏幕回到开始画面。",
		yes:    func(e *env) tea.Cmd { e.nav.toAttract(); return nil }}
}

// confirmQuit asks staff before the kiosk program ends.
func confirmQuit(e *env) screen {
	return staffConfirm{&confirmScreen{keys: &e.keys, title: "工作人员", question: "退出自助终端吗?",
		detail: "本程序将关闭,市民无法再使用本机,直到重新启动。",
		yes: func(e *env) tea.Cmd {
			e.logf("staff left the kiosk")
			return e.nav.quit()
		}}}
}

func (c *confirmScreen) crumbs() []string { return []string{c.title} }

func (c *confirmScreen) bindings() []binding {
	yes, no := c.keys.Submit, c.keys.cancel()
	return []binding{yes, no}
}

// typed swallows text keys: nothing is typed here, and Chinese typed
// must not start a search over the question.
func (c *confirmScreen) typed(e *env, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if _, ok := lookup(c.bindings(), msg); ok {
		return false, nil
	}
	return isText(msg) && !hasModeKey(e, msg), nil
}

// hasModeKey reports a key of the header's mode switches (z, t, ?), which
// work here as everywhere.
func hasModeKey(e *env, msg tea.KeyPressMsg) bool {
	_, ok := lookup(e.modeKeys(false), msg)
	return ok
}

func (c *confirmScreen) do(e *env, a action) tea.Cmd {
	switch a {
	case actSubmit:
		return c.yes(e)
	case actBack:
		e.nav.pop()
	}
	return nil
}

func (c *confirmScreen) number(e *env, n int) tea.Cmd { return nil }

func (c *confirmScreen) wheel(e *env, delta int) {}

func (c *confirmScreen) layout(e *env, w, h int) (string, []zone) {
	var lines []string
	lines = append(lines, "")
	for _, l := range wrapLines(c.question, w-2) {
		lines = append(lines, " "+e.st.Title.Render(l))
	}
	lines = append(lines, "")
	for _, l := range wrapLines(c.detail, w-2) {
		lines = append(lines, " "+l)
	}
	lines = append(lines, "")
	// The buttons, large: each a three-line block, from the bindings.
	var zones []zone
	var blocks []string
	x := 1
	for _, b := range c.bindings() {
		label := " " + b.Help().Key + " " + b.Help().Desc + " "
		if e.st.elder {
			label = " " + b.Help().Desc + "(" + b.Help().Key + ") " // words first, as in the footer
		}
		style := e.st.Button
		if b.act == actSubmit {
			style = e.st.ItemSelected
		}
		block := style.Padding(1, 2).Render(label)
		bw := lipgloss.Width(block)
		if x+bw > w && x > 1 {
			break // no room beside: the footer has both
		}
		act := b.act
		zones = append(zones, zone{x0: x, x1: x + bw, y0: len(lines), y1: len(lines) + lipgloss.Height(block), tap: func() tea.Cmd {
			return c.do(e, act)
		}})
		blocks = append(blocks, block)
		x += bw + 3
	}
	row := lipgloss.JoinHorizontal(lipgloss.Top, interleave(blocks, "   ")...)
	for _, l := range strings.Split(row, "\n") {
		lines = append(lines, " "+l)
	}
	return strings.Join(lines, "\n"), zones
}

// interleave puts sep between the strings of ss.
func interleave(ss []string, sep string) []string {
	var out []string
	for i, s := range ss {
		if i > 0 {
			out = append(out, sep)
		}
		out = append(out, s)
	}
	return out
}
