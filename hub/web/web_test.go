package web

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kiosk/config"
	"kiosk/hub/store"
	"kiosk/visits"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata/")

var cst = time.FixedZone("CST", 8*3600)

// now is the pages' clock in these tests.
var now = time.Date(2026, 11, 30, 10, 30, 0, 0, cst)

// samplePoints are the points of the golden pages: online and offline,
// stale content, a fast clock, and an error with markup and controls.
func samplePoints() []Point {
	return []Point{
		{ID: "zj-07", Name: "张家镇政府查阅点", Level: "township", Enrolled: true, Online: true, LastSeen: now.Add(-40 * time.Second),
			KioskVersion: "1.4.0", ContentVersion: "2026-11", Today: 12, Month: 240, Year: 2811,
			LastError: "<b>打印机缺纸</b>\x1b[31m\u202e"},
		{ID: "xq-01", Name: "区政务服务中心查阅点", Level: "county", Enrolled: true, Online: true, LastSeen: now.Add(-10 * time.Second),
			KioskVersion: "1.4.0", ContentVersion: "2026-11", Release: 7, Today: 40, Month: 903, Year: 10422, SkewSeconds: 2},
		{ID: "zj-08", Name: "李庄镇政府查阅点", Level: "township", Enrolled: true, LastSeen: now.Add(-26 * time.Hour),
			KioskVersion: "1.3.2", ContentVersion: "2025-12", Release: 6, Stale: true, StaleNote: "应为第 7 号发布,已安装第 6 号", Month: 3, Year: 1502,
			SkewSeconds: 420, SkewFlagged: true},
		{ID: "zj-09", Name: "王村镇政府查阅点", Level: "township"},
	}
}

type fixture struct {
	site *Site
	st   *store.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	var cps []config.Point
	for _, p := range samplePoints() {
		cps = append(cps, config.Point{ID: p.ID, Name: p.Name, Level: p.Level})
	}
	if _, err := st.ImportPoints(ctx, cps, now); err != nil {
		t.Fatal(err)
	}
	var recs []visits.VisitRecord
	for m := 1; m <= 11; m++ {
		for i := range m * 3 {
			s := time.Date(2026, time.Month(m), 1+i%28, 9, i, 0, 0, cst)
			recs = append(recs, visits.VisitRecord{ID: fmt.Sprintf("v%02d%03d", m, i), Point: "zj-07", Start: s, End: s.Add(4 * time.Minute)})
		}
	}
	if _, _, err := st.AddVisits(ctx, "zj-07", recs, now); err != nil {
		t.Fatal(err)
	}
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddStaff(ctx, "wang", hash, now); err != nil {
		t.Fatal(err)
	}
	site, err := New(Config{
		Store:    st,
		Points:   func(context.Context, time.Time) ([]Point, error) { return samplePoints(), nil },
		Report:   func(context.Context, int) (*visits.Report, error) { return nil, errors.New("no report in these tests") },
		Now:      func() time.Time { return now },
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Location: cst,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{site: site, st: st}
}

// serve sends one request with the given cookies.
func (f *fixture) serve(method, target string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = "192.0.2.7:40000"
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	f.site.ServeHTTP(w, r)
	return w
}

func cookieNamed(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var tokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login logs wang in and returns the session cookie.
func (f *fixture) login(t *testing.T) *http.Cookie {
	t.Helper()
	w := f.serve("GET", "/office/login", nil)
	lc := cookieNamed(w, loginCookie)
	m := tokenRE.FindStringSubmatch(w.Body.String())
	if lc == nil || m == nil || m[1] != lc.Value {
		t.Fatalf("login page: cookie %v, form %v", lc, m)
	}
	w = f.serve("POST", "/office/login", url.Values{"csrf": {m[1]}, "name": {"wang"}, "password": {"correct horse battery"}}, lc)
	sc := cookieNamed(w, sessionCookie)
	if w.Code != http.StatusSeeOther || sc == nil {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	return sc
}

// golden compares a page with testdata/NAME.html, CSRF tokens masked.
func golden(t *testing.T, name string, body string) {
	t.Helper()
	got := tokenRE.ReplaceAllString(body, `name="csrf" value="TOKEN"`)
	path := filepath.Join("testdata", name+".html")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./hub/web -update)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from %s (go test ./hub/web -update to accept):\n%s", name, path, got)
	}
}

func TestGoldenPages(t *testing.T) {
	f := newFixture(t)
	w := f.serve("GET", "/office/login", nil)
	golden(t, "login", w.Body.String())
	sc := f.login(t)
	for _, p := range []struct{ name, target string }{
		{"points", "/office/"},
		{"point", "/office/point/zj-07"},
		{"point-2025", "/office/point/zj-07?year=2025"},
		{"audit", "/office/audit"},
	} {
		w := f.serve("GET", p.target, nil, sc)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", p.target, w.Code, w.Body)
		}
		golden(t, p.name, w.Body.String())
	}
}

func TestPagesNeedASessionAndCarryHeaders(t *testing.T) {
	f := newFixture(t)
	for _, target := range []string{"/office/", "/office/point/zj-07", "/office/audit", "/office/report?year=2026&format=csv"} {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Authorization", "Bearer a-points-token")
		w := httptest.NewRecorder()
		f.site.ServeHTTP(w, r)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/office/login" {
			t.Fatalf("%s without a session: %d %v", target, w.Code, w.Header())
		}
	}
	sc := f.login(t)
	w := f.serve("GET", "/office/", nil, sc)
	h := w.Header()
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
	} {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
	body := w.Body.String()
	if strings.Contains(body, "<b>打印机") || strings.ContainsAny(body, "\x1b\u202e") || !strings.Contains(body, "&lt;b&gt;打印机缺纸&lt;/b&gt;") {
		t.Fatalf("untrusted text:\n%s", body)
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script") {
		t.Fatal("inline style or script: the CSP forbids them")
	}
	if w := f.serve("GET", "/office/static/office.css", nil); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %v", w.Code, w.Header())
	}
}

func TestMonthChartScales(t *testing.T) {
	c := monthChart([12]int{0, 1, 100, 50})
	if c.Bars[0].BH != 0 || c.Bars[1].BH != 2 || c.Bars[2].Y != 24 || c.Bars[3].BH != c.Bars[2].BH/2 {
		t.Fatalf("bars %+v", c.Bars[:4])
	}
}
