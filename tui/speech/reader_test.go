package speech

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// recorder writes a /bin/sh script into a temporary folder that appends
// what it is asked to speak, one line per call, to a log, then runs extra
// (e.g. "sleep 1"). It returns the command line and the log's path.
func recorder(t *testing.T, useArg bool, extra string) (command, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "spoken.log")
	script := filepath.Join(dir, "say")
	body := "#!/bin/sh\n"
	if useArg {
		body += `printf '%s\n' "${2#--text=}" >> "$1"` + "\n"
	} else {
		body += `cat >> "$1"` + "\n"
	}
	body += extra + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	command = fmt.Sprintf("'%s' '%s'", script, log)
	if useArg {
		command += " --text={text}"
	}
	return command, log
}

func spoken(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// collect reads a run's events until the channel closes.
func collect(t *testing.T, ch <-chan Event) []Event {
	t.Helper()
	var evs []Event
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return evs
			}
			evs = append(evs, ev)
		case <-timeout:
			t.Fatalf("run did not end; events so far %v", evs)
		}
	}
}

func texts(ss []Sentence) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Text)
	}
	return out
}

func TestReaderSpeaksEverySentenceInOrder(t *testing.T) {
	for _, useArg := range []bool{false, true} {
		t.Run(fmt.Sprintf("arg=%v", useArg), func(t *testing.T) {
			cmd, log := recorder(t, useArg, "")
			r := New(cmd)
			if err := r.Available(); err != nil {
				t.Fatal(err)
			}
			ss := Split("## 一、总体情况\n2018年，我区认真贯彻《条例》。公开信息 1,234 条！\n| 指标 | 单位 |\n|---|---|\n| 主动公开 | 条 |\n$HOME `rm -rf /`; 'quoted' \"x\"")
			id, ch := r.Start(ss, 0)
			evs := collect(t, ch)
			want := []Event{}
			for i := range ss {
				want = append(want, Event{Run: id, Kind: Started, Index: i})
			}
			want = append(want, Event{Run: id, Kind: Finished})
			if !reflect.DeepEqual(evs, want) {
				t.Errorf("events\n got %v\nwant %v", evs, want)
			}
			wantText := []string{"一、总体情况", "2018年，我区认真贯彻《条例》。", "公开信息 1,234 条！", "指标,单位", "主动公开,条", `$HOME rm -rf /;`, `'quoted' "x"`}
			if got := spoken(t, log); !reflect.DeepEqual(got, wantText) {
				t.Errorf("spoken\n got %q\nwant %q", got, wantText)
			}
			if r.Active() {
				t.Error("still active after Finished")
			}
		})
	}
}

func TestReaderStartFrom(t *testing.T) {
	cmd, log := recorder(t, false, "")
	r := New(cmd)
	ss := Split("一。二。三。四。")
	id, ch := r.Start(ss, 2)
	evs := collect(t, ch)
	want := []Event{{Run: id, Kind: Started, Index: 2}, {Run: id, Kind: Started, Index: 3}, {Run: id, Kind: Finished}}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("events %v, want %v", evs, want)
	}
	if got := spoken(t, log); !reflect.DeepEqual(got, []string{"三。", "四。"}) {
		t.Errorf("spoken %q", got)
	}
	// Nothing left to read.
	id, ch = r.Start(ss, 9)
	if evs := collect(t, ch); !reflect.DeepEqual(evs, []Event{{Run: id, Kind: Finished}}) {
		t.Errorf("events %v", evs)
	}
}

// waitFor polls until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// gone reports whether process pid has ended: no longer exists, or a
// zombie waiting for its (new) parent when it was a grandchild.
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && (f[0] == "Z" || f[0] == "X")
}

