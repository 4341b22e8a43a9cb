package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/hub"
	"kiosk/hub/api"
	"kiosk/internal/pgtest"
	"kiosk/visits"
)

// hubCLI runs `kiosk ARGS…` and returns exit status, stdout and stderr.
func hubCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// newHubDir runs kiosk hub init and, for PostgreSQL, points hub.toml at a
// schema of its own.
func newHubDir(t *testing.T, database string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "hub")
	code, out, errOut := hubCLI(t, "hub", "init", "--data", dir, "--host", "localhost,127.0.0.1")
	if code != 0 || !regexp.MustCompile(`^[0-9a-f]{64}\n$`).MatchString(out) {
		t.Fatalf("hub init: %d %q %q", code, out, errOut)
	}
	if database == "postgres" {
		p := filepath.Join(dir, hub.ConfigFile)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, fmt.Sprintf("database = %q\n", pgtest.Schema(t))...)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// pointExports makes a kiosk's data folder with visits at starts (each 90
// seconds long) and returns its JSON exports of years, as staff would
// carry them on a USB stick.
func pointExports(t *testing.T, p config.Point, starts []time.Time, years ...int) []string {
	t.Helper()
	dir := t.TempDir()
	s, err := visits.Open(filepath.Join(dir, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var now time.Time
	tr, err := visits.NewTracker(s, p, visits.TrackerOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range starts {
		now = st
		if err := tr.Activity(); err != nil {
			t.Fatal(err)
		}
		now = st.Add(90 * time.Second)
		if err := tr.SectionRead(); err != nil {
			t.Fatal(err)
		}
		if err := tr.End(); err != nil {
			t.Fatal(err)
		}
	}
	var outs []string
	for _, year := range years {
		r, err := visits.BuildReport(context.Background(), s, visits.ReportOptions{Year: year, Point: p, Labels: config.Default().Labels})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), fmt.Sprintf("%s-%d.json", p.ID, year))
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	return outs
}

// allVisits is every visit in a point's store, as its uploader would send
// them: those of other years too.
func allVisitsOf(t *testing.T, export string) []visits.VisitJSON {
	t.Helper()
	b, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Visits []visits.VisitJSON `json:"visits"`
	}
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	return ex.Visits
}

// inProcessHub serves the hub folder on loopback in this process and
// returns its URL and a client that trusts its CA only.
func inProcessHub(t *testing.T, dir string) (string, *http.Client) {
	t.Helper()
	srv, err := hub.Open(context.Background(), dir, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		<-done
		srv.Store().Close()
	})
	return "https://" + ln.Addr().String(), hubClient(t, dir)
}

