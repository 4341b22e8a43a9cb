package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"kiosk/config"
	"kiosk/content"
	"kiosk/visits"
)

var sizes = [][2]int{{80, 24}, {120, 40}}

func TestGoldenScreens(t *testing.T) {
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			hs := newHarness(t, w, h, withIndex(t))
			name := func(s string) string { return fmt.Sprintf("%s-%dx%d", s, w, h) }
			hs.golden(name("attract"))
			hs.press("a")
			hs.golden(name("home"))
			hs.press("1")
			hs.golden(name("document"))
			hs.press("2")
			hs.golden(name("reader"))
			hs.press("pgdown")
			hs.golden(name("reader-pgdown"))
			hs.press("s")
			hs.typeText("xzfy")
			hs.settle()
			hs.golden(name("search"))
			hs.press("enter")
			hs.golden(name("search-results"))
			if w == 80 {
				hs.press("f4") // letters type in the results; the modes are on F-keys
				hs.golden("elder-search-results-80x24")
				hs.press("f4")
			}
			hs.press("1")
			hs.golden(name("reader-match"))
			hs.press("f12")
			hs.golden(name("pin"))
		})
	}
}

func TestStartsOnAttractAndAnyKeyStarts(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.mustShow("按任意键或触摸屏幕开始")
	hs.mustShow("金雀山街道查阅点")
	if n := hs.visits.count("activity"); n != 0 {
		t.Fatalf("a visit was counted before any input: %v", hs.visits.calls)
	}
	hs.press("x")
	hs.mustShow("公开目录")
	hs.mustShow("兰山区人民政府2018年政府信息公开工作年度报告")
	if hs.visits.count("activity") != 1 {
		t.Fatalf("the first key did not begin a visit: %v", hs.visits.calls)
	}
}

func TestTapStartsAndOpensItems(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.click(40, 12)
	hs.mustShow("请选择要查阅的文档")
	hs.clickText("兰山区人民政府2018年政府信息公开工作年度报告")
	hs.mustShow("索引号:lanshanqulsqzf/2019-0000001")
	hs.clickText("一、工作概述")
	hs.mustShow("第 2/")
	if hs.visits.count("section") != 1 {
		t.Fatalf("opening a section was not counted: %v", hs.visits.calls)
	}
	// Footer tap targets act like their keys.
	hs.clickText("下一节")
	hs.mustShow("二、主动公开政府信息情况")
	hs.clickText("上一节")
	hs.mustShow("一、工作概述")
	hs.clickText("返回")
	hs.mustShow("目录")
	hs.clickText("首页")
	hs.mustShow("请选择要查阅的文档")
}

func TestNumberKeysOpenVisibleItems(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "1")
	hs.mustShow("目录")
	// Item 3 of the contents is 二、… (0 is the lead, 1 一、).
	hs.press("3")
	hs.mustShow("二、主动公开政府信息情况")
	hs.press("esc")
	// Full-width digits from an input method work too.
	hs.press("２")
	hs.mustShow("一、工作概述")
}

func TestKeysNavigate(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "enter")
	hs.mustShow("目录")
	hs.press("down", "enter")
	hs.mustShow("一、工作概述")
	hs.press("right")
	hs.mustShow("二、主动公开政府信息情况")
	hs.press("left", "left")
	hs.mustShow("前言")
	hs.press("backspace")
	hs.mustShow("目录")
	hs.press("enter", "h")
	hs.mustShow("请选择要查阅的文档")
}

func TestNextSectionWalksSubsections(t *testing.T) {
	hs := newHarness(t, 120, 40)
	hs.press("a", "1")
	// open 二、… then its first subsection via the contents
	hs.press("4")
	hs.mustShow("(一)组织领导和制度建设")
	hs.press("n")
	hs.mustShow("(二)主动公开基本情况")
	hs.press("n", "n")
	hs.mustShow("三、政务主动公开情况")
}

