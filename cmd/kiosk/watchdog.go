package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"
)

// watchdogPing goes through the kiosk's event loop; the model ignores it.
type watchdogPing struct{}

// startWatchdog sends WATCHDOG=1 to systemd while the kiosk's event loop is
// alive. Each ping is first sent through the running program: Send blocks
// while the loop is stuck, so a hung screen stops the pings and systemd
// (WatchdogSec= in the unit) restarts the kiosk. Without $NOTIFY_SOCKET and
// $WATCHDOG_USEC (not run by systemd with a watchdog) it does nothing.
func startWatchdog(p *tea.Program, done <-chan struct{}) error {
	sock, usec := os.Getenv("NOTIFY_SOCKET"), os.Getenv("WATCHDOG_USEC")
	if sock == "" || usec == "" {
		return nil
	}
	us, err := strconv.ParseInt(usec, 10, 64)
	if err != nil || us <= 0 {
		return fmt.Errorf("WATCHDOG_USEC=%q 不是微秒数 (not a number of microseconds)", usec)
	}
	every := time.Duration(us) * time.Microsecond / 2
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.Send(watchdogPing{})
				_ = sdNotify(sock, "WATCHDOG=1")
			}
		}
	}()
	return nil
}

// sdNotify sends one sd_notify(3) message to systemd's socket.
func sdNotify(sock, state string) error {
	if sock[0] == '@' {
		sock = "\x00" + sock[1:] // abstract socket
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
