package hanconv

import "testing"

func TestConvert(t *testing.T) {
	cases := []struct {
		c        *Converter
		in, want string
	}{
		{T2S(), "行政復議", "行政复议"},
		{T2S(), "財政預算", "财政预算"},
		{T2S(), "扶貧", "扶贫"},
		{T2S(), "政府資訊公開", "政府资讯公开"},
		{TW2SP(), "資訊公開", "信息公开"},
		{T2S(), "已经是简体 abc １２", "已经是简体 abc １２"},
		{S2T(), "行政复议", "行政複議"}, // OpenCC's STPhrases: 复议 → 複議,
		{S2T(), "政府信息公开工作年度报告", "政府信息公開工作年度報告"},
		{T2S(), "", ""},
		{T2S(), "\xff復", "\xff复"},
	}
	for _, c := range cases {
		if got := c.c.Convert(c.in); got != c.want {
			t.Errorf("Convert(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if r := T2S().ConvertRune('復'); r != '复' {
		t.Errorf("ConvertRune(復) = %c", r)
	}
	if r := T2S().ConvertRune('a'); r != 'a' {
		t.Errorf("ConvertRune(a) = %c", r)
	}
}

func BenchmarkS2T(b *testing.B) {
	c := S2T()
	s := "兰山区人民政府2018年政府信息公开工作年度报告,依申请公开办理情况,行政复议及行政诉讼"
	for i := 0; i < b.N; i++ {
		c.Convert(s)
	}
}
