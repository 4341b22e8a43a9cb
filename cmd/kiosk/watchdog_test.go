package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The real kiosk, started as systemd would start it with a watchdog, sends
// WATCHDOG=1 to the notify socket while its screen is alive.
func TestKioskPetsSystemdWatchdog(t *testing.T) {
	bin := kioskBinary(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tm := newTerm(t, "env NOTIFY_SOCKET="+sock+" WATCHDOG_USEC=400000 "+bin+" --data "+filepath.Join(dir, "data"))
	tm.waitFor("按任意键或触摸屏幕开始")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no watchdog message: %v", err)
	}
	if got := string(buf[:n]); !strings.Contains(got, "WATCHDOG=1") {
		t.Fatalf("got %q", got)
	}
	// A hung kiosk would stop; here it keeps petting.
	if _, err := conn.Read(buf); err != nil {
		t.Fatalf("the watchdog stopped: %v", err)
	}
}
