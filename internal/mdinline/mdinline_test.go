package mdinline

import "testing"

func TestStrip(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"普通文字", "普通文字"},
		{"**加粗** 与 __强调__ 和 `代码`", "加粗 与 强调 和 代码"},
		{`转义 \* 星号`, "转义 * 星号"},
		{"见[网站](https://www.gov.cn)", "见网站"},
		{"图![图示](a.png)", "图图示"},
		{"断开的[链接](无括号", "断开的链接(无括号"},
		{"a<br>b", "a<br>b"},
	} {
		if got := Strip(c.in, nil, nil); got != c.want {
			t.Errorf("Strip(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	keep := func(s string) (string, int) { return "", 0 }
	if got := Strip("断开的[链接](无括号", keep, nil); got != "断开的链接](无括号" {
		t.Errorf("a link rule that takes nothing leaves the bracket: %q", got)
	}
}
