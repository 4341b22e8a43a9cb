// Package help holds the text of the kiosk's help screen (? / 帮助): how
// to use the keys and the screen, search by pinyin, switch 长者模式 and
// 简体/繁体, have a section read aloud, scan the QR code, print.
//
// It is written for older citizens: short sentences, one thing at a
// time, with pictures made of text. The text is plain (not Markdown):
// show it as it is. Paragraph lines are at most 76 display cells, so
// they fit 80 columns unwrapped; at narrower widths wrap paragraphs (e.g.
// lipgloss.Wrap) but never pictures, which are at most 36 cells wide
// (38 with their indent) so they fit 40 columns.
package help

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kiosk/index/hanconv"
)

// Keys are the key labels the help names, as the footer shows them.
type Keys struct {
	Up, Down, Open, Back, Home, EndVisit string
	Search                               string
	Help                                 string // help where nothing is typed (?)
	HelpAnywhere                         string // help everywhere, also while typing (F1)
	Elder                                string // 长者模式 on/off
	Script                               string // 简体/繁体
	Speak                                string // read aloud; again: pause/resume
	Scan                                 string // show the QR code
	Print                                string
}

// DefaultKeys are the keys of tui/keys.go, with proposals for the new
// controls (? 帮助, z 长者模式, t 简/繁, r 朗读, m 扫码, d 打印: all free in
// keys.go today). Labels should be at most 5 cells wide.
func DefaultKeys() Keys {
	return Keys{
		Up: "↑", Down: "↓", Open: "Enter", Back: "Esc", Home: "h", EndVisit: "x",
		Search: "s", Help: "?", HelpAnywhere: "F1", Elder: "z", Script: "t", Speak: "r", Scan: "m", Print: "d",
	}
}

// Options choose what the help shows.
type Options struct {
	Traditional bool // 繁体: convert everything with OpenCC's s2t
	Keys        Keys // zero value: DefaultKeys
	Speech      bool // read-aloud is available: explain it
	Scan        bool // explain scanning the QR code
	Print       bool // printing is configured: explain it
}

// Block is a paragraph or a picture.
type Block struct {
	// Text is one paragraph: a short line (≤ 76 cells) that may be
	// wrapped at narrow widths.
	Text string
	// Picture is a text picture: lines (≤ 36 cells, all the same width)
	// that must never be wrapped. Exactly one of Text and Picture is set.
	Picture []string
}

// Section is one topic of the help, e.g. 怎样搜索.
type Section struct {
	Title string
	Body  []Block
}

// Sections returns the help's topics in reading order. A TUI with little
// room (长者模式) can show one section per page.
func Sections(o Options) []Section {
	k := o.Keys
	if k == (Keys{}) {
		k = DefaultKeys()
	}
	secs := []Section{
		{"怎样使用本机", []Block{
			p("可以用手指点屏幕,也可以按键盘。"),
			p("屏幕最下面一行是按钮,点一下就行。"),
			pic(keysPicture(k)...),
			p("屏幕上的前九项前面有数字。按数字键,就打开那一项。"),
			p("按 " + k.Up + " " + k.Down + " 选择,按 " + k.Open + " 打开。"),
			p("按 " + k.Back + " 返回上一页,按 " + k.Home + " 回到首页。"),
			p("看完了请按 " + k.EndVisit + " 结束浏览,下一位就看不到您查过什么。"),
		}},
		{"怎样搜索", []Block{
			p("按 " + k.Search + " 开始搜索。"),
			p("可以输入汉字、拼音(如 dibao)、拼音首字母(如 dbbz),也可以输入繁体字。"),
			p("几个词可以一起输入,中间空一格,比如“低保 申请”。"),
			p("拼音不用选字。拼音可以打全,也可以只打每个字的第一个字母。"),
			p("比如查“行政复议”,下面三种都可以:"),
			pic(pinyinPicture()...),
			p("打好后按 " + k.Open + ",再按结果前面的号码打开。"),
		}},
		{"长者模式和繁体字", []Block{
			p("按 " + k.Elder + " 打开长者模式:颜色更清楚,行距更宽,每页内容更少。"),
			p("按 " + k.Script + " 在简体字和繁体字之间切换。"),
			pic(modesPicture(k)...),
			p("再按一次,就换回来。您正在看的那一页不会变。"),
			p("简体、繁体都可以搜索。"),
		}},
	}
	if o.Speech {
		secs = append(secs, Section{"语音播报", []Block{
			p("按 " + k.Speak + ",本机会把这一节读给您听。"),
			p("正在读的句子会标出来。"),
			p("再按 " + k.Speak + " 暂停,再按一次接着读。"),
			p("离开这一页,朗读就停止。"),
		}})
	}
	if o.Scan {
		secs = append(secs, Section{"扫码在手机上看", []Block{
			p("有网址的文件,按 " + k.Scan + " 显示二维码。"),
			p("打开手机微信,点右上角的“+”,再点“扫一扫”。"),
			p("把手机对准屏幕上的方块,手机上就打开同一页。"),
			pic(scanPicture()...),
			p("这样可以带走慢慢看,也可以发给家人。"),
		}})
	}
	if o.Print {
		secs = append(secs, Section{"打印", []Block{
			p("按 " + k.Print + " 打印您正在看的这一节。"),
			p("打印出来的纸,请到打印机旁边取。"),
		}})
	}
	last := []Block{
		p("请找工作人员,他们会帮您。"),
		p("随时按 " + k.HelpAnywhere + " 打开帮助,按 " + k.Back + " 返回。"),
	}
	if k.Help != k.HelpAnywhere {
		// ? is typed as a character in the search box.
		last = append(last, p("不在输入文字的时候,按 "+k.Help+" 也可以。"))
	}
	secs = append(secs, Section{"还有不明白的", last})
	if o.Traditional {
		c := hanconv.S2T()
		for i := range secs {
			secs[i].Title = c.Convert(secs[i].Title)
			for j := range secs[i].Body {
				b := &secs[i].Body[j]
				b.Text = c.Convert(b.Text)
				if b.Picture != nil {
					for l := range b.Picture {
						b.Picture[l] = c.Convert(b.Picture[l])
					}
					b.Picture = padLines(b.Picture)
				}
			}
		}
	}
	return secs
}

