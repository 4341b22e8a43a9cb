package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The last seconds before an idle reset are announced by an overlay over
// the page: 还在看吗?, the seconds left in big digits, what happens then
// and a 继续浏览 button. Any key or tap dismisses it and does nothing else
// (a key meant for the page, pressed as the overlay appeared, must not
// also scroll, open or end something); the page is as it was.

// idleWarning is shown: the countdown overlay covers the screen.
func (m *Model) idleWarningShown() bool { return m.idleLeft > 0 && len(m.stack) > 0 }

// idleSeconds is the countdown shown, rounded up.
func (m *Model) idleSeconds() int { return int((m.idleLeft + time.Second - 1) / time.Second) }

// dismissIdle takes any input while the overlay shows: it keeps the visit
// and the place, and nothing else happens.
func (m *Model) dismissIdle() tea.Cmd { return m.activity() }

// bigFont holds the countdown's digits 0–9, three cells wide and five
// rows tall (readable from a step back), side by side in each row.
const bigFont = "" +
	"███ █ ███████ ████████████████\n" +
	"█ ███   █  ██ ██  █    ██ ██ █\n" +
	"█ █ █ ███████████████  ███████\n" +
	"█ █ █ █    █  █  ██ █  ██ █  █\n" +
	"████████████  ███████  ███████"

// big draws n in bigFont.
func big(n int) []string {
	font := strings.Split(bigFont, "\n")
	rows := make([]string, len(font))
	for i, r := range fmt.Sprint(n) {
		d := int(r - '0')
		for k, row := range font {
			cells := []rune(row)
			if i > 0 {
				rows[k] += " "
			}
			rows[k] += string(cells[d*3 : d*3+3])
		}
	}
	return rows
}

// idleOverlay draws the countdown box over a body of w×h cells (lines),
// centred; a box that cannot fit drops the big digits, then becomes the
// whole body.
func (m *Model) idleOverlay(lines []string, w, h int) []string {
	st := m.st
	secs := m.idleSeconds()
	inner := min(w-4, 36) // inside the border and its padding
	centre := func(s string) string { return lipgloss.PlaceHorizontal(inner, lipgloss.Center, s) }
	button := st.ItemSelected.Padding(0, 2).Render("继续浏览")
	var content []string
	add := func(s string) {
		for _, l := range wrapLines(s, inner) {
			content = append(content, centre(l))
		}
	}
	content = append(content, centre(st.Title.Render("还在看吗?")), "")
	for _, r := range big(secs) {
		content = append(content, centre(st.Error.Render(r)))
	}
	add(st.Error.Render(fmt.Sprintf("%d 秒后结束本次浏览", secs)))
	content = append(content, "", centre(button), "")
	add("按任意键或触摸屏幕,继续看这一页")
	if len(content)+2 > h {
		// Short screen: the seconds in words only.
		content = []string{centre(st.Title.Render("还在看吗?"))}
		add(st.Error.Render(fmt.Sprintf("%d 秒后结束本次浏览", secs)))
		content = append(content, centre(button))
		add("按任意键或触摸屏幕继续")
	}
	// the box in the palette's text colours: the error colour is legible
	// on text, not always as a line on the terminal's own background
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).
		BorderForeground(st.Meta.GetForeground()).BorderBackground(st.Meta.GetBackground()).
		Background(st.Meta.GetBackground()).Padding(0, 1).Render(strings.Join(content, "\n"))
	boxLines := strings.Split(box, "\n")
	if len(boxLines) > h || lipgloss.Width(box) > w {
		return strings.Split(fitLines(strings.Join(content, "\n"), w, h), "\n")
	}
	out := strings.Split(fitLines(strings.Join(lines, "\n"), w, h), "\n")
	bw := lipgloss.Width(box)
	x0, y0 := (w-bw)/2, (h-len(boxLines))/2
	for i, bl := range boxLines {
		line := out[y0+i]
		lw := ansi.StringWidth(line)
		// The page around the box stays; a wide character cut by the
		// box's edge becomes a space.
		left := ansi.Cut(line, 0, x0)
		left += strings.Repeat(" ", max(x0-ansi.StringWidth(left), 0))
		right := ""
		if lw > x0+bw {
			right = ansi.Cut(line, x0+bw, lw)
			right = strings.Repeat(" ", max(lw-x0-bw-ansi.StringWidth(right), 0)) + right
		}
		out[y0+i] = left + "\x1b[m" + bl + "\x1b[m" + right
	}
	return out
}