func TestIdleResetForgetsEverything(t *testing.T) {
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Idle = 2 * time.Second })
	hs.press("a", "1", "2", "pgdown")
	hs.clock.Add(1000 * time.Millisecond)
	hs.send(idleMsg{}) // an early tick re-arms, does not reset
	if hs.contains("还在看吗") {
		t.Fatal("the countdown shows too early")
	}
	hs.clock.Add(500 * time.Millisecond)
	hs.send(idleMsg{})
	hs.mustShow("一、工作概述")
	hs.mustShow("还在看吗?")
	hs.mustShow("1 秒后结束本次浏览")
	if hs.contains("回到首页") {
		t.Fatal("the countdown says 回到首页, but the visit ends on the attract screen")
	}
	hs.clock.Add(600 * time.Millisecond)
	hs.send(idleMsg{})
	hs.mustShow("按任意键或触摸屏幕开始")
	if hs.visits.count("idle-end") != 1 {
		t.Fatalf("idle did not end the visit: %v", hs.visits.calls)
	}
	// The next visitor starts fresh: the home list, cursor at the top.
	hs.press("enter")
	hs.mustShow("请选择要查阅的文档")
	hs.press("enter")
	hs.mustShow("目录")
	if strings.Contains(hs.plain(), "已读") {
		t.Fatal("reader state survived the idle reset")
	}
}

func TestEndVisitButton(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "1")
	hs.clickText("结束浏览")
	hs.mustShow("结束本次浏览吗")
	if hs.visits.count("end") != 0 {
		t.Fatalf("结束浏览 ended the visit without asking: %v", hs.visits.calls)
	}
	hs.clickText("确定")
	hs.mustShow("按任意键或触摸屏幕开始")
	if hs.visits.count("end") != 1 {
		t.Fatalf("结束浏览, 确定 did not end the visit: %v", hs.visits.calls)
	}
}

func TestLockdownKeysDoNothing(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "1")
	before := hs.plain()
	for _, k := range []string{"ctrl+c", "ctrl+z", "ctrl+\\", "ctrl+d", "q"} {
		_, cmd := hs.m.Update(tea.KeyPressMsg(keyNames[k]))
		if k == "q" {
			_, cmd = hs.m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
		}
		if cmd != nil {
			if msg := cmd(); msg != nil {
				if _, quit := msg.(tea.QuitMsg); quit {
					t.Fatalf("%s quits the kiosk", k)
				}
			}
		}
		if hs.m.Quitting() {
			t.Fatalf("%s left the kiosk", k)
		}
	}
	if hs.plain() != before {
		t.Fatal("a lockdown key changed the screen")
	}
}

func TestStaffExitNeedsPIN(t *testing.T) {
	hash, err := config.HashPIN("2468")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.StaffPINHash = hash })
	hs.press("a") // a citizen's visit is open when staff arrive
	hs.press("f12")
	hs.mustShow("请输入工作人员 PIN")
	hs.press("1", "2", "3", "4", "enter")
	hs.mustShow("PIN 不正确")
	hs.press("2", "4", "6", "8")
	hs.mustShow("● ● ● ●")
	hs.press("enter")
	hs.mustShow("退出自助终端")
	if n := hs.visits.count("activity"); n != 1 {
		t.Fatalf("staff input was counted as citizen activity: %v", hs.visits.calls)
	}
	if n := hs.visits.count("idle-end"); n != 1 {
		t.Fatalf("the PIN did not end the open visit at its last citizen input: %v", hs.visits.calls)
	}
	hs.press("down", "enter")
	hs.mustShow("退出自助终端吗")
	if hs.m.Quitting() {
		t.Fatal("退出自助终端 left the kiosk without asking")
	}
	hs.press("esc")
	hs.mustShow("返回自助终端")
	hs.press("down", "enter")
	hs.clickText("确定")
	if !hs.m.Quitting() {
		t.Fatal("退出自助终端, 确定 did not leave the kiosk")
	}
	if n := hs.visits.count("activity"); n != 1 {
		t.Fatalf("staff input on the confirmation was counted as citizen activity: %v", hs.visits.calls)
	}
}

