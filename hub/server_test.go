package hub

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/hub/api"
)

var cst = time.FixedZone("CST", 8*3600)

func TestEnrolUploadReplayHeartbeat(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			ctx := context.Background()
			// Staff type the code in lower case without dashes.
			code := NewEnrolCode()
			now := time.Now()
			if err := h.st.AddEnrolCode(ctx, "xq-01", mustCodeHash(t, code), now, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			typed := strings.ToLower(strings.ReplaceAll(code, "-", ""))
			status, body := h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: typed})
			if status != http.StatusOK {
				t.Fatalf("enrol: %d %s", status, body)
			}
			var er api.EnrollResponse
			json.Unmarshal(body, &er)
			if er.Point != "xq-01" || er.Name != "区政务服务中心查阅点" || er.Level != "county" || len(er.Token) < 40 {
				t.Fatalf("enrol response %+v", er)
			}
			// One-time.
			status, body = h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: code})
			if status != http.StatusUnauthorized {
				t.Fatalf("code used twice: %d %s", status, body)
			}
			// A code taken to the wrong kiosk: 409, and it stays usable.
			code2 := NewEnrolCode()
			if err := h.st.AddEnrolCode(ctx, "zj-07", mustCodeHash(t, code2), now, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			status, body = h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: code2, Point: "zj-08"})
			if status != http.StatusConflict || !strings.Contains(apiError(t, body), "still valid") {
				t.Fatalf("another point's code: %d %s", status, body)
			}
			status, body = h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: code2, Point: "zj-07"})
			if status != http.StatusOK {
				t.Fatalf("the code at the right kiosk: %d %s", status, body)
			}
			status, body = h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: code})
			if status != http.StatusUnauthorized {
				t.Fatalf("code used twice: %d %s", status, body)
			}
			apiError(t, body)

			b := batch("xq-01", 30, time.Date(2026, 1, 10, 9, 0, 0, 0, cst))
			status, body = h.post(t, api.PathVisits, er.Token, b)
			var ack api.BatchAck
			if status != http.StatusOK || json.Unmarshal(body, &ack) != nil || ack.Stored != 30 || ack.Duplicates != 0 || len(ack.Refused) != 0 {
				t.Fatalf("batch: %d %s", status, body)
			}
			// The same batch again, and a batch overlapping it: each visit once.
			status, body = h.post(t, api.PathVisits, er.Token, b)
			if json.Unmarshal(body, &ack) != nil || status != 200 || ack.Stored != 0 || ack.Duplicates != 30 {
				t.Fatalf("replay: %d %s", status, body)
			}
			b2 := batch("xq-01", 40, time.Date(2026, 1, 10, 9, 0, 0, 0, cst))
			status, body = h.post(t, api.PathVisits, er.Token, b2)
			if json.Unmarshal(body, &ack) != nil || status != 200 || ack.Stored != 10 || ack.Duplicates != 30 {
				t.Fatalf("overlap: %d %s", status, body)
			}
			if n := h.count(t, 2026, "xq-01"); n != 40 {
				t.Fatalf("hub holds %d visits, want 40", n)
			}

			pointTime := time.Now().Add(10 * time.Minute)
			status, body = h.post(t, api.PathHeartbeat, er.Token, api.Heartbeat{
				Time: pointTime.Format(time.RFC3339Nano), KioskVersion: "1.4.0", ContentVersion: "2026-11",
				VisitsToday: 2, VisitsYear: 41, Unsent: 1, LastError: "\x1b]0;pwned\x07超时",
			})
			var hb api.HeartbeatAck
			if status != http.StatusOK || json.Unmarshal(body, &hb) != nil || hb.ClockSkewSeconds < 590 || hb.ClockSkewSeconds > 610 {
				t.Fatalf("heartbeat: %d %s", status, body)
			}
			sts, err := Status(ctx, h.st, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			x := sts[0]
			if x.ID != "xq-01" || !x.Online || !x.SkewFlagged || x.HubYear != 40 || x.PointYear != 41 || x.Unsent != 1 ||
				x.KioskVersion != "1.4.0" || strings.ContainsAny(x.LastError, "\x1b\x07") || !strings.Contains(x.LastError, "超时") || !x.Enrolled {
				t.Fatalf("status %+v", x)
			}
			if sts[2].Online || sts[2].AgoSeconds != -1 || sts[2].Enrolled {
				t.Fatalf("a point never heard from: %+v", sts[2])
			}
			if !strings.Contains(h.log.String(), `"msg":"clock skew"`) {
				t.Fatalf("skew not logged:\n%s", h.log)
			}
		})
	}
}