func hubClient(t *testing.T, dir string) *http.Client {
	t.Helper()
	ca, err := os.ReadFile(filepath.Join(dir, hub.CACert))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func postJSON(t *testing.T, c *http.Client, url, token string, in, out any) int {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	if resp.StatusCode != 200 {
		t.Logf("%s: %d %s", url, resp.StatusCode, body)
	}
	return resp.StatusCode
}

// enrolPoint makes a code with the CLI and exchanges it over HTTPS.
func enrolPoint(t *testing.T, dir, base string, c *http.Client, point string) string {
	t.Helper()
	code, out, errOut := hubCLI(t, "hub", "points", "token", "--data", dir, point)
	m := regexp.MustCompile(`([A-Z2-9]{4}-){3}[A-Z2-9]{4}`).FindString(out)
	if code != 0 || m == "" {
		t.Fatalf("token: %d %q %q", code, out, errOut)
	}
	var er api.EnrollResponse
	if st := postJSON(t, c, base+api.PathEnroll, "", api.EnrollRequest{Code: strings.ToLower(m)}, &er); st != 200 {
		t.Fatalf("enrol %s: %d", point, st)
	}
	return er.Token
}

// The evidence that the hub and visits merge count alike: the same
// points, the same visits, the same JSON (but for generated_at).
func TestHubReportEqualsMergeOfExports(t *testing.T) {
	// A past year: the hub refuses visits dated ahead of its clock.
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			cst := time.FixedZone("CST", 8*3600)
			pts := []config.Point{
				{ID: "xq-01", Name: "区政务服务中心查阅点", Level: config.LevelCounty},
				{ID: "xq-02", Name: "区档案馆查阅点", Level: config.LevelCounty},
				{ID: "zj-07", Name: "张家镇政府查阅点", Level: config.LevelTownship},
				{ID: "zj-08", Name: "李庄镇政府查阅点", Level: config.LevelTownship},
				{ID: "zj-09", Name: "王村街道查阅点", Level: config.LevelTownship}, // never heard from
			}
			starts := map[string][]time.Time{
				"xq-01": {
					time.Date(2025, 1, 5, 9, 0, 0, 0, cst), time.Date(2025, 1, 5, 9, 0, 0, 0, cst).Add(time.Hour),
					time.Date(2025, 6, 30, 23, 59, 0, 0, cst), time.Date(2025, 12, 31, 23, 58, 0, 0, cst),
					time.Date(2024, 12, 31, 23, 0, 0, 0, cst), // the year before: in neither report
				},
				// A point whose clock is in UTC: its days are its own.
				"zj-07": {time.Date(2025, 1, 1, 0, 5, 0, 0, time.UTC), time.Date(2025, 3, 3, 16, 30, 0, 0, time.UTC), time.Date(2025, 3, 3, 16, 31, 0, 0, time.UTC)},
				"zj-08": {time.Date(2025, 2, 2, 10, 0, 0, 0, cst)},
				"xq-02": nil, // working, but no one came
			}
			dir := newHubDir(t, db)
			ptsFile := filepath.Join(t.TempDir(), "points.csv")
			var csv strings.Builder
			csv.WriteString("id,name,level\n")
			for _, p := range pts {
				fmt.Fprintf(&csv, "%s,%s,%s\n", p.ID, p.Name, p.Level)
			}
			os.WriteFile(ptsFile, []byte(csv.String()), 0o644)
			if code, out, errOut := hubCLI(t, "hub", "points", "import", "--data", dir, ptsFile); code != 0 || !strings.Contains(out, "added 5") {
				t.Fatalf("import: %d %q %q", code, out, errOut)
			}
			base, client := inProcessHub(t, dir)

			var exports []string
			for _, p := range pts[:4] {
				ex := pointExports(t, p, starts[p.ID], 2025, 2024)
				exports = append(exports, ex[0])
				tok := enrolPoint(t, dir, base, client, p.ID)
				// The uploader sends every closed visit, last year's too.
				vs := append(allVisitsOf(t, ex[0]), allVisitsOf(t, ex[1])...)
				if len(vs) > 0 {
					// Twice, in two halves and whole: counted once.
					var ack api.BatchAck
					postJSON(t, client, base+api.PathVisits, tok, api.Batch{BatchID: "1", Visits: vs[:len(vs)/2+1]}, &ack)
					if st := postJSON(t, client, base+api.PathVisits, tok, api.Batch{BatchID: "2", Visits: vs}, &ack); st != 200 || ack.Stored != len(vs)-(len(vs)/2+1) {
						t.Fatalf("%s: %d %+v", p.ID, st, ack)
					}
				}
				if st := postJSON(t, client, base+api.PathHeartbeat, tok, api.Heartbeat{Time: time.Now().Format(time.RFC3339Nano), VisitsYear: len(vs)}, nil); st != 200 {
					t.Fatalf("heartbeat %s: %d", p.ID, st)
				}
			}

			hubOut := filepath.Join(t.TempDir(), "hub.json")
			code, _, errOut := hubCLI(t, "hub", "report", "--data", dir, "--year", "2025", "--format", "json", "--out", hubOut)
			if code != 0 || !strings.Contains(errOut, "zj-09") {
				t.Fatalf("hub report: %d %q", code, errOut)
			}
			mergeOut := filepath.Join(t.TempDir(), "merge.json")
			args := append([]string{"--data", t.TempDir(), "visits", "merge", "--points", ptsFile, "--format", "json", "--out", mergeOut}, exports...)
			if code, _, errOut := hubCLI(t, args...); code != 0 {
				t.Fatalf("merge: %d %q", code, errOut)
			}
			a, _ := os.ReadFile(hubOut)
			b, _ := os.ReadFile(mergeOut)
			gen := regexp.MustCompile(`(?m)^  "generated_at": .*\n`)
			ha, mb := gen.ReplaceAllString(string(a), ""), gen.ReplaceAllString(string(b), "")
			if ha != mb {
				t.Fatalf("hub report and merge differ:\n--- hub\n%s\n--- merge\n%s", ha, mb)
			}
			if !strings.Contains(ha, `"total": 8,`) || !strings.Contains(ha, `"missing": [{"id":"zj-09"`) || !strings.Contains(ha, `{"id":"xq-02","name":"区档案馆查阅点","level":"county","months":[0,0,0,0,0,0,0,0,0,0,0,0],"total":0}`) {
				t.Fatalf("the report is not what was uploaded:\n%s", ha)
			}
			// The hub's JSON is an export too: a point's file carried in by
			// hand merges with it, each visit once.
			again := filepath.Join(t.TempDir(), "again.json")
			if code, _, errOut := hubCLI(t, "--data", t.TempDir(), "visits", "merge", "--points", ptsFile, "--out", again, hubOut, exports[0]); code != 0 {
				t.Fatalf("merge of the hub's report with an export: %d %q", code, errOut)
			}
			c, _ := os.ReadFile(again)
			if gen.ReplaceAllString(string(c), "") != mb {
				t.Fatal("merging an export into the hub's report changed it")
			}
			for _, f := range []string{"csv", "md", "xlsx"} {
				out := filepath.Join(t.TempDir(), "r."+f)
				if code, _, errOut := hubCLI(t, "hub", "report", "--data", dir, "--year", "2025", "--out", out); code != 0 {
					t.Fatalf("%s: %d %q", f, code, errOut)
				}
			}
		})
	}
}

