package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"kiosk/content"
)

// recorder writes a /bin/sh script that stores its standard input in
// dir/printed and its arguments, one a line, in dir/args.
func recorder(t *testing.T) (script, dir string) {
	t.Helper()
	dir = t.TempDir()
	script = filepath.Join(dir, "lp")
	body := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$(dirname \"$0\")/args\"\ncat > \"$(dirname \"$0\")/printed\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, dir
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var job = PrintJob{
	Title:   "兰山区人民政府2018年政府信息公开工作年度报告",
	IndexNo: "lanshanqulsqzf/2019-0000001",
	Date:    "2019-01-22",
	Section: "四、依申请公开办理情况",
	Text: "## 四、依申请公开办理情况\n\n" +
		"2018年,共受理**政府信息公开申请** 92 件。详见[门户网站](http://www.lyls.gov.cn)。\n\n" +
		"- 当面申请 6 件\n* 网上申请 86 件\n\n" +
		"| 指标 | 单位 | 统计数 |\n| --- | --- | ---: |\n| 收到申请数 | 件 | 92 |\n| 1.当面申请数 | 件 | 6 |\n| 2.网上申请数 | 件 | 86 |\n\n" +
		"> 注:数据截至 2018-12-31。\n",
}

const want = `兰山区人民政府2018年政府信息公开工作年度报告
索引号:lanshanqulsqzf/2019-0000001
发布日期:2019-01-22
章节:四、依申请公开办理情况
============================================

四、依申请公开办理情况

2018年,共受理政府信息公开申请 92 件。详见门户网站(http://www.lyls.gov.cn)。

- 当面申请 6 件
- 网上申请 86 件

指标          单位  统计数
--------------------------
收到申请数    件        92
1.当面申请数  件         6
2.网上申请数  件        86

  注:数据截至 2018-12-31。
`

func TestSendRecordsPlainText(t *testing.T) {
	script, dir := recorder(t)
	cmd := fmt.Sprintf(`'%s' -d kiosk -t "政府信息 打印" '$HOME' ';' '$(reboot)'`, script)
	if err := Available(cmd); err != nil {
		t.Fatal(err)
	}
	if err := Send(context.Background(), cmd, job); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "printed")); got != want {
		t.Errorf("printed:\n%s\nwant:\n%s", got, want)
	}
	// Arguments arrive as written: no shell expanded anything.
	if got, want := read(t, filepath.Join(dir, "args")), "-d\nkiosk\n-t\n政府信息 打印\n$HOME\n;\n$(reboot)\n"; got != want {
		t.Errorf("args %q, want %q", got, want)
	}
}

func TestFormatStripsANSIAndControls(t *testing.T) {
	j := PrintJob{Title: "\x1b[1m标题\x1b[0m\t", IndexNo: "a\x07b", Text: "正文\x1b[31m红\x1b[0m\r\n第二行\x00"}
	got := Format(j)
	if want := "标题\n索引号:ab\n====================\n\n正文红\n第二行\n"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}

// TestFormatContent formats every section of the built-in content: no
// ANSI, no Markdown marks at line starts, no line of a table wider than
// MaxWidth, and tables aligned: a row ending in a figure is exactly as
// wide as the rule under the header (figures are right-aligned).
func TestFormatContent(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	tables := 0
	for _, d := range p.Docs {
		for _, sec := range d.Sections {
			out := Format(PrintJob{Title: d.Title, IndexNo: d.IndexNo, Date: d.Date.Format("2006-01-02"), Section: sec.DisplayTitle(), Text: sec.Markdown()})
			if strings.ContainsAny(out, "\x1b\r\t") {
				t.Errorf("%s: control characters", sec.Ref())
			}
			lines := strings.Split(out, "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, "|") || strings.HasPrefix(l, "#") || strings.Contains(l, "**") {
					t.Errorf("%s: Markdown left: %q", sec.Ref(), l)
				}
				if i > 0 && strings.Trim(l, "-") == "" && len(l) > 20 && i+1 < len(lines) {
					tables++
					w := len(l)
					for _, row := range lines[i+1:] {
						if row == "" {
							break
						}
						if rw := ansi.StringWidth(row); rw > MaxWidth || (endsInDigit(row) && rw != w) {
							t.Errorf("%s: row %q is %d wide, rule %d", sec.Ref(), row, ansi.StringWidth(row), w)
						}
					}
				}
			}
		}
	}
	if tables == 0 {
		t.Error("no table in the built-in content")
	}
}

func TestAvailable(t *testing.T) {
	if err := Available(""); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("Available(\"\") = %v", err)
	}
	if err := Available("  "); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("Available(blank) = %v", err)
	}
	for cmd, want := range map[string]string{
		"/nonexistent/bin/lp -d kiosk": "打印不可用:未找到 lp",
		"lp-no-such-printer-cmd":       "打印不可用:未找到 lp-no-such-printer-cmd",
		"lp 'kiosk":                    "打印不可用:命令有误(单引号没有配对)",
	} {
		if err := Available(cmd); err == nil || err.Error() != want {
			t.Errorf("Available(%q) = %v, want %s", cmd, err, want)
		}
		if err := Send(context.Background(), cmd, job); err == nil || err.Error() != want {
			t.Errorf("Send(%q) = %v, want %s", cmd, err, want)
		}
	}
}

func TestSendCommandFails(t *testing.T) {
	err := Send(context.Background(), `/bin/sh -c 'cat >/dev/null; echo "lp: The printer or class does not exist." >&2; exit 1'`, job)
	if err == nil || err.Error() != "打印失败:sh 退出码 1(lp: The printer or class does not exist.)" {
		t.Errorf("Send = %v", err)
	}
}

// TestSendTimeout: a hung command is killed, with what it started, when
// the context ends.
func TestSendTimeout(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	cmd := fmt.Sprintf(`/bin/sh -c 'sleep 30 & echo $! > %s; wait'`, pidFile)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Send(ctx, cmd, job)
	if err == nil || err.Error() != "打印失败:sh 没有响应(超时)" {
		t.Errorf("Send = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send returned after %v", d)
	}
	var pid int
	if _, err := fmt.Sscan(read(t, pidFile), &pid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(b), ") Z ") {
			break // gone, or a zombie of init's: not running
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command's child %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func endsInDigit(s string) bool {
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}
