package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	tea "charm.land/bubbletea/v2"

	"kiosk/content"
	"kiosk/tui/qr"
)

// recorderScript writes a /bin/sh script that appends its standard input
// (one job per line) to a file, and returns the script and the file.
func recorderScript(t *testing.T, pause string) (script, out string) {
	t.Helper()
	dir := t.TempDir()
	out = filepath.Join(dir, "received.txt")
	script = filepath.Join(dir, "record.sh")
	body := "#!/bin/sh\ncat >> '" + out + "'\necho >> '" + out + "'\nsleep " + pause + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, out
}

func TestElderModeKeepsPlaceAndGoldens(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	hs.press("a")
	hs.golden("home-80x24") // standard mode, same as TestGoldenScreens
	hs.press("z")
	hs.mustShow("标准模式")
	hs.golden("elder-home-80x24")
	hs.press("1")
	hs.golden("elder-document-80x24")
	hs.press("2", "pgdown")
	hs.golden("elder-reader-80x24")
	before := hs.m.top().(*readerScreen).offset
	// Switching back keeps the section and the place in it.
	hs.press("z")
	r := hs.m.top().(*readerScreen)
	if r.sec.Number != "1" || r.offset != before {
		t.Fatalf("switching modes lost the place: section %s offset %d, was 1/%d", r.sec.Number, r.offset, before)
	}
	if hs.m.View().BackgroundColor != nil {
		t.Fatal("standard mode still sets the terminal background")
	}
	hs.press("z")
	if hs.m.View().BackgroundColor == nil {
		t.Fatal("长者模式 does not paint its own background")
	}
}

func TestElderModeListsAtMostNineNumberedItems(t *testing.T) {
	hs := newHarness(t, 120, 40)
	hs.press("a", "z", "1")
	out := hs.plain()
	for _, n := range []string{" 1 ", " 9 "} {
		if !strings.Contains(out, n) {
			t.Fatalf("number %q missing:\n%s", n, out)
		}
	}
	// the tenth section (三、's third subsection) is on the next page
	if strings.Contains(out, "(三)放管服改革信息公开") {
		t.Fatalf("more than nine items on a 长者模式 page:\n%s", out)
	}
}

func TestTraditionalSwitchesUIAndContent(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "t")
	hs.mustShow("請選擇要查閱的文檔")
	hs.press("1", "2")
	hs.mustShow("工作概述")
	hs.mustShow("貫徹落實")
	hs.golden("trad-reader-80x24")
	hs.press("t")
	hs.mustShow("贯彻落实")
}

func TestIdleResetRestoresModes(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("a", "z", "t", "x", "enter")
	hs.press("a")
	hs.mustShow("请选择要查阅的文档")
	if hs.m.elder {
		t.Fatal("长者模式 survived the end of the visit")
	}
}

func TestHelpScreen(t *testing.T) {
	for _, sz := range sizes {
		hs := newHarness(t, sz[0], sz[1])
		hs.press("?")
		hs.mustShow("怎样使用本机")
		if sz[0] == 80 {
			hs.golden("help-80x24")
			hs.press("z")
			hs.golden("elder-help-80x24")
			hs.press("z")
			hs.press("pgdown")
			hs.mustShow("xzfy")
		}
	}
	hs := newHarness(t, 80, 24)
	hs.press("a")
	hs.clickText("帮助")
	hs.mustShow("怎样使用本机")
}

func TestReadAloudSpeaksSentencesAndMarksThem(t *testing.T) {
	script, out := recorderScript(t, "0.2")
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.SpeechCommand = script })
	hs.press("a", "1", "2", "r")
	isSpeech := func(m tea.Msg) bool { _, ok := m.(speechMsg); return ok }
	if !hs.contains("♫ 正在朗读第 1/") {
		hs.await(isSpeech)
	}
	hs.mustShow("♫ 正在朗读第 1/")
	hs.mustShow("暂停朗读")
	hs.golden("speaking-80x24")
	hs.press("z")
	hs.golden("elder-speaking-80x24")
	hs.press("z")
	hs.press("r")
	hs.mustShow("朗读已暂停")
	hs.mustShow("继续朗读")
	hs.press("r")
	// Let it read to the end.
	for hs.m.top().(*readerScreen).speakRun != 0 {
		hs.await(isSpeech)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(got), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if lines[0] != "一、工作概述" || !strings.HasPrefix(lines[1], "2018年,兰山区深入贯彻落实") {
		t.Fatalf("the recorder received %q", lines[:2])
	}
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, "及时办理、回复群众提交的公开申请。") {
		t.Fatalf("the last sentence received is %q", last)
	}
}

