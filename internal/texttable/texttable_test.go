package texttable

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestColumnsAlignByCells(t *testing.T) {
	var b strings.Builder
	rows := [][]string{
		{"查阅点 point", "名称 name", "人次"},
		{"xq-01", "区政务服务中心查阅点", "12"},
		{"zj-07", "张家镇", "3"},
	}
	if err := Write(&b, rows, 2); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	col := -1
	for i, l := range lines {
		c := ansi.StringWidth(l[:strings.LastIndex(l, "  ")+2])
		if i == 0 {
			col = c
		} else if c != col {
			t.Fatalf("line %d: the last column starts at cell %d, not %d:\n%s", i, c, col, b.String())
		}
	}
	if strings.HasSuffix(lines[2], " ") {
		t.Fatal("trailing spaces")
	}
}
