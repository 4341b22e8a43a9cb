// Command hubbench measures a real office hub (`kiosk hub serve`, a child
// process) under the load of the district's 92 lookup points, over HTTPS
// on loopback, for docs/BENCHMARKS.md:
//
//   - ingest: one year at SCALE× the 2018 volume (56,954 visits; 100× ≈ 5.7 M)
//     sent by 92 points at once in batches of api.MaxBatchVisits —
//     visits per second, p50/p99 batch latency, the hub's peak RSS;
//
//   - heartbeats: 92 points, one heartbeat each per second for DURATION —
//     p50/p99/max latency.
//
//     go run ./scripts/hubbench -db sqlite   [-scale 100] [-heartbeats 5m]
//     go run ./scripts/hubbench -db postgres [-scale 100] [-heartbeats 5m]
//
// The PostgreSQL run uses a fresh schema in the machines' database test
// (127.0.0.1:5432, or KIOSK_TEST_POSTGRES), dropped at the end.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"kiosk/hub"
	"kiosk/hub/api"
	"kiosk/internal/pgtest"
	"kiosk/visits"
)

const points2018 = 92
const visits2018 = 56954

func main() {
	db := flag.String("db", "sqlite", "sqlite or postgres")
	scale := flag.Float64("scale", 100, "the year's volume as a multiple of 2018's 56,954 visits")
	hb := flag.Duration("heartbeats", 5*time.Minute, "how long 92 points send a heartbeat a second (0: skip)")
	bin := flag.String("kiosk", "", "kiosk binary (default: go build ./cmd/kiosk into a temporary folder)")
	flag.Parse()
	if err := run(*db, *scale, *hb, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "hubbench:", err)
		os.Exit(1)
	}
}

