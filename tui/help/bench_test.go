package help

import (
	"testing"
	"time"

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

// TestS2TSpeed reports what the 简体/繁体 switch costs: the converter's
// first build and converting the longest section and the whole report.
// The frame budget at 60 Hz is 16 ms; the body is ~26 KB. It reports
// and does not fail: timings on a shared machine vary.
// go test ./tui/help -run S2TSpeed -v
func TestS2TSpeed(t *testing.T) {
	section, body := longest(t)
	start := time.Now()
	c := hanconv.S2T()
	build := time.Since(start)
	best := func(s string) time.Duration {
		min := time.Hour
		for i := 0; i < 5; i++ {
			st := time.Now()
			c.Convert(s)
			min = minDur(min, time.Since(st))
		}
		return min
	}
	t.Logf("S2T build (first use, once per process): %v", build)
	t.Logf("longest section %d bytes: %v (best of 5)", len(section), best(section))
	t.Logf("whole report %d bytes: %v (best of 5)", len(body), best(body))
}

func minDur(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

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
