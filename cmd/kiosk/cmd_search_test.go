package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSearchCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSearchJSON(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runSearchCmd(t, "--data", dir, "search", "--json", "依申请")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		t.Fatalf("want several hits, got %q", out)
	}
	for i, l := range lines {
		var h map[string]any
		if err := json.Unmarshal([]byte(l), &h); err != nil {
			t.Fatalf("line %d %q: %v", i, l, err)
		}
		for _, k := range []string{"ref", "doc_title", "section_title", "score", "snippet"} {
			if _, ok := h[k]; !ok {
				t.Errorf("line %d has no %s: %s", i, k, l)
			}
		}
		if i < 2 && !strings.Contains(h["section_title"].(string)+h["snippet"].(string), "依申请") {
			t.Errorf("hit %d does not show 依申请: %s", i, l)
		}
		if strings.ContainsAny(h["snippet"].(string), "\x1b\n\r") {
			t.Errorf("snippet is not plain: %q", h["snippet"])
		}
	}
	if !strings.Contains(errOut, "建立搜索索引") {
		t.Errorf("first search should build the index with progress on stderr: %q", errOut)
	}
	// the index is now in the data folder and is reused
	matches, _ := filepath.Glob(filepath.Join(dir, "index", "default-*", "kiosk-index.json"))
	if len(matches) != 1 {
		t.Fatalf("index not in the data folder: %v", matches)
	}
	code, out2, errOut := runSearchCmd(t, "--data", dir, "search", "--json", "--limit", "2", "xzfy")
	if code != 0 || strings.Count(out2, "\n") != 2 || !strings.Contains(out2, "行政复议") || errOut != "" {
		t.Errorf("pinyin initials: exit %d, %q, stderr %q", code, out2, errOut)
	}
}

func TestSearchNothingAndHostile(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runSearchCmd(t, "--data", dir, "search", "--json", "量子计算机")
	if code != 0 || out != "" {
		t.Errorf("no match: exit %d, out %q, err %q", code, out, errOut)
	}
	for _, q := range []string{"行政复议:", "\"", "*", "((", "\x1b[31m", strings.Repeat("政", 500), "😀"} {
		code, _, errOut := runSearchCmd(t, "--data", dir, "search", q)
		if code != 0 {
			t.Errorf("%q: exit %d: %s", q, code, errOut)
		}
	}
	code, out, _ = runSearchCmd(t, "--data", dir, "search", "量子计算机")
	if code != 0 || !strings.Contains(out, "没有找到") {
		t.Errorf("text mode no match: %d %q", code, out)
	}
	if code, _, _ := runSearchCmd(t, "--data", dir, "search"); code != 2 {
		t.Errorf("no query: exit %d, want 2", code)
	}
}

func TestIndexRebuild(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runSearchCmd(t, "--data", dir, "index", "rebuild")
	if code != 0 || !strings.Contains(errOut, "100%") || !strings.Contains(errOut, "搜索索引已建立") {
		t.Fatalf("rebuild: exit %d, stderr %q", code, errOut)
	}
	code, out, _ := runSearchCmd(t, "--data", dir, "index", "status")
	if code != 0 || !strings.Contains(out, "最新") {
		t.Errorf("status: %d %q", code, out)
	}
	// a damaged index is rebuilt by the next search
	matches, _ := filepath.Glob(filepath.Join(dir, "index", "default-*", "kiosk-index.json"))
	if len(matches) != 1 {
		t.Fatal("no index")
	}
	os.WriteFile(matches[0], []byte("{garbage"), 0o644)
	code, out, errOut = runSearchCmd(t, "--data", dir, "search", "--json", "扶贫")
	if code != 0 || !strings.Contains(out, "扶贫") {
		t.Errorf("after damage: %d %q %q", code, out, errOut)
	}
	if code, _, _ := runSearchCmd(t, "--data", dir, "index", "frobnicate"); code != 2 {
		t.Errorf("bad subcommand: exit %d", code)
	}
}

func TestSearchFlagsAfterQuery(t *testing.T) {
	data := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run([]string{"--data", data, "search", "依申请", "--json", "--limit", "2"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "{") {
		t.Fatalf("want 2 JSON lines, got:\n%s", out.String())
	}
}

// --explain says how the query was read, in text and as the first JSON
// line; the hits follow as before.
func TestSearchExplain(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runSearchCmd(t, "--data", dir, "search", "--explain", "怎么申请低保")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"查询 (query): 怎么申请低保", "词 申请 ← 申请", "词 低保 ← 低保", "问句提示:办理", "放宽 (relaxed)"} {
		if !strings.Contains(out, want) {
			t.Errorf("--explain lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runSearchCmd(t, "--data", dir, "search", "--json", "--explain", "--limit", "2", "dibao")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var first struct {
		Explanation struct {
			Query    string `json:"query"`
			Readings []struct {
				Words []struct {
					Word         string `json:"word"`
					Alternatives []struct{ Text, Kind string }
				} `json:"words"`
			} `json:"readings"`
		} `json:"explanation"`
		Words []string `json:"words"`
		Total int      `json:"total"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatalf("first line %q: %v", lines[0], err)
	}
	if first.Explanation.Query != "dibao" || len(first.Words) != 1 || first.Words[0] != "低保" || first.Total == 0 || len(lines) != 1+min(first.Total, 2) {
		t.Errorf("explanation %+v, %d lines", first, len(lines))
	}
}
