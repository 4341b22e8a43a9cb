// Package pointtest is a faithful fake of the office hub for tests of the
// point side (hub/point, cmd/kiosk): hub/api served over TLS with a
// certificate from a CA made for the test, Bearer tokens, visits kept once
// by (point, id), visits dated too far ahead refused, 429 on demand, and
// Stop/Start to take it off the network and back. It keeps everything in
// memory.
package pointtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"kiosk/hub/api"
	"kiosk/visits"
)

// CA is a certificate authority made for one test.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func (c CA) SHA256() string {
	s := sha256.Sum256(c.Cert.Raw)
	return hex.EncodeToString(s[:])
}

func NewCA(t testing.TB, name string) CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return CA{Cert: cert, key: key}
}

// serverCert issues a certificate for 127.0.0.1 and localhost (or for
// the names given only), presented with the CA in its chain as the hub
// presents its own.
func (c CA) ServerCert(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "hub"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if len(names) > 0 {
		tmpl.DNSNames, tmpl.IPAddresses = names, nil
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.Cert, &key.PublicKey, c.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der, c.Cert.Raw}, PrivateKey: key}
}

// Hub serves hub/api as the real hub does, in memory: Bearer tokens,
// visits kept once by (point, id), visits too far ahead refused, 429 on
// demand, and Stop/Start to take it off the network and back.
type Hub struct {
	CA   CA // the hub's CA; points pin CA.SHA256()
	t    testing.TB
	cert tls.Certificate
	addr string
	srv  *httptest.Server

	mu         sync.Mutex
	codes      map[string]api.EnrollResponse
	tokens     map[string]string // token → point
	visits     map[[2]string]visits.VisitJSON
	offered    map[[2]string]int // how often each visit came
	batches    int
	heartbeats []api.Heartbeat
	throttle   int // answer this many requests 429
	retryAfter string
	badBatches int // answer this many batches 400
}

// NewHub starts a hub on 127.0.0.1 with a new CA; the test's end stops it.
func NewHub(t testing.TB) *Hub {
	t.Helper()
	ca := NewCA(t, "test hub CA")
	h := &Hub{t: t, CA: ca, cert: ca.ServerCert(t), codes: map[string]api.EnrollResponse{},
		tokens: map[string]string{}, visits: map[[2]string]visits.VisitJSON{}, offered: map[[2]string]int{}}
	h.Start()
	t.Cleanup(h.Stop)
	return h
}

// URL is the hub's address.
func (h *Hub) URL() string { return "https://" + h.addr }

// Start serves (again, on the same address).
func (h *Hub) Start() {
	addr := h.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		h.t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{h.cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the tests' point
	srv.StartTLS()
	h.srv = srv
}

// Stop takes the hub off the network: connections refused.
func (h *Hub) Stop() {
	if h.srv != nil {
		h.srv.Close()
		h.srv = nil
	}
}

// UseCertificate serves cert from the next Start on.
func (h *Hub) UseCertificate(cert tls.Certificate) { h.cert = cert }

// Throttle answers the next n requests 429 with Retry-After: retryAfter.
func (h *Hub) Throttle(n int, retryAfter string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.throttle, h.retryAfter = n, retryAfter
}

// RefuseBatches answers the next n batches 400, as a hub does a batch it
// cannot read (nothing stored).
func (h *Hub) RefuseBatches(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.badBatches = n
}

// Heartbeats returns the heartbeats received.
func (h *Hub) Heartbeats() []api.Heartbeat {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.heartbeats)
}

// Batches is how many batches the hub acknowledged.
func (h *Hub) Batches() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.batches
}

// Code makes a one-time enrolment code for a point.
func (h *Hub) Code(point, name, level string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := "code-" + point + "-" + rand.Text()[:6]
	h.codes[c] = api.EnrollResponse{Point: point, Name: name, Level: level, Token: "tok-" + rand.Text()}
	return c
}

// Revoke makes the point's credentials unknown (401).
func (h *Hub) Revoke(point string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for tok, p := range h.tokens {
		if p == point {
			delete(h.tokens, tok)
		}
	}
}

// Held is how many visits of point the hub holds.
func (h *Hub) Held(point string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for k := range h.visits {
		if k[0] == point {
			n++
		}
	}
	return n
}

