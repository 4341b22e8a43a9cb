package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"kiosk/hub/api"
	"kiosk/hub/store"
	"kiosk/hub/web"
	"kiosk/internal/termtext"
)

// Reasons a request is refused, the label of kiosk_hub_requests_refused_total.
const (
	refusedUnauthorized = "unauthorized"  // 401: credential or code
	refusedForbidden    = "forbidden"     // 403: another point's visits
	refusedMalformed    = "malformed"     // 400
	refusedTooLarge     = "too_large"     // 413
	refusedRateLimited  = "rate_limited"  // 429
	refusedShuttingDown = "shutting_down" // 503
	refusedNotFound     = "not_found"     // 404
	refusedMethod       = "method"        // 405
	refusedFuture       = "future_visit"  // a visit in BatchAck.Refused
	refusedWrongPoint   = "wrong_point"   // 409: a code for another point
)

// reqInfo is what a handler tells the request log about the request.
type reqInfo struct{ point string }

type reqInfoKey struct{}

func info(r *http.Request) *reqInfo {
	if i, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

// Handler is the hub's HTTP handler: the protocol's paths, /healthz,
// /metrics and the office's pages under /office/ (/ redirects there); any
// other path is 404.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(api.PathEnroll, s.post(s.handleEnroll))
	mux.HandleFunc(api.PathVisits, s.post(s.handleVisits))
	mux.HandleFunc(api.PathHeartbeat, s.post(s.handleHeartbeat))
	mux.HandleFunc(api.PathRelease, s.get(s.handleRelease))
	mux.HandleFunc(api.PathReleases+"{n}/archive", s.get(s.handleArchive))
	mux.HandleFunc(api.PathHealth, s.get(s.handleHealth))
	mux.HandleFunc(api.PathMetrics, s.get(s.handleMetrics))
	// The office's pages: staff only, by a session cookie (a point's
	// token opens nothing there).
	mux.Handle(web.Prefix, s.office())
	mux.Handle("GET /{$}", http.RedirectHandler(web.Prefix, http.StatusSeeOther))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, http.StatusNotFound, refusedNotFound, "没有这个地址 (no such path)")
	})
	return s.observe(s.recoverer(mux))
}

func (s *Server) post(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			s.refuse(w, r, http.StatusMethodNotAllowed, refusedMethod, "请用 POST (use POST)")
			return
		}
		if s.closing.Load() {
			w.Header().Set("Retry-After", "30")
			s.refuse(w, r, http.StatusServiceUnavailable, refusedShuttingDown, "汇总服务正在停止,请稍后重试 (the hub is shutting down: retry later)")
			return
		}
		h(w, r)
	}
}

func (s *Server) get(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.refuse(w, r, http.StatusMethodNotAllowed, refusedMethod, "请用 GET (use GET)")
			return
		}
		h(w, r)
	}
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (a release
// download moves its write deadline).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// observe logs every request and measures its latency by path (known
// paths only: a scan of random paths must not grow the series).
func (s *Server) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri))
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		d := time.Since(start)
		path := r.URL.Path
		switch path {
		case api.PathEnroll, api.PathVisits, api.PathHeartbeat, api.PathHealth, api.PathMetrics, api.PathRelease:
		case "/":
		default:
			if strings.HasPrefix(path, web.Prefix) {
				path = web.Prefix
				break
			}
			if strings.HasPrefix(path, api.PathReleases) && strings.HasSuffix(path, "/archive") {
				path = api.PathReleases + "{n}/archive"
				break
			}
			path = "other"
		}
		s.metrics.observe(path, d)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", path), slog.Int("status", sw.status),
			slog.Float64("ms", float64(d.Microseconds())/1000), slog.String("remote", r.RemoteAddr),
		}
		if ri.point != "" {
			attrs = append(attrs, slog.String("point", ri.point))
		}
		level := slog.LevelInfo
		if path == api.PathHealth || path == api.PathMetrics {
			level = slog.LevelDebug
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// recoverer turns a handler's panic into a 500 and a log line; the hub
// serves on.
func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			writeError(w, http.StatusInternalServerError, "汇总服务内部错误 (internal error of the hub)")
		}()
		h.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"汇总服务内部错误 (internal error of the hub)"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// maxMessageBytes bounds an error message: a reason may quote what the
// client sent (an unknown field's name), which may be up to a megabyte.
const maxMessageBytes = 500

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, api.Error{Error: termtext.Line(truncate(msg, maxMessageBytes))})
}

// refuse answers an error, counts it by reason and logs it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	s.metrics.refuse(reason)
	level := slog.LevelInfo
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		level = slog.LevelWarn
	}
	s.log.Log(r.Context(), level, "refused", "path", r.URL.Path, "status", status, "reason", reason,
		"remote", r.RemoteAddr, "point", info(r).point, "detail", truncate(msg, maxMessageBytes))
	writeError(w, status, msg)
}

// readBody reads a request body of at most api.MaxBodyBytes; over that it
// answers 413 and returns false.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.refuse(w, r, http.StatusRequestEntityTooLarge, refusedTooLarge,
			fmt.Sprintf("请求超过 %d 字节 (request body over %d bytes)", api.MaxBodyBytes, api.MaxBodyBytes))
		return nil, false
	case err != nil:
		s.refuse(w, r, http.StatusBadRequest, refusedMalformed, "请求读取失败 (reading the request failed): "+err.Error())
		return nil, false
	}
	return b, true
}

// decode reads one JSON object with no unknown fields and nothing after
// it; on failure it answers 400 with the reason.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("JSON 之后还有内容 (data after the JSON object)")
		}
	}
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, refusedMalformed, "请求不是所需格式的 JSON (malformed JSON): "+err.Error())
		return false
	}
	return true
}

// authenticate finds the point of the request's bearer token and takes a
// token of its rate; on failure it has answered (401 or 429).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		s.refuse(w, r, http.StatusUnauthorized, refusedUnauthorized, "缺少凭据 (no credential: Authorization: Bearer)")
		return "", false
	}
	point, err := s.store.Authenticate(r.Context(), Hash(token))
	if err != nil {
		msg := "凭据无效或已被吊销,请重新注册 (unknown or revoked credential: enrol again)"
		if !errors.Is(err, store.ErrBadToken) {
			s.log.Error("authenticate", "err", err)
			msg = "汇总服务暂时无法核对凭据 (the hub cannot check credentials now)"
			s.refuse(w, r, http.StatusServiceUnavailable, refusedShuttingDown, msg)
			return "", false
		}
		s.refuse(w, r, http.StatusUnauthorized, refusedUnauthorized, msg)
		return "", false
	}
	info(r).point = point
	if ok, wait := s.points.allow(point, s.now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
		s.refuse(w, r, http.StatusTooManyRequests, refusedRateLimited, "请求过于频繁,请稍后重试 (too many requests: retry later)")
		return "", false
	}
	return point, true
}

func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// remoteHost is the address a request came from, without the port.
func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}
