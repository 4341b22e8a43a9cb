package help

import (
	"testing"

	"kiosk/content"
	"kiosk/index/hanconv"
)

// longest returns the Markdown of the longest section of the built-in
// content (as the reader shows it, subsections included) and the whole
// document body.
func longest(tb testing.TB) (section, body string) {
	p, err := content.Default()
	if err != nil {
		tb.Fatal(err)
	}
	for _, d := range p.Docs {
		if len(d.Body) > len(body) {
			body = d.Body
		}
		for _, s := range d.Sections {
			if md := s.Markdown(); len(md) > len(section) {
				section = md
			}
		}
	}
	return section, body
}

// What the 简体/繁体 switch costs per frame: converting the longest
// section and the whole report (~26 KB) against the 16 ms frame budget at
// 60 Hz. The converter's one-off build is BenchmarkS2TBuild in
// index/hanconv.
// go test ./tui/help -run '^$' -bench S2T

func BenchmarkS2TLongestSection(b *testing.B) {
	section, _ := longest(b)
	c := hanconv.S2T()
	b.SetBytes(int64(len(section)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Convert(section)
	}
}

func BenchmarkS2TWholeReport(b *testing.B) {
	_, body := longest(b)
	c := hanconv.S2T()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Convert(body)
	}
}
