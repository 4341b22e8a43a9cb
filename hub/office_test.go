package hub

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"kiosk/hub/api"
	"kiosk/hub/web"
	"kiosk/visits"
)

// clock is a time tests move by hand (lockouts without sleeping).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func (h *testHub) addStaff(t *testing.T, name, pw string) {
	t.Helper()
	hash, err := web.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.AddStaff(context.Background(), name, hash, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// staffClient is a Go client with cookies that trusts the hub's CA and does
// not follow redirects.
type staffClient struct {
	h *testHub
	c *http.Client
}

func (h *testHub) staffClient(t *testing.T) *staffClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := clientFor(h.caPool)
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &staffClient{h: h, c: c}
}

func (b *staffClient) do(t *testing.T, method, path string, form url.Values, header http.Header, raw ...io.Reader) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	if len(raw) > 0 {
		body = raw[0]
	}
	req, err := http.NewRequest(method, b.h.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(got)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field in:\n%s", page)
	}
	return m[1]
}

// login opens the login page and posts name and password with its token.
func (b *staffClient) login(t *testing.T, name, pw string) (*http.Response, string) {
	t.Helper()
	_, page := b.do(t, http.MethodGet, "/office/login", nil, nil)
	return b.do(t, http.MethodPost, "/office/login", url.Values{"csrf": {csrfOf(t, page)}, "name": {name}, "password": {pw}}, nil)
}

func TestOfficeLoginCSRFAndCookies(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			h.addStaff(t, "wang", "correct horse battery")
			tok := h.enrol(t, "xq-01")
			b := h.staffClient(t)

			// Not logged in, even with a point's token: to the login page; a
			// POST is refused.
			for _, p := range []string{"/", "/office/", "/office/point/xq-01", "/office/report?year=2026&format=csv", "/office/audit"} {
				resp, body := b.do(t, http.MethodGet, p, nil, http.Header{"Authorization": {"Bearer " + tok}})
				loc := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || (loc != "/office/login" && loc != "/office/") || strings.Contains(body, "xq-01") {
					t.Fatalf("GET %s with a point's token: %d %s %s", p, resp.StatusCode, loc, body)
				}
			}
			if resp, _ := b.do(t, http.MethodPost, "/office/logout", url.Values{}, http.Header{"Authorization": {"Bearer " + tok}}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("POST logout with a point's token: %d", resp.StatusCode)
			}

			// The login form: without the login cookie's token, or with
			// another, 403.
			resp, page := b.do(t, http.MethodGet, "/office/login", nil, nil)
			if resp.StatusCode != 200 || !strings.Contains(page, "工作人员登录") {
				t.Fatalf("login page: %d %s", resp.StatusCode, page)
			}
			hdr := resp.Header
			if hdr.Get("X-Frame-Options") != "DENY" || !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'self'") ||
				hdr.Get("Cache-Control") != "no-store" {
				t.Fatalf("headers %v", hdr)
			}
			for _, form := range []url.Values{
				{"name": {"wang"}, "password": {"correct horse battery"}},
				{"name": {"wang"}, "password": {"correct horse battery"}, "csrf": {"forged"}},
			} {
				if resp, _ := b.do(t, http.MethodPost, "/office/login", form, nil); resp.StatusCode != http.StatusForbidden {
					t.Fatalf("login with %v: %d", form, resp.StatusCode)
				}
			}
			other := h.staffClient(t) // another browser's token is no good either
			if resp, _ := other.do(t, http.MethodPost, "/office/login", url.Values{"csrf": {csrfOf(t, page)}, "name": {"wang"}, "password": {"correct horse battery"}}, nil); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("login with another browser's token: %d", resp.StatusCode)
			}

			resp, _ = b.login(t, "wang", "correct horse battery")
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/office/" {
				t.Fatalf("login: %d %v", resp.StatusCode, resp.Header)
			}
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "__Host-kiosk-office" {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteStrictMode ||
				session.Path != "/" || session.MaxAge <= 0 || session.MaxAge > 12*3600 || len(session.Value) < 40 {
				t.Fatalf("session cookie %+v", session)
			}
			raw := resp.Header.Values("Set-Cookie")
			if j := strings.Join(raw, "\n"); !strings.Contains(j, "HttpOnly") || !strings.Contains(j, "Secure") || !strings.Contains(j, "SameSite=Strict") {
				t.Fatalf("Set-Cookie %s", j)
			}
			// The session is kept hashed: its value is nowhere in the
			// database.
			if _, err := h.st.SessionByHash(context.Background(), session.Value, time.Now(), time.Hour); err == nil {
				t.Fatal("the session's cookie value is stored as is")
			}

			resp, page = b.do(t, http.MethodGet, "/office/", nil, nil)
			if resp.StatusCode != 200 || !strings.Contains(page, "区政务服务中心查阅点") || !strings.Contains(page, "wang") {
				t.Fatalf("points page: %d %s", resp.StatusCode, page)
			}
			token := csrfOf(t, page)
			// Publishing and widening are forms too: refused without the
			// token or with another, and nothing is published.
			for _, tok := range []string{"", "forged"} {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				if tok != "" {
					mw.WriteField("csrf", tok)
				}
				mw.WriteField("to", "all")
				fw, _ := mw.CreateFormFile("pack", "pack.zip")
				fw.Write([]byte("PK"))
				mw.Close()
				resp, _ := b.do(t, http.MethodPost, "/office/releases", nil, http.Header{"Content-Type": {mw.FormDataContentType()}}, &body)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("publish with token %q: %d", tok, resp.StatusCode)
				}
				if resp, _ := b.do(t, http.MethodPost, "/office/releases/1/widen", url.Values{"csrf": {tok}}, nil); resp.StatusCode != http.StatusForbidden {
					t.Fatalf("widen with token %q: %d", tok, resp.StatusCode)
				}
			}
			if rels, err := h.st.Releases(context.Background()); err != nil || len(rels) != 0 {
				t.Fatalf("releases after forged forms: %v %v", rels, err)
			}
			// Logout (a form): without the token or with a wrong one, 403
			// and still logged in; with it, out.
			for _, form := range []url.Values{{}, {"csrf": {"x" + token}}, {"csrf": {strings.ToUpper(token)}}} {
				if resp, _ := b.do(t, http.MethodPost, "/office/logout", form, nil); resp.StatusCode != http.StatusForbidden {
					t.Fatalf("logout with %v: %d", form, resp.StatusCode)
				}
			}
			if resp, _ := b.do(t, http.MethodGet, "/office/", nil, nil); resp.StatusCode != 200 {
				t.Fatalf("logged out by a forged form: %d", resp.StatusCode)
			}
			resp, _ = b.do(t, http.MethodPost, "/office/logout", url.Values{"csrf": {token}}, nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", resp.StatusCode)
			}
			if resp, _ := b.do(t, http.MethodGet, "/office/", nil, nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("after logout: %d", resp.StatusCode)
			}
			// The old cookie, replayed, opens nothing.
			replay := h.staffClient(t)
			req, _ := http.NewRequest(http.MethodGet, h.url+"/office/", nil)
			req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
			if r, err := replay.c.Do(req); err != nil || r.StatusCode != http.StatusSeeOther {
				t.Fatalf("replayed cookie after logout: %v %v", r, err)
			}
		})
	}
}

