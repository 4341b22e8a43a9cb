package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kiosk/visits"
)

// These tests run the real kiosk binary in tmux, as a citizen's terminal
// would: real key presses, a real idle timer, a real SIGKILL.

// binDir holds the kiosk binary built once for this package's tests.
var binDir string

func TestMain(m *testing.M) {
	if dir := os.Getenv("KIOSK_TEST_HOLD_DATA_LOCK"); dir != "" {
		holdDataLock(dir) // never returns
	}
	d, err := os.MkdirTemp("", "kiosk-e2e-bin-")
	if err != nil {
		panic(err)
	}
	binDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

var buildOnce = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "kiosk")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func kioskBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is needed for the end-to-end tests (.ci/run installs it)")
		}
		t.Skip("tmux is not installed: the end-to-end tests through a real terminal are skipped (apt-get install tmux)")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// tmuxTerm is one tmux server with one 80x24 pane running a command.
type tmuxTerm struct {
	t      *testing.T
	socket string
}

func newTerm(t *testing.T, command string) *tmuxTerm {
	t.Helper()
	tm := &tmuxTerm{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	tm.tmux("new-session", "-d", "-x", "80", "-y", "24", "exec "+command)
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmuxTerm) screen() string { return tm.tmux("capture-pane", "-p") }

func (tm *tmuxTerm) keys(keys ...string) { tm.tmux(append([]string{"send-keys"}, keys...)...) }

// waitFor polls the screen until it shows text (10 s at most).
func (tm *tmuxTerm) waitFor(text string) {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(tm.screen(), text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.t.Fatalf("screen never showed %q:\n%s", text, tm.screen())
}

func (tm *tmuxTerm) pid() int {
	tm.t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(tm.tmux("display-message", "-p", "#{pane_pid}")))
	if err != nil {
		tm.t.Fatal(err)
	}
	return pid
}

type exportJSON struct {
	Year   int `json:"year"`
	Total  int `json:"total"`
	Visits []struct {
		ID    string `json:"id"`
		Point string `json:"point"`
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"visits"`
}

func exportVisits(t *testing.T, bin, data string) exportJSON {
	t.Helper()
	out, err := exec.Command(bin, "--data", data, "visits", "export", "--year", strconv.Itoa(time.Now().Year()), "--format", "json").Output()
	if err != nil {
		t.Fatalf("visits export: %v", err)
	}
	var e exportJSON
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	return e
}

func TestKioskCountsThreeVisits(t *testing.T) {
	bin := kioskBinary(t)
	data := t.TempDir()
	tm := newTerm(t, bin+" --data "+data+" --idle 1s")
	for i := range 3 {
		tm.waitFor("按任意键或触摸屏幕开始")
		tm.keys("a")
		tm.waitFor("请选择要查阅的文档")
		tm.keys("1")
		tm.waitFor("索引号")
		if i == 2 {
			tm.keys("x") // 结束浏览 ends the last one explicitly
			tm.waitFor("结束本次浏览吗")
			tm.keys("Enter")
		}
	}
	tm.waitFor("按任意键或触摸屏幕开始")
	if e := exportVisits(t, bin, data); e.Total != 3 || len(e.Visits) != 3 {
		t.Fatalf("exported %d visits (total %d), want 3", len(e.Visits), e.Total)
	}
}

// TestKioskSIGKILLNeverLosesAVisit kills the kiosk at random moments of
// visits; every visit whose first key press was answered on screen must be
// counted exactly once after a restart, and closed.
func TestKioskSIGKILLNeverLosesAVisit(t *testing.T) {
	bin := kioskBinary(t)
	data := t.TempDir()
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	confirmed, unconfirmed := 0, 0
	for i := range 12 {
		tm := newTerm(t, bin+" --data "+data+" --idle 1s")
		tm.waitFor("按任意键或触摸屏幕开始")
		pid := tm.pid()
		tm.keys("a")
		if i%3 == 2 {
			// Kill without waiting for the answer: the visit may or may
			// not have begun, but it must never be counted twice.
			time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
			unconfirmed++
		} else {
			tm.waitFor("请选择要查阅的文档")
			confirmed++
			for range rng.IntN(4) {
				tm.keys([]string{"1", "Down", "Enter", "PageDown", "Escape"}[rng.IntN(5)])
				time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
			}
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		exec.Command("tmux", "-S", tm.socket, "kill-server").Run()
	}
	// A normal start closes what the kills left open.
	tm := newTerm(t, bin+" --data "+data+" --idle 1s")
	tm.waitFor("按任意键或触摸屏幕开始")
	syscall.Kill(tm.pid(), syscall.SIGKILL)

	e := exportVisits(t, bin, data)
	if len(e.Visits) < confirmed || len(e.Visits) > confirmed+unconfirmed {
		t.Fatalf("%d visits stored; %d were begun for certain and %d perhaps", len(e.Visits), confirmed, unconfirmed)
	}
	seen := map[string]bool{}
	for _, v := range e.Visits {
		if seen[v.ID] {
			t.Fatalf("visit %s counted twice", v.ID)
		}
		seen[v.ID] = true
		if v.End == "" {
			t.Fatalf("visit %s was not closed after the restart", v.ID)
		}
	}
	if e.Total != len(e.Visits) {
		t.Fatalf("total %d but %d visits listed", e.Total, len(e.Visits))
	}
}

// TestKioskFirstStartBuildsIndexInsideTheScreen starts the kiosk on a new
// data folder: the search index is built behind the kiosk screen, which
// says so in Chinese only; nothing is written to the terminal, so nothing
// is left there after staff leave.
func TestKioskFirstStartBuildsIndexInsideTheScreen(t *testing.T) {
	bin := kioskBinary(t)
	data := t.TempDir()
	set := exec.Command(bin, "--data", data, "staff", "set-pin")
	set.Stdin = strings.NewReader("2468\n2468\n")
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("set-pin: %v\n%s", err, out)
	}
	tm := newTerm(t, "sh -c '"+bin+" --data "+data+"; echo KIOSK-EXITED; sleep 60'")
	tm.waitFor("按任意键或触摸屏幕开始")
	tm.keys("a")
	tm.waitFor("s 搜索") // offered once the index is built
	tm.keys("F12")
	tm.waitFor("工作人员验证")
	tm.keys("2", "4", "6", "8", "Enter")
	tm.waitFor("退出自助终端")
	tm.keys("3")
	tm.waitFor("退出自助终端吗")
	tm.keys("Enter")
	tm.waitFor("KIOSK-EXITED")
	if s := tm.screen(); strings.Contains(s, "索引") || strings.Contains(s, "index") {
		t.Fatalf("index building was written to the terminal:\n%s", s)
	}
}

// TestSecondKioskRefused starts a kiosk, begins a visit on it, then starts a
// second kiosk on the same data folder: the second must refuse, naming the
// first one's process id, and must not close the first one's visit as
// "recovered". After the first is killed, a kiosk starts on the folder
// (the lock file it left does not block) and recovers that visit.
func TestSecondKioskRefused(t *testing.T) {
	bin := kioskBinary(t)
	data := t.TempDir()
	first := newTerm(t, bin+" --data "+data+" --idle 60s")
	first.waitFor("按任意键或触摸屏幕开始")
	first.keys("a")
	first.waitFor("请选择要查阅的文档")

	out, err := exec.Command(bin, "--data", data).CombinedOutput()
	if err == nil || !strings.Contains(string(out), fmt.Sprintf("进程号 %d", first.pid())) {
		t.Fatalf("second kiosk: %v\n%s", err, out)
	}
	vs := storedVisits(t, data)
	if len(vs) != 1 || vs[0].Ended != "" || !vs[0].End.IsZero() {
		t.Fatalf("the first kiosk's visit after the second started: %+v", vs)
	}

	syscall.Kill(first.pid(), syscall.SIGKILL)
	again := newTerm(t, bin+" --data "+data+" --idle 60s")
	again.waitFor("按任意键或触摸屏幕开始")
	syscall.Kill(again.pid(), syscall.SIGKILL)
	if vs := storedVisits(t, data); len(vs) != 1 || vs[0].Ended != "recovered" {
		t.Fatalf("after a restart: %+v", vs)
	}
}

func storedVisits(t *testing.T, data string) []visits.Visit {
	t.Helper()
	s, err := visits.OpenReadOnly(filepath.Join(data, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vs, err := s.Visits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return vs
}
