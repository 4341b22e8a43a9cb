package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kiosk/hub/api"
	"kiosk/hub/store"
	"kiosk/visits"
)

// maxIDBytes bounds a visit id (the kiosk's are 36-byte UUIDs).
const maxIDBytes = 128

// maxCount bounds a heartbeat's counts: PostgreSQL keeps them in 32 bits.
const maxCount = 1 << 30

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.enrol.check(remoteHost(r), s.now()); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(retrySeconds(wait)))
		s.refuse(w, r, http.StatusTooManyRequests, refusedRateLimited, "注册尝试过于频繁,请稍后重试 (too many enrolment attempts: retry later)")
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var req api.EnrollRequest
	if !s.decode(w, r, body, &req) {
		return
	}
	bad := "注册码无效、已用过或已过期 (enrolment code unknown, used or expired)"
	codeHash, ok := CodeHash(req.Code)
	if !ok {
		s.enrol.penalise(remoteHost(r), s.now())
		s.refuse(w, r, http.StatusUnauthorized, refusedUnauthorized, bad)
		return
	}
	token := NewToken()
	p, err := s.store.Enrol(r.Context(), codeHash, Hash(token), req.Point, s.now())
	if errors.Is(err, store.ErrBadCode) {
		s.enrol.penalise(remoteHost(r), s.now())
		s.refuse(w, r, http.StatusUnauthorized, refusedUnauthorized, bad)
		return
	}
	if errors.Is(err, store.ErrWrongPoint) {
		s.refuse(w, r, http.StatusConflict, refusedWrongPoint, fmt.Sprintf(
			"这个注册码是另一个查阅点的,不是本机设置的 %q;注册码未被使用 (this code is another point's, not %q's; the code is still valid)",
			req.Point, req.Point))
		return
	}
	if err != nil {
		s.fail(w, r, "enrol", err)
		return
	}
	info(r).point = p.ID
	s.log.Info("enrolled", "point", p.ID, "remote", r.RemoteAddr, "kiosk_version", truncate(req.KioskVersion, maxVersionBytes))
	writeJSON(w, http.StatusOK, api.EnrollResponse{Point: p.ID, Name: p.Name, Level: p.Level, Token: token})
}

// pointRequest authenticates a point's request and decodes its body into
// v; when it returns false the answer has been sent.
func (s *Server) pointRequest(w http.ResponseWriter, r *http.Request, v any) (string, bool) {
	point, ok := s.authenticate(w, r)
	if !ok {
		return "", false
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return "", false
	}
	return point, s.decode(w, r, body, v)
}

// fail answers 500 for a database error and logs it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error(what, "path", r.URL.Path, "point", info(r).point, "err", err)
	writeError(w, http.StatusInternalServerError, "汇总服务暂时无法保存,请稍后重试 (the hub could not store this: retry later)")
}

func (s *Server) handleVisits(w http.ResponseWriter, r *http.Request) {
	var b api.Batch
	point, ok := s.pointRequest(w, r, &b)
	if !ok {
		return
	}
	malformed := func(msg string) {
		s.refuse(w, r, http.StatusBadRequest, refusedMalformed, msg)
	}
	if len(b.Visits) == 0 {
		malformed("批次中没有访问记录 (the batch holds no visit)")
		return
	}
	if len(b.Visits) > api.MaxBatchVisits {
		malformed(fmt.Sprintf("一批最多 %d 条访问记录,收到 %d 条 (at most %d visits a batch, got %d)",
			api.MaxBatchVisits, len(b.Visits), api.MaxBatchVisits, len(b.Visits)))
		return
	}
	for _, v := range b.Visits {
		if v.Point != point {
			s.refuse(w, r, http.StatusForbidden, refusedForbidden,
				fmt.Sprintf("访问 %s 属于查阅点 %q,不是本查阅点 %s,整批未保存 (visit %s is of point %q, not %s: nothing stored)",
					v.ID, v.Point, point, v.ID, v.Point, point))
			return
		}
	}
	now := s.now()
	limit := now.Add(api.MaxFutureSeconds * time.Second)
	var keep []visits.VisitRecord
	var refused []api.Refusal
	for _, v := range b.Visits {
		if len(v.ID) > maxIDBytes || !utf8.ValidString(v.ID) || strings.IndexFunc(v.ID, unicode.IsControl) >= 0 {
			malformed(fmt.Sprintf("访问编号过长、不是 UTF-8 或含控制字符,整批未保存 (a visit id is longer than %d bytes, not UTF-8 or holds control characters: nothing stored)", maxIDBytes))
			return
		}
		rec, err := v.Record()
		if err != nil {
			malformed(err.Error() + ": 整批未保存 (nothing stored)")
			return
		}
		if y := rec.Start.Year(); y < 2000 || y > 9998 {
			malformed(fmt.Sprintf("访问 %s 的开始时间在 %d 年 (visit %s starts in %d): 整批未保存 (nothing stored)", v.ID, y, v.ID, y))
			return
		}
		if rec.Start.After(limit) || rec.End.After(limit) {
			refused = append(refused, api.Refusal{ID: v.ID, Reason: fmt.Sprintf(
				"访问时间比汇总服务的时钟(%s)超前一天以上,请检查查阅点的时钟 (dated more than %d hours ahead of the hub's clock: check the point's clock)",
				now.Format(time.RFC3339), api.MaxFutureSeconds/3600)})
			continue
		}
		keep = append(keep, rec)
	}
	ack := api.BatchAck{Refused: refused}
	if len(keep) > 0 {
		var err error
		ack.Stored, ack.Duplicates, err = s.store.AddVisits(r.Context(), point, keep, now)
		if err != nil {
			s.fail(w, r, "store batch", err)
			return
		}
	}
	s.metrics.visits(ack.Stored, ack.Duplicates)
	for range refused {
		s.metrics.refuse(refusedFuture)
	}
	b.BatchID = truncate(b.BatchID, maxVersionBytes) // only logged
	s.log.Info("batch", "point", point, "batch_id", b.BatchID, "visits", len(b.Visits),
		"stored", ack.Stored, "duplicates", ack.Duplicates, "refused", len(refused))
	if len(refused) > 0 {
		s.log.Warn("visits dated in the future refused", "point", point, "batch_id", b.BatchID, "refused", len(refused))
	}
	writeJSON(w, http.StatusOK, ack)
}

