// Package faultproxy is a test proxy for HTTPS on loopback that misbehaves
// the way networks between a lookup point and the office do: it drops
// requests, delays them, sends them twice, and cuts connections in the
// middle of the answer — after the server has acted on the request, which
// is the case an exactly-once protocol must survive.
//
// It terminates TLS with the certificate it is given (in tests, the hub's
// own server certificate, so that points keep their pinned CA) and
// forwards each request over a fresh TLS connection to the upstream.
package faultproxy

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Faults are the chances (0..1) of each misbehaviour, drawn per request in
// this order; at most one applies.
type Faults struct {
	Drop      float64       // close the client's connection before forwarding
	Cut       float64       // forward, then cut the answer half-way
	Duplicate float64       // forward twice, answer with the second reply
	Delay     float64       // wait MaxDelay·rand before forwarding
	MaxDelay  time.Duration // default 200ms
}

// Rewrite is a network attacker: it sees each request and the upstream's
// answer (status 0 when the upstream could not be reached) and returns
// the answer the client gets instead; ok false leaves the answer alone.
type Rewrite func(r *http.Request, status int, header http.Header, body []byte) (newStatus int, newHeader http.Header, newBody []byte, ok bool)

// Counts say how often each fault happened.
type Counts struct {
	Requests, Dropped, Cut, Duplicated, Delayed, UpstreamErrors int64
}

// Proxy is a running fault proxy.
type Proxy struct {
	ln       net.Listener
	srv      *http.Server
	upstream string
	client   *http.Client

	mu      sync.Mutex
	rng     *rand.Rand
	faults  Faults
	rewrite Rewrite

	requests, dropped, cut, duplicated, delayed, upErr atomic.Int64
}

// Start listens on 127.0.0.1 (a free port) with cert and forwards to
// upstream (https://host:port), trusting roots. seed makes the fault
// sequence repeatable for one request order.
func Start(cert tls.Certificate, upstream string, roots *tls.Config, faults Faults, seed uint64) (*Proxy, error) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"}, // Hijack needs HTTP/1
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{TLSClientConfig: roots.Clone(), ForceAttemptHTTP2: false, MaxIdleConnsPerHost: 16}
	p := &Proxy{
		ln:       ln,
		upstream: upstream,
		client:   &http.Client{Transport: tr, Timeout: 30 * time.Second},
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		faults:   faults,
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	return p, nil
}

// URL is the proxy's address for clients.
func (p *Proxy) URL() string { return "https://" + p.ln.Addr().String() }

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetFaults changes the chances from the next request on.
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	p.faults = f
	p.mu.Unlock()
}

// SetRewrite makes the proxy alter answers from the next request on (nil:
// none). Faults still apply to the altered answers.
func (p *Proxy) SetRewrite(rw Rewrite) {
	p.mu.Lock()
	p.rewrite = rw
	p.mu.Unlock()
}

// Counts reports what happened so far.
func (p *Proxy) Counts() Counts {
	return Counts{p.requests.Load(), p.dropped.Load(), p.cut.Load(), p.duplicated.Load(), p.delayed.Load(), p.upErr.Load()}
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() error { return p.srv.Close() }

type fault int

const (
	none fault = iota
	drop
	cut
	duplicate
	delay
)

func (p *Proxy) draw() (fault, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.faults
	x := p.rng.Float64()
	pick := func(chance float64) bool {
		if x < chance {
			return true
		}
		x -= chance
		return false
	}
	switch {
	case pick(f.Drop):
		return drop, 0
	case pick(f.Cut):
		return cut, 0
	case pick(f.Duplicate):
		return duplicate, 0
	case pick(f.Delay):
		d := f.MaxDelay
		if d <= 0 {
			d = 200 * time.Millisecond
		}
		return delay, time.Duration(p.rng.Int64N(int64(d)) + 1)
	}
	return none, 0
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		hangUp(w)
		return
	}
	f, d := p.draw()
	switch f {
	case drop:
		p.dropped.Add(1)
		hangUp(w)
		return
	case delay:
		p.delayed.Add(1)
		time.Sleep(d)
	}
	resp, respBody, err := p.forward(r, body)
	if f == duplicate && err == nil {
		p.duplicated.Add(1)
		resp, respBody, err = p.forward(r, body)
	}
	p.mu.Lock()
	rw := p.rewrite
	p.mu.Unlock()
	if rw != nil {
		status, header := 0, http.Header{}
		if err == nil {
			status, header = resp.StatusCode, resp.Header
		}
		if st, h, b, ok := rw(r, status, header, respBody); ok {
			resp, respBody, err = &http.Response{StatusCode: st, Header: h}, b, nil
		}
	}
	if err != nil {
		p.upErr.Add(1)
		hangUp(w) // as a dead server looks to the client
		return
	}
	if f == cut {
		p.cut.Add(1)
		cutHalfway(w, resp, respBody)
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(respBody)
}

func (p *Proxy) forward(r *http.Request, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

// cutHalfway sends the status line, headers and half of the body, then
// closes: the client sees a truncated answer (unexpected EOF).
func cutHalfway(w http.ResponseWriter, resp *http.Response, body []byte) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	fmt.Fprintf(buf, "Content-Type: %s\r\nContent-Length: %s\r\n\r\n", resp.Header.Get("Content-Type"), strconv.Itoa(len(body)))
	buf.Write(body[:len(body)/2])
	buf.Flush()
}