// Read-aloud whose program is missing is not offered (it could only say
// 未找到 …): not in the footer, not in the help, r does nothing; staff
// find why in the log. The same for a print command that is not there.
func TestReadAloudMissingCommandNotOffered(t *testing.T) {
	var logged []string
	hs := newHarness(t, 80, 24, func(d *Deps) {
		d.Config.Kiosk.SpeechCommand = "no-such-tts-program -v cmn"
		d.Config.Kiosk.PrintCommand = "no-such-lp -d kiosk"
		d.Log = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	})
	hs.press("a", "1", "2")
	for _, s := range []string{"朗读", "打印"} {
		if hs.contains(s) {
			t.Fatalf("%s offered without its program:\n%s", s, hs.plain())
		}
	}
	hs.press("r", "d")
	if hs.contains("不可用") || hs.m.speech.Active() {
		t.Fatalf("r or d acted:\n%s", hs.plain())
	}
	hs.press("?")
	for hs.m.top().(*helpScreen).offset+hs.m.top().(*helpScreen).height < len(hs.m.top().(*helpScreen).lines) {
		if hs.contains("朗读") || hs.contains("打印") {
			t.Fatalf("the help offers what is not there:\n%s", hs.plain())
		}
		hs.press("pgdown")
	}
	if log := strings.Join(logged, "\n"); !strings.Contains(log, "未找到 no-such-tts-program") || !strings.Contains(log, "未找到 no-such-lp") {
		t.Fatalf("staff log does not say why: %q", log)
	}
}

func TestReadAloudStopsOnIdleReset(t *testing.T) {
	dir := t.TempDir()
	slow := filepath.Join(dir, "slow.sh")
	os.WriteFile(slow, []byte("#!/bin/sh\ncat >/dev/null\nsleep 30\n"), 0o755)
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.SpeechCommand = slow })
	hs.press("a", "1", "2", "r")
	if !hs.m.speech.Active() {
		t.Fatal("not reading")
	}
	hs.clock.Add(3 * hs.m.idle)
	hs.send(idleMsg{})
	if hs.m.speech.Active() {
		t.Fatal("read-aloud went on after the idle reset")
	}
}

func TestPrintSendsPlainSection(t *testing.T) {
	script, out := recorderScript(t, "0")
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.PrintCommand = script })
	hs.press("a", "1", "2")
	hs.mustShow("打印")
	hs.press("d")
	if !hs.contains("已送去打印") {
		hs.await(func(m tea.Msg) bool { _, ok := m.(printedMsg); return ok })
	}
	hs.mustShow("已送去打印")
	got, _ := os.ReadFile(out)
	for _, want := range []string{"兰山区人民政府2018年政府信息公开工作年度报告", "lanshanqulsqzf/2019-0000001", "2019-01-22", "一、工作概述", "提升政府治理能力。"} {
		if !strings.Contains(string(got), want) {
			t.Fatalf("printed text lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "\x1b") {
		t.Fatal("escape sequences were printed")
	}
}

func TestPrintHiddenWithoutCommand(t *testing.T) {
	hs := newHarness(t, 120, 40)
	hs.press("a", "1", "2")
	if hs.contains("打印") {
		t.Fatal("the print control shows with no print command configured")
	}
}

func TestQRCodeForDocumentWithAddress(t *testing.T) {
	fsys := fstest.MapFS{
		"pack.toml": {Data: []byte("title = \"t\"\nversion = \"1\"\npublished = \"2026-11-20\"\npublisher = \"兰山区政府办公室\"\n")},
		"notice.md": {Data: []byte("---\n标题: 兰山区关于做好查阅点适老化改造的通知\n索引号: lanshanqulsqzf/2026-0000123\n发布机构: 兰山区政府办公室\n发布日期: 2026-11-20\n公开目录: 通知公告\n公开方式: 主动公开\n网址: http://www.lyls.gov.cn/info/1234/56789.htm\n---\n\n## 一、工作目标\n\n全区政府信息查阅点完成适老化改造。\n")},
	}
	p, probs := content.Load(fsys)
	if p == nil {
		t.Fatal(probs)
	}
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Content.Pack = p })
	hs.press("a", "1", "1")
	hs.mustShow("扫码")
	hs.press("m")
	hs.mustShow("用手机扫描下面的二维码")
	hs.mustShow("http://www.lyls.gov.cn/info/1234/56789.htm")
	if !strings.ContainsAny(hs.plain(), "▀▄█") {
		t.Fatal("no QR code drawn")
	}
	hs.golden("qr-80x24")
	hs.press("z")
	hs.golden("elder-qr-80x24")
	// A document without an address offers no scan.
	hs2 := newHarness(t, 120, 40)
	hs2.press("a", "1", "2")
	if hs2.contains("扫码") {
		t.Fatal("扫码 offered for a document without a web address")
	}
}

