package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	tea "charm.land/bubbletea/v2"

	"kiosk/content"
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
	hs.press("a", "z", "t", "x")
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

func TestReadAloudMissingCommandSaysSo(t *testing.T) {
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Config.Kiosk.SpeechCommand = "no-such-tts-program -v cmn" })
	hs.press("a", "1", "2", "r")
	hs.mustShow("语音播报不可用")
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
	hs.clock.Add(3 * hs.m.d.Idle)
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
	hs := newHarness(t, 80, 24, func(d *Deps) { d.Pack = p })
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