func TestPINLocksAfterFiveFailures(t *testing.T) {
	hash, _ := config.HashPIN("2468")
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.StaffPINHash = hash })
	hs.press("f12")
	for range 5 {
		hs.press("1", "1", "1", "1", "enter")
	}
	hs.mustShow("已锁定 5 分钟")
	hs.press("2", "4", "6", "8", "enter")
	hs.mustShow("已锁定")
	hs.clock.Add(5*time.Minute + time.Second)
	hs.press("2", "4", "6", "8", "enter")
	hs.mustShow("退出自助终端")
}

func TestNoPINConfiguredExplainsAndStays(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("f12", "1", "2", "3", "4", "enter")
	hs.mustShow("kiosk staff set-pin")
	if hs.m.Quitting() {
		t.Fatal("left without a PIN")
	}
	hs.press("esc")
	hs.mustShow("按任意键或触摸屏幕开始")
}

func TestResizeRelaysEverything(t *testing.T) {
	hs := newHarness(t, 120, 40)
	hs.press("a", "1", "4", "pgdown")
	for _, sz := range [][2]int{{80, 24}, {40, 15}, {200, 60}, {100, 30}} {
		hs.resize(sz[0], sz[1])
		out := hs.plain() // checks geometry
		if !strings.Contains(out, "组织领导和制度建设") && !strings.Contains(out, "主动公开政府信息情况") {
			t.Fatalf("at %dx%d the reader lost its section:\n%s", sz[0], sz[1], out)
		}
	}
}

func TestWheelScrollsReader(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "1", "3")
	before := hs.plain()
	hs.send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelDown})
	if hs.plain() == before {
		t.Fatal("the wheel did not scroll")
	}
	hs.send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelUp})
	if hs.plain() != before {
		t.Fatal("wheel up did not scroll back")
	}
}

// Every screen at every width from 40 to 200 fits: geometry is checked by
// frame() on each.
func TestEveryScreenFitsEveryWidth(t *testing.T) {
	for w := 40; w <= 200; w += 7 {
		for _, mode := range [][]string{nil, {"z"}, {"t"}, {"z", "t"}} {
			everyScreenAt(t, w, mode)
		}
	}
}

func everyScreenAt(t *testing.T, w int, mode []string) {
	{
		hs := newHarness(t, w, 24, withIndex(t))
		hs.frame()
		hs.press("a")
		hs.press(mode...)
		hs.frame()
		hs.press("?")
		hs.frame()
		hs.press("pgdown", "pgdown", "pgdown")
		hs.frame()
		hs.press("esc", "s")
		hs.typeText("xzfy")
		hs.settle()
		hs.frame()
		hs.press("enter", "1")
		hs.frame()
		hs.press("h")
		hs.frame()
		hs.press("1")
		hs.frame()
		for range len(hs.m.content.Pack.Docs[0].Sections) {
			hs.press("down")
		}
		hs.frame()
		hs.press("enter")
		hs.frame()
		hs.press("f12")
		hs.frame()
	}
}

func TestStaffPanelShowsFiguresAndChart(t *testing.T) {
	hash, _ := config.HashPIN("2468")
	sum := visits.Summary{Now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local), Today: 3, Month: 45, Year: 300}
	sum.Months[0], sum.Months[10] = 100, 45
	hs := newHarness(t, 80, 24, func(d *Deps) {
		d.Config.Kiosk.StaffPINHash = hash
		d.Summary = func() (visits.Summary, error) { return sum, nil }
	})
	hs.press("f12", "2", "4", "6", "8", "enter")
	hs.mustShow("今天 3 ∙ 本月 45 ∙ 今年 300")
	hs.mustShow("2026 年各月访客")
	out := hs.plain()
	jan, nov := barLen(out, " 1月 "), barLen(out, "11月 ")
	if jan <= nov || nov == 0 {
		t.Fatalf("bars do not follow the counts (Jan %d cells, Nov %d cells):\n%s", jan, nov, out)
	}
	hs.golden("staff-80x24")
}