func TestAnotherPointsVisitsForbidden(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			tok := h.enrol(t, "zj-07")
			b := batch("zj-07", 5, time.Date(2026, 2, 1, 9, 0, 0, 0, cst))
			b.Visits = append(b.Visits, batch("zj-08", 1, time.Date(2026, 2, 1, 9, 0, 0, 0, cst)).Visits...)
			status, body := h.post(t, api.PathVisits, tok, b)
			if status != http.StatusForbidden || !strings.Contains(apiError(t, body), "zj-08") {
				t.Fatalf("want 403 naming zj-08, got %d %s", status, body)
			}
			if n := h.count(t, 2026, "zj-07") + h.count(t, 2026, "zj-08"); n != 0 {
				t.Fatalf("%d visits stored from a forbidden batch", n)
			}
		})
	}
}

func TestUnknownAndRevokedCredentials(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			tok := h.enrol(t, "zj-07")
			b := batch("zj-07", 1, time.Date(2026, 2, 1, 9, 0, 0, 0, cst))
			for _, bad := range []string{"", "not-a-token", tok + "x"} {
				status, body := h.post(t, api.PathVisits, bad, b)
				if status != http.StatusUnauthorized {
					t.Fatalf("token %q: %d %s", bad, status, body)
				}
				apiError(t, body)
			}
			if _, err := h.st.Revoke(context.Background(), "zj-07", time.Now()); err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{api.PathVisits, api.PathHeartbeat} {
				status, body := h.post(t, path, tok, b)
				if status != http.StatusUnauthorized {
					t.Fatalf("revoked token on %s: %d %s", path, status, body)
				}
			}
			if n := h.count(t, 2026, "zj-07"); n != 0 {
				t.Fatalf("%d visits stored with bad credentials", n)
			}
			if got := strings.Count(h.log.String(), `"reason":"unauthorized"`); got < 5 {
				t.Fatalf("%d refusals logged, want 5:\n%s", got, h.log)
			}
			// A new code lets the point enrol again.
			tok2 := h.enrol(t, "zj-07")
			if status, body := h.post(t, api.PathVisits, tok2, b); status != 200 {
				t.Fatalf("after re-enrolling: %d %s", status, body)
			}
		})
	}
}

// There is no HTTP endpoint for the report or the status: a point's
// credential reads nothing but its own acknowledgements. (The office's
// pages under /office/, where / leads, take a staff session only:
// office_test.go.)
func TestNoOtherPaths(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	tok := h.enrol(t, "xq-01")
	for _, path := range []string{"/report", "/status", "/api/v1/report", "/api/v1/status", "/api/v1/points",
		"/api/v1/visits/xq-01", "/api/v1/", "/hub.db", "/ca.key", "/../hub.toml", "/debug/pprof/"} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			status, body, _ := h.do(t, method, path, tok, nil)
			if status != http.StatusNotFound && status != http.StatusUnauthorized {
				t.Errorf("%s %s with a point's token: %d %s", method, path, status, body)
			}
		}
	}
	status, body, resp := h.do(t, http.MethodGet, api.PathVisits, tok, nil)
	if status != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("GET visits: %d %s", status, body)
	}
	apiError(t, body)
}

// A heartbeat's texts may hold NUL (\u0000 in JSON): PostgreSQL refuses
// it in text, so the hub drops it on both databases rather than answering
// 500 on one; counts beyond 32 bits are refused alike.
func TestHeartbeatTextsStoreAlikeOnBothDatabases(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			tok := h.enrol(t, "zj-07")
			hb := api.Heartbeat{Time: time.Now().Format(time.RFC3339Nano), KioskVersion: "1.4\x00.0", LastError: "打印机\x00缺纸"}
			body, _ := json.Marshal(hb)
			if status, resp, _ := h.do(t, http.MethodPost, api.PathHeartbeat, tok, body); status != http.StatusOK {
				t.Fatalf("heartbeat with NUL: %d %s", status, resp)
			}
			sts, err := h.st.Statuses(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st := sts["zj-07"]; st.LastError != "打印机缺纸" || st.KioskVersion != "1.4.0" {
				t.Fatalf("stored %q %q", st.KioskVersion, st.LastError)
			}
			hb.VisitsYear = 1 << 40
			body, _ = json.Marshal(hb)
			if status, resp, _ := h.do(t, http.MethodPost, api.PathHeartbeat, tok, body); status != http.StatusBadRequest {
				t.Fatalf("a count over 32 bits: %d %s", status, resp)
			}
		})
	}
}

