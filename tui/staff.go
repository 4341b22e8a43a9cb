package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"kiosk/visits"
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

func newPINScreen(e *env) *pinScreen { return &pinScreen{keys: &e.keys} }

func (p *pinScreen) staff() {}

func (p *pinScreen) crumbs() []string { return []string{"工作人员"} }

func (p *pinScreen) bindings() []binding {
	return []binding{p.keys.Submit, p.keys.Delete, p.keys.cancel()}
}

func (p *pinScreen) typed(e *env, msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if d, ok := digit(msg); ok {
		if len(p.digits) < 12 {
			p.digits += string(d)
		}
		p.msg = ""
		return true, nil
	}
	return false, nil
}

func (p *pinScreen) number(e *env, n int) tea.Cmd { return nil }

func (p *pinScreen) wheel(e *env, delta int) {}

func (p *pinScreen) do(e *env, a action) tea.Cmd {
	switch a {
	case actDelete:
		if p.digits != "" {
			p.digits = p.digits[:len(p.digits)-1]
		}
	case actBack:
		e.nav.pop()
	case actSubmit:
		return p.submit(e)
	}
	return nil
}

func (p *pinScreen) submit(e *env) tea.Cmd {
	now := e.opts.Now()
	if e.opts.Config.Kiosk.StaffPINHash == "" {
		p.msg = "尚未设置工作人员 PIN。请在终端运行 kiosk staff set-pin 设置后重新启动。"
		return nil
	}
	st := e.pinState()
	if now.Before(st.LockedUntil) {
		p.digits = ""
		p.msg = fmt.Sprintf("PIN 错误次数过多,已锁定,请于 %s 后再试。", st.LockedUntil.Format("15:04"))
		return nil
	}
	pin := p.digits
	p.digits = ""
	if !e.opts.Config.CheckPIN(pin) {
		st.Failures++
		e.logf("staff PIN rejected (%d in a row)", st.Failures)
		if st.Failures >= maxPINFailures {
			st = PINState{LockedUntil: now.Add(pinLockout)}
			e.logf("staff PIN entry locked until %s", st.LockedUntil.Format(time.RFC3339))
			p.msg = fmt.Sprintf("PIN 连续错误 %d 次,已锁定 5 分钟。", maxPINFailures)
		} else {
			p.msg = fmt.Sprintf("PIN 不正确(还可再试 %d 次)。", maxPINFailures-st.Failures)
		}
		e.setPINState(st)
		return nil
	}
	e.setPINState(PINState{})
	e.logf("staff PIN accepted")
	// Staff time is never a visit: a citizen's visit still open ends at
	// the citizen's last input (PIN keys are not citizen input).
	if e.opts.Visits != nil {
		e.note(e.opts.Visits.IdleEnd())
	}
	e.nav.replace(newStaffPanel(e))
	return nil
}