// Text returns the whole help as plain text: each section's title with a
// rule under it, paragraphs, and pictures indented by two spaces.
func Text(o Options) string {
	var b strings.Builder
	for i, s := range Sections(o) {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s.Title + "\n")
		b.WriteString(strings.Repeat("─", ansi.StringWidth(s.Title)) + "\n")
		for _, bl := range s.Body {
			if bl.Picture == nil {
				b.WriteString(bl.Text + "\n")
				continue
			}
			b.WriteString("\n")
			for _, l := range bl.Picture {
				b.WriteString(strings.TrimRight("  "+l, " ") + "\n")
			}
			b.WriteString("\n")
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func p(s string) Block { return Block{Text: s} }

func pic(lines ...string) Block { return Block{Picture: padLines(lines)} }

// padLines pads every line to the width of the widest.
func padLines(lines []string) []string {
	w := 0
	for _, l := range lines {
		w = max(w, ansi.StringWidth(l))
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l + strings.Repeat(" ", w-ansi.StringWidth(l))
	}
	return out
}

// center centres s in w cells.
func center(s string, w int) string {
	gap := max(w-ansi.StringWidth(s), 0)
	return strings.Repeat(" ", gap/2) + s + strings.Repeat(" ", gap-gap/2)
}

// keycap draws a key cap around label, at least inner cells inside:
// three lines of equal width.
func keycap(label string, inner int) [3]string {
	w := max(ansi.StringWidth(label)+2, inner)
	return [3]string{
		"┌" + strings.Repeat("─", w) + "┐",
		"│" + center(label, w) + "│",
		"└" + strings.Repeat("─", w) + "┘",
	}
}

// caps lays key caps out side by side, one cell apart, with a caption
// centred under each when captions is not nil.
func caps(labels []string, inner int, captions []string) []string {
	n := 3
	if captions != nil {
		n = 4
	}
	lines := make([]string, n)
	for i, l := range labels {
		k := keycap(l, inner)
		w := ansi.StringWidth(k[0])
		sep := ""
		if i > 0 {
			sep = " "
		}
		for j := 0; j < 3; j++ {
			lines[j] += sep + k[j]
		}
		if captions != nil {
			lines[3] += sep + center(captions[i], w)
		}
	}
	return lines
}

// keysPicture: the arrow, Enter and Esc keys with what they do, and the
// number keys.
func keysPicture(k Keys) []string {
	out := caps([]string{k.Up, k.Down, k.Open, k.Back}, 5, []string{"上移", "下移", "打开", "返回"})
	digits := caps([]string{"1", "2", "3"}, 3, nil)
	digits[1] += " 数字键:打开那一项"
	return append(append(out, ""), digits...)
}

// pinyinPicture: three ways to type 行政复议, and the search box.
func pinyinPicture() []string {
	return []string{
		"行政复议       ← 汉字",
		"xingzhengfuyi  ← 全拼",
		"xzfy           ← 每个字的第一个字母",
		"",
		"┌ 搜索 ──────────────────────┐",
		"│ xzfy▏                      │",
		"└────────────────────────────┘",
		"  1 行政复议",
		"  2 行政复议和行政诉讼情况",
	}
}

// modesPicture: the two buttons with their keys.
func modesPicture(k Keys) []string {
	button := func(key, label string) [3]string {
		return keycap(key+"  "+label, 0)
	}
	a, b := button(k.Elder, "长者模式"), button(k.Script, "简体/繁体")
	return []string{a[0] + " " + b[0], a[1] + " " + b[1], a[2] + " " + b[2]}
}

// scanPicture: a phone scanning the code on the screen.
func scanPicture() []string {
	return []string{
		"    屏幕               手机",
		"┌──────────┐        ┌────────┐",
		"│ █▀▀█ ▄▄█ │        │ ┌────┐ │",
		"│ █▄▄█ ▀▄▀ │ ◀───── │ │ 扫 │ │",
		"│ ▄▀▄▄▀█▄▀ │        │ └────┘ │",
		"└──────────┘        │   ○    │",
		"                    └────────┘",
	}
}
