package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"kiosk/content"
	"kiosk/render"
)

// BenchmarkFirstFrame measures what a kiosk does between process start and
// its first frame: load the embedded pack, build the session, render the
// attract screen.
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		p, err := content.Default()
		if err != nil {
			b.Fatal(err)
		}
		m := New(Deps{Content: Content{Pack: p}, Options: Options{Config: testConfig(), Renderer: render.New(render.Options{Style: "dark"}), Sanitize: render.Sanitize}})
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		_ = m.View()
	}
}

// BenchmarkReaderFrame is one frame of the reader on a long section once
// the section is rendered (what every scroll key costs).
func BenchmarkReaderFrame(b *testing.B) {
	p, err := content.Default()
	if err != nil {
		b.Fatal(err)
	}
	m := New(Deps{Content: Content{Pack: p}, Options: Options{Config: testConfig(), Renderer: render.New(render.Options{Style: "dark"}), Sanitize: render.Sanitize}})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.start()
	m.push(newReaderScreen(m.env, p.Docs[0].Section("3")))
	m.layout() // what Update does after every message
	_ = m.View()
	for b.Loop() {
		m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
		_ = m.View()
	}
}

// BenchmarkTraditionalFrame is one reader frame in 繁體: the frame is
// converted as a whole (what every key press costs in that mode).
func BenchmarkTraditionalFrame(b *testing.B) {
	p, err := content.Default()
	if err != nil {
		b.Fatal(err)
	}
	conv := testS2T()
	m := New(Deps{Content: Content{Pack: p}, Options: Options{Config: testConfig(), Renderer: render.New(render.Options{Style: "dark"}), Sanitize: render.Sanitize,
		ToTraditional: conv.Convert}})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.start()
	m.setTraditional(true)
	m.push(newReaderScreen(m.env, p.Docs[0].Section("3")))
	m.layout() // what Update does after every message
	_ = m.View()
	for b.Loop() {
		m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
		_ = m.View()
	}
}
