package web

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeReleases records what the pages asked of the publishing code.
type fakeReleases struct {
	published [][]string // points of each Publish (nil: all)
	packs     []string   // the uploaded pack's bytes
	widened   []uint64
}

func (f *fakeReleases) releases() *Releases {
	return &Releases{
		List: func(context.Context) ([]Release, error) {
			return []Release{
				{Number: 1, Title: "2025 年报", PackVersion: "2025-12", Published: now.AddDate(0, -1, 0), Expires: now.AddDate(0, 2, 0), All: true,
					Targets: []string{"xq-01", "zj-07", "zj-08", "zj-09"}, Installed: []string{"xq-01", "zj-07", "zj-08"}},
				{Number: 2, Title: "2026 年报\x1b[2J<i>", PackVersion: "2026-11", Published: now.Add(-time.Hour), Expires: now.AddDate(0, 3, 0),
					Targets: []string{"xq-01", "zj-07", "zj-08"}, Installed: []string{"xq-01"},
					Failed: []Failure{{Point: "zj-08", Reason: "refused: 签名密钥不符 <b>"}}},
			}, nil
		},
		Publish: func(_ context.Context, pack string, points []string) (uint64, error) {
			b, err := os.ReadFile(pack)
			if err != nil {
				return 0, err
			}
			if string(b) == "bad" {
				return 0, errors.New("内容包有错误 (the pack has errors):\ndoc.md: 缺少 title")
			}
			f.packs = append(f.packs, string(b))
			f.published = append(f.published, points)
			return 3, nil
		},
		Widen: func(_ context.Context, n uint64) error { f.widened = append(f.widened, n); return nil },
	}
}

func multipartForm(t *testing.T, fields map[string][]string, file, content string) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		w, err := mw.CreateFormFile("pack", file)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func TestReleasesPagesAndPublish(t *testing.T) {
	f := newFixture(t)
	fr := &fakeReleases{}
	f.site.cfg.Releases = fr.releases()
	f.site, _ = New(f.site.cfg)
	sc := f.login(t)

	w := f.serve("GET", "/office/releases", nil, sc)
	if w.Code != 200 {
		t.Fatalf("releases: %d %s", w.Code, w.Body)
	}
	golden(t, "releases", w.Body.String())
	w = f.serve("GET", "/office/releases/new", nil, sc)
	golden(t, "publish", w.Body.String())
	token := tokenRE.FindStringSubmatch(w.Body.String())[1]

	post := func(fields map[string][]string, file, content string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		body, ctype := multipartForm(t, fields, file, content)
		r := httptest.NewRequest("POST", "/office/releases", body)
		r.Header.Set("Content-Type", ctype)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		f.site.ServeHTTP(rec, r)
		return rec
	}
	five := []string{"xq-01", "zj-07", "zj-08", "zj-09", "xq-01"}
	// No session, no token, a wrong token: 403 and nothing published.
	for _, c := range []struct {
		fields  map[string][]string
		cookies []*http.Cookie
	}{
		{map[string][]string{"csrf": {token}, "to": {"all"}}, nil},
		{map[string][]string{"to": {"all"}}, []*http.Cookie{sc}},
		{map[string][]string{"csrf": {token + "x"}, "to": {"all"}}, []*http.Cookie{sc}},
	} {
		if w := post(c.fields, "pack.zip", "PK", c.cookies...); w.Code != http.StatusForbidden {
			t.Fatalf("publish %v: %d", c.fields, w.Code)
		}
	}
	if len(fr.published) != 0 {
		t.Fatal("published without a valid form")
	}
	if w := post(map[string][]string{"csrf": {token}, "to": {"all"}}, "pack.exe", "MZ", sc); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), ".zip 或 .tar.gz") {
		t.Fatalf("an .exe: %d", w.Code)
	}
	if w := post(map[string][]string{"csrf": {token}, "to": {"selected"}}, "pack.zip", "PK", sc); w.Code != http.StatusBadRequest {
		t.Fatalf("selected, none ticked: %d", w.Code)
	}
	if w := post(map[string][]string{"csrf": {token}, "to": {"all"}}, "pack.tar.gz", "bad", sc); w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(w.Body.String(), "缺少 title") {
		t.Fatalf("a pack with errors: %d %s", w.Code, w.Body)
	}
	w = post(map[string][]string{"csrf": {token}, "to": {"selected"}, "point": five[:4]}, "pack.zip", "PK-content", sc)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/office/releases?published=3" {
		t.Fatalf("publish: %d %s", w.Code, w.Body)
	}
	if len(fr.published) != 1 || !slices.Equal(fr.published[0], five[:4]) || fr.packs[0] != "PK-content" {
		t.Fatalf("published %v %v", fr.published, fr.packs)
	}
	if w := f.serve("POST", "/office/releases/2/widen", map[string][]string{"csrf": {token}}, sc); w.Code != http.StatusSeeOther || !slices.Equal(fr.widened, []uint64{2}) {
		t.Fatalf("widen: %d %v", w.Code, fr.widened)
	}
	if w := f.serve("POST", "/office/releases/2/widen", map[string][]string{}, sc); w.Code != http.StatusForbidden || len(fr.widened) != 1 {
		t.Fatalf("widen without a token: %d", w.Code)
	}
	log, err := f.st.AuditLog(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if e.Event == EventPublish {
			got = append(got, e.Detail)
		}
	}
	want := []string{"release 2 widened to all points", "release 3: pack.zip → xq-01,zj-07,zj-08,zj-09", "failed: pack.tar.gz → 全部查阅点: 内容包有错误 (the pack has errors): doc.md: 缺少 title"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit of publishes:\n%q\nwant\n%q", got, want)
	}
}