func TestOfficeLockout(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			clk := newClock(time.Date(2026, 11, 30, 9, 0, 0, 0, cst))
			h := startHub(t, db, nil, WithClock(clk.Now))
			h.addStaff(t, "wang", "correct horse battery")
			b := h.staffClient(t)
			// A name that exists and one that does not answer alike.
			for _, name := range []string{"nobody", "wang"} {
				for i := 1; i <= 4; i++ {
					resp, page := b.login(t, name, "wrong password")
					if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "用户名或密码不正确") {
						t.Fatalf("%s failure %d: %d %s", name, i, resp.StatusCode, page)
					}
					clk.Add(10 * time.Second)
				}
				resp, page := b.login(t, name, "wrong password")
				if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "已被锁定 5 分钟") || !strings.Contains(page, "后再试") {
					t.Fatalf("%s fifth failure: %d %s", name, resp.StatusCode, page)
				}
			}
			// Locked: the right password is refused too.
			clk.Add(4*time.Minute + 59*time.Second)
			if resp, page := b.login(t, "wang", "correct horse battery"); resp.StatusCode != http.StatusTooManyRequests || strings.Contains(page, "全部查阅点") {
				t.Fatalf("right password while locked: %d", resp.StatusCode)
			}
			clk.Add(time.Second)
			if resp, _ := b.login(t, "wang", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("after 5 minutes: %d", resp.StatusCode)
			}
			log, err := h.st.AuditLog(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			var events []string
			for i := len(log) - 1; i >= 0; i-- {
				events = append(events, log[i].Name+":"+log[i].Event)
			}
			want := strings.Repeat("nobody:login_failed ", 4) + "nobody:lockout " + strings.Repeat("wang:login_failed ", 4) + "wang:lockout wang:login_locked wang:login"
			if got := strings.Join(events, " "); got != want {
				t.Fatalf("audit log:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// The points page shows what points sent, escaped and without controls;
// the year's table downloads as kiosk hub report writes it.
func TestOfficePagesAndDownload(t *testing.T) {
	h := startHub(t, "sqlite", nil)
	h.addStaff(t, "wang", "correct horse battery")
	tok := h.enrol(t, "zj-07")
	year := time.Now().Year()
	if st, body := h.post(t, api.PathVisits, tok, batch("zj-07", 5, time.Date(year, 1, 3, 9, 0, 0, 0, cst))); st != 200 {
		t.Fatalf("batch: %d %s", st, body)
	}
	if st, body := h.post(t, api.PathHeartbeat, tok, api.Heartbeat{Time: time.Now().Format(time.RFC3339Nano), KioskVersion: "1.4<b>",
		ContentVersion: "2026-11", LastError: "<script>alert(1)</script>\x1b[31m\u202e超时"}); st != 200 {
		t.Fatalf("heartbeat: %d %s", st, body)
	}
	b := h.staffClient(t)
	if resp, _ := b.login(t, "wang", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, page := b.do(t, http.MethodGet, "/office/", nil, nil)
	if strings.Contains(page, "<script>") || strings.ContainsAny(page, "\x1b\u202e") ||
		!strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;超时") {
		t.Fatalf("untrusted text on the page:\n%s", page)
	}
	if i, j := strings.Index(page, "xq-01"), strings.Index(page, "zj-07"); i < 0 || j < i || !strings.Contains(page[:j], "县级查阅点") {
		t.Fatal("county points are not listed first")
	}
	resp, page := b.do(t, http.MethodGet, "/office/point/zj-07?year="+time.Now().Format("2006"), nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "<title>1 月:5 人次</title>") || !strings.Contains(page, "1.4&lt;b&gt;") {
		t.Fatalf("point page: %d %s", resp.StatusCode, page)
	}
	if resp, _ := b.do(t, http.MethodGet, "/office/point/nope", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown point: %d", resp.StatusCode)
	}

	resp, got := b.do(t, http.MethodGet, "/office/report?format=csv&year="+time.Now().Format("2006"), nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	rep, err := BuildReport(context.Background(), h.st, ReportOptions{Year: year})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := rep.Write(&want, visits.FormatCSV); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(got, "\ufeff")))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil || len(rows) < 3 {
		t.Fatalf("downloaded CSV: %v\n%s", err, got)
	}
	// The report's creation time may differ by a second: compare the rows
	// of figures.
	if !strings.Contains(got, rowWith(t, want.String(), "查阅点接待人数")) {
		t.Fatalf("downloaded table differs from kiosk hub report's:\n%s\nwant\n%s", got, want.String())
	}
	if resp, _ := b.do(t, http.MethodGet, "/office/report?format=json&year=2026", nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("json download: %d", resp.StatusCode)
	}
}

func rowWith(t *testing.T, s, word string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			return l
		}
	}
	t.Fatalf("no line with %s in\n%s", word, s)
	return ""
}

