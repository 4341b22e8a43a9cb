package speech

import (
	"reflect"
	"strings"
	"testing"

	"kiosk/content"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string // spoken texts
		src  []string // in[Start:End] of each
	}{
		{"terminators", "第一句。第二句！第三句？第四句；末句",
			[]string{"第一句。", "第二句！", "第三句？", "第四句；", "末句"},
			[]string{"第一句。", "第二句！", "第三句？", "第四句；", "末句"}},
		{"ascii terminators", "Yes! Really? a;b c; done",
			[]string{"Yes!", "Really?", "a;b c;", "done"},
			[]string{"Yes!", "Really?", "a;b c;", "done"}},
		{"line ends", "第一段没有句号\n\n  第二段。  \r\n第三段",
			[]string{"第一段没有句号", "第二段。", "第三段"},
			[]string{"第一段没有句号", "第二段。", "第三段"}},
		{"closing quotes stay", "他说:“办好了！”然后走了。（见附件。）",
			[]string{"他说:“办好了！”", "然后走了。", "（见附件。）"},
			[]string{"他说:“办好了！”", "然后走了。", "（见附件。）"}},
		{"runs of marks", "真的吗？！是的……。好",
			[]string{"真的吗？！", "是的……。", "好"},
			[]string{"真的吗？！", "是的……。", "好"}},
		{"heading", "## 一、总体情况\n### (一)主动公开",
			[]string{"一、总体情况", "(一)主动公开"},
			[]string{"一、总体情况", "(一)主动公开"}},
		{"bold and code", "**重要:**请带`身份证`。__注意__",
			[]string{"重要:请带身份证。", "注意"},
			[]string{"**重要:**请带`身份证`。", "__注意__"}},
		{"bold after terminator", "**请排队。**谢谢",
			[]string{"请排队。", "谢谢"},
			[]string{"**请排队。**", "谢谢"}},
		{"link and image", "详见[兰山区政府网](http://www.lyls.gov.cn/)。![二维码](qr.png)",
			[]string{"详见兰山区政府网。", "二维码"},
			[]string{"详见[兰山区政府网](http://www.lyls.gov.cn/)。", "![二维码](qr.png)"}},
		{"address with ? stays whole", "请访问 http://www.lyls.gov.cn/list.jsp?id=3 查询。",
			[]string{"请访问 http://www.lyls.gov.cn/list.jsp?id=3 查询。"},
			[]string{"请访问 http://www.lyls.gov.cn/list.jsp?id=3 查询。"}},
		{"decimal point", "共 2.5 亿元。",
			[]string{"共 2.5 亿元。"}, []string{"共 2.5 亿元。"}},
		{"lists", "- 第一项；第二项\n* 第三项\n1. 步骤一。\n2) 步骤二\n> 引用。",
			[]string{"第一项；", "第二项", "第三项", "步骤一。", "步骤二", "引用。"},
			[]string{"第一项；", "第二项", "第三项", "步骤一。", "步骤二", "引用。"}},
		{"table", "| 指标 | 单位 | 统计数 |\n| :--- | :-: | ---: |\n| 主动公开 | 条 | 1,234 |\n|  |  | |",
			[]string{"指标,单位,统计数", "主动公开,条,1,234"},
			[]string{"| 指标 | 单位 | 统计数 |", "| 主动公开 | 条 | 1,234 |"}},
		{"nothing to say", "……\n---\n***\n   \n。。\n```\n|---|\n# \n",
			nil, nil},
		{"html", "第一<br>第二。a<b",
			[]string{"第一第二。", "a<b"}, []string{"第一<br>第二。", "a<b"}},
		{"escapes", `1\. 不是列表\*号。`,
			[]string{"1. 不是列表*号。"}, []string{`1\. 不是列表\*号。`}},
		{"empty", "", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Split(c.in)
			var texts, srcs []string
			for _, s := range got {
				texts = append(texts, s.Text)
				srcs = append(srcs, c.in[s.Start:s.End])
			}
			if !reflect.DeepEqual(texts, c.want) {
				t.Errorf("texts\n got %q\nwant %q", texts, c.want)
			}
			if !reflect.DeepEqual(srcs, c.src) {
				t.Errorf("sources\n got %q\nwant %q", srcs, c.src)
			}
		})
	}
}

// TestSplitContent splits every section of the built-in content and checks
// the invariants the TUI relies on.
func TestSplitContent(t *testing.T) {
	p, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range p.Docs {
		for _, sec := range d.Sections {
			md := sec.Markdown()
			prev := 0
			for _, s := range Split(md) {
				n++
				if s.Start < prev || s.End <= s.Start || s.End > len(md) {
					t.Fatalf("%s: bad range %d–%d after %d", sec.Ref(), s.Start, s.End, prev)
				}
				prev = s.End
				if !speakable(s.Text) || strings.ContainsAny(s.Text, "|*`#\n") {
					t.Errorf("%s: spoken text %q", sec.Ref(), s.Text)
				}
				if strings.Contains(md[s.Start:s.End], "\n") {
					t.Errorf("%s: sentence spans a line: %q", sec.Ref(), md[s.Start:s.End])
				}
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d sentences in the whole content", n)
	}
}
