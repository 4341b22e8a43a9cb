package speech

import (
	"bytes"
	"errors"
	"fmt"
	"kiosk/tui/cmdline"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultCommand is the read-aloud command when none is configured:
// espeak-ng's Mandarin voice, playing on the default sound device.
const DefaultCommand = "espeak-ng -v cmn"

// Placeholder, inside any argument of the command, is replaced by the
// sentence ("say {text}", "tts --text={text}"). Without a placeholder the
// sentence is written to the command's standard input, followed by a
// newline and end of file (what espeak-ng, festival --tts and piper read).
//
// An argument that begins with the placeholder gets "--" before it (unless
// it has one), so a sentence beginning with "-" (-5℃, a list dash) is
// never read as an option: espeak-ng 1.51, like every getopt program,
// takes "--" as the end of its options and speaks what follows (checked:
// espeak-ng -v cmn -x -q -- "--help" speaks the word). Put such an
// argument last: what follows "--" is text too. A program that does not
// know "--" gets it as an argument: give it the text in an option
// (--text={text}) or on standard input instead.
const Placeholder = "{text}"

// Kind says what an Event reports.
type Kind int

const (
	// Started: the command began speaking sentence Index.
	Started Kind = iota
	// Finished: every sentence was spoken. Last event of a run.
	Finished
	// Stopped: Stop (or a new Start) ended the run. Last event of a run.
	Stopped
	// Failed: the command could not be run or failed on sentence Index;
	// Err says why, in Chinese. Last event of a run.
	Failed
)

func (k Kind) String() string {
	switch k {
	case Started:
		return "started"
	case Finished:
		return "finished"
	case Stopped:
		return "stopped"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event reports a run's progress.
type Event struct {
	Run   int // the run, as returned by Start
	Kind  Kind
	Index int // the sentence (index into the slice given to Start)
	Err   error
}

// Reader speaks sentences one at a time with a text-to-speech command.
// Create one per session with New; its methods are safe to call from any
// goroutine. At most one run is active: Start stops the previous one.
//
// Pause suspends the command's process group (SIGSTOP), so speech halts
// mid-sentence at once; Resume continues it (SIGCONT). Audio already
// queued in the sound server (a fraction of a second) may still play.
// Pausing between sentences also holds the next one back.
//
// Stop kills the command's whole process group (SIGKILL) and waits until
// it has been reaped: no process is left running and no zombie remains.
type Reader struct {
	command string
	argv    []string
	argErr  error

	mu     sync.Mutex
	runs   int           // runs started so far; the last one's id
	cur    *run          // the active run, nil when idle
	child  *os.Process   // the command speaking now, nil between sentences
	paused bool          // Pause was called and not yet Resume
	resume chan struct{} // closed by Resume; nil when not paused
}

type run struct {
	id     int
	stop   chan struct{} // closed by Stop
	done   chan struct{} // closed when the run's goroutine has ended
	events chan Event
}

// New returns a Reader for a command line such as "espeak-ng -v cmn"
// (empty means DefaultCommand). The line is split into arguments like a
// shell would (quotes and backslashes work) but no shell is run, so
// nothing in it or in the text is expanded. A malformed line is reported
// by Available and by every run, not here.
func New(command string) *Reader {
	if strings.TrimSpace(command) == "" {
		command = DefaultCommand
	}
	r := &Reader{command: command}
	r.argv, r.argErr = cmdline.Split(command)
	if r.argErr == nil && len(r.argv) == 0 {
		r.argErr = errors.New("命令为空")
	}
	return r
}

// Command returns the configured command line.
func (r *Reader) Command() string { return r.command }

// Available reports whether the command can be run, in words to show on
// the control: nil, or e.g. "语音播报不可用:未找到 espeak-ng".
func (r *Reader) Available() error {
	if r.argErr != nil {
		return fmt.Errorf("语音播报不可用:命令有误(%v)", r.argErr)
	}
	if _, err := exec.LookPath(r.argv[0]); err != nil {
		return fmt.Errorf("语音播报不可用:未找到 %s", filepath.Base(r.argv[0]))
	}
	return nil
}

// Start stops any run in progress and starts reading ss[from:] in a new
// run. It returns the run's id and its events: one Started per sentence,
// then exactly one of Finished, Stopped or Failed, after which the channel
// is closed. The channel is buffered for every event of the run, so the
// reader never waits for the receiver and an unread channel leaks nothing.
//
// A TUI waits for one event per tea.Cmd:
//
//	func waitSpeech(ch <-chan speech.Event) tea.Cmd {
//		return func() tea.Msg {
//			ev, ok := <-ch
//			if !ok {
//				return nil
//			}
//			return speechMsg(ev)
//		}
//	}
//
// and re-issues it after each event until the run's last one; events of
// an older run (ev.Run != the current id) are dropped. Because a stopped
// run still delivers Stopped and closes its channel, no waiting Cmd is
// left blocked.
func (r *Reader) Start(ss []Sentence, from int) (int, <-chan Event) {
	r.Stop()
	from = max(from, 0)
	n := max(len(ss)-from, 0)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs++
	rn := &run{id: r.runs, stop: make(chan struct{}), done: make(chan struct{}), events: make(chan Event, n+1)}
	r.cur, r.paused, r.resume = rn, false, nil
	go r.loop(rn, ss, from)
	return rn.id, rn.events
}

// Pause halts speech until Resume. It does nothing when idle.
func (r *Reader) Pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil || r.paused {
		return
	}
	r.paused, r.resume = true, make(chan struct{})
	if r.child != nil {
		suspend(r.child)
	}
}

// Resume continues after Pause.
func (r *Reader) Resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.paused {
		return
	}
	r.paused = false
	close(r.resume)
	r.resume = nil
	if r.child != nil {
		cont(r.child)
	}
}

// Paused reports whether a run is paused.
func (r *Reader) Paused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused
}

