package content

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// minWrapped is the shortest line taken for part of a hard-wrapped
// paragraph (pages and editors wrap Chinese at 30–40 characters).
const minWrapped = 20

// Line patterns. Brackets and punctuation come in ASCII and full-width
// forms in published reports (the seed uses ASCII parentheses), so every
// pattern accepts both.
var (
	// 一、工作概述 — a chapter; the numeral is group 1.
	chapterRE = regexp.MustCompile(`^([一二三四五六七八九十百零〇]+)[、\x{FF0E}.]\s*(.*)$`)
	// (一)组织领导和制度建设 — a sub-heading when standalone and short.
	subRE = regexp.MustCompile(`^[(\x{FF08}][一二三四五六七八九十]+[)\x{FF09}]`)
	// 1、政府门户网站 / 1.政府公报… — a numbered item.
	// Not "2.3万元": a digit after the dot makes it a number.
	itemRE = regexp.MustCompile(`^[0-9\x{FF10}-\x{FF19}]{1,2}[、.\x{FF0E}][^0-9\x{FF10}-\x{FF19}]`)
	// A statistics value: digits, possibly with thousands separators or decimals.
	numberRE = regexp.MustCompile(`^-?[0-9\x{FF10}-\x{FF19}][0-9\x{FF10}-\x{FF19},\x{FF0C}.\x{FF0E}]*$`)
	// Losses the extraction is known to make (see defaultpack/README.md).
	lostDateRE  = regexp.MustCompile(`(^|[^0-9])(20[0-9]{2})([0-9]{1,4})日`)
	lostDocNoRE = regexp.MustCompile(`〔[0-9]{4}[0-9]+号`)
	// A count with its measure word, and a count right after a Chinese
	// character (not part of a date, phone number or code) and right
	// before punctuation.
	measuredRE   = regexp.MustCompile(`[0-9]+余?[件条]`)
	bareNumberRE = regexp.MustCompile(`\p{Han}([0-9]+)([,;()\x{FF0C}\x{FF1B}\x{FF08}\x{FF09}。])`)
	// Page chrome: lines that are site navigation, counters and buttons,
	// never report text. Matched only on short lines (see isChrome).
	chromeRE = regexp.MustCompile(`欢迎访问|^简体\s*繁体|繁體|网站支持IPv6|无障碍|长者模式|点击数|点击量|浏览次数|访问量|关闭窗口|打印本页|【打印】|【关闭】|扫一扫|分享到|字号[::\x{FF1A}]?\s*[大中小]|^上一篇|^下一篇|当前位置|您现在的位置|版权所有|网站标识码|ICP备|公网安备|主办单位[::\x{FF1A}]|^首页\s*[>»]`)
)

// sentenceEnd reports whether r ends a sentence (ASCII or full-width).
func sentenceEnd(r rune) bool {
	switch r {
	case '。', '!', '?', ';', '\uFF01', '\uFF1F', '\uFF1B':
		return true
	}
	return false
}

func isChrome(s string) bool { return runeLen(s) <= 60 && chromeRE.MatchString(s) }

// body lays out the report text: headings from the Chinese numbering,
// one paragraph per line, and the flattened statistics table rebuilt.
func (b *importer) body(lines []srcLine) {
	prevBlank := true
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := trimSpace(l.text)
		if t == "" {
			prevBlank = true
			continue
		}
		if isChrome(t) {
			b.drop(l, "网页页脚")
			continue
		}
		if n := tableHeader(lines, i); n > 0 {
			for _, h := range lines[i : i+n] {
				b.drop(h, "统计表表头,成为每张表的表头行")
			}
			i = b.table(lines, i+n) - 1
			prevBlank = true
			continue
		}
		// Cells of a table that is not the statistics table read as
		// words of a line.
		t = strings.ReplaceAll(t, "\t", " ")
		b.checkLosses(l.no, t)
		b.line(l.no, t, prevBlank)
		prevBlank = false
	}
}

// line places one non-empty body line.
func (b *importer) line(no int, t string, prevBlank bool) {
	if m := chapterRE.FindStringSubmatch(t); m != nil {
		head, rest := t, ""
		if j := strings.IndexRune(t, '。'); j >= 0 && j+len("。") < len(t) {
			head, rest = t[:j+len("。")], trimSpace(t[j+len("。"):])
		}
		if runeLen(head) <= 50 {
			b.chapter(no, head, chineseNumber(m[1]))
			if rest != "" {
				b.paragraph(no, rest, true)
			}
			return
		}
		b.warn(no, "这一行以“%s、”开头但太长,未当作章节标题,请核对", m[1])
	} else if strings.HasPrefix(t, "、") && b.standalone(t, 60) {
		b.chapter(no, t, 0)
		return
	} else if subRE.MatchString(t) && b.standalone(t, 40) && b.inChapter {
		b.heading(3, t)
		return
	} else if itemRE.MatchString(t) && b.standalone(t, 25) && b.inChapter {
		// A standalone numbered line is a heading below ###; the pack
		// keeps it inside its section.
		b.heading(4, t)
		return
	}
	b.paragraph(no, t, prevBlank)
}