// One address trying many names is stopped after 10 failures, before any
// name is locked; the right password then waits too.
func TestOfficeFailuresPerAddress(t *testing.T) {
	clk := newClock(time.Date(2026, 11, 30, 9, 0, 0, 0, cst))
	h := startHub(t, "sqlite", nil, WithClock(clk.Now))
	h.addStaff(t, "wang", "correct horse battery")
	b := h.staffClient(t)
	for i := range loginFailuresPerMinute {
		if resp, _ := b.login(t, fmt.Sprintf("name%d", i), "guess"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	resp, page := b.login(t, "wang", "correct horse battery")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "从此地址登录失败次数过多") || resp.Header.Get("Retry-After") != "6" {
		t.Fatalf("after 10 failures from one address: %d %v %s", resp.StatusCode, resp.Header, page)
	}
	clk.Add(6 * time.Second)
	if resp, _ := b.login(t, "wang", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("6 s later: %d", resp.StatusCode)
	}
}

// Attempts sent all at once meet the lock as attempts one after another
// do: the lock, the password check and the count of a failure happen as
// one, so at most MaxFailures-1 wrong passwords are even checked before
// the name is locked, and a right one among them would be refused.
func TestOfficeLockoutHoldsUnderParallelAttempts(t *testing.T) {
	for _, db := range databases() {
		t.Run(db, func(t *testing.T) {
			h := startHub(t, db, nil)
			h.addStaff(t, "wang", "correct horse battery")
			b := h.staffClient(t)
			_, page := b.do(t, http.MethodGet, "/office/login", nil, nil)
			form := url.Values{"csrf": {csrfOf(t, page)}, "name": {"wang"}, "password": {"wrong password"}}.Encode()
			const n = 20
			codes := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					req, _ := http.NewRequest(http.MethodPost, h.url+"/office/login", strings.NewReader(form))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					resp, err := b.c.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					codes[i] = resp.StatusCode
				})
			}
			wg.Wait()
			checked := 0
			for _, c := range codes {
				switch c {
				case http.StatusUnauthorized:
					checked++
				case http.StatusTooManyRequests:
				default:
					t.Fatalf("answers %v", codes)
				}
			}
			if checked > web.MaxFailures-1 {
				t.Fatalf("%d wrong passwords were answered as wrong (not locked) of %d sent at once: %v", checked, n, codes)
			}
			if resp, _ := b.login(t, "wang", "correct horse battery"); resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("the right password after the burst: %d, want the lock", resp.StatusCode)
			}
		})
	}
}