func TestMalformedBatchStoresNothing(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			tok := h.enrol(t, "zj-07")
			good := batch("zj-07", 3, time.Date(2026, 3, 1, 9, 0, 0, 0, cst))
			js := func(b api.Batch) string { x, _ := json.Marshal(b); return string(x) }
			with := func(f func(*api.Batch)) string {
				b := batch("zj-07", 3, time.Date(2026, 3, 1, 9, 0, 0, 0, cst))
				f(&b)
				return js(b)
			}
			cases := map[string]struct{ body, reason string }{
				"not JSON":        {`{"batch_id":`, "JSON"},
				"unknown field":   {strings.Replace(js(good), `"batch_id"`, `"sneaky":1,"batch_id"`, 1), "sneaky"},
				"visit field":     {strings.Replace(js(good), `"start"`, `"extra":"x","start"`, 1), "extra"},
				"trailing":        {js(good) + `{}`, "after"},
				"empty body":      {``, "JSON"},
				"no visits":       {with(func(b *api.Batch) { b.Visits = nil }), "no visit"},
				"too many":        {js(batch("zj-07", api.MaxBatchVisits+1, time.Date(2026, 3, 1, 9, 0, 0, 0, cst))), "at most"},
				"bad start":       {with(func(b *api.Batch) { b.Visits[2].Start = "yesterday" }), "RFC 3339"},
				"end first":       {with(func(b *api.Batch) { b.Visits[1].End = "2026-02-01T00:00:00+08:00" }), "ends before"},
				"no id":           {with(func(b *api.Batch) { b.Visits[0].ID = "" }), "without id"},
				"year 1":          {with(func(b *api.Batch) { b.Visits[0].Start = "0001-01-01T00:00:00Z" }), "starts in 1"},
				"long id":         {with(func(b *api.Batch) { b.Visits[0].ID = strings.Repeat("x", 200) }), "longer"},
				"NUL in an id":    {with(func(b *api.Batch) { b.Visits[1].ID = "a\x00b" }), "control"},
				"visits a string": {`{"batch_id":"x","sent_at":"","visits":"all"}`, "JSON"},
				"huge field":      {`{"` + strings.Repeat("x", 100000) + `":1}`, "unknown field"},
			}
			for name, c := range cases {
				status, body, _ := h.do(t, http.MethodPost, api.PathVisits, tok, []byte(c.body))
				if status != http.StatusBadRequest {
					t.Errorf("%s: %d %s", name, status, body)
					continue
				}
				if len(body) > 1000 {
					t.Errorf("%s: an answer of %d bytes", name, len(body))
				}
				if msg := apiError(t, body); !strings.Contains(msg, c.reason) {
					t.Errorf("%s: reason %q does not say %q", name, msg, c.reason)
				}
			}
			if n := h.count(t, 2026, "zj-07"); n != 0 {
				t.Fatalf("%d visits stored from malformed batches", n)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	tok := h.enrol(t, "zj-07")
	big := bytes.Repeat([]byte(" "), api.MaxBodyBytes+1)
	status, body, _ := h.do(t, http.MethodPost, api.PathVisits, tok, big)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("want 413, got %d %s", status, body)
	}
	apiError(t, body)
	// Exactly the limit is read (and is not JSON).
	status, body, _ = h.do(t, http.MethodPost, api.PathVisits, tok, big[:api.MaxBodyBytes])
	if status != http.StatusBadRequest {
		t.Fatalf("a body of exactly the limit: %d %s", status, body)
	}
}

func TestRateLimits(t *testing.T) {
	h := startHub(t, "sqlite", func(c *Config) {
		c.Limits = Limits{PointPerMinute: 1, PointBurst: 2, EnrollPerMinute: 3}
	})
	tok := h.enrol(t, "zj-07") // successful enrolments do not count
	b := batch("zj-07", 1, time.Date(2026, 3, 1, 9, 0, 0, 0, cst))
	for i := range 2 {
		if status, body := h.post(t, api.PathVisits, tok, b); status != 200 {
			t.Fatalf("request %d within the burst: %d %s", i, status, body)
		}
	}
	status, body, resp := h.do(t, http.MethodPost, api.PathVisits, tok, []byte(`{}`))
	if status != http.StatusTooManyRequests {
		t.Fatalf("want 429, got %d %s", status, body)
	}
	apiError(t, body)
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	// Another point is not held back by this one.
	tok2 := h.enrol(t, "zj-08")
	if status, body := h.post(t, api.PathVisits, tok2, batch("zj-08", 1, time.Date(2026, 3, 1, 9, 0, 0, 0, cst))); status != 200 {
		t.Fatalf("another point: %d %s", status, body)
	}
	// Guessing codes: 3 failures a minute per address, then 429, even for
	// a right code.
	for _, guess := range []string{"AAAA-AAAA-AAAA-AAAA", "not a code", "AAAA-AAAA-AAAA-AAAB"} {
		if status, _ := h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: guess}); status != http.StatusUnauthorized {
			t.Fatalf("a wrong code: %d", status)
		}
	}
	code := NewEnrolCode()
	if err := h.st.AddEnrolCode(context.Background(), "xq-01", mustCodeHash(t, code), time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	status, body = h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: code})
	if status != http.StatusTooManyRequests {
		t.Fatalf("guessing: want 429, got %d %s", status, body)
	}
}