// Lengths kept of a heartbeat's texts; the rest is cut.
const (
	maxVersionBytes = 200
	maxErrorBytes   = 2000
)

func truncate(s string, n int) string {
	// PostgreSQL refuses NUL in text; SQLite would keep it: neither gets it.
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request) {
	var hb api.Heartbeat
	point, ok := s.pointRequest(w, r, &hb)
	if !ok {
		return
	}
	pt, err := time.Parse(time.RFC3339Nano, hb.Time)
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, refusedMalformed, fmt.Sprintf("time %q 不是 RFC 3339 时间 (is not an RFC 3339 time)", hb.Time))
		return
	}
	if hb.VisitsToday < 0 || hb.VisitsYear < 0 || hb.Unsent < 0 ||
		hb.VisitsToday > maxCount || hb.VisitsYear > maxCount || hb.Unsent > maxCount {
		s.refuse(w, r, http.StatusBadRequest, refusedMalformed, fmt.Sprintf("人次应在 0 到 %d 之间 (a count must be 0 to %d)", maxCount, maxCount))
		return
	}
	now := s.now()
	skew := pt.Sub(now).Seconds()
	st := store.Status{
		Point: point, Seen: now, PointTime: pt, SkewSeconds: skew,
		KioskVersion:   truncate(hb.KioskVersion, maxVersionBytes),
		ContentVersion: truncate(hb.ContentVersion, maxVersionBytes),
		VisitsToday:    hb.VisitsToday, VisitsYear: hb.VisitsYear, Unsent: hb.Unsent,
		LastError: truncate(hb.LastError, maxErrorBytes),
	}
	if err := s.store.SaveHeartbeat(r.Context(), st); err != nil {
		s.fail(w, r, "store heartbeat", err)
		return
	}
	if hb.Release > 0 || hb.ReleaseAttempt > 0 || hb.ReleaseResult != "" {
		pr := store.PointRelease{Point: point, Installed: hb.Release, Attempted: hb.ReleaseAttempt, Seen: now,
			Result: truncate(hb.ReleaseResult, 20), Error: truncate(hb.ReleaseError, maxErrorBytes)}
		if err := s.store.SaveReleaseReport(r.Context(), pr); err != nil {
			s.fail(w, r, "store release report", err)
			return
		}
	}
	if skew > api.MaxClockSkewSeconds || skew < -api.MaxClockSkewSeconds {
		s.log.Warn("clock skew", "point", point, "skew_seconds", skew)
	}
	writeJSON(w, http.StatusOK, api.HeartbeatAck{HubTime: now.Format(time.RFC3339Nano), ClockSkewSeconds: skew})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health: database", "err", err)
		writeError(w, http.StatusServiceUnavailable, "数据库无响应 (the database does not answer)")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.metricsAllowed(remoteHost(r)) {
		s.refuse(w, r, http.StatusForbidden, refusedForbidden, "此地址不能读取 /metrics,见 hub.toml 的 metrics_from (this address may not read /metrics: see metrics_from in hub.toml)")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := s.writeMetrics(r.Context(), w); err != nil {
		s.log.Error("metrics", "err", err)
		writeError(w, http.StatusInternalServerError, "无法读取数据库 (cannot read the database)")
	}
}