func (p *pinScreen) layout(e *env, w, h int) (string, []zone) {
	var lines []string
	lines = append(lines, "", " "+e.st.Title.Render("工作人员验证"), "")
	for _, l := range wrapLines(fmt.Sprintf("请输入工作人员 PIN,按 %s 确认;按 %s 取消。", p.keys.Submit.Help().Key, p.keys.cancel().Help().Key), w-2) {
		lines = append(lines, " "+l)
	}
	lines = append(lines, "", " PIN:"+strings.Repeat("● ", len(p.digits))+"_", "")
	if p.msg != "" {
		for _, l := range wrapLines(p.msg, w-2) {
			lines = append(lines, " "+e.st.Error.Render(l))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// staffPanel is what staff see after the PIN: this point, the live
// content, the visit figures with a chart per month, and the ways out.
type staffPanel struct {
	keys    *keyMap
	list    *list
	summary visits.Summary
	sumErr  error
	info    string // content version line
	hub     string // how uploading to the office hub goes (HubInfo)
	notice  string
}

func newStaffPanel(e *env) *staffPanel {
	sp := &staffPanel{keys: &e.keys}
	items := []listItem{
		{title: "返回自助终端(回到待机画面)", open: func(e *env) tea.Cmd {
			e.nav.toAttract()
			return nil
		}},
	}
	if e.opts.Reload != nil {
		items = append(items, listItem{title: "重新载入内容(立即换用最新安装的版本)", open: func(e *env) tea.Cmd {
			return sp.reload(e)
		}})
	}
	items = append(items, listItem{title: "退出自助终端(关闭本程序)", open: func(e *env) tea.Cmd {
		e.nav.push(confirmQuit(e))
		return nil
	}})
	sp.list = newList(items)
	sp.refresh(e)
	return sp
}

// refresh reads the figures shown (on opening and after a reload).
func (sp *staffPanel) refresh(e *env) {
	if e.opts.Summary != nil {
		sp.summary, sp.sumErr = e.opts.Summary()
	}
	sp.info = ""
	if e.content.Pack != nil {
		sp.info = e.content.Pack.Manifest.Title + " 版本 " + e.content.Pack.Manifest.Version
	}
	if e.opts.ContentInfo != nil {
		sp.info = e.opts.ContentInfo()
	}
	if e.opts.HubInfo != nil {
		sp.hub = e.opts.HubInfo()
	}
}

type staffReloadMsg struct {
	c  Content
	ok bool
}

func (sp *staffPanel) reload(e *env) tea.Cmd {
	sp.notice = "正在载入…"
	reload := e.opts.Reload
	return func() tea.Msg {
		c, ok := reload()
		return staffReloadMsg{c: c, ok: ok}
	}
}

func (sp *staffPanel) reloaded(e *env, msg staffReloadMsg) {
	if !msg.ok {
		sp.notice = "没有更新的内容版本,继续使用当前内容。"
		return
	}
	// Staff are at the kiosk: no visit is in progress, switch now.
	e.nav.switchNow(msg.c)
	sp.refresh(e)
	sp.notice = "已换用新内容。"
}

func (sp *staffPanel) update(e *env, msg tea.Msg) (tea.Cmd, bool) {
	if msg, ok := msg.(staffReloadMsg); ok {
		sp.reloaded(e, msg)
		return nil, true
	}
	return nil, false
}

func (sp *staffPanel) staff() {}

func (sp *staffPanel) crumbs() []string { return []string{"工作人员"} }

func (sp *staffPanel) bindings() []binding {
	return []binding{sp.keys.Up, sp.keys.Down, sp.keys.Open, sp.keys.Back}
}

func (sp *staffPanel) do(e *env, a action) tea.Cmd {
	if a == actBack {
		e.nav.toAttract()
		return nil
	}
	cmd, _ := sp.list.do(e, a)
	return cmd
}

func (sp *staffPanel) number(e *env, n int) tea.Cmd { return sp.list.number(e, n) }

func (sp *staffPanel) wheel(e *env, delta int) { sp.list.wheel(delta) }

func (sp *staffPanel) layout(e *env, w, h int) (string, []zone) {
	p := e.opts.Config.Point
	st := e.st
	var top []string
	add := func(s string) {
		for _, l := range wrapLines(s, w-2) {
			top = append(top, " "+l)
		}
	}
	add("查阅点:" + e.sanitize(p.Name) + "(" + e.sanitize(p.ID) + ")· " + e.opts.Config.LevelLabel(p.Level))
	add("内容:" + e.sanitize(sp.info))
	if e.opts.HubInfo != nil {
		add("区汇总服务:" + e.sanitize(sp.hub))
	}
	if sp.notice != "" {
		add(st.Notice.Render(sp.notice))
	}
	top = append(top, "")
	list, zones := sp.list.layout(e, w, len(sp.list.items))
	for i := range zones {
		zones[i].y0 += len(top)
		zones[i].y1 += len(top)
	}
	lines := append(top, strings.Split(list, "\n")...)
	lines = append(lines, "")
	switch {
	case e.opts.Summary == nil:
		lines = append(lines, " 访客统计不可用(访客记录未打开)。")
	case sp.sumErr != nil:
		lines = append(lines, " "+st.Error.Render("访客统计读取失败:"+sp.sumErr.Error()))
	default:
		lines = append(lines, sp.chart(e, w)...)
	}
	return strings.Join(lines, "\n"), zones
}

// chart is the visit summary and a bar per month of this year.
func (sp *staffPanel) chart(e *env, w int) []string {
	s := sp.summary
	st := e.st
	out := []string{
		fmt.Sprintf(" 访客(人次):今天 %d · 本月 %d · 今年 %d", s.Today, s.Month, s.Year),
		" " + st.Title.Render(fmt.Sprintf("%d 年各月访客(人次)", s.Now.Year())),
	}
	peak := 1
	for _, n := range s.Months {
		peak = max(peak, n)
	}
	barMax := max(w-16, 4)
	for i, n := range s.Months {
		bar := strings.Repeat("█", n*barMax/peak)
		if n > 0 && bar == "" {
			bar = "▏"
		}
		out = append(out, fmt.Sprintf(" %3s %s %d", fmt.Sprintf("%d月", i+1), st.Notice.Render(bar), n))
	}
	return out
}

// PINState is the count of wrong staff PINs in a row and the lockout.
type PINState struct {
	Failures    int
	LockedUntil time.Time
}

// PINGuard keeps PINState where a restart (or another session) sees it,
// so switching the kiosk off and on does not reset the lockout.
type PINGuard interface {
	Load() PINState
	Save(PINState) error
}
