package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
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
			st, err := openHubStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			h, err := st.StaffHash(context.Background(), "wang")
			if err != nil || bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse battery")) != nil {
				t.Fatalf("stored hash %q %v", h, err)
			}
			if _, err := st.StaffHash(context.Background(), "li"); err == nil {
				t.Fatal("li was added")
			}
		})
	}
}
