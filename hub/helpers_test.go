package hub

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
	"sync"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/hub/api"
	"kiosk/hub/store"
	"kiosk/internal/pgtest"
	"kiosk/visits"
)

// syncBuffer is a log destination tests read while the hub writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testHub is a hub serving HTTPS on loopback and a client that trusts its
// CA only.
type testHub struct {
	dir    string
	srv    *Server
	st     *store.Store
	url    string
	client *http.Client
	log    *syncBuffer
	caPool *x509.CertPool
}

var testPoints = []config.Point{
	{ID: "xq-01", Name: "区政务服务中心查阅点", Level: config.LevelCounty},
	{ID: "zj-07", Name: "张家镇政府查阅点", Level: config.LevelTownship},
	{ID: "zj-08", Name: "李庄镇政府查阅点", Level: config.LevelTownship},
}

// databases names the two databases every server test runs against.
func databases() []string { return []string{"sqlite", "postgres"} }

// startHub initialises a hub folder and serves it. database is "sqlite"
// or "postgres"; edit changes the configuration first.
func startHub(t *testing.T, database string, edit func(*Config), opts ...Option) *testHub {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "hub")
	if _, err := Init(dir, []string{"127.0.0.1", "localhost"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if database == "postgres" {
		cfg.Database = pgtest.Schema(t)
	}
	if edit != nil {
		edit(&cfg)
	}
	st, err := store.Open(context.Background(), cfg.DatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportPoints(context.Background(), testPoints, time.Now()); err != nil {
		t.Fatal(err)
	}
	cert, err := LoadCertificate(dir)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv := New(cfg, st, cert, slog.New(slog.NewJSONHandler(logs, nil)), opts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
		st.Close()
	})
	pool := caPool(t, dir)
	return &testHub{
		dir: dir, srv: srv, st: st, log: logs, caPool: pool,
		url:    "https://" + ln.Addr().String(),
		client: clientFor(pool),
	}
}

func caPool(t *testing.T, dir string) *x509.CertPool {
	b, err := os.ReadFile(filepath.Join(dir, CACert))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatal("CA certificate not PEM")
	}
	return pool
}

func clientFor(pool *x509.CertPool) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// do sends a request and returns the status, the body and the response.
func (h *testHub) do(t *testing.T, method, path, token string, body []byte) (int, []byte, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(method, h.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp
}

func (h *testHub) post(t *testing.T, path, token string, v any) (int, []byte) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := h.do(t, http.MethodPost, path, token, b)
	return code, body
}

// enrol makes a code for point and exchanges it for a token.
func (h *testHub) enrol(t *testing.T, point string) string {
	t.Helper()
	code := NewEnrolCode()
	now := time.Now()
	if err := h.st.AddEnrolCode(context.Background(), point, mustCodeHash(t, code), now, now.Add(api.EnrolCodeDays*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	status, body := h.post(t, api.PathEnroll, "", api.EnrollRequest{Code: code, KioskVersion: "test"})
	if status != http.StatusOK {
		t.Fatalf("enrol %s: %d %s", point, status, body)
	}
	var resp api.EnrollResponse
	if err := json.Unmarshal(body, &resp); err != nil || resp.Point != point || resp.Token == "" {
		t.Fatalf("enrol response %s: %v", body, err)
	}
	return resp.Token
}

// batch makes n visits of point starting at start, a day apart.
func batch(point string, n int, start time.Time) api.Batch {
	b := api.Batch{BatchID: "b-" + point, SentAt: time.Now().Format(time.RFC3339)}
	for i := range n {
		st := start.Add(time.Duration(i) * 24 * time.Hour)
		b.Visits = append(b.Visits, visits.VisitRecord{ID: fmt.Sprintf("%s-%05d", point, i), Point: point, Start: st, End: st.Add(3 * time.Minute)}.JSON())
	}
	return b
}

// count is how many visits of point the hub holds in year.
func (h *testHub) count(t *testing.T, year int, point string) int {
	t.Helper()
	m, err := h.st.MonthCounts(context.Background(), year)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range m[point] {
		n += c
	}
	return n
}

// apiError decodes an error body and checks that it is one.
func apiError(t *testing.T, body []byte) string {
	t.Helper()
	var e api.Error
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == "" {
		t.Fatalf("not an api.Error body: %q (%v)", body, err)
	}
	return e.Error
}

func mustCodeHash(t *testing.T, code string) string {
	t.Helper()
	h, ok := CodeHash(code)
	if !ok {
		t.Fatalf("%q is not a code", code)
	}
	return h
}