// Active reports whether a run is in progress (speaking or paused).
func (r *Reader) Active() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur != nil
}

// Stop ends the run in progress, if any: the command's process group is
// killed and reaped before Stop returns, and the run's last event is
// Stopped. Call it when the section closes, on idle reset, at session end.
func (r *Reader) Stop() {
	r.mu.Lock()
	rn := r.cur
	if rn == nil {
		r.mu.Unlock()
		return
	}
	r.cur = nil
	close(rn.stop)
	if r.child != nil {
		kill(r.child)
	}
	r.paused, r.resume = false, nil
	r.mu.Unlock()
	<-rn.done
}

// loop is a run's goroutine: it speaks ss[from:] one at a time.
func (r *Reader) loop(rn *run, ss []Sentence, from int) {
	defer close(rn.done)
	last := Event{Run: rn.id, Kind: Finished}
	defer func() {
		r.mu.Lock()
		if r.cur == rn {
			r.cur, r.paused, r.resume = nil, false, nil
		}
		r.mu.Unlock()
		rn.events <- last
		close(rn.events)
	}()
	if err := r.Available(); err != nil {
		last = Event{Run: rn.id, Kind: Failed, Index: from, Err: err}
		return
	}
	for i := from; i < len(ss); i++ {
		cmd, stderr := r.command1(ss[i].Text)
		if !r.waitUnpaused(rn) {
			last.Kind = Stopped
			return
		}
		// r.mu is held: Stop cannot slip between starting the command
		// and recording it.
		if err := cmd.Start(); err != nil {
			r.mu.Unlock()
			last = Event{Run: rn.id, Kind: Failed, Index: i, Err: fmt.Errorf("语音播报失败:%v", err)}
			return
		}
		r.child = cmd.Process
		r.mu.Unlock()
		rn.events <- Event{Run: rn.id, Kind: Started, Index: i}
		err := cmd.Wait()
		r.mu.Lock()
		r.child = nil
		r.mu.Unlock()
		select {
		case <-rn.stop:
			last.Kind = Stopped
			return
		default:
		}
		if err != nil {
			last = Event{Run: rn.id, Kind: Failed, Index: i, Err: r.failure(err, stderr)}
			return
		}
	}
}

// waitUnpaused waits while the reader is paused. It returns with r.mu
// held and true, or false (r.mu not held) when the run was stopped.
func (r *Reader) waitUnpaused(rn *run) bool {
	for {
		r.mu.Lock()
		select {
		case <-rn.stop:
			r.mu.Unlock()
			return false
		default:
		}
		if !r.paused {
			return true
		}
		wait := r.resume
		r.mu.Unlock()
		select {
		case <-wait:
		case <-rn.stop:
		}
	}
}

// command1 builds the command speaking one sentence.
func (r *Reader) command1(text string) (*exec.Cmd, *tailBuffer) {
	args := make([]string, 0, len(r.argv))
	placed := false
	for _, a := range r.argv[1:] {
		if strings.Contains(a, Placeholder) {
			if strings.HasPrefix(a, Placeholder) && (len(args) == 0 || args[len(args)-1] != "--") {
				args = append(args, "--") // the text is never an option
			}
			a = strings.ReplaceAll(a, Placeholder, text)
			placed = true
		}
		args = append(args, a)
	}
	cmd := exec.Command(r.argv[0], args...)
	if !placed {
		cmd.Stdin = strings.NewReader(text + "\n")
	}
	stderr := &tailBuffer{max: 512}
	cmd.Stderr = stderr
	// A helper the command leaves behind must not hold Wait up.
	cmd.WaitDelay = time.Second
	ownGroup(cmd)
	return cmd, stderr
}

func (r *Reader) failure(err error, stderr *tailBuffer) error {
	name := filepath.Base(r.argv[0])
	msg := strings.TrimSpace(stderr.String())
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if msg != "" {
			return fmt.Errorf("语音播报失败:%s 退出码 %d(%s)", name, ee.ExitCode(), msg)
		}
		return fmt.Errorf("语音播报失败:%s 退出码 %d", name, ee.ExitCode())
	}
	return fmt.Errorf("语音播报失败:%s:%v", name, err)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.ToValidUTF8(t.buf.String(), "")
}