// An enrolled kiosk's staff panel says how uploading to the office hub
// goes; the hub's words are untrusted and shown without escapes.
func TestStaffPanelShowsTheHub(t *testing.T) {
	hash, _ := config.HashPIN("2468")
	hs := newHarness(t, 80, 24, func(d *Deps) {
		d.Config.Kiosk.StaffPINHash = hash
		d.HubInfo = func() string {
			return "上传失败:凭证无效或已被吊销,请重新注册\x1b[2J,未上传 12 人次"
		}
	})
	hs.press("f12", "2", "4", "6", "8", "enter")
	hs.mustShow("区汇总服务:上传失败:凭证无效或已被吊销,请重新注册")
	hs.mustShow("未上传 12 人次")
	hs.frame() // fails on any escape sequence but SGR
}

// barLen counts the █ on the line starting with label.
func barLen(screen, label string) int {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " "), strings.TrimLeft(label, " ")) {
			return strings.Count(l, "█")
		}
	}
	return -1
}

func TestBackPointsAtSectionLastRead(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "1", "2", "right", "right", "esc", "enter")
	hs.mustShow("三、政务主动公开情况")
}

// Untrusted bytes never reach the terminal: a pack built directly (not
// through the loader, which also cleans) with escape sequences in its
// title, metadata and text renders without any of them.
func TestEscapeSequencesInContentAreRemoved(t *testing.T) {
	evil := "\x1b]52;c;aGVsbG8=\x07\x1b]0;pwned\x07\x1b[2J\u009b31m\x1bP1$q\x1b\\"
	doc := &content.Document{Meta: content.Meta{Title: "恶意标题" + evil, IndexNo: "x/1", Publisher: "机构" + evil,
		Date: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Catalogue: "目录" + evil, Mode: "主动公开"}}
	sec := &content.Section{Doc: doc, Number: "1", Title: "第一节" + evil, Level: 2, Text: "正文" + evil + "继续。"}
	doc.Sections = []*content.Section{sec}
	p := &content.Pack{Manifest: content.Manifest{Title: "包" + evil, Version: "1"}, Docs: []*content.Document{doc}}
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Content.Pack = p })
	hs.frame() // frame() fails on any escape sequence but SGR
	hs.press("a")
	hs.frame()
	hs.press("1")
	hs.frame()
	hs.press("1")
	hs.mustShow("正文")
	hs.mustShow("继续。")
	if strings.Contains(hs.m.View().Content, "pwned") && strings.Contains(hs.m.View().Content, "\x1b]") {
		t.Fatal("an OSC sequence reached the screen")
	}
}

// memGuard is a PINGuard shared by two sessions, as a file is by two runs.
type memGuard struct{ st PINState }

func (g *memGuard) Load() PINState         { return g.st }
func (g *memGuard) Save(st PINState) error { g.st = st; return nil }

func TestPINLockoutOutlivesTheSession(t *testing.T) {
	hash, _ := config.HashPIN("2468")
	guard := &memGuard{}
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.StaffPINHash = hash; d.PINGuard = guard })
	hs.press("f12")
	for range 5 {
		hs.press("1", "1", "1", "1", "enter")
	}
	hs.mustShow("已锁定 5 分钟")
	// A restarted kiosk (a new session) is still locked.
	hs2 := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.StaffPINHash = hash; d.PINGuard = guard })
	hs2.press("f12", "2", "4", "6", "8", "enter")
	hs2.mustShow("已锁定")
}