func TestHubPointsAndStatusCLI(t *testing.T) {
	dir := newHubDir(t, "sqlite")
	ptsFile := filepath.Join(t.TempDir(), "points.toml")
	os.WriteFile(ptsFile, []byte("[[point]]\nid = \"zj-07\"\nname = \"张家镇\"\nlevel = \"township\"\n[[point]]\nid = \"zj-08\"\nname = \"李庄镇\u202e\"\nlevel = \"township\"\n"), 0o644)
	if code, out, _ := hubCLI(t, "hub", "points", "import", "--data", dir, ptsFile); code != 0 || !strings.Contains(out, "added 2") {
		t.Fatalf("import %d %q", code, out)
	}
	if code, out, _ := hubCLI(t, "hub", "points", "import", "--data", dir, ptsFile); code != 0 || !strings.Contains(out, "unchanged 2") {
		t.Fatalf("import again %d %q", code, out)
	}
	if code, _, errOut := hubCLI(t, "hub", "points", "token", "--data", dir, "nope"); code != 1 || !strings.Contains(errOut, "import the points file first") {
		t.Fatalf("token of an unknown point: %d %q", code, errOut)
	}
	code, out, _ := hubCLI(t, "hub", "points", "token", "--data", dir, "zj-07")
	fp, _ := hub.CAFingerprint(dir)
	if code != 0 || !strings.Contains(out, "enroll https://localhost:8443 ") || !strings.Contains(out, "--ca "+fp) {
		t.Fatalf("token: %d %q", code, out)
	}
	base, client := inProcessHub(t, dir)
	tok := enrolPoint(t, dir, base, client, "zj-07")
	hb := api.Heartbeat{Time: time.Now().Add(-10 * time.Minute).Format(time.RFC3339Nano), KioskVersion: "1.4\x1b[2J", ContentVersion: "2026-11",
		VisitsToday: 4, VisitsYear: 400, Unsent: 12, LastError: "上传失败 \x1b]52;c;ZWNobyBwd25lZA==\x07 \x9b31m timeout"}
	if st := postJSON(t, client, base+api.PathHeartbeat, tok, hb, nil); st != 200 {
		t.Fatalf("heartbeat %d", st)
	}
	code, out, errOut := hubCLI(t, "hub", "status", "--data", dir)
	if code != 0 || strings.ContainsAny(out, "\x1b\x07\u009b\u202e") || !strings.Contains(out, "上传失败") || !strings.Contains(out, "! -600s") ||
		!strings.Contains(out, "0/4") || !strings.Contains(out, "0/400") || !strings.Contains(out, "从未 never") {
		t.Fatalf("status: %d %q %q", code, out, errOut)
	}
	code, out, _ = hubCLI(t, "hub", "status", "--data", dir, "--json")
	var js struct {
		Points []hub.PointStatus `json:"points"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &js) != nil || len(js.Points) != 2 || !js.Points[0].SkewFlagged || js.Points[0].Unsent != 12 ||
		strings.ContainsAny(js.Points[0].LastError, "\x1b\x07\u009b") {
		t.Fatalf("status --json: %d %s", code, out)
	}
	if code, out, _ := hubCLI(t, "hub", "points", "revoke", "--data", dir, "zj-07"); code != 0 || !strings.Contains(out, "revoked 1") {
		t.Fatalf("revoke %d %q", code, out)
	}
	if st := postJSON(t, client, base+api.PathHeartbeat, tok, hb, nil); st != http.StatusUnauthorized {
		t.Fatalf("after revoke: %d", st)
	}
	// Usage errors.
	for _, args := range [][]string{{"hub"}, {"hub", "points", "token", "zj-07"}, {"hub", "report", "--data", dir}, {"hub", "init", "--data", t.TempDir()}} {
		if code, _, _ := hubCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
