package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"kiosk/config"
	"kiosk/internal/termtext"
)

func cmdStaff(a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(a.stderr, `Usage: kiosk staff set-pin

set-pin  asks twice for a new staff PIN (digits, at least 4; not echoed) and
         stores its bcrypt hash as kiosk.staff_pin_hash in the config file
         (--config FILE, or DATA/kiosk.toml): only that line changes, every
         other line and comment stays as written.
         输入两次新的工作人员 PIN(至少 4 位数字,不显示),写入配置文件的
         kiosk.staff_pin_hash;文件的其他内容不变。`)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	switch args[0] {
	case "set-pin":
		fs := flag.NewFlagSet("staff set-pin", flag.ContinueOnError)
		fs.SetOutput(a.stderr)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return setPIN(a)
	default:
		return fmt.Errorf("未知的工作人员命令 %q;可用的命令:kiosk staff set-pin (unknown staff command)", args[0])
	}
}

func setPIN(a *app) error {
	read := lineReader(a)
	pin, err := read("新 PIN (new PIN): ")
	if err != nil {
		return err
	}
	again, err := read("再输入一次 (again): ")
	if err != nil {
		return err
	}
	if pin != again {
		return errors.New("两次输入的 PIN 不一致,未做任何修改 (the PINs differ; nothing changed)")
	}
	hash, err := config.HashPIN(pin)
	if err != nil {
		return fmt.Errorf("%w;未做任何修改 (nothing changed)", err)
	}
	if err := config.SetPIN(a.cfg.Path, hash); err != nil {
		return fmt.Errorf("无法保存 PIN (cannot save the PIN): %w", err)
	}
	fmt.Fprintf(a.stdout, "已保存工作人员 PIN 到 %s (restart the kiosk to use it)\n", termtext.Line(a.cfg.Path))
	// The PIN is saved; the kiosk still refuses to start on any other
	// problem of the file: say so now.
	if _, err := config.LoadOptional(a.cfg.Path); err != nil {
		fmt.Fprintf(a.stderr, "kiosk: 警告: 配置文件还有问题,自助终端启动前请改正 (the config file still has problems):\n%v\n", termtext.Text(err.Error()))
	}
	return nil
}

// lineReader reads a PIN without echo from a terminal, or a line from a
// pipe (scripts, tests).
func lineReader(a *app) func(prompt string) (string, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return func(prompt string) (string, error) {
			fmt.Fprint(a.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(a.stderr)
			return strings.TrimSpace(string(b)), err
		}
	}
	sc := bufio.NewScanner(a.stdin)
	return func(prompt string) (string, error) {
		fmt.Fprint(a.stderr, prompt)
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return "", err
			}
			return "", errors.New("标准输入中没有 PIN (no PIN given on standard input)")
		}
		return strings.TrimSpace(sc.Text()), nil
	}
}
