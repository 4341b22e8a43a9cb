package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kiosk/hub"
	"kiosk/hub/api"
	"kiosk/hub/store"
	"kiosk/visits"
)

// serveProc is a running `kiosk hub serve` and its log.
type serveProc struct {
	cmd   *exec.Cmd
	url   string
	lines chan string
	log   *strings.Builder
}

// startServe runs the real binary on a free loopback port and waits for
// its "serving" log line.
func startServe(t *testing.T, bin, dir string) *serveProc {
	t.Helper()
	return startServeAt(t, bin, dir, "127.0.0.1:0")
}

// startServeAt is startServe on a given address (a restart keeps it).
func startServeAt(t *testing.T, bin, dir, addr string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, "hub", "serve", "--data", dir, "--listen", addr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	p := &serveProc{cmd: cmd, lines: make(chan string, 1000), log: &strings.Builder{}}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	var rec struct {
		Msg  string `json:"msg"`
		Addr string `json:"addr"`
	}
	line := p.waitLog(t, `"msg":"serving"`)
	if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Addr == "" {
		t.Fatalf("serving line %q: %v", line, err)
	}
	p.url = "https://" + rec.Addr
	return p
}

// waitLog reads the log until a line holds want.
func (p *serveProc) waitLog(t *testing.T, want string) string {
	t.Helper()
	guard := time.After(2 * time.Minute) // a hang, not a measurement
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("hub serve ended before logging %s:\n%s", want, p.log)
			}
			p.log.WriteString(l + "\n")
			if strings.Contains(l, want) {
				return l
			}
		case <-guard:
			t.Fatalf("no %s in the log:\n%s", want, p.log)
		}
	}
}

// inFlight is a batch request whose handler is reading the body (the hub
// has answered 100 Continue) and whose body is not yet sent.
type inFlight struct {
	c    *tls.Conn
	r    *bufio.Reader
	body []byte
}

func startInFlight(t *testing.T, base string, pool *x509.CertPool, token string, b api.Batch) *inFlight {
	t.Helper()
	body, _ := json.Marshal(b)
	u, _ := url.Parse(base)
	c, err := tls.Dial("tcp", u.Host, &tls.Config{RootCAs: pool, ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		api.PathVisits, u.Host, token, len(body))
	r := bufio.NewReader(c)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	r.ReadString('\n')
	return &inFlight{c: c, r: r, body: body}
}

func (f *inFlight) finish() (int, []byte, error) {
	if _, err := f.c.Write(f.body); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(f.r, nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func caPoolOf(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	ca, err := os.ReadFile(filepath.Join(dir, hub.CACert))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return pool
}

func visitBatch(point string, from, n int) api.Batch {
	cst := time.FixedZone("CST", 8*3600)
	b := api.Batch{BatchID: fmt.Sprintf("%s-%d", point, from)}
	for i := from; i < from+n; i++ {
		st := time.Date(2025, 1, 1, 9, 0, 0, 0, cst).Add(time.Duration(i) * 2 * time.Hour)
		b.Visits = append(b.Visits, visits.VisitRecord{ID: fmt.Sprintf("v-%06d", i), Point: point, Start: st, End: st.Add(2 * time.Minute)}.JSON())
	}
	return b
}

func hubTotal(t *testing.T, dir string) int {
	t.Helper()
	cfg, err := hub.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.DatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := st.MonthCounts(context.Background(), 2025)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, months := range m {
		for _, c := range months {
			n += c
		}
	}
	return n
}

// The real binary: SIGTERM while a batch is in flight stores and
// acknowledges it; SIGKILL while another is in flight loses nothing
// acknowledged, and the restarted hub takes the replay.
func TestHubServeBinarySignals(t *testing.T) {
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dir := newHubDir(t, db)
			ptsFile := filepath.Join(t.TempDir(), "points.csv")
			os.WriteFile(ptsFile, []byte("zj-07,张家镇政府查阅点,township\n"), 0o644)
			if code, _, errOut := hubCLI(t, "hub", "points", "import", "--data", dir, ptsFile); code != 0 {
				t.Fatal(errOut)
			}
			pool := caPoolOf(t, dir)
			client := hubClient(t, dir)

			p := startServe(t, bin, dir)
			// One hub per folder.
			second, err := exec.Command(bin, "hub", "serve", "--data", dir, "--listen", "127.0.0.1:0").CombinedOutput()
			if err == nil || !strings.Contains(string(second), "a hub already serves") {
				t.Fatalf("a second hub on the folder: %v %s", err, second)
			}
			tok := enrolPoint(t, dir, p.url, client, "zj-07")
			var ack api.BatchAck
			if st := postJSON(t, client, p.url+api.PathVisits, tok, visitBatch("zj-07", 0, 100), &ack); st != 200 || ack.Stored != 100 {
				t.Fatalf("first batch: %d %+v", st, ack)
			}
			// SIGTERM with a batch in flight.
			slow := startInFlight(t, p.url, pool, tok, visitBatch("zj-07", 100, 500))
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			p.waitLog(t, `"msg":"shutting down`)
			status, body, err := slow.finish()
			if err != nil || status != 200 || json.Unmarshal(body, &ack) != nil || ack.Stored != 500 {
				t.Fatalf("in-flight batch at SIGTERM: %d %s %v", status, body, err)
			}
			p.waitLog(t, `"msg":"stopped"`)
			if err := p.cmd.Wait(); err != nil {
				t.Fatalf("hub serve after SIGTERM: %v\n%s", err, p.log)
			}
			if n := hubTotal(t, dir); n != 600 {
				t.Fatalf("after SIGTERM the hub holds %d, want 600", n)
			}

			// SIGKILL with a batch in flight, twice.
			for round := range 2 {
				p = startServe(t, bin, dir)
				from := 600 + round*1000
				if st := postJSON(t, client, p.url+api.PathVisits, tok, visitBatch("zj-07", from, 500), &ack); st != 200 || ack.Stored != 500 {
					t.Fatalf("round %d: %d %+v", round, st, ack)
				}
				lost := visitBatch("zj-07", from+500, 500)
				startInFlight(t, p.url, pool, tok, lost)
				p.cmd.Process.Signal(syscall.SIGKILL)
				p.cmd.Wait()

				p = startServe(t, bin, dir)
				// The point never had an acknowledgement: it sends both again.
				if st := postJSON(t, client, p.url+api.PathVisits, tok, visitBatch("zj-07", from, 500), &ack); st != 200 || ack.Stored != 0 || ack.Duplicates != 500 {
					t.Fatalf("round %d replay: %d %+v", round, st, ack)
				}
				if st := postJSON(t, client, p.url+api.PathVisits, tok, lost, &ack); st != 200 || ack.Stored != 500 {
					t.Fatalf("round %d lost batch: %d %+v", round, st, ack)
				}
				p.cmd.Process.Signal(syscall.SIGTERM)
				p.waitLog(t, `"msg":"stopped"`)
				p.cmd.Wait()
			}
			if n := hubTotal(t, dir); n != 2600 {
				t.Fatalf("after two kills the hub holds %d, want 2600", n)
			}
			// Every file the hub made is its owner's only.
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if fi, err := e.Info(); err != nil || fi.Mode().Perm()&0o077 != 0 {
					t.Errorf("%s: %v %v", e.Name(), fi.Mode(), err)
				}
			}
			if code, out, errOut := hubCLI(t, "hub", "status", "--data", dir, "--json"); code != 0 || !strings.Contains(out, `"enrolled": true`) {
				t.Fatalf("status after kills: %d %s %s", code, out, errOut)
			}
		})
	}
}