func TestReaderStopMidSentence(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses /proc")
	}
	dir := t.TempDir()
	pids := filepath.Join(dir, "pids")
	// Each call records its own pid and that of a long sleep it waits on.
	cmd, log := recorder(t, false, `echo "$$" >> '`+pids+`'; sleep 30 & echo "$!" >> '`+pids+`'; wait`)
	r := New(cmd)
	ss := Split("第一句。第二句。第三句。")
	id, ch := r.Start(ss, 0)
	if ev := <-ch; ev != (Event{Run: id, Kind: Started, Index: 0}) {
		t.Fatalf("first event %v", ev)
	}
	waitFor(t, "the sleep", func() bool { b, _ := os.ReadFile(pids); return strings.Count(string(b), "\n") == 2 })
	start := time.Now()
	r.Stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop took %v", d)
	}
	if evs := collect(t, ch); !reflect.DeepEqual(evs, []Event{{Run: id, Kind: Stopped}}) {
		t.Errorf("events after Stop %v", evs)
	}
	b, _ := os.ReadFile(pids)
	f := strings.Fields(string(b))
	sh, _ := strconv.Atoi(f[0])
	sleep, _ := strconv.Atoi(f[1])
	// The shell was our child: Stop reaped it, so not even a zombie is left.
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", sh)); err == nil {
		t.Errorf("the command (pid %d) is still there after Stop", sh)
	}
	waitFor(t, "the sleep to be killed", func() bool { return gone(sleep) })
	if got := spoken(t, log); !reflect.DeepEqual(got, []string{"第一句。"}) {
		t.Errorf("spoken %q", got)
	}
	if r.Active() {
		t.Error("active after Stop")
	}
	r.Stop() // idle: no effect
}

func TestReaderPauseResume(t *testing.T) {
	cmd, log := recorder(t, false, "sleep 0.4")
	r := New(cmd)
	ss := Split("一。二。三。")
	id, ch := r.Start(ss, 0)
	<-ch // Started 0
	waitFor(t, "the first sentence", func() bool { return len(spoken(t, log)) == 1 })
	r.Pause()
	if !r.Paused() {
		t.Fatal("not paused")
	}
	// Paused mid-sentence: the process group is stopped, so its sleep does
	// not end and the next sentence does not start.
	time.Sleep(1200 * time.Millisecond)
	if got := spoken(t, log); !reflect.DeepEqual(got, []string{"一。"}) {
		t.Fatalf("spoken while paused %q", got)
	}
	select {
	case ev := <-ch:
		t.Fatalf("event while paused: %v", ev)
	default:
	}
	r.Resume()
	evs := collect(t, ch)
	want := []Event{{Run: id, Kind: Started, Index: 1}, {Run: id, Kind: Started, Index: 2}, {Run: id, Kind: Finished}}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("events %v, want %v", evs, want)
	}
	if got := spoken(t, log); !reflect.DeepEqual(got, texts(ss)) {
		t.Errorf("spoken %q", got)
	}
}

func TestReaderStopWhilePaused(t *testing.T) {
	cmd, log := recorder(t, false, "sleep 0.2")
	r := New(cmd)
	id, ch := r.Start(Split("一。二。三。"), 0)
	<-ch
	waitFor(t, "the first sentence", func() bool { return len(spoken(t, log)) == 1 })
	r.Pause()
	r.Stop()
	if evs := collect(t, ch); !reflect.DeepEqual(evs, []Event{{Run: id, Kind: Stopped}}) {
		t.Errorf("events %v", evs)
	}
	if r.Paused() {
		t.Error("still paused after Stop")
	}
	if got := spoken(t, log); len(got) != 1 {
		t.Errorf("spoken %q", got)
	}
}

// TestReaderRestart: Start while a run is in progress ends the old run
// (its waiter gets Stopped and a closed channel) before the new one begins.
func TestReaderRestart(t *testing.T) {
	cmd, log := recorder(t, false, "sleep 0.3")
	r := New(cmd)
	id1, ch1 := r.Start(Split("旧一。旧二。旧三。"), 0)
	<-ch1
	waitFor(t, "the first sentence", func() bool { return len(spoken(t, log)) == 1 })
	id2, ch2 := r.Start(Split("新一。新二。"), 0)
	if id2 == id1 {
		t.Fatal("same run id")
	}
	if evs := collect(t, ch1); !reflect.DeepEqual(evs, []Event{{Run: id1, Kind: Stopped}}) {
		t.Errorf("old run events %v", evs)
	}
	evs := collect(t, ch2)
	if len(evs) != 3 || evs[2].Kind != Finished || evs[2].Run != id2 {
		t.Errorf("new run events %v", evs)
	}
	if got := spoken(t, log); !reflect.DeepEqual(got, []string{"旧一。", "新一。", "新二。"}) {
		t.Errorf("spoken %q", got)
	}
}