func TestFutureVisitRefusedRestStored(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			tok := h.enrol(t, "zj-07")
			now := time.Now().In(cst)
			b := batch("zj-07", 2, now.Add(-30*24*time.Hour))
			future := batch("zj-07", 1, now.Add(49*time.Hour)).Visits[0]
			future.ID = "from-the-future"
			// Within a day ahead is a clock a little off: kept.
			soon := batch("zj-07", 1, now.Add(20*time.Hour)).Visits[0]
			soon.ID = "soon"
			b.Visits = append(b.Visits, future, soon)
			status, body := h.post(t, api.PathVisits, tok, b)
			var ack api.BatchAck
			if status != 200 || json.Unmarshal(body, &ack) != nil {
				t.Fatalf("%d %s", status, body)
			}
			if ack.Stored != 3 || len(ack.Refused) != 1 || ack.Refused[0].ID != "from-the-future" || !strings.Contains(ack.Refused[0].Reason, "ahead of the hub's clock") {
				t.Fatalf("ack %+v", ack)
			}
		})
	}
}

func TestWrongCARefused(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	other := t.TempDir() + "/other"
	if _, err := Init(other, []string{"127.0.0.1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := clientFor(caPool(t, other))
	_, err := c.Get(h.url + api.PathHealth)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client pinned to another CA connected: %v", err)
	}
	// TLS 1.1 and older are refused.
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: h.caPool, MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Get(h.url + api.PathHealth); err == nil {
		t.Fatal("a TLS 1.1 client connected")
	}
	// And the right one does.
	status, body, _ := h.do(t, http.MethodGet, api.PathHealth, "", nil)
	if status != 200 || string(body) != "ok\n" {
		t.Fatalf("healthz %d %q", status, body)
	}
}

func TestHubFilesPrivate(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	fi, err := os.Stat(h.dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder %v %v", fi.Mode(), err)
	}
	entries, err := os.ReadDir(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v", e.Name(), fi.Mode().Perm())
		}
		seen++
	}
	if seen < 6 { // hub.toml, 2 certificates, 2 keys, hub.db (and its WAL)
		t.Fatalf("only %d files", seen)
	}
	if _, err := Init(h.dir, []string{"x.example"}, time.Now()); err == nil || !strings.Contains(err.Error(), "already holds a hub") {
		t.Fatalf("init over a hub: %v", err)
	}
}

func TestPanicIs500AndTheHubServesOn(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	hd := h.srv.observe(h.srv.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, api.PathVisits, nil))
	if rec.Code != 500 {
		t.Fatalf("panic answered %d", rec.Code)
	}
	apiError(t, rec.Body.Bytes())
	if !strings.Contains(h.log.String(), `"msg":"panic in handler"`) || !strings.Contains(h.log.String(), "boom") {
		t.Fatalf("panic not logged:\n%s", h.log)
	}
	if status, _, _ := h.do(t, http.MethodGet, api.PathHealth, "", nil); status != 200 {
		t.Fatalf("after a panic: %d", status)
	}
}

