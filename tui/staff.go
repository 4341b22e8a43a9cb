package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// PIN entry: after this many wrong PINs in a row the entry locks.
const (
	maxPINFailures = 5
	pinLockout     = 5 * time.Minute
)

// pinScreen asks for the staff PIN after the hidden staff key. Input here
// is staff input: it never begins or extends a visit.
type pinScreen struct {
	keys   *keyMap
	digits string
	msg    string
}

func newPINScreen(m *Model) *pinScreen { return &pinScreen{keys: &m.keys} }

func (p *pinScreen) staff() {}

func (p *pinScreen) crumbs() []string { return []string{"工作人员"} }

func (p *pinScreen) bindings() []binding {
	return []binding{p.keys.Submit, p.keys.Delete, p.keys.Cancel}
}

func (p *pinScreen) typed(m *Model, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if n := numberKey(msg); n > 0 || msg.String() == "0" || msg.String() == "０" {
		if len(p.digits) < 12 {
			p.digits += fmt.Sprint(n)
		}
		p.msg = ""
		return true, nil
	}
	return false, nil
}

func (p *pinScreen) number(m *Model, n int) tea.Cmd { return nil }

func (p *pinScreen) wheel(m *Model, delta int) {}

func (p *pinScreen) do(m *Model, a action) tea.Cmd {
	switch a {
	case actDelete:
		if p.digits != "" {
			p.digits = p.digits[:len(p.digits)-1]
		}
	case actBack:
		m.pop()
	case actSubmit:
		return p.submit(m)
	}
	return nil
}

func (p *pinScreen) submit(m *Model) tea.Cmd {
	now := m.d.Now()
	if m.d.Config.Kiosk.StaffPINHash == "" {
		p.msg = "尚未设置工作人员 PIN。请在终端运行 kiosk staff set-pin 设置后重新启动。"
		return nil
	}
	if now.Before(m.pinLockedUntil) {
		p.digits = ""
		p.msg = fmt.Sprintf("PIN 错误次数过多,已锁定,请于 %s 后再试。", m.pinLockedUntil.Format("15:04"))
		return nil
	}
	pin := p.digits
	p.digits = ""
	if !m.d.Config.CheckPIN(pin) {
		m.pinFailures++
		m.logf("staff PIN rejected (%d in a row)", m.pinFailures)
		if m.pinFailures >= maxPINFailures {
			m.pinFailures = 0
			m.pinLockedUntil = now.Add(pinLockout)
			m.logf("staff PIN entry locked until %s", m.pinLockedUntil.Format(time.RFC3339))
			p.msg = fmt.Sprintf("PIN 连续错误 %d 次,已锁定 5 分钟。", maxPINFailures)
			return nil
		}
		p.msg = fmt.Sprintf("PIN 不正确(还可再试 %d 次)。", maxPINFailures-m.pinFailures)
		return nil
	}
	m.pinFailures = 0
	m.logf("staff PIN accepted")
	m.replace(newStaffPanel(m))
	return nil
}

func (p *pinScreen) body(m *Model, w, h int) (string, []zone) {
	var lines []string
	lines = append(lines, "", " "+m.st.Title.Render("工作人员验证"), "")
	for _, l := range wrapLines("请输入工作人员 PIN,按 Enter 确认;按 Esc 取消。", w-2) {
		lines = append(lines, " "+l)
	}
	lines = append(lines, "", " PIN:"+strings.Repeat("● ", len(p.digits))+"_", "")
	if p.msg != "" {
		for _, l := range wrapLines(p.msg, w-2) {
			lines = append(lines, " "+m.st.Error.Render(l))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// staffPanel is what staff see after the PIN: this point and the way out.
type staffPanel struct {
	keys *keyMap
	list *list
}

func newStaffPanel(m *Model) *staffPanel {
	items := []listItem{
		{title: "返回自助终端", meta: "回到待机画面,自助终端继续服务", open: func(m *Model) tea.Cmd {
			m.reset(false)
			return nil
		}},
		{title: "退出自助终端", meta: "关闭本程序(系统服务会按设置重新启动它)", open: func(m *Model) tea.Cmd {
			m.logf("staff left the kiosk")
			m.quit = true
			return tea.Quit
		}},
	}
	return &staffPanel{keys: &m.keys, list: newList(items)}
}

func (s *staffPanel) staff() {}

func (s *staffPanel) crumbs() []string { return []string{"工作人员"} }

func (s *staffPanel) bindings() []binding {
	return []binding{s.keys.Up, s.keys.Down, s.keys.Open, s.keys.Back}
}

func (s *staffPanel) do(m *Model, a action) tea.Cmd {
	if a == actBack {
		m.reset(false)
		return nil
	}
	cmd, _ := s.list.do(m, a)
	return cmd
}

func (s *staffPanel) number(m *Model, n int) tea.Cmd { return s.list.number(m, n) }

func (s *staffPanel) wheel(m *Model, delta int) { s.list.wheel(delta) }

func (s *staffPanel) body(m *Model, w, h int) (string, []zone) {
	p := m.d.Config.Point
	var top []string
	info := []string{
		"查阅点:" + m.d.Sanitize(p.Name) + "(" + m.d.Sanitize(p.ID) + ")",
		"级别:" + m.d.Config.LevelLabel(p.Level),
	}
	if m.d.Pack != nil {
		info = append(info, "内容:"+m.d.Sanitize(m.d.Pack.Manifest.Title)+" 版本 "+m.d.Sanitize(m.d.Pack.Manifest.Version))
	}
	for _, i := range info {
		for _, l := range wrapLines(i, w-2) {
			top = append(top, " "+l)
		}
	}
	top = append(top, "")
	list, zones := s.list.render(m, w, max(h-len(top), 1))
	for i := range zones {
		zones[i].y0 += len(top)
		zones[i].y1 += len(top)
	}
	return strings.Join(top, "\n") + "\n" + list, zones
}
