// Command minimal-tea is the smallest Bubble Tea v2 program that draws one
// line of Chinese, set up like the kiosk's frame (alternate screen, mouse
// cell motion). scripts/first-frame.sh times its first frame beside the
// kiosk's: the difference is what the kiosk itself adds. Any key quits.
package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
)

// Line is the text the first frame shows; first-frame.sh waits for it.
const Line = "政府信息公开 · 自助查阅"

type model struct{}

func (model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return m, tea.Quit
	}
	return m, nil
}

func (model) View() tea.View {
	v := tea.NewView(Line)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

func main() {
	if _, err := tea.NewProgram(model{}).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "minimal-tea:", err)
		os.Exit(1)
	}
}