// standalone reports whether t looks like a heading line: short, and no
// sentence ends before its last character.
func (b *importer) standalone(t string, limit int) bool {
	if runeLen(t) > limit {
		return false
	}
	rs := []rune(t)
	for _, r := range rs[:len(rs)-1] {
		if sentenceEnd(r) {
			return false
		}
	}
	return true
}

// chapter writes a ## heading; n is its numeral's value, 0 when the
// numeral is missing (the line starts with 、).
func (b *importer) chapter(no int, title string, n int) {
	switch {
	case n == 0:
		b.warn(no, "章节标题以“、”开头,序号可能在抽取时丢失(按顺序应为“%s、”),请核对原文后补上", chineseNumeral(b.lastChapter+1))
		n = b.lastChapter + 1
	case n <= b.lastChapter:
		b.warn(no, "章节序号“%s、”重复或倒退(前面已到“%s、”),请核对原文", chineseNumeral(n), chineseNumeral(b.lastChapter))
	case n != b.lastChapter+1:
		b.warn(no, "章节序号从“%s、”跳到“%s、”,中间可能缺了章节或序号,请核对原文", chineseNumeral(b.lastChapter), chineseNumeral(n))
	}
	b.lastChapter = max(b.lastChapter, n)
	b.inChapter = true
	b.heading(2, title)
}

func (b *importer) heading(level int, title string) {
	b.blocks = append(b.blocks, strings.Repeat("#", level)+" "+title)
	b.lastPara = -1
}

// paragraph adds a paragraph, or continues the previous one when the text
// was hard-wrapped: no blank line between, and the previous line was long
// (a short one is more likely a label or a title) and did not end a
// sentence. Chinese lines join without a space.
func (b *importer) paragraph(no int, t string, prevBlank bool) {
	defer func() { b.lastLineLen = runeLen(t) }()
	if !prevBlank && b.lastPara >= 0 && b.lastParaNo == no-1 && b.lastLineLen >= minWrapped {
		prev := b.blocks[b.lastPara]
		last, _ := utf8.DecodeLastRuneInString(prev)
		if !sentenceEnd(last) && last != '\uFF1A' && last != ':' {
			sep := ""
			first, _ := utf8.DecodeRuneInString(t)
			if last < utf8.RuneSelf && first < utf8.RuneSelf && last != ' ' {
				sep = " " // two ASCII words
			}
			b.blocks[b.lastPara] = prev + sep + t
			b.lastParaNo = no
			return
		}
	}
	// A paragraph line must not read as a heading or code fence to the
	// pack loader.
	if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
		t = `\` + t
	}
	b.blocks = append(b.blocks, t)
	b.lastPara, b.lastParaNo = len(b.blocks)-1, no
}

// checkLosses warns about characters the extraction is known to lose, so
// staff restore them by hand as was done for the default pack.
func (b *importer) checkLosses(no int, t string) {
	if m := lostDateRE.FindStringSubmatch(t); m != nil {
		b.warn(no, "“%s%s日”疑似丢失了“年”“月”,请核对原文", m[2], m[3])
	}
	docNo := lostDocNoRE.FindString(t)
	if docNo != "" {
		b.warn(no, "文号“%s”缺少“〕”,请核对原文", docNo)
	}
	if strings.Contains(t, "http//") || strings.Contains(t, "https//") {
		b.warn(no, "网址缺少“:”(http//),请核对")
	}
	for _, p := range [][2]string{{"“", "”"}, {"《", "》"}, {"〔", "〕"}} {
		o, c := strings.Count(t, p[0]), strings.Count(t, p[1])
		switch {
		case p[0] == "〔" && docNo != "":
			// already reported as a document number
		case o != c:
			b.warn(no, "%s%s 不成对(%d 个 %s,%d 个 %s),可能丢失了字符,请核对原文", p[0], p[1], o, p[0], c, p[1])
		case o > 0 && strings.Index(t, p[1]) < strings.Index(t, p[0]):
			// Balanced counts but a closing mark first: "兰山政务”“兰山发布"
			// lost the outer pair.
			b.warn(no, "%s 出现在 %s 之前,引号/书名号可能丢失,请核对原文", p[1], p[0])
		}
	}
	// When some numbers in a line carry their measure word (226件) and
	// another is followed directly by punctuation (193。), the extraction
	// probably lost that measure word.
	if measuredRE.MatchString(t) {
		for _, m := range bareNumberRE.FindAllStringSubmatch(t, -1) {
			b.warn(no, "“%s”后可能缺少量词(件/条),请核对原文", m[1]+m[2])
		}
	}
}
