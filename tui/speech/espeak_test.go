package speech

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRealDefaultCommand runs the real default command on the sentences
// of a short section and checks that each one started and the run
// finished without error (a missing voice or sound device fails it). It is
// skipped unless KIOSK_TEST_ESPEAK=1 (e.g. on the kiosk itself, to hear
// it): go test ./tui/speech -run RealDefault -v
func TestRealDefaultCommand(t *testing.T) {
	if os.Getenv("KIOSK_TEST_ESPEAK") != "1" {
		t.Skip("set KIOSK_TEST_ESPEAK=1 to run espeak-ng")
	}
	r := New("")
	if err := r.Available(); err != nil {
		t.Skip(err)
	}
	ss := Split("## 依申请公开\n本机可以朗读当前这一节。按暂停键可以暂停！")
	if len(ss) < 2 {
		t.Fatalf("Split gave %d sentences, want the heading and the text's", len(ss))
	}
	id, ch := r.Start(ss, 0)
	var want []Event
	for i := range ss {
		want = append(want, Event{Run: id, Kind: Started, Index: i})
	}
	want = append(want, Event{Run: id, Kind: Finished})
	if evs := collect(t, ch); !slices.Equal(evs, want) {
		t.Errorf("events\n got %v\nwant %v", evs, want)
	}
}

// TestEspeakTakesDoubleDash checks, where espeak-ng is installed, what
// Placeholder relies on: after "--" it speaks a sentence that looks like an
// option (-q: no sound, -x: print the phonemes).
func TestEspeakTakesDoubleDash(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed")
	}
	out, err := exec.Command("espeak-ng", "-q", "-x", "-v", "cmn", "--", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("espeak-ng -- --help: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Usage") || strings.Contains(string(out), "option") {
		t.Fatalf("espeak-ng read the text after -- as an option:\n%s", out)
	}
	if !strings.Contains(string(out), "h'E") {
		t.Fatalf("espeak-ng did not speak the word help:\n%s", out)
	}
}