// The selected item is always on screen, in every mode and size.
func TestCursorAlwaysVisible(t *testing.T) {
	for _, sz := range sizes {
		for _, mode := range [][]string{nil, {"z"}} {
			hs := newHarness(t, sz[0], sz[1])
			hs.press("a")
			hs.press(mode...)
			hs.press("1")
			for i := range 40 {
				key := "down"
				if i%7 == 6 {
					key = "pgdown"
				}
				hs.press(key)
				if !strings.Contains(hs.plain(), "►") {
					t.Fatalf("%dx%d %v: after %d moves the selected item is off screen:\n%s", sz[0], sz[1], mode, i+1, hs.plain())
				}
			}
			// Enter opens the item shown as selected.
			var want string
			for _, l := range strings.Split(hs.plain(), "\n") {
				if i := strings.Index(l, "►"); i >= 0 {
					want = strings.TrimSpace(strings.TrimLeft(l[i+len("►"):], " 0123456789"))
				}
			}
			hs.press("enter")
			if r, ok := hs.m.top().(*readerScreen); !ok || !strings.HasPrefix(want, r.sec.DisplayTitle()[:6]) {
				t.Fatalf("Enter opened something else than the selected %q", want)
			}
		}
	}
}

func TestAttractChipsAreWhereTheyShow(t *testing.T) {
	for _, sz := range sizes {
		hs := newHarness(t, sz[0], sz[1])
		hs.clickText("繁體")
		if !hs.m.trad || len(hs.m.stack) == 0 {
			t.Fatalf("%v: a tap on 繁體 did not start the visit in 繁體", sz)
		}
		hs = newHarness(t, sz[0], sz[1])
		hs.clickText("帮助")
		hs.mustShow("怎样使用本机")
		hs = newHarness(t, sz[0], sz[1])
		hs.clickText("z 长者模式")
		if !hs.m.elder {
			t.Fatalf("%v: a tap on 长者模式 did not switch it on", sz)
		}
	}
}

func TestModeChipsNameFKeysWhileTyping(t *testing.T) {
	hs := newHarness(t, 80, 24, withIndex(t))
	hs.press("a", "s")
	hs.mustShow("F4 长者模式")
	hs.typeText("zt")
	hs.mustShow("搜索:zt")
	if hs.m.elder || hs.m.trad {
		t.Fatal("letters typed into the query switched modes")
	}
	hs.send(tea.KeyPressMsg{Code: tea.KeyF4})
	if !hs.m.elder {
		t.Fatal("F4 did not switch 长者模式 on while typing")
	}
}

// In 长者模式 the reader puts a blank line between lines, but never inside
// a table: there it made a wrapped cell's end look like a row of its own
// (统计报表, z, PgDn).
func TestElderModeKeepsTableRowsTogether(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 20}, {120, 40}} {
		hs := newHarness(t, sz[0], sz[1])
		hs.press("a", "z")
		doc := hs.m.content.Pack.Docs[0]
		rows := 0
		for _, sec := range doc.Sections {
			if sec.Parent == nil || sec.Parent.DisplayTitle() != "统计报表" {
				continue
			}
			hs.m.push(newReaderScreen(hs.m.env, sec))
			hs.m.layout() // what Update does after every message
			for page := 0; page < 40; page++ {
				lines := strings.Split(hs.plain(), "\n")
				for i := 1; i+1 < len(lines); i++ {
					if strings.Contains(lines[i], "│") {
						rows++
					}
					if strings.TrimSpace(lines[i]) == "" && strings.Contains(lines[i-1], "│") && strings.Contains(lines[i+1], "│") {
						t.Fatalf("%dx%d %s: a blank line inside a table:\n%s", sz[0], sz[1], sec.DisplayTitle(), hs.plain())
					}
				}
				r := hs.m.top().(*readerScreen)
				if r.offset >= r.maxOffset() {
					break
				}
				hs.press("pgdown")
			}
			hs.m.pop()
		}
		if rows == 0 {
			t.Fatalf("%dx%d: no table shown: the test checks nothing", sz[0], sz[1])
		}
	}
	// Text is still spaced out.
	hs := newHarness(t, 80, 24)
	hs.press("a", "z", "1", "2")
	lines := strings.Split(hs.plain(), "\n")
	if !strings.Contains(lines[3], "2018年") || strings.TrimSpace(lines[4]) != "" {
		t.Fatalf("长者模式 text lost its line spacing:\n%s", hs.plain())
	}
}

