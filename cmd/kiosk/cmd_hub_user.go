package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"kiosk/hub/store"
	"kiosk/hub/web"
	"kiosk/internal/termtext"
)

const hubUserUsage = `Usage: kiosk hub user add|passwd --data H NAME

  add NAME      新建状态页的工作人员账户;密码在终端上输入两次(不回显),
                或从标准输入读一行(脚本)
  passwd NAME   为账户设置新密码,结束它的所有登录,解除锁定

Staff accounts of the office's status page (https://HUB/office/). See docs/hub.md.`

func hubUser(a *app, args []string) error {
	if done, err := groupHelp(a, args, hubUserUsage); done {
		return err
	}
	switch args[0] {
	case "add":
		return hubUserSet(a, args[1:], false)
	case "passwd":
		return hubUserSet(a, args[1:], true)
	}
	fmt.Fprintf(a.stderr, "kiosk hub user: 未知的命令 %q (unknown command)\n\n%s\n", termtext.Line(args[0]), hubUserUsage)
	return errUsage
}

func hubUserSet(a *app, args []string, reset bool) error {
	h := newHubFlags(a, "user add", `Usage: kiosk hub user add --data H NAME

新建工作人员账户 NAME(字母、数字、. _ -,最多 32 个字符)。密码至少 10 个字符:在终端上
输入两次,不回显;标准输入不是终端时读取第一行。只保存密码的 bcrypt 散列。
Adds a staff account for the status page; the password is asked twice on a
terminal without echo, or read from the first line of standard input.`)
	if reset {
		h = newHubFlags(a, "user passwd", `Usage: kiosk hub user passwd --data H NAME

为工作人员账户 NAME 设置新密码(输入方式同 user add),结束它所有的登录,解除锁定。
Sets a new password for NAME, ends its sessions and lifts a lockout.`)
	}
	pos, err := h.parse(a, args, 1)
	if err != nil {
		return err
	}
	name := pos[0]
	if err := web.ValidName(name); err != nil {
		return h.usageErr(a, err.Error())
	}
	pw, err := readPassword(a)
	if err != nil {
		return err
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("%w;未做任何修改 (nothing changed)", err)
	}
	st, err := openHubStore(*h.data)
	if err != nil {
		return err
	}
	defer st.Close()
	if reset {
		err = st.SetStaffHash(context.Background(), name, hash, time.Now())
	} else {
		err = st.AddStaff(context.Background(), name, hash, time.Now())
	}
	switch {
	case errors.Is(err, store.ErrStaffExists):
		return fmt.Errorf("已有名为 %s 的账户,未做任何修改;改密码用 kiosk hub user passwd (account %s exists; nothing changed)", name, name)
	case errors.Is(err, store.ErrUnknownStaff):
		return fmt.Errorf("没有名为 %s 的账户,未做任何修改 (no account %s; nothing changed)", name, name)
	case err != nil:
		return fmt.Errorf("%s: %w", st.Where(), err)
	case reset:
		fmt.Fprintf(a.stderr, "已为 %s 设置新密码,其登录已全部结束 (password changed; its sessions ended)\n", name)
	default:
		fmt.Fprintf(a.stderr, "已新建工作人员账户 %s (staff account added)\n", name)
	}
	return nil
}

// readPassword asks twice without echo on a terminal, or reads the first
// line of standard input (scripts, tests). The line's end is not part of
// the password; spaces are.
func readPassword(a *app) (string, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(a.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(a.stderr)
			if err != nil {
				return "", fmt.Errorf("读取密码失败 (reading the password): %w", err)
			}
			return string(b), nil
		}
		pw, err := ask("密码 (password): ")
		if err != nil {
			return "", err
		}
		again, err := ask("再输入一次 (again): ")
		if err != nil {
			return "", err
		}
		if pw != again {
			return "", errors.New("两次输入的密码不一致,未做任何修改 (the passwords differ; nothing changed)")
		}
		return pw, nil
	}
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("标准输入中没有密码 (no password on standard input)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
