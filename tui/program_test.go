package tui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"kiosk/config"
	"kiosk/render"
)

// TestProgramLockdownAndStaffExit runs the model in a real Bubble Tea
// program: the keys that end an ordinary program do not end this one, and
// the staff key with the right PIN does.
func TestProgramLockdownAndStaffExit(t *testing.T) {
	hash, err := config.HashPIN("1357")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Kiosk.StaffPINHash = hash
	m := New(Deps{Content: Content{Pack: defaultPack(t)}, Options: Options{Config: cfg, Renderer: render.New(render.Options{Style: "dark"}), Sanitize: render.Sanitize}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm.Output(), "按任意键或触摸屏幕开始")
	tm.Send(tea.KeyPressMsg{Code: 'a', Text: "a"})
	waitFor(t, tm.Output(), "请选择要查阅的文档")
	for _, k := range []tea.KeyPressMsg{
		{Code: 'c', Mod: tea.ModCtrl}, {Code: 'z', Mod: tea.ModCtrl}, {Code: '\\', Mod: tea.ModCtrl},
		{Code: 'd', Mod: tea.ModCtrl}, {Code: 'q', Text: "q"},
	} {
		tm.Send(k)
	}
	// Still alive: it answers the next key.
	tm.Send(tea.KeyPressMsg{Code: '1', Text: "1"})
	waitFor(t, tm.Output(), "索引号")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyF12})
	waitFor(t, tm.Output(), "工作人员验证")
	tm.Type("1357")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm.Output(), "退出自助终端")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm.Output(), "退出自助终端吗")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if !tm.FinalModel(t).(*Model).Quitting() {
		t.Fatal("program ended without the staff exit")
	}
}

// TestProgramIdleResetWithRealTimer uses the real clock and a 1 s idle.
func TestProgramIdleResetWithRealTimer(t *testing.T) {
	m := New(Deps{Content: Content{Pack: defaultPack(t)}, Options: Options{Config: testConfig(), Idle: time.Second,
		Renderer: render.New(render.Options{Style: "dark"}), Sanitize: render.Sanitize}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm.Output(), "按任意键或触摸屏幕开始")
	tm.Send(tea.KeyPressMsg{Code: 'a', Text: "a"})
	waitFor(t, tm.Output(), "请选择要查阅的文档")
	waitFor(t, tm.Output(), "按任意键或触摸屏幕开始")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, r io.Reader, text string) {
	t.Helper()
	teatest.WaitFor(t, r, func(b []byte) bool {
		return bytes.Contains(b, []byte(text)) || strings.Contains(stripped(b), text)
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// stripped removes escape sequences: the renderer may move the cursor
// between the characters of a line it only partly redraws.
func stripped(b []byte) string {
	var out strings.Builder
	s := string(b)
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			j := i + 1
			if j < len(s) && s[j] == '[' {
				j++
				for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
					j++
				}
			}
			i = j
			continue
		}
		out.WriteByte(s[i])
	}
	return out.String()
}