// At 40 columns the header has no room for every mode chip, but 长者模式's
// stays on every citizen screen: it shows that the mode is on and is the
// way back (a tap on it switches). Narrower, its label is shortened.
func TestElderChipStaysWhenNarrow(t *testing.T) {
	header := func(hs *harness) string { return strings.Split(hs.plain(), "\n")[0] }
	for _, elder := range []bool{false, true} {
		want := "长者模式"
		if elder {
			want = "标准模式"
		}
		hs := newHarness(t, 40, 20, withIndex(t))
		hs.press("a")
		if elder {
			hs.press("z")
		}
		screens := []struct {
			name string
			keys []string
		}{{"home", nil}, {"document", []string{"1"}}, {"reader", []string{"2"}}, {"help", []string{"?"}}, {"search", []string{"esc", "s"}}}
		for _, s := range screens {
			hs.press(s.keys...)
			if !strings.Contains(header(hs), want) {
				t.Fatalf("elder=%v %s at 40 columns: no %s chip:\n%s", elder, s.name, want, hs.plain())
			}
		}
		hs.clickText(want)
		if hs.m.elder == elder {
			t.Fatalf("elder=%v: a tap on the %s chip did not switch", elder, want)
		}
	}
	for _, elder := range []bool{false, true} {
		hs := newHarness(t, 24, 20)
		hs.press("a")
		if elder {
			hs.press("z")
		}
		hs.press("1")
		want := map[bool]string{false: "z 长者", true: "标准(z)"}[elder]
		if !strings.Contains(header(hs), want) {
			t.Fatalf("elder=%v at 24 columns: no shortened chip %q:\n%s", elder, want, hs.plain())
		}
	}
}

// jobs counts the print jobs the recorder script received.
func jobs(t *testing.T, out string) int {
	t.Helper()
	got, _ := os.ReadFile(out)
	return strings.Count(string(got), "lanshanqulsqzf/2019-0000001")
}

// One print job per document per visit (kiosk.print_limit), whatever is
// pressed; the screen says why d no longer prints, and a new visit may
// print again.
func TestPrintOncePerDocumentPerVisit(t *testing.T) {
	isPrinted := func(m tea.Msg) bool { _, ok := m.(printedMsg); return ok }
	script, out := recorderScript(t, "0.5") // the job is still printing while d is pressed on
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.PrintCommand = script })
	hs.press("a", "1", "2")
	hs.press("d", "d", "d", "d", "d", "d")
	hs.await(isPrinted)
	hs.mustShow("已送去打印")
	if n := jobs(t, out); n != 1 {
		t.Fatalf("d six times sent %d jobs, want 1", n)
	}
	hs.press("right") // another section of the same document
	hs.mustShow(alreadyPrinted)
	if hs.contains("d 打印") {
		t.Fatalf("the print button is still offered:\n%s", hs.plain())
	}
	hs.press("d")
	hs.mustShow(alreadyPrinted)
	if n := jobs(t, out); n != 1 {
		t.Fatalf("%d jobs after the limit", n)
	}
	// A new visit prints again.
	hs.press("x", "enter", "a", "1", "2")
	hs.mustShow("d 打印")
	hs.press("d")
	if !hs.contains("已送去打印") {
		hs.await(isPrinted)
	}
	if n := jobs(t, out); n != 2 {
		t.Fatalf("a new visit could not print: %d jobs", n)
	}

	// Staff may allow more.
	script, out = recorderScript(t, "0")
	hs = newHarness(t, 80, 24, func(d *Deps) {
		d.Config.Kiosk.PrintCommand = script
		d.Config.Kiosk.PrintLimit = 2
	})
	hs.press("a", "1", "2")
	for range 5 {
		hs.press("d")
		if hs.contains("正在打印") {
			hs.await(isPrinted)
		}
	}
	if n := jobs(t, out); n != 2 {
		t.Fatalf("print_limit 2 sent %d jobs", n)
	}

	// A failed job does not count.
	hs = newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.PrintCommand = "false" })
	hs.press("a", "1", "2", "d")
	if !hs.contains("打印失败") {
		hs.await(isPrinted)
	}
	hs.mustShow("打印失败")
	hs.mustShow("d 打印")
}

