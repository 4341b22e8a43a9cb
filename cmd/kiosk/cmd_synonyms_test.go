package main

import (
	"strings"
	"testing"
)

func TestContentCheckSynonyms(t *testing.T) {
	data := t.TempDir()
	code, out, _ := kiosk(t, data, "content", "check", packPath("synonyms"))
	if code != 0 || out != "内容包可以加载:测试区政府信息公开 2026.11.25-1,1 篇文档,1 个章节,3 组同义词。\n" {
		t.Errorf("good synonyms.toml: %d %q", code, out)
	}
	code, out, errOut := kiosk(t, data, "content", "check", packPath("bad-synonyms"))
	if code != 1 || out != "synonyms.toml:3: 同义词组中有空词 / empty word\n" || !strings.Contains(errOut, "内容包有 1 个错误、0 个警告,不能加载") {
		t.Errorf("bad synonyms.toml: %d %q %q", code, out, errOut)
	}
}