// TimesOffered is how often a visit was sent.
func (h *Hub) TimesOffered(point, id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.offered[[2]string{point, id}]
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func refuse(w http.ResponseWriter, status int, msg string) { answer(w, status, api.Error{Error: msg}) }

func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		refuse(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.throttle > 0 {
		h.throttle--
		w.Header().Set("Retry-After", h.retryAfter)
		refuse(w, http.StatusTooManyRequests, "请求过多 (too many requests)")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBodyBytes))
	if err != nil {
		refuse(w, http.StatusRequestEntityTooLarge, "too large")
		return
	}
	if r.URL.Path == api.PathEnroll {
		h.enroll(w, body)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	point := h.tokens[tok]
	if !ok || point == "" {
		refuse(w, http.StatusUnauthorized, "凭证无效 (unknown credential)")
		return
	}
	switch r.URL.Path {
	case api.PathVisits:
		h.batch(w, point, body)
	case api.PathHeartbeat:
		var hb api.Heartbeat
		if err := json.Unmarshal(body, &hb); err != nil {
			refuse(w, http.StatusBadRequest, err.Error())
			return
		}
		h.heartbeats = append(h.heartbeats, hb)
		answer(w, http.StatusOK, api.HeartbeatAck{HubTime: time.Now().Format(time.RFC3339Nano)})
	default:
		refuse(w, http.StatusNotFound, "no such path")
	}
}

func (h *Hub) enroll(w http.ResponseWriter, body []byte) {
	var req api.EnrollRequest
	if err := json.Unmarshal(body, &req); err != nil {
		refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	resp, ok := h.codes[req.Code]
	switch {
	case !ok:
		refuse(w, http.StatusUnauthorized, "注册码无效 (unknown code)")
	case req.Point != "" && req.Point != resp.Point:
		refuse(w, http.StatusConflict, "注册码属于另一个查阅点 (the code is for another point)")
	default:
		delete(h.codes, req.Code)
		h.tokens[resp.Token] = resp.Point
		answer(w, http.StatusOK, resp)
	}
}

func (h *Hub) batch(w http.ResponseWriter, point string, body []byte) {
	if h.badBatches > 0 {
		h.badBatches--
		refuse(w, http.StatusBadRequest, "批次无法解析 (malformed batch)")
		return
	}
	var b api.Batch
	if err := json.Unmarshal(body, &b); err != nil {
		refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(b.Visits) == 0 || len(b.Visits) > api.MaxBatchVisits {
		refuse(w, http.StatusBadRequest, fmt.Sprintf("%d visits", len(b.Visits)))
		return
	}
	limit := time.Now().Add(api.MaxFutureSeconds * time.Second)
	var ack api.BatchAck
	for _, v := range b.Visits {
		if v.Point != point {
			refuse(w, http.StatusForbidden, "another point's visit")
			return
		}
		rec, err := v.Record()
		if err != nil {
			refuse(w, http.StatusBadRequest, err.Error())
			return
		}
		if rec.End.After(limit) || rec.Start.After(limit) {
			ack.Refused = append(ack.Refused, api.Refusal{ID: v.ID, Reason: "访问时间晚于中心服务器时钟一天以上 (dated more than a day ahead)\x1b[31m"})
		}
	}
	h.batches++
	for _, v := range b.Visits {
		k := [2]string{point, v.ID}
		h.offered[k]++
		if refusedID(ack.Refused, v.ID) {
			continue
		}
		if _, ok := h.visits[k]; ok {
			ack.Duplicates++
		} else {
			h.visits[k] = v
			ack.Stored++
		}
	}
	answer(w, http.StatusOK, ack)
}

func refusedID(rs []api.Refusal, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// AddVisits writes n closed visits of point into the store's file, one a
// minute from start, in one transaction (the Tracker would take a write
// per visit).
func AddVisits(t testing.TB, dbPath, point string, start time.Time, n int) []string {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	_, off := start.Zone()
	var ids []string
	for i := range n {
		s := start.Add(time.Duration(i) * time.Minute)
		id := fmt.Sprintf("%s-%06d-%s", point, i, rand.Text()[:4])
		ids = append(ids, id)
		if _, err := tx.Exec(`INSERT INTO visits (id, point, day, start_ms, tz_s, last_ms, end_ms, ended) VALUES (?, ?, ?, ?, ?, ?, ?, 'explicit')`,
			id, point, s.Format("2006-01-02"), s.UnixMilli(), off, s.UnixMilli()+30_000, s.UnixMilli()+30_000); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ids
}
