// Package printer prints the open section (打印) by sending it as plain
// text on standard input to a command staff configured, such as
// "lp -d kiosk". With no command configured the control is hidden.
package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"kiosk/tui/cmdline"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DefaultTimeout bounds a print when the context has no deadline. lp
// returns as soon as the job is queued, so a slow command is a fault.
const DefaultTimeout = 30 * time.Second

// ErrNotConfigured is returned by Available when no command is set.
var ErrNotConfigured = errors.New("未设置打印命令")

// PrintJob is what is printed: a section of a document with the
// document's title, 索引号 and date as a heading block.
type PrintJob struct {
	Title   string // document title
	IndexNo string // 索引号
	Date    string // 发布日期, as shown, e.g. 2019-01-22
	Section string // section title, e.g. 四、依申请公开情况; may be empty
	Text    string // the section's Markdown (or plain text)
}

// Available reports whether command can print: nil, ErrNotConfigured
// (hide the control), or an error saying what is wrong, e.g.
// "打印不可用:未找到 lp".
func Available(command string) error {
	if strings.TrimSpace(command) == "" {
		return ErrNotConfigured
	}
	argv, err := cmdline.Split(command)
	if err != nil {
		return fmt.Errorf("打印不可用:命令有误(%v)", err)
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return fmt.Errorf("打印不可用:未找到 %s", filepath.Base(argv[0]))
	}
	return nil
}

// Send prints doc: Format(doc) is written to the command's standard input
// (the command line is split into arguments like a shell would, but no
// shell runs). It waits for the command to exit, at most until ctx ends
// or DefaultTimeout when ctx has no deadline; on timeout the command's
// whole process group is killed. The error, in Chinese, carries the end
// of the command's output (lp's own message).
func Send(ctx context.Context, command string, doc PrintJob) error {
	if err := Available(command); err != nil {
		return err
	}
	argv, _ := cmdline.Split(command)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(Format(doc))
	var out tail
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	ownGroup(cmd)
	err := cmd.Run()
	name := filepath.Base(argv[0])
	msg := strings.TrimSpace(out.String())
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("打印失败:%s 没有响应(超时)", name)
		}
		return fmt.Errorf("打印已取消")
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if msg != "" {
			return fmt.Errorf("打印失败:%s 退出码 %d(%s)", name, ee.ExitCode(), msg)
		}
		return fmt.Errorf("打印失败:%s 退出码 %d", name, ee.ExitCode())
	}
	return fmt.Errorf("打印失败:%v", err)
}

// tail keeps the last 512 bytes written to it.
type tail struct{ b bytes.Buffer }

func (t *tail) Write(p []byte) (int, error) {
	t.b.Write(p)
	if over := t.b.Len() - 512; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tail) String() string { return strings.ToValidUTF8(t.b.String(), "") }
