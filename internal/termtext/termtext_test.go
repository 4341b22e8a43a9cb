package termtext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Cases every variant treats alike: what is removed, and what is not.
var removeCases = []struct{ in, want string }{
	{"政府信息", "政府信息"},
	{"红\x1b[31m色\x1b[0m字", "红色字"},
	{"红\x1b[1;31m字\x1b[0m", "红字"},
	{"清\x1b[2J屏\x1b[H", "清屏"},
	{"剪\x1b]52;c;aGVsbG8=\x07贴", "剪贴"},
	{"窗口\x1b]0;pwned\a标题", "窗口标题"},
	{"标\x1b]0;title\x1b\\题", "标题"},
	{"t\x1b]0;title\x1b\\x", "tx"},
	{"链\x1b]8;;http://x\x1b\\接\x1b]8;;\x1b\\", "链接"},
	{"八\u009b31m位", "八位"},
	{"a\u009b2Jb", "ab"},
	{"八\u009d0;t\u009c位", "八位"},
	{"D\x1bPq#0\x1b\\CS", "DCS"},
	{"A\x1b_Gf=1\x1b\\PC", "APC"},
	{"S\x1bXsos\x07OS", "SOS"},
	{"P\x1b^pm\x1b\\M", "PM"},
	{"裸\x1b字", "裸字"},
	{"end\x1b", "end"},
	{"ESC c\x1bc重置", "ESC c重置"},
	{"a\x1bcb", "ab"},
	{"字符集\x1b(B切换", "字符集切换"},
	{"中止\x1b]0;x\x18后", "中止后"},
	// An unterminated string ends before the next ESC, which is a
	// sequence of its own: neither leaves a visible fragment.
	{"接\x1b]0;t\x1b[31m续", "接续"},
	{"退格\x08响铃\x07", "退格响铃"},
	{"del\x7f", "del"},
	{"C1\u0085NEL", "C1NEL"},
	{"反\u202e向\u2066字\u2069", "反向字"},
	{"bidi\u202eabc\u202c", "bidiabc"},
	{"标\u200e记\u200f阿\u061c拉伯", "标记阿拉伯"},
	{"零\u200b宽\u200c字\u200d符\u2060号\ufeff", "零宽字符号"},
	{"软\u00ad连字符", "软连字符"},
	{"标签\U000e0041字符", "标签字符"},
	{"非\ufdd1字符\uffff", "非字符"},
	{"bad\xff\xfeutf8", "badutf8"},
	{"截断\xe4\xb8", "截断"},
	{"替换字符\ufffd保留", "替换字符\ufffd保留"},
	{"全角　空格", "全角　空格"},
}

func TestRemovedByEveryVariant(t *testing.T) {
	for _, c := range removeCases {
		for name, f := range map[string]func(string) string{
			"Line":   Line,
			"Text":   Text,
			"Source": func(s string) string { out, _ := Source(s); return out },
		} {
			if got := f(c.in); got != c.want {
				t.Errorf("%s(%q) = %q, want %q", name, c.in, got, c.want)
			}
		}
	}
}

func TestLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"一\n二", "一 二"},
		{"一\r\n二", "一 二"},
		{"回车\r覆盖", "回车覆盖"},
		{"制\t表", "制 表"},
		{"行\u2028分隔\u2029段", "行 分隔 段"},
		{"未终止\x1b]2;标题\n下一行", "未终止 下一行"},
		{"osc\x1b]8;;http://x\nnext", "osc next"},
		{"\ufeff文件", "文件"},
		{"zj-07\x1b]0;pwned\a\x1b[2J\u202e张家镇", "zj-07张家镇"},
	} {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"回车\r\n覆盖\r", "回车\n覆盖"},
		{"a\tb", "a    b"},
		{"未终止\x1b]2;标题\n下一行", "未终止\n下一行"},
		{"行\u2028分隔\u2029段", "行\n分隔\n\n段"},
		{"\ufeff文件", "文件"},
	} {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSource(t *testing.T) {
	cases := []struct{ in, out, removed string }{
		{"纯文本\n第二行\t制表", "纯文本\n第二行\t制表", ""},
		{"a\r\nb\r\n", "a\nb\n", ""},
		{"\ufeff---\n", "\ufeff---\n", ""},
		{"行\u2028分隔", "行\u2028分隔", ""},
		{"红\x1b[1;31m字\x1b[0m", "红字", `\x1b[1;31m\x1b[0m`},
		{"t\x1b]0;title\x1b\\x", "tx", `\x1b]0;title\x1b\\`},
		{"osc\x1b]8;;http://x\nnext", "osc\nnext", `\x1b]8;;http://x`},
		{"a\x1bcb", "ab", `\x1bc`},
		{"a\u009b2Jb", "ab", `\u009b2J`},
		{"bidi\u202eabc\u202c", "bidiabc", `\u202e\u202c`},
		{"del\x7f lone\rcr", "del lonecr", `\x7f\r`},
		{"end\x1b", "end", `\x1b`},
		{"零\u200b宽", "零宽", `\u200b`},
		{"中\ufeff间", "中间", `\ufeff`},
		{"bad\xffbyte", "badbyte", `\xff`},
	}
	for _, c := range cases {
		got, rems := Source(c.in)
		if got != c.out {
			t.Errorf("Source(%q) = %q, want %q", c.in, got, c.out)
		}
		var removed []string
		for _, r := range rems {
			removed = append(removed, r.Removed)
		}
		if strings.Join(removed, "|") != c.removed {
			t.Errorf("Source(%q) removed %q, want %q", c.in, strings.Join(removed, "|"), c.removed)
		}
	}
	_, rems := Source("a\n\x07\nb\x07")
	if len(rems) != 2 || rems[0].Line != 2 || rems[1].Line != 3 {
		t.Errorf("lines %+v", rems)
	}
	_, rems = Source("a\r\n\x1b[31m\r\nb")
	if len(rems) != 1 || rems[0].Line != 2 {
		t.Errorf("CRLF lines %+v", rems)
	}
}

func TestSequenceLen(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"\x1b", 1},
		{"\x1b[31mx", 5},
		{"\x1b[38;5;252mx", 11},
		{"\x1b[", 2},
		{"\x1b]0;t\x07x", 6},
		{"\x1b]0;t\x1b\\x", 7},
		{"\x1b]0;t\nx", 5},
		{"\x1b]0;t\x1b[m", 5},
		{"\x1b(Bx", 3},
		{"\x1bcx", 2},
		{"\x1b\x07", 1},
		{"\x1b字", 1},
		{"\u009b2Jx", 4},
		{"\u009d0;t\u009cx", 7},
		{"\x07x", 1},
		{"\u202ex", 3},
	} {
		if got := SequenceLen(c.in); got != c.want {
			t.Errorf("SequenceLen(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// The fast paths agree with the Unicode tables for every code point.
func TestClassesMatchUnicode(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := isFormat(r), unicode.Is(unicode.Cf, r); got != want {
			t.Fatalf("isFormat(%U) = %v", r, got)
		}
		if got, want := isNonchar(r), unicode.Is(unicode.Noncharacter_Code_Point, r); got != want {
			t.Fatalf("isNonchar(%U) = %v", r, got)
		}
		if r >= 0x3000 && r < 0xfdd0 && (Unsafe(r) || r == '\u2028' || r == '\u2029') {
			t.Fatalf("%U is in clean's fast path but needs attention", r)
		}
	}
}

func TestCleanTextIsNotCopied(t *testing.T) {
	s := strings.Repeat("政府信息公开 abc,123。", 100)
	if n := testing.AllocsPerRun(10, func() { Line(s); Text(s); Source(s) }); n != 0 {
		t.Errorf("%v allocations for clean text", n)
	}
}

// FuzzVariants: whatever the input, the output is valid UTF-8 with nothing
// unsafe in it, cleaning it again changes nothing, Line gives one line and
// Source keeps the line count.
func FuzzVariants(f *testing.F) {
	for _, c := range removeCases {
		f.Add(c.in)
	}
	f.Add("a\r\n\tb\u2028c\u2029\x1b]0;\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		src, _ := Source(s)
		for name, out := range map[string]string{"Line": Line(s), "Text": Text(s), "Source": src} {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", name, s, out)
			}
			for i, r := range out {
				if Unsafe(r) && !(r == '\n' && name != "Line") && !(r == '\t' && name == "Source") &&
					!(r == '\ufeff' && i == 0 && name == "Source") {
					t.Fatalf("%s(%q) = %q: %U left", name, s, out, r)
				}
			}
		}
		if l := Line(s); Line(l) != l || strings.ContainsAny(l, "\n\r\t") {
			t.Fatalf("Line(%q) = %q", s, l)
		}
		if x := Text(s); Text(x) != x {
			t.Fatalf("Text(%q) = %q, again %q", s, x, Text(x))
		}
		if again, rems := Source(src); again != src || len(rems) != 0 {
			t.Fatalf("Source(%q) = %q, again %q %v", s, src, again, rems)
		}
		if got, want := strings.Count(src, "\n"), strings.Count(s, "\n"); got != want {
			t.Fatalf("Source(%q) has %d lines, not %d", s, got, want)
		}
	})
}
