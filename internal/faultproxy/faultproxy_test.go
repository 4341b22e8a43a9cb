package faultproxy

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// upstream counts the requests that reached it.
func upstream(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "echo:"+string(b)+strings.Repeat(".", 100))
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func start(t *testing.T, f Faults) (*Proxy, *atomic.Int64, *http.Client) {
	up, n := upstream(t)
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	p, err := Start(up.TLS.Certificates[0], up.URL, &tls.Config{RootCAs: pool}, f, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	// httptest's certificate is valid for 127.0.0.1, so a client that
	// trusts it trusts the proxy too.
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return p, n, c
}

func post(c *http.Client, url string) (string, error) {
	resp, err := c.Post(url+"/x", "text/plain", strings.NewReader("hi"))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestCleanPassThrough(t *testing.T) {
	p, n, c := start(t, Faults{})
	got, err := post(c, p.URL())
	if err != nil || !strings.HasPrefix(got, "echo:hi") || n.Load() != 1 {
		t.Fatalf("got %q %v, upstream saw %d", got, err, n.Load())
	}
}

func TestDropNeverReachesUpstream(t *testing.T) {
	p, n, c := start(t, Faults{Drop: 1})
	if _, err := post(c, p.URL()); err == nil {
		t.Fatal("a dropped request got an answer")
	}
	if n.Load() != 0 || p.Counts().Dropped == 0 {
		t.Fatalf("upstream saw %d, counts %+v", n.Load(), p.Counts())
	}
}

func TestCutAfterUpstreamActed(t *testing.T) {
	p, n, c := start(t, Faults{Cut: 1})
	_, err := post(c, p.URL())
	if err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("want a truncated answer, got %v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("upstream saw %d requests, want 1 (the cut comes after the server acted)", n.Load())
	}
}

func TestDuplicateSendsTwice(t *testing.T) {
	p, n, c := start(t, Faults{Duplicate: 1})
	got, err := post(c, p.URL())
	if err != nil || !strings.HasPrefix(got, "echo:hi") || n.Load() != 2 {
		t.Fatalf("got %q %v, upstream saw %d", got, err, n.Load())
	}
}

func TestRewriteAltersTheAnswer(t *testing.T) {
	p, n, c := start(t, Faults{})
	p.SetRewrite(func(r *http.Request, status int, h http.Header, body []byte) (int, http.Header, []byte, bool) {
		if status != http.StatusOK || !strings.HasPrefix(string(body), "echo:") {
			t.Errorf("the rewrite saw %d %q", status, body)
		}
		return http.StatusTeapot, http.Header{"X-Forged": {"1"}}, []byte("forged"), true
	})
	resp, err := c.Post(p.URL()+"/x", "text/plain", strings.NewReader("hi"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || string(b) != "forged" || resp.Header.Get("X-Forged") != "1" || n.Load() != 1 {
		t.Fatalf("got %d %q %v, upstream saw %d", resp.StatusCode, b, resp.Header, n.Load())
	}
	p.SetRewrite(nil)
	if got, err := post(c, p.URL()); err != nil || !strings.HasPrefix(got, "echo:hi") {
		t.Fatalf("after the rewrite: %q %v", got, err)
	}
}
