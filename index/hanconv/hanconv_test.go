package hanconv

import (
	"os"
	"strings"
	"testing"
)

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
		{S2T(), "行政复议", "行政復議"}, // KioskPhrases: 复议 → 復議 (OpenCC: 複議)
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

// governmentTerms are words citizens meet on the kiosk with the one
// traditional form each must have: OpenCC's standard forms (發佈, 答覆,
// 徵收), where they read the word right.
var governmentTerms = [][2]string{
	{"政府信息公开", "政府信息公開"},
	{"依申请公开", "依申請公開"},
	{"主动公开", "主動公開"},
	{"不予公开", "不予公開"},
	{"部分公开", "部分公開"},
	{"政务公开", "政務公開"},
	{"发布", "發佈"},
	{"发布机构", "發佈機構"},
	{"发布日期", "發佈日期"},
	{"公开发布", "公開發佈"},
	{"召开新闻发布会", "召開新聞發佈會"},
	{"面试", "面試"},
	{"笔试和面试成绩", "筆試和面試成績"},
	{"制度", "制度"},
	{"认定制度", "認定制度"},
	{"规章制度", "規章制度"},
	{"制定制度", "制定制度"},
	{"制作", "製作"},
	{"行政复议", "行政復議"},
	{"行政复议决定书", "行政復議決定書"},
	{"行政诉讼", "行政訴訟"},
	{"行政许可", "行政許可"},
	{"行政处罚", "行政處罰"},
	{"答复", "答覆"},
	{"申请答复数", "申請答覆數"},
	{"规范", "規範"},
	{"最低生活保障", "最低生活保障"},
	{"特困人员", "特困人員"},
	{"临时救助", "臨時救助"},
	{"医疗救助", "醫療救助"},
	{"医疗保险", "醫療保險"},
	{"养老保险", "養老保險"},
	{"失业保险", "失業保險"},
	{"工伤保险", "工傷保險"},
	{"社会保障卡", "社會保障卡"},
	{"户籍", "戶籍"},
	{"户口簿", "戶口簿"},
	{"身份证", "身份證"},
	{"居民身份证", "居民身份證"},
	{"住房公积金", "住房公積金"},
	{"营业执照", "營業執照"},
	{"不动产登记", "不動產登記"},
	{"结婚登记", "結婚登記"},
	{"出生医学证明", "出生醫學證明"},
	{"残疾人", "殘疾人"},
	{"高龄津贴", "高齡津貼"},
	{"政府采购", "政府採購"},
	{"财政预算", "財政預算"},
	{"决算", "決算"},
	{"三公经费", "三公經費"},
	{"土地征收", "土地徵收"},
	{"征求意见", "徵求意見"},
	{"拆迁", "拆遷"},
	{"公共资源交易", "公共資源交易"},
	{"安全生产", "安全生產"},
	{"义务教育", "義務教育"},
	{"公务员", "公務員"},
	{"事业单位", "事業單位"},
	{"干部", "幹部"},
	{"人大代表建议", "人大代表建議"},
	{"政协提案", "政協提案"},
	{"信访", "信訪"},
	{"办事指南", "辦事指南"},
	{"年度报告", "年度報告"},
	{"街道办事处", "街道辦事處"},
	{"查阅点", "查閱點"},
	{"联系电话", "聯繫電話"},
	{"台风", "颱風"},
	{"以后", "以後"},
	{"范围", "範圍"},
}

func TestGovernmentTerms(t *testing.T) {
	c := S2T()
	for _, tc := range governmentTerms {
		if got := c.Convert(tc[0]); got != tc[1] {
			t.Errorf("S2T(%s) = %s, want %s", tc[0], got, tc[1])
		}
		// The same word inside a sentence, next to what could take one
		// of its characters into another phrase.
		in := "已于今年" + tc[0] + "。"
		if got, want := c.Convert(in), "已於今年"+tc[1]+"。"; got != want {
			t.Errorf("S2T(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestConvertAcrossLayout: a word is converted as one word when a line
// break (with margins) or colours fall between its characters, and only
// the characters change.
func TestConvertAcrossLayout(t *testing.T) {
	c := S2T()
	cases := []struct{ in, want string }{
		{"公开发\n  布", "公開發\n  佈"},
		{"及时发   \n  布各类", "及時發   \n  佈各類"},
		{"发\n\n  布", "發\n\n  佈"},                                             // 长者模式: a blank line between
		{"\x1b[1m发\x1b[0m\x1b[2m布\x1b[0m", "\x1b[1m發\x1b[0m\x1b[2m佈\x1b[0m"}, // styled in parts
		{"和面\n试", "和面\n試"},
		{"发\n│ 布", "發\n│ 布"}, // not one word: something else is between
		{"发 布", "發 布"},       // a space inside a line separates words
	}
	for _, tc := range cases {
		if got := c.Convert(tc.in); got != tc.want {
			t.Errorf("Convert(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDefaultPackOneForm: in the whole default report every phrase of the
// dictionaries that occurs more than once is converted the same way
// everywhere (before, 公开发布 gave 公開發布 beside 發佈 elsewhere, and
// 认定制度 gave 認定製度 beside 制度).
func TestDefaultPackOneForm(t *testing.T) {
	b, err := os.ReadFile("../../content/defaultpack/lanshan-2018-annual-report.md")
	if err != nil {
		t.Fatal(err)
	}
	c := S2T()
	src, out := []rune(string(b)), []rune(c.Convert(string(b)))
	if len(src) != len(out) {
		t.Fatalf("conversion changed the length: %d → %d characters", len(src), len(out))
	}
	text := string(b)
	for k := range c.stages[0].m {
		kr := []rune(k)
		if len(kr) < 2 || !strings.Contains(text, k) {
			continue
		}
		forms := map[string]int{}
		for i := 0; i+len(kr) <= len(src); i++ {
			if string(src[i:i+len(kr)]) == k {
				forms[string(out[i:i+len(kr)])]++
			}
		}
		if len(forms) > 1 {
			t.Errorf("%s has %d forms in the report: %v", k, len(forms), forms)
		}
	}
}

func BenchmarkS2T(b *testing.B) {
	c := S2T()
	s := "兰山区人民政府2018年政府信息公开工作年度报告,依申请公开办理情况,行政复议及行政诉讼"
	for i := 0; i < b.N; i++ {
		c.Convert(s)
	}
}

// BenchmarkS2TBuild is what the first use of S2T costs, once per process:
// reading the embedded dictionaries into a stage (cmd/kiosk pays it in the
// background a second after start).
func BenchmarkS2TBuild(b *testing.B) {
	for i := 0; i < b.N; i++ {
		newStage("KioskPhrases", "STPhrases", "STCharacters")
	}
}
