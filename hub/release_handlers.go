package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"kiosk/hub/api"
	"kiosk/hub/store"
)

// handleRelease answers which release is meant for the point (api.PathRelease).
func (s *Server) handleRelease(w http.ResponseWriter, r *http.Request) {
	point, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	var offer api.ReleaseOffer
	rel, err := s.store.ReleaseFor(r.Context(), point)
	switch {
	case errors.Is(err, store.ErrNoRelease):
	case err != nil:
		s.fail(w, r, "release offer", err)
		return
	default:
		offer = api.ReleaseOffer{Release: rel.Release, Envelope: rel.Envelope, ArchivePath: api.ArchivePath(rel.Release)}
	}
	b, err := json.Marshal(offer)
	if err != nil {
		s.fail(w, r, "release offer", err)
		return
	}
	sum := sha256.Sum256(b)
	etag := `"o-` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.Write(append(b, '\n'))
}

// etagMatch reports whether an If-None-Match header names etag.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// handleArchive serves a release's archive to a point it is meant for,
// with HTTP Range (http.ServeContent) so that a cut download resumes.
func (s *Server) handleArchive(w http.ResponseWriter, r *http.Request) {
	point, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
	notFound := func() {
		s.refuse(w, r, http.StatusNotFound, refusedNotFound, "没有给本查阅点的这个发布 (no such release for this point)")
	}
	if err != nil || n == 0 {
		notFound()
		return
	}
	rel, err := s.store.MeantFor(r.Context(), n, point)
	if errors.Is(err, store.ErrNoRelease) {
		notFound()
		return
	}
	if err != nil {
		s.fail(w, r, "release archive", err)
		return
	}
	f, err := os.Open(ReleaseArchivePath(s.cfg.DataDir, n))
	if err != nil {
		s.log.Error("release archive missing", "release", n, "err", err)
		s.refuse(w, r, http.StatusNotFound, refusedNotFound, "汇总服务找不到这个发布的归档 (the hub has lost this release's archive)")
		return
	}
	defer f.Close()
	w.Header().Set("ETag", `"`+rel.SHA256+`"`)
	w.Header().Set("Content-Type", "application/gzip")
	cw := &countingWriter{ResponseWriter: w, rc: http.NewResponseController(w)}
	http.ServeContent(cw, r, "", time.Time{}, f)
	s.metrics.releaseSent(cw.n)
}

// archiveStall is how long an archive download may make no progress. The
// server's WriteTimeout (2 minutes for the whole answer) would cut 50 MB
// over a slow line every time; instead each write gets this long.
const archiveStall = time.Minute

// countingWriter counts the body bytes written (bytes sent, /metrics) and
// moves the write deadline before each write.
type countingWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	n  int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.rc.SetWriteDeadline(time.Now().Add(archiveStall)) // unsupported: WriteTimeout stays
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}
