package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func runKioskCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"--data", t.TempDir()}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestListPrintsEveryReference(t *testing.T) {
	code, out, errOut := runKioskCmd(t, "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"lanshanqulsqzf/2019-0000001  2019-01-22", "lanshanqulsqzf/2019-0000001#1  一、工作概述", "lanshanqulsqzf/2019-0000001#10.11  十一、查阅点接待人数"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

func TestShowRendersAsTheKioskDoes(t *testing.T) {
	code, out, errOut := runKioskCmd(t, "show", "--plain", "--width", "40", "lanshanqulsqzf/2019-0000001#10.11")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "\x1b") {
		t.Fatal("--plain printed escape sequences")
	}
	for _, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > 40 {
			t.Fatalf("line of %d cells at --width 40: %q", w, l)
		}
	}
	for _, want := range []string{"十一、查阅点接待人数", "56954", "25411", "31543"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runKioskCmd(t, "show", "lanshanqulsqzf/2019-0000001#1")
	if code != 0 || !strings.Contains(out, "\x1b[") {
		t.Fatalf("without --plain the section should be coloured (exit %d)", code)
	}
	if code, _, errOut := runKioskCmd(t, "show", "lanshanqulsqzf/2019-0000001#99"); code == 0 || !strings.Contains(errOut, "没有第 99 节") {
		t.Fatalf("a missing section: exit %d, %q", code, errOut)
	}
	if code, _, _ := runKioskCmd(t, "show"); code != 2 {
		t.Fatalf("no REF: exit %d, want 2", code)
	}
}

// TestShowNarrowKeepsKinsoku: kiosk show --width 20 (plain or not) wraps as
// the kiosk screen does: no line, and no line of a table cell, starts with
// 。、 or other closing punctuation, or ends with opening punctuation.
func TestShowNarrowKeepsKinsoku(t *testing.T) {
	const closing, opening = "，。、；：？！）》」』”’〕】", "（《「『“‘〔【"
	for _, args := range [][]string{{"--plain"}, {}} {
		for _, w := range []string{"20", "23", "31"} {
			code, out, errOut := runKioskCmd(t, append(append([]string{"show"}, args...), "--width", w, "lanshanqulsqzf/2019-0000001")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, l := range strings.Split(ansi.Strip(out), "\n") {
				for _, part := range strings.FieldsFunc(l, func(r rune) bool { return r == '|' || r == '│' }) {
					part = strings.TrimSpace(part)
					if part == "" {
						continue
					}
					rs := []rune(part)
					if strings.ContainsRune(closing, rs[0]) || strings.ContainsRune(opening, rs[len(rs)-1]) {
						t.Errorf("show %v --width %s: %q", args, w, l)
					}
				}
			}
		}
	}
}