func TestReaderMissingCommand(t *testing.T) {
	for cmd, want := range map[string]string{
		"/nonexistent/bin/espeak-ng -v cmn": "语音播报不可用:未找到 espeak-ng",
		"no-such-tts-program-kiosk":         "语音播报不可用:未找到 no-such-tts-program-kiosk",
		`espeak-ng "-v cmn`:                 "语音播报不可用:命令有误(双引号没有配对)",
	} {
		r := New(cmd)
		err := r.Available()
		if err == nil || err.Error() != want {
			t.Errorf("New(%q).Available() = %v, want %s", cmd, err, want)
		}
		id, ch := r.Start(Split("你好。"), 0)
		evs := collect(t, ch)
		if len(evs) != 1 || evs[0].Kind != Failed || evs[0].Run != id || evs[0].Err == nil || evs[0].Err.Error() != want {
			t.Errorf("%q: events %v", cmd, evs)
		}
	}
	if New("").Command() != DefaultCommand {
		t.Error("empty command is not the default")
	}
}

func TestReaderCommandFails(t *testing.T) {
	r := New(`/bin/sh -c 'cat >/dev/null; echo "no audio device" >&2; exit 3'`)
	id, ch := r.Start(Split("一。二。"), 0)
	evs := collect(t, ch)
	if len(evs) != 2 || evs[0].Kind != Started || evs[1].Kind != Failed || evs[1].Index != 0 || evs[1].Run != id {
		t.Fatalf("events %v", evs)
	}
	if got, want := evs[1].Err.Error(), "语音播报失败:sh 退出码 3(no audio device)"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// TestReaderNoLeaks: runs that finish, fail and are stopped leave no
// goroutine behind.
func TestReaderNoLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	cmd, _ := recorder(t, false, "sleep 0.1")
	r := New(cmd)
	for i := 0; i < 5; i++ {
		_, ch := r.Start(Split("一。二。"), 0)
		if i%2 == 0 {
			r.Stop()
		}
		collect(t, ch)
	}
	// An abandoned run: nobody reads its events.
	r.Start(Split("一。"), 0)
	r.Stop()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

// TestTextIsNeverAnOption: a sentence given as an argument of its own comes
// after "--", so one starting with "-" is spoken, not taken as an option;
// text inside an option (--text={text}) or on standard input needs none.
func TestTextIsNeverAnOption(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "argv.log")
	script := filepath.Join(dir, "say")
	body := "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\" >> '" + log + "'; done\necho >> '" + log + "'\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	ss := []Sentence{{Text: "-5℃以下停课。"}}
	for _, c := range []struct{ args, want string }{
		{"-v cmn {text}", "[-v][cmn][--][-5℃以下停课。]"},
		{"-v cmn -- {text}", "[-v][cmn][--][-5℃以下停课。]"},
		{"--text={text}", "[--text=-5℃以下停课。]"},
		{"-v cmn", "[-v][cmn]"},
	} {
		os.Remove(log)
		r := New("'" + script + "' " + c.args)
		_, ch := r.Start(ss, 0)
		if evs := collect(t, ch); evs[len(evs)-1].Kind != Finished {
			t.Fatalf("%s: %v", c.args, evs)
		}
		got, _ := os.ReadFile(log)
		if strings.TrimSpace(string(got)) != c.want {
			t.Errorf("%s: argv %s, want %s", c.args, strings.TrimSpace(string(got)), c.want)
		}
	}
}
