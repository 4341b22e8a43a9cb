package hub

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kiosk/hub/api"
)

// slowConn is a batch request whose handler is running (it has asked for
// the body: 100 Continue) and whose body has not been sent.
type slowConn struct {
	c    *tls.Conn
	r    *bufio.Reader
	body []byte
}

// slowBatch starts a batch request and returns once the hub's handler is
// reading its body, so that a shutdown begun now finds it in flight.
func slowBatch(t *testing.T, base string, pool *x509.CertPool, token string, body []byte) *slowConn {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", u.Host, &tls.Config{RootCAs: pool, ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		api.PathVisits, u.Host, token, len(body))
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	if blank, err := r.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}
	return &slowConn{c: c, r: r, body: body}
}

// finish sends the body and reads the acknowledgement.
func (s *slowConn) finish(t *testing.T) api.BatchAck {
	t.Helper()
	if _, err := s.c.Write(s.body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var ack api.BatchAck
	if resp.StatusCode != 200 || json.Unmarshal(b, &ack) != nil {
		t.Fatalf("in-flight batch: %d %s", resp.StatusCode, b)
	}
	return ack
}