// The attract screen wraps each part and centres it as a block: no
// character is left alone on a line, the list's bullets align, nothing is
// lost, and the call to action and the mode chips always show.
func TestAttractWrapsThenCentres(t *testing.T) {
	offers := []string{"浏览公开目录:年度报告、政策文件", "逐节阅读;长者模式颜色更清楚、行距更宽", "全文搜索:可输入汉字,也可输入拼音或拼音首字母"}
	for _, sz := range [][2]int{{40, 20}, {30, 16}, {46, 20}, {52, 22}, {80, 24}, {120, 40}} {
		for _, elder := range []bool{false, true} {
			hs := newHarness(t, sz[0], sz[1], func(d *Deps) { d.Config.Kiosk.ElderMode = elder })
			lines := strings.Split(hs.plain(), "\n")
			var joined strings.Builder
			bullet := -1
			for i, l := range lines {
				text := strings.TrimSpace(l)
				if text == "" {
					continue
				}
				if n := len([]rune(text)); n == 1 {
					t.Fatalf("%v elder=%v: line %d is one character alone:\n%s", sz, elder, i, hs.plain())
				}
				if strings.HasPrefix(text, "· ") {
					col := strings.Index(l, "·")
					if bullet >= 0 && col != bullet {
						t.Fatalf("%v elder=%v: the list's bullets do not align:\n%s", sz, elder, hs.plain())
					}
					bullet = col
					joined.WriteString("\n")
					text = strings.TrimPrefix(text, "· ")
				}
				joined.WriteString(text)
			}
			for _, o := range offers {
				if !strings.Contains(joined.String(), o) {
					t.Fatalf("%v elder=%v: %q is not whole on the screen:\n%s", sz, elder, o, hs.plain())
				}
			}
			hs.mustShow("触摸屏幕开始")
			if !hs.contains("长者模式") && !hs.contains("标准模式") {
				t.Fatalf("%v elder=%v: no 长者模式 chip:\n%s", sz, elder, hs.plain())
			}
		}
	}
}

func qrPack(t *testing.T) *content.Pack {
	t.Helper()
	fsys := fstest.MapFS{
		"pack.toml": {Data: []byte("title = \"t\"\nversion = \"1\"\npublished = \"2026-11-20\"\npublisher = \"兰山区政府办公室\"\n")},
		"notice.md": {Data: []byte("---\n标题: 兰山区关于做好查阅点适老化改造的通知\n索引号: lanshanqulsqzf/2026-0000123\n发布机构: 兰山区政府办公室\n发布日期: 2026-11-20\n公开目录: 通知公告\n公开方式: 主动公开\n网址: http://www.lyls.gov.cn/info/1234/56789.htm\n---\n\n## 一、工作目标\n\n全区政府信息查阅点完成适老化改造。\n")},
	}
	p, probs := content.Load(fsys)
	if p == nil {
		t.Fatal(probs)
	}
	return p
}

// The QR screen shows the whole code and the whole address, or says the
// screen is too small and shows the address: never a cut code.
func TestQRCodeWholeOrNotAtAll(t *testing.T) {
	const url = "http://www.lyls.gov.cn/info/1234/56789.htm"
	code, err := qr.Render(url)
	if err != nil {
		t.Fatal(err)
	}
	codeLines := strings.Split(code, "\n")
	shown := 0
	for _, sz := range [][2]int{{40, 20}, {40, 24}, {34, 30}, {33, 30}, {60, 21}, {60, 22}, {80, 24}, {120, 40}} {
		hs := newHarness(t, sz[0], sz[1], func(d *Deps) { d.Content.Pack = qrPack(t) })
		hs.press("a", "1", "1", "m")
		lines := strings.Split(hs.plain(), "\n")
		var text strings.Builder
		for _, l := range lines {
			text.WriteString(strings.TrimSpace(l))
		}
		if !strings.Contains(text.String(), "网址:"+url) {
			t.Fatalf("%v: the address is not whole:\n%s", sz, hs.plain())
		}
		at := -1
		for i, l := range lines {
			if strings.TrimSpace(l) == codeLines[0] {
				at = i
				break
			}
		}
		switch {
		case at >= 0:
			shown++
			for k, cl := range codeLines {
				if at+k >= len(lines) || strings.TrimSpace(lines[at+k]) != cl {
					t.Fatalf("%v: the code is cut at its line %d:\n%s", sz, k, hs.plain())
				}
			}
		case hs.contains("屏幕太小,无法显示二维码"):
		default:
			t.Fatalf("%v: neither the code nor why it is missing:\n%s", sz, hs.plain())
		}
	}
	if shown == 0 {
		t.Fatal("the code showed at no size")
	}
}
