package content

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// canonicalKey maps the metadata labels sites use to front matter keys.
func canonicalKey(k string) string {
	k = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, k)
	switch k {
	case "索引号", "信息索引号", "索引":
		return KeyIndexNo
	case "公开目录", "信息分类", "公开类别", "所属目录":
		return KeyCatalogue
	case "发布机构", "发文机关", "发布单位", "发布部门":
		return KeyPublisher
	case "发布日期", "发布时间", "公开日期", "生成日期":
		return KeyDate
	case "公开方式", "公开形式":
		return KeyMode
	case "文号", "发文字号":
		return KeyDocNo
	case "标题", "名称", "文件名称":
		return KeyTitle
	case "网址", "链接":
		return KeyURL
	case "关键词", "主题词":
		return KeyKeywords
	}
	return ""
}

// header reads the metadata at the top of the page and returns the lines
// after it. The header ends before the first chapter heading or long
// paragraph; within it, lines that carry metadata are used, chrome is
// dropped, and anything else before the last metadata line is dropped with
// a warning (unless it is the title, which pages repeat above the header).
func (b *importer) header(lines []srcLine) []srcLine {
	end, last := len(lines), -1
	for i, l := range lines {
		t := trimSpace(l.text)
		if chapterRE.MatchString(t) || (runeLen(t) > 60 && strings.ContainsRune(t, '。')) || i >= 60 {
			end = i
			break
		}
		if b.metaLine(t) {
			last = i
		}
	}
	if last < 0 {
		b.warn(1, "没有找到元数据(索引号、发布机构、发布日期等),请在文首手工填写")
	}
	var out []srcLine
	for i, l := range lines {
		t := trimSpace(l.text)
		switch {
		case i >= end || i > last:
			// Between the metadata and the text, pages show chrome and
			// repeat the title (an <h1>); both are left out.
			if i < end && isChrome(t) {
				b.drop(l, "网页页眉")
				continue
			}
			if i < end && t != "" && b.isTitle(t) {
				b.drop(l, "标题,已写入文首")
				continue
			}
			out = append(out, l)
		case t == "":
		case isChrome(t):
			b.drop(l, "网页页眉")
		case b.metaLine(t):
			b.drop(l, "元数据,已写入文首")
		case b.isTitle(t):
			b.drop(l, "标题,已写入文首")
		default:
			b.drop(l, "元数据之前的内容")
			b.warn(l.no, "元数据之前的一行未放入正文,请核对: %s", t)
		}
	}
	return out
}

// isTitle reports whether t is the title found in the metadata, spaces
// aside.
func (b *importer) isTitle(t string) bool {
	title := b.fields[KeyTitle]
	return title != "" && strings.Join(strings.Fields(t), "") == strings.Join(strings.Fields(title), "")
}

// metaLine records the metadata of a header line and reports whether the
// line is metadata: either "key: value" or a row of the table-like header
// ("索引号  lanshan…  公开目录  …"). It is idempotent, so header can call
// it twice per line.
func (b *importer) metaLine(t string) bool {
	if i := strings.IndexAny(t, ":\uFF1A"); i > 0 {
		if k := canonicalKey(t[:i]); k != "" {
			_, w := utf8.DecodeRuneInString(t[i:])
			v := trimSpace(t[i+w:])
			if v != "" || !b.fromKV[k] {
				b.fields[k] = v
			}
			b.fromKV[k] = true
			return true
		}
	}
	f := strings.FieldsFunc(t, unicode.IsSpace)
	if len(f) == 0 || canonicalKey(f[0]) == "" {
		return false
	}
	for i := 0; i < len(f); i++ {
		k := canonicalKey(f[i])
		if k == "" {
			continue
		}
		v := ""
		if i+1 < len(f) && canonicalKey(f[i+1]) == "" {
			v = f[i+1]
			// A title may contain spaces: it takes the rest of its row.
			if k == KeyTitle {
				v = strings.Join(f[i+1:], " ")
				i = len(f)
			}
			i++
		}
		if !b.fromKV[k] && (b.fields[k] == "" || v != "") {
			b.fields[k] = v
		}
	}
	return true
}