// /metrics names every point: only the networks in metrics_from (by
// default the hub's own machine) may read it.
func TestMetricsOnlyFromAllowedNetworks(t *testing.T) {
	h := startHub(t, "sqlite", func(c *Config) { c.MetricsFrom = []string{"10.0.0.0/8"} })
	status, body, _ := h.do(t, http.MethodGet, api.PathMetrics, "", nil)
	if status != http.StatusForbidden || strings.Contains(string(body), "kiosk_hub_points") {
		t.Fatalf("metrics from 127.0.0.1 with metrics_from = 10.0.0.0/8: %d %s", status, body)
	}
	if msg := apiError(t, body); !strings.Contains(msg, "metrics_from") {
		t.Fatalf("the refusal does not say how to allow it: %q", msg)
	}
	dir := filepath.Join(t.TempDir(), "hub")
	if _, err := Init(dir, []string{"127.0.0.1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), `metrics_from = ["127.0.0.0/8", "::1/128"]`, `metrics_from = ["10.0.0.0/33"]`, 1))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(dir); err == nil || !strings.Contains(err.Error(), "metrics_from") || !strings.Contains(err.Error(), "CIDR") {
		t.Fatalf("a bad network: %v", err)
	}
}

func TestMetrics(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	tok := h.enrol(t, "zj-07")
	h.post(t, api.PathVisits, tok, batch("zj-07", 3, time.Date(2026, 3, 1, 9, 0, 0, 0, cst)))
	h.post(t, api.PathVisits, tok, batch("zj-07", 3, time.Date(2026, 3, 1, 9, 0, 0, 0, cst)))
	h.post(t, api.PathHeartbeat, tok, api.Heartbeat{Time: time.Now().Format(time.RFC3339Nano)})
	h.post(t, api.PathVisits, "bad", batch("zj-07", 1, time.Now()))
	status, body, resp := h.do(t, http.MethodGet, api.PathMetrics, "", nil)
	if status != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics %d %v", status, resp.Header)
	}
	m := string(body)
	for _, want := range []string{
		"kiosk_hub_points 3\n",
		"kiosk_hub_points_online 1\n",
		`kiosk_hub_point_heartbeat_age_seconds{point="zj-07"} `,
		"kiosk_hub_visits_ingested_total 3\n",
		"kiosk_hub_visits_duplicate_total 3\n",
		`kiosk_hub_requests_refused_total{reason="unauthorized"} 1` + "\n",
		`kiosk_hub_request_duration_seconds_bucket{path="/api/v1/visits",le="+Inf"} 3` + "\n",
		`kiosk_hub_request_duration_seconds_count{path="/api/v1/heartbeat"} 1` + "\n",
		"# TYPE kiosk_hub_request_duration_seconds histogram\n",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
	if strings.Contains(m, `point="xq-01"`) {
		t.Error("a point never heard from has a heartbeat age")
	}
}

// A request in flight when Shutdown begins is answered and its batch
// stored; requests after it get no connection.
func TestShutdownFinishesInFlightBatch(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	tok := h.enrol(t, "zj-07")
	b, _ := json.Marshal(batch("zj-07", 50, time.Date(2026, 3, 1, 9, 0, 0, 0, cst)))
	conn := slowBatch(t, h.url, h.caPool, tok, b)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- h.srv.Shutdown(ctx)
	}()
	// Shutdown waits for the request: poll until new connections fail.
	for {
		resp, err := clientFor(h.caPool).Get(h.url + api.PathHealth)
		if err != nil {
			break
		}
		resp.Body.Close()
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned before the request in flight was answered: %v", err)
	default:
	}
	ack := conn.finish(t)
	if ack.Stored != 50 {
		t.Fatalf("ack %+v", ack)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := h.count(t, 2026, "zj-07"); n != 50 {
		t.Fatalf("stored %d", n)
	}
}

// Online is a heartbeat within 3 minutes of the hub's clock.
func TestOnlineByTheHubsClock(t *testing.T) {
	var mu sync.Mutex
	start := time.Now().Truncate(time.Second)
	now := start
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := startHub(t, "sqlite", nil, WithClock(clock))
	tok := h.enrol(t, "zj-07")
	if status, body := h.post(t, api.PathHeartbeat, tok, api.Heartbeat{Time: start.Format(time.RFC3339Nano)}); status != 200 {
		t.Fatalf("heartbeat %d %s", status, body)
	}
	for _, step := range []struct {
		after  time.Duration
		online int
		age    string
	}{
		{0, 1, "0"},
		{OnlineWithin, 1, "180"},
		{OnlineWithin + time.Second, 0, "181"},
	} {
		mu.Lock()
		now = start.Add(step.after)
		mu.Unlock()
		_, body, _ := h.do(t, http.MethodGet, api.PathMetrics, "", nil)
		m := string(body)
		if !strings.Contains(m, fmt.Sprintf("kiosk_hub_points_online %d\n", step.online)) ||
			!strings.Contains(m, `kiosk_hub_point_heartbeat_age_seconds{point="zj-07"} `+step.age+"\n") {
			t.Fatalf("after %v:\n%s", step.after, m)
		}
		sts, err := Status(context.Background(), h.st, clock())
		if err != nil || sts[1].Online != (step.online == 1) {
			t.Fatalf("status after %v: %+v %v", step.after, sts[1], err)
		}
	}
}