func run(dbKind string, scale float64, hbFor time.Duration, bin string) error {
	tmp, err := os.MkdirTemp("", "hubbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin == "" {
		bin = filepath.Join(tmp, "kiosk")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/kiosk").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	h := filepath.Join(tmp, "hub")
	out, err := kiosk(bin, "hub", "init", "--data", h, "--host", "127.0.0.1")
	if err != nil {
		return err
	}
	_ = out
	if dbKind == "postgres" {
		u, drop, err := pgSchema()
		if err != nil {
			return err
		}
		defer drop()
		f, err := os.OpenFile(filepath.Join(h, "hub.toml"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(f, "\ndatabase = %q\n", u)
		f.Close()
	}
	var pts strings.Builder
	pts.WriteString("id,name,level\n")
	for i := range points2018 {
		level := "township"
		if i < 6 {
			level = "county"
		}
		fmt.Fprintf(&pts, "p%02d,查阅点%02d,%s\n", i, i, level)
	}
	pf := filepath.Join(tmp, "points.csv")
	os.WriteFile(pf, []byte(pts.String()), 0o644)
	if _, err := kiosk(bin, "hub", "points", "import", "--data", h, pf); err != nil {
		return err
	}
	codes := make([]string, points2018)
	codeRE := regexp.MustCompile(`[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}`)
	for i := range points2018 {
		out, err := kiosk(bin, "hub", "points", "token", "--data", h, fmt.Sprintf("p%02d", i))
		if err != nil {
			return err
		}
		codes[i] = codeRE.FindString(out)
		if codes[i] == "" {
			return fmt.Errorf("no enrolment code in %q", out)
		}
	}
	addr, err := freePort()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	srv := exec.Command(bin, "hub", "serve", "--data", h, "--listen", addr)
	srv.Stderr = &stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	client, err := hubClient(h)
	if err != nil {
		return err
	}
	base := "https://" + addr
	if err := waitHealthy(client, base); err != nil {
		return fmt.Errorf("%v\n%s", err, stderr.String())
	}
	tokens := make([]string, points2018)
	for i, c := range codes {
		var resp api.EnrollResponse
		if _, err := post(client, base+api.PathEnroll, "", api.EnrollRequest{Code: c, KioskVersion: "hubbench"}, &resp); err != nil {
			return fmt.Errorf("enrol p%02d: %w", i, err)
		}
		tokens[i] = resp.Token
	}
	fmt.Printf("hub: %s, %d points enrolled, pid %d\n", dbKind, len(tokens), srv.Process.Pid)

	total := int(float64(visits2018) * scale)
	if err := ingest(client, base, tokens, total, srv.Process.Pid); err != nil {
		return err
	}
	if hbFor > 0 {
		if err := heartbeats(client, base, tokens, hbFor); err != nil {
			return err
		}
	}
	fmt.Printf("hub peak RSS (VmHWM): %s\n", peakRSS(srv.Process.Pid))
	return nil
}

// ingest sends total visits of last year, spread over the 92 points, every
// point at once; each point sends its batches one after another.
func ingest(c *http.Client, base string, tokens []string, total, pid int) error {
	year := time.Now().Year() - 1
	tz := time.FixedZone("CST", 8*3600)
	per := total / len(tokens)
	var mu sync.Mutex
	var lat []time.Duration
	var limited, sent atomic.Int64
	var firstErr error
	start := time.Now()
	var wg sync.WaitGroup
	for pi, tok := range tokens {
		wg.Go(func() {
			point := fmt.Sprintf("p%02d", pi)
			n := per
			if pi == 0 {
				n += total - per*len(tokens)
			}
			day0 := time.Date(year, 1, 1, 9, 0, 0, 0, tz)
			span := 364 * 24 * time.Hour
			for off := 0; off < n; off += api.MaxBatchVisits {
				k := min(api.MaxBatchVisits, n-off)
				b := api.Batch{BatchID: fmt.Sprintf("%s-%d", point, off), SentAt: time.Now().Format(time.RFC3339), Visits: make([]visits.VisitJSON, k)}
				for j := range k {
					i := off + j
					st := day0.Add(time.Duration(int64(span) / int64(n) * int64(i))).Truncate(time.Second)
					b.Visits[j] = visits.VisitRecord{ID: fmt.Sprintf("%s-%08d-0000-4000-8000-000000000000", point, i), Point: point, Start: st, End: st.Add(7 * time.Minute)}.JSON()
				}
				for {
					t0 := time.Now()
					status, err := post(c, base+api.PathVisits, tok, b, nil)
					d := time.Since(t0)
					if status == http.StatusTooManyRequests {
						limited.Add(1)
						time.Sleep(200 * time.Millisecond)
						continue
					}
					if err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = fmt.Errorf("%s batch at %d: %w", point, off, err)
						}
						mu.Unlock()
						return
					}
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
					sent.Add(int64(k))
					break
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	el := time.Since(start)
	fmt.Printf("ingest: %d visits in %d batches from %d points in %.1f s = %.0f visits/s; batch latency p50 %s p99 %s max %s; 429 answers %d; RSS after %s\n",
		sent.Load(), len(lat), len(tokens), el.Seconds(), float64(sent.Load())/el.Seconds(),
		pct(lat, 50), pct(lat, 99), pct(lat, 100), limited.Load(), peakRSS(pid))
	return nil
}

// heartbeats: every point one heartbeat a second, at its own phase.
func heartbeats(c *http.Client, base string, tokens []string, d time.Duration) error {
	var mu sync.Mutex
	var lat []time.Duration
	var fails atomic.Int64
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for pi, tok := range tokens {
		wg.Go(func() {
			time.Sleep(time.Duration(pi) * time.Second / time.Duration(len(tokens)))
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for time.Now().Before(end) {
				hb := api.Heartbeat{Time: time.Now().Format(time.RFC3339Nano), KioskVersion: "hubbench", ContentVersion: "v1", VisitsToday: pi, VisitsYear: 1000 + pi}
				t0 := time.Now()
				_, err := post(c, base+api.PathHeartbeat, tok, hb, nil)
				dd := time.Since(t0)
				if err != nil {
					fails.Add(1)
				} else {
					mu.Lock()
					lat = append(lat, dd)
					mu.Unlock()
				}
				<-tick.C
			}
		})
	}
	wg.Wait()
	fmt.Printf("heartbeats: %d from %d points over %s; latency p50 %s p99 %s max %s; failed %d\n",
		len(lat), len(tokens), d, pct(lat, 50), pct(lat, 99), pct(lat, 100), fails.Load())
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))].Round(10 * time.Microsecond)
}

func post(c *http.Client, u, token string, body, out any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("%s: %s", resp.Status, rb)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(rb, out)
	}
	return resp.StatusCode, nil
}

func kiosk(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("kiosk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// hubClient trusts the hub's CA, found in its folder.
func hubClient(h string) (*http.Client, error) {
	pool := x509.NewCertPool()
	b, err := os.ReadFile(filepath.Join(h, hub.CACert))
	if err != nil {
		return nil, err
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("no CA certificate in %s", hub.CACert)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 128}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, nil
}

func waitHealthy(c *http.Client, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(base + api.PathHealth); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the hub did not answer %s within 30 s", api.PathHealth)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			if kb, err := strconv.Atoi(f[1]); err == nil {
				return fmt.Sprintf("%.0f MB", float64(kb)/1024)
			}
		}
	}
	return "?"
}

// pgSchema makes a fresh schema on the machines' PostgreSQL server.
func pgSchema() (string, func(), error) {
	base := pgtest.ServerURL()
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("hubbench_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+name); err != nil {
		db.Close()
		return "", nil, err
	}
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() { db.Exec("DROP SCHEMA " + name + " CASCADE"); db.Close() }, nil
}