// 结束浏览 asks first, with 确定 and 取消 as keys, footer buttons and big
// body buttons; 取消 keeps the citizen's place; ^X while typing asks too.
func TestEndVisitAsksFirst(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	hs.press("a", "1", "2", "pgdown")
	offset := hs.m.top().(*readerScreen).offset
	hs.press("x")
	hs.mustShow("结束本次浏览吗")
	lines := strings.Split(hs.plain(), "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "Enter 确定") || !strings.Contains(footer, "Esc 取消") {
		t.Fatalf("the footer does not offer 确定 and 取消: %q", footer)
	}
	hs.typeText("政府") // typing does not start a search over the question
	hs.mustShow("结束本次浏览吗")
	hs.press("esc")
	if r, ok := hs.m.top().(*readerScreen); !ok || r.offset != offset {
		t.Fatalf("取消 lost the place:\n%s", hs.plain())
	}
	// The big body button (the first 取消 on screen is in the body).
	hs.press("x")
	hs.clickText("Esc 取消")
	if _, ok := hs.m.top().(*readerScreen); !ok {
		t.Fatalf("a tap on 取消 did not go back:\n%s", hs.plain())
	}
	hs.press("x", "enter")
	hs.mustShow("按任意键或触摸屏幕开始")
	if hs.visits.count("end") != 1 {
		t.Fatalf("确定 did not end the visit: %v", hs.visits.calls)
	}
	// While typing a search: ^X asks too; 长者模式 words the buttons.
	hs.press("a", "s")
	hs.typeText("低保")
	hs.press("f4", "ctrl+x")
	hs.mustShow("结束本次浏览吗")
	hs.mustShow("确定(Enter)")
	hs.press("esc")
	hs.mustShow("搜索:低保")
}

// The idle countdown is an overlay over the page: big digits, what happens
// then, a 继续浏览 button; the key or tap that dismisses it does nothing
// else, and the page is as it was.
func TestIdleOverlayDismissesOnly(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 20}, {120, 40}, {40, 12}} {
		hs := newHarness(t, sz[0], sz[1], func(d *Deps) { d.Idle = 60 * time.Second })
		hs.press("a", "1", "2", "pgdown")
		before := hs.plain()
		offset := hs.m.top().(*readerScreen).offset
		countdown := func() {
			hs.clock.Add(48 * time.Second)
			hs.send(idleMsg{})
			hs.mustShow("还在看吗?")
			hs.mustShow("12 秒后结束本次浏览")
			hs.mustShow("继续浏览")
			if sz[1] >= 20 && !hs.contains("█ ███") { // 12 in big digits: the 1's stem, the 2's top
				t.Fatalf("%v: no big countdown:\n%s", sz, hs.plain())
			}
		}
		for _, dismiss := range []func(){
			func() { hs.press("pgdown") },
			func() { hs.press("x") },
			func() { hs.press("esc") },
			func() { hs.clickText("继续浏览") },
			func() { hs.click(sz[0]-2, sz[1]-1) }, // where a footer button was
			func() { hs.send(tea.MouseWheelMsg{X: 1, Y: 3, Button: tea.MouseWheelDown}) },
		} {
			countdown()
			dismiss()
			if hs.contains("还在看吗") {
				t.Fatalf("%v: the countdown stays after input:\n%s", sz, hs.plain())
			}
			r, ok := hs.m.top().(*readerScreen)
			if !ok || len(hs.m.stack) != 3 || r.offset != offset || hs.plain() != before {
				t.Fatalf("%v: the input that dismissed the countdown also acted:\n%s", sz, hs.plain())
			}
		}
		if hs.visits.count("end") != 0 || hs.visits.count("idle-end") != 0 {
			t.Fatalf("the visit ended: %v", hs.visits.calls)
		}
		// Left alone, the countdown ends the visit.
		countdown()
		hs.clock.Add(13 * time.Second)
		hs.send(idleMsg{})
		hs.mustShow("按任意键或触摸屏幕开始")
	}
}
