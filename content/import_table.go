package content

import (
	"fmt"
	"strings"
	"unicode"
)

// tableHeader recognises the header of a flattened statistics table at
// lines[i] — "统 计 指 标", then "单位" and "统计数" on their own lines,
// or all three in one row of cells — and returns how many lines it spans
// (0 when there is none).
func tableHeader(lines []srcLine, i int) int {
	squash := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	first := squash(lines[i].text)
	switch first {
	case "统计指标单位统计数", "指标单位统计数", "统计指标计量单位统计数", "指标名称单位数量":
		return 1
	case "统计指标", "指标", "指标名称":
	default:
		return 0
	}
	want := []map[string]bool{{"单位": true, "计量单位": true}, {"统计数": true, "数量": true, "数值": true}}
	n := 1
	for _, w := range want {
		for i+n < len(lines) && squash(lines[i+n].text) == "" {
			n++
		}
		if i+n >= len(lines) || !w[squash(lines[i+n].text)] {
			return 0
		}
		n++
	}
	return n
}

// isUnit reports whether a whole cell is a unit of measure. Only short
// cells from a fixed list are units, so a label is never taken for one.
func isUnit(s string) bool {
	switch s {
	case "万元", "元", "人次", "人", "个", "件", "条", "次", "期", "份", "篇", "家", "项", "场", "起":
		return true
	}
	return false
}

// statRow is one row of a statistics table.
type statRow struct{ label, unit, value string }

// statPart is one part (一、主动公开情况 …) of the statistics table.
type statPart struct {
	title string
	rows  []statRow
}

// table rebuilds the flattened statistics table from lines[i:], one cell
// per line (label, then optional unit, then optional value), or one row
// per line with cells separated by tabs (from an HTML table). It returns
// the index of the first line it did not consume.
func (b *importer) table(lines []srcLine, i int) int {
	var parts []*statPart
	var row *statRow // the row the next unit or value belongs to
	rowDone := false // the row has its value; a further number has no label
	newRow := func(no int, label string) {
		if chapterRE.MatchString(label) {
			parts = append(parts, &statPart{title: label})
		} else if len(parts) == 0 {
			b.warn(no, "统计表第一行不是“一、”这样的部分标题,已放入“统计表”部分")
			parts = append(parts, &statPart{title: "统计表"})
		}
		p := parts[len(parts)-1]
		p.rows = append(p.rows, statRow{label: label})
		row, rowDone = &p.rows[len(p.rows)-1], false
	}
	for ; i < len(lines); i++ {
		l := lines[i]
		t := trimSpace(l.text)
		if t == "" {
			continue
		}
		if isChrome(t) {
			b.drop(l, "网页页脚")
			continue
		}
		if runeLen(t) > 60 && strings.ContainsRune(t, '。') {
			break // prose after the table
		}
		if strings.Contains(t, "\t") {
			cells := strings.Split(t, "\t")
			for j := range cells {
				cells[j] = trimSpace(cells[j])
			}
			newRow(l.no, cells[0])
			for _, c := range cells[1:] {
				b.cell(l.no, c, row, &rowDone)
			}
			continue
		}
		if row != nil && (numberRE.MatchString(t) || isUnit(t)) {
			b.cell(l.no, t, row, &rowDone)
			continue
		}
		// A label whose parenthesis is still open continues on the next
		// line(s): the page broke it inside the cell.
		label := t
		for k, limit := i+1, i+6; k < len(lines) && k <= limit && openParens(label) > 0; k++ {
			next := trimSpace(lines[k].text)
			if next == "" {
				continue
			}
			if numberRE.MatchString(next) || isUnit(next) || chapterRE.MatchString(next) || subRE.MatchString(next) {
				break
			}
			label += next
			i = k
		}
		newRow(l.no, label)
	}
	// Parts whose own line carries no value: the title is the ### heading
	// only. Parts whose line carries one keep it as their first row.
	for _, p := range parts {
		if len(p.rows) > 0 && p.rows[0].label == p.title && p.rows[0].unit == "" && p.rows[0].value == "" {
			p.rows = p.rows[1:]
		}
	}
	if len(parts) == 0 {
		b.warn(lines[min(i, len(lines)-1)].no, "统计表表头之后没有指标")
		return i
	}
	// The heading is added: the flattened table has none of its own (the
	// seed's lead calls it 相关统计报表).
	b.heading(2, "统计报表")
	for _, p := range parts {
		b.heading(3, p.title)
		var t strings.Builder
		t.WriteString("| 指标 | 单位 | 统计数 |\n| --- | --- | ---: |")
		for _, r := range p.rows {
			fmt.Fprintf(&t, "\n| %s | %s | %s |", tableCell(r.label), tableCell(r.unit), tableCell(r.value))
		}
		b.blocks = append(b.blocks, t.String())
	}
	b.lastPara = -1
	return i
}

// cell puts a unit or value cell into row.
func (b *importer) cell(no int, c string, row *statRow, rowDone *bool) {
	switch {
	case c == "":
	case isUnit(c) && row.unit == "" && row.value == "":
		row.unit = c
	case numberRE.MatchString(c) && !*rowDone:
		row.value = c
		*rowDone = true
	default:
		b.warn(no, "统计表中“%s”无法归入指标“%s”的单位或统计数,已放入统计数列,请核对", c, row.label)
		if row.value != "" {
			row.value += " "
		}
		row.value += c
	}
}

func openParens(s string) int {
	return strings.Count(s, "(") + strings.Count(s, "\uFF08") - strings.Count(s, ")") - strings.Count(s, "\uFF09")
}

// tableCell escapes a cell's pipes so the row keeps its three columns.
func tableCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
