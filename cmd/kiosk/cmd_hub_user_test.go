package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kiosk/hub/store"
)

func TestHubUserAdd(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dir := newHubDir(t, db)
			add := func(stdin string, args ...string) (int, string) {
				var out, errOut bytes.Buffer
				code := run(append([]string{"hub", "user", "add", "--data", dir}, args...), strings.NewReader(stdin), &out, &errOut)
				return code, errOut.String()
			}
			if code, msg := add("correct horse battery\n", "wang"); code != 0 || !strings.Contains(msg, "已新建") {
				t.Fatalf("add: %d %s", code, msg)
			}
			if code, msg := add("another long password\n", "wang"); code == 0 || !strings.Contains(msg, "已有名为 wang 的账户") {
				t.Fatalf("add twice: %d %s", code, msg)
			}
			if code, msg := add("short\n", "li"); code == 0 || !strings.Contains(msg, "至少 10 个字符") {
				t.Fatalf("short password: %d %s", code, msg)
			}
			if code, msg := add("", "li"); code == 0 || !strings.Contains(msg, "没有密码") {
				t.Fatalf("no password: %d %s", code, msg)
			}
			if code, msg := add("correct horse battery\n", "li\x1b[31m"); code != 2 || strings.Contains(msg, "\x1b") {
				t.Fatalf("bad name: %d %q", code, msg)
			}
			passwd := func(stdin, name string) (int, string) {
				var out, errOut bytes.Buffer
				code := run([]string{"hub", "user", "passwd", "--data", dir, name}, strings.NewReader(stdin), &out, &errOut)
				return code, errOut.String()
			}
			if code, msg := passwd("a new long password\n", "nobody"); code == 0 || !strings.Contains(msg, "没有名为 nobody 的账户") {
				t.Fatalf("passwd of no account: %d %s", code, msg)
			}
			st, err := openHubStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			now := time.Now()
			if err := st.AddSession(ctx, store.Session{Hash: "s1", Name: "wang", Created: now, Seen: now, Expires: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.LoginFailed(ctx, "wang", now, 1, time.Hour); err != nil {
				t.Fatal(err)
			}
			st.Close()
			if code, msg := passwd("a new long password\n", "wang"); code != 0 || !strings.Contains(msg, "已为 wang 设置新密码") {
				t.Fatalf("passwd: %d %s", code, msg)
			}
			st, err = openHubStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.SessionByHash(ctx, "s1", now, time.Hour); err == nil {
				t.Fatal("a session outlived the new password")
			}
			if until, err := st.LockedUntil(ctx, "wang", now); err != nil || !until.IsZero() {
				t.Fatalf("still locked: %v %v", until, err)
			}
			st.Close()
			st, err = openHubStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			h, err := st.StaffHash(context.Background(), "wang")
			if err != nil || bcrypt.CompareHashAndPassword([]byte(h), []byte("a new long password")) != nil {
				t.Fatalf("stored hash %q %v", h, err)
			}
			if _, err := st.StaffHash(context.Background(), "li"); err == nil {
				t.Fatal("li was added")
			}
		})
	}
}
