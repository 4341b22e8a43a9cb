package speech

import (
	"os"
	"testing"
)

// TestRealDefaultCommand runs the real default command on two sentences.
// It is skipped unless KIOSK_TEST_ESPEAK=1 (e.g. on the kiosk itself, to
// hear it): go test ./tui/speech -run RealDefault -v
func TestRealDefaultCommand(t *testing.T) {
	if os.Getenv("KIOSK_TEST_ESPEAK") != "1" {
		t.Skip("set KIOSK_TEST_ESPEAK=1 to run espeak-ng")
	}
	r := New("")
	if err := r.Available(); err != nil {
		t.Skip(err)
	}
	ss := Split("## 依申请公开\n本机可以朗读当前这一节。按暂停键可以暂停！")
	_, ch := r.Start(ss, 0)
	for ev := range ch {
		t.Logf("%v %d %v", ev.Kind, ev.Index, ev.Err)
	}
}
