// Command kiosk is the terminal kiosk of a government-information lookup
// point (政府信息查阅点). This package holds flags and wiring only.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"kiosk/config"
	"kiosk/internal/termtext"
)

// app is what every sub-command is given: the data folder, the config and
// where to write. Nothing here is package-level state.
type app struct {
	dataDir string
	cfg     config.Config
	idle    time.Duration // --idle override, 0 when not given
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
}

// command is one `kiosk NAME …` sub-command.
type command struct {
	name    string
	summary string
	run     func(a *app, args []string) error
}

func commands() []command {
	return []command{
		{"list", "列出文档及其章节引用 (list documents and section references)", cmdList},
		{"show", "按终端显示方式输出文档或章节 (print a document or section as rendered)", cmdShow},
		{"search", "全文搜索:中文、拼音、首字母、繁体 (full-text search; --json)", cmdSearch},
		{"index", "搜索索引:rebuild/status (rebuild the search index)", cmdIndex},
		{"staff", "工作人员设置:set-pin (staff settings: set-pin)", cmdStaff},
		{"content", "内容包:check/load/list/rollback (validate, install, list, roll back content)", cmdContent},
		{"visits", "访客统计:导出、合并、汇总 (visit counts: export, merge, summary)", cmdVisits},
		{"hub", "区汇总服务:init/cert/serve/points/report/status/keygen/sign (the district office's hub)", cmdHub},
		{"enroll", "注册到区汇总服务 (enrol with the office hub)", cmdEnroll},
		{"sync", "立即上传访问记录并发送心跳 (upload to the hub now)", cmdSync},
	}
}

// errUsage marks an error whose message already explains the usage.
var errUsage = errors.New("usage")

func main() {
	limitMemory()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// memoryLimit is the Go runtime's soft memory limit for the process unless
// GOMEMLIMIT says otherwise. Building a search index keeps up to ~460 MB
// live for a 4 MiB document of varied Chinese, and the garbage collector
// let the process grow to twice its live heap: `content load` of such a
// document peaked at 1,036 MB RSS, 582 MB with this limit (measured; four
// such documents: 1,350 → 942 MB, but 70% slower while the live heap is
// above the limit). A pack of 10,000 ordinary documents stays under it
// (340 MB) and is not slowed.
const memoryLimit = 512 << 20

// limitMemory sets memoryLimit, the process-wide setting of the runtime;
// called from main only, so tests calling run keep their own.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "data folder (default $KIOSK_DATA or ~/.local/share/kiosk)")
	cfgPath := fs.String("config", "", "config file (TOML; default DATA/kiosk.toml if present)")
	idle := fs.Duration("idle", 0, "idle time before the kiosk resets to the attract screen, e.g. 2s (overrides kiosk.idle)")
	fs.Usage = func() { usage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, idle: *idle}
	a.dataDir = *dataDir
	if a.dataDir == "" {
		a.dataDir = os.Getenv("KIOSK_DATA")
	}
	if a.dataDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			fmt.Fprintln(stderr, "kiosk: 找不到数据文件夹:请用 --data 或 KIOSK_DATA 指定 (cannot find a data folder: set --data or KIOSK_DATA)")
			return 1
		}
		a.dataDir = filepath.Join(home, ".local", "share", "kiosk")
	}
	var err error
	path := *cfgPath
	if path != "" {
		a.cfg, err = config.Load(path)
	} else {
		path = filepath.Join(a.dataDir, "kiosk.toml")
		a.cfg, err = config.LoadOptional(path)
	}
	rest := fs.Args()
	if err != nil {
		// `kiosk staff set-pin` is how a bad staff_pin_hash is put right:
		// it edits the file itself and reports what it cannot edit.
		if len(rest) == 0 || rest[0] != "staff" {
			fmt.Fprintln(stderr, "kiosk:", termtext.Text(err.Error()))
			return 1
		}
		a.cfg = config.Default()
		a.cfg.Path = path
	}
	if *idle < 0 || (*idle > 0 && *idle < 500*time.Millisecond) {
		fmt.Fprintln(stderr, "kiosk: --idle 至少为 500ms (--idle must be at least 500ms)")
		return 2
	}
	if len(rest) == 0 {
		err = runKiosk(a)
	} else {
		var cmd *command
		for _, c := range commands() {
			if c.name == rest[0] {
				cmd = &c
				break
			}
		}
		if cmd == nil {
			fmt.Fprintf(stderr, "kiosk: 未知的命令 %q (unknown command)\n\n", rest[0])
			usage(fs, stderr)
			return 2
		}
		err = cmd.run(a, rest[1:])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		var ec exitCoder
		// Errors carry names read from files and folders: printed safe.
		// An empty message: the command has said what went wrong itself.
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, "kiosk:", termtext.Text(msg))
		}
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		return 1
	}
}

// exitCoder lets a command choose its exit status (e.g. content check: 1).
type exitCoder interface{ ExitCode() int }

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintln(w, `kiosk — 政府信息查阅点自助终端 (government-information lookup-point kiosk)

Usage:
  kiosk [flags]                 start the kiosk full-screen
  kiosk [flags] COMMAND [args]  run a staff command

Commands:`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nRun 'kiosk COMMAND --help' for a command's own flags.")
}

// parseInterspersed parses flags that may come after positional arguments
// too ("kiosk search 供暖 --json"), as staff naturally type them. A lone
// "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}
