package visits

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashEnv names the database the helper process counts into.
const crashEnv = "KIOSK_VISITS_CRASH_CHILD_DB"

// TestCrashChild is not a test: it is the process TestCrashKill starts and
// SIGKILLs. It counts visits in a loop as fast as it can and prints
// "BEGUN <id>" once a visit's begin has been committed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestCrashKill")
	}
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	// A tiny FlushEvery so that kills also land in progress updates.
	tr, err := NewTracker(s, testTownship, TrackerOptions{FlushEvery: time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child tracker:", err)
		os.Exit(3)
	}
	out := os.Stdout // unbuffered: a line is out once Write returns
	fmt.Fprintln(out, "READY")
	prev := ""
	for {
		if err := tr.Activity(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(4)
		}
		if id := visitID(tr); id != prev {
			fmt.Fprintf(out, "BEGUN %s\n", id)
			prev = id
		}
		for range rand.IntN(6) {
			time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond)
			var err error
			switch rand.IntN(3) {
			case 0:
				err = tr.Activity()
			case 1:
				err = tr.SectionRead()
			case 2:
				err = tr.SearchMade()
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "child:", err)
				os.Exit(4)
			}
		}
		var err error
		switch rand.IntN(3) {
		case 0:
			err = tr.End()
		case 1:
			err = tr.IdleEnd()
		case 2:
			// leave it open: the next round continues the same visit
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(4)
		}
	}
}

// TestCrashKill starts the helper process, SIGKILLs it at random moments,
// reopens the store and checks that every visit whose begin was reported
// committed is stored exactly once and closed.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	exe, err := os.Executable()
	must(t, err)
	path := filepath.Join(t.TempDir(), "visits.db")
	budget := 15 * time.Second
	if d, ok := t.Deadline(); ok && time.Until(d) < 2*budget {
		budget = time.Until(d) / 3
	}
	deadline := time.Now().Add(budget)
	begun := map[string]bool{}
	iterations, killedMidVisit := 0, 0
	for iterations < 300 && time.Now().Before(deadline) {
		iterations++
		cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		var mu sync.Mutex
		var lines []string
		done := make(chan struct{})
		ready := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() { // Scan yields only complete lines, except at EOF
				if sc.Text() == "READY" {
					close(ready)
					continue
				}
				mu.Lock()
				lines = append(lines, sc.Text())
				mu.Unlock()
			}
		}()
		// A random moment: one time in eight during start-up (opening,
		// migrating, recovering), otherwise in the middle of counting.
		if rand.IntN(8) == 0 {
			time.Sleep(time.Duration(rand.IntN(100)) * time.Millisecond)
		} else {
			select {
			case <-ready:
			case <-time.After(30 * time.Second):
				t.Errorf("iteration %d: the child did not start counting", iterations)
			}
			time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		}
		must(t, cmd.Process.Signal(syscall.SIGKILL))
		<-done
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("iteration %d: the child was not killed but ended: %v\n%s", iterations, err, stderr.String())
		}
		mu.Lock()
		for _, l := range lines {
			if id, ok := strings.CutPrefix(l, "BEGUN "); ok && len(id) == 36 {
				begun[id] = true
			}
		}
		mu.Unlock()

		s, err := Open(path)
		if err != nil {
			t.Fatalf("iteration %d: reopen after SIGKILL: %v", iterations, err)
		}
		var open int
		must(t, s.db.QueryRow(`SELECT count(*) FROM visits WHERE ended = 'recovered'`).Scan(&open))
		v, err := s.Visits(context.Background())
		s.Close()
		must(t, err)
		count := map[string]int{}
		for _, x := range v {
			count[x.ID]++
			if x.InProgress() {
				t.Fatalf("iteration %d: visit %s still open after reopen", iterations, x.ID)
			}
			if x.Last.Before(x.Start) || x.End.Before(x.Start) {
				t.Fatalf("iteration %d: visit %+v ends before it starts", iterations, x)
			}
		}
		for id := range begun {
			if count[id] != 1 {
				t.Fatalf("iteration %d: begun visit %s stored %d times", iterations, id, count[id])
			}
		}
		killedMidVisit = open
	}
	t.Logf("%d kills in %v; %d visits begun and all counted once; %d closed by recovery in total",
		iterations, budget, len(begun), killedMidVisit)
	if len(begun) == 0 {
		t.Fatal("the child never began a visit")
	}
}
