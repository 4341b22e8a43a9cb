package web

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"kiosk/internal/termtext"
)

// Release is a content release and its roll-out, as the releases page
// shows it.
type Release struct {
	Number             uint64
	Title, PackVersion string // from the pack: untrusted
	Note               string
	Published, Expires time.Time
	All                bool
	Targets            []string // the points it is meant for
	Installed          []string // of those, the ones that installed it (or later)
	Failed             []Failure
}

// Failure is a point's last failed or refused attempt at a release.
type Failure struct {
	Point, Reason string // Reason is what the point sent: untrusted
}

// Releases is the publishing the releases page calls. Publish signs the
// pack at the path (a .zip or .tar.gz uploaded by user) as a new release
// for points (none: every point) and returns its number; Widen makes a
// staged release every point's.
type Releases struct {
	List    func(ctx context.Context) ([]Release, error)
	Publish func(ctx context.Context, pack string, points []string) (uint64, error)
	Widen   func(ctx context.Context, n uint64) error
	// KeyID names the office's signing key, "" when there is none yet
	// (kiosk hub keygen).
	KeyID func() string
	// MaxUpload bounds an uploaded pack (bytes).
	MaxUpload int64
}

// releaseView is one release on the page.
type releaseView struct {
	Release
	Pending []string
	Done    int
}

type releasesData struct {
	Releases  []releaseView
	Published uint64
	Error     string
}

func (s *Site) releasesPage(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	var d releasesData
	if n, err := strconv.ParseUint(r.URL.Query().Get("published"), 10, 64); err == nil {
		d.Published = n
	}
	s.showReleases(w, r, ss, http.StatusOK, d)
}

func (s *Site) showReleases(w http.ResponseWriter, r *http.Request, ss sessionInfo, status int, d releasesData) {
	now := s.cfg.Now()
	rels, err := s.cfg.Releases.List(r.Context())
	if err != nil {
		s.cfg.Log.Error("reading the releases", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "无法读取发布记录 (cannot read the releases)")
		return
	}
	for i := len(rels) - 1; i >= 0; i-- { // newest first
		rel := rels[i]
		rel.Title, rel.PackVersion, rel.Note = termtext.Line(rel.Title), termtext.Line(rel.PackVersion), termtext.Line(rel.Note)
		v := releaseView{Release: rel, Done: len(rel.Installed)}
		v.Failed = nil
		for _, f := range rel.Failed {
			v.Failed = append(v.Failed, Failure{Point: termtext.Line(f.Point), Reason: termtext.Line(f.Reason)})
		}
		for _, p := range rel.Targets {
			if !slices.Contains(rel.Installed, p) && !slices.ContainsFunc(rel.Failed, func(f Failure) bool { return f.Point == p }) {
				v.Pending = append(v.Pending, p)
			}
		}
		d.Releases = append(d.Releases, v)
	}
	v := view{Title: "内容发布", User: ss.name, CSRF: ss.csrf, Now: now, Data: d, Refresh: RefreshSeconds}
	if d.Error != "" {
		v.Refresh = 0
	}
	s.render(w, r, status, "releases", v)
}

// RefreshSeconds is how often the releases page reloads itself while
// staff watch a roll-out.
const RefreshSeconds = 10

func (s *Site) publishPage(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	s.showPublish(w, r, ss, http.StatusOK, "")
}

type publishData struct {
	Groups    []group
	Error     string
	MaxUpload int64
	KeyID     string
}

func (s *Site) showPublish(w http.ResponseWriter, r *http.Request, ss sessionInfo, status int, msg string) {
	now := s.cfg.Now()
	pts, ok := s.readPoints(w, r, now)
	if !ok {
		return
	}
	d := publishData{Groups: groups(pts), Error: msg, MaxUpload: s.cfg.Releases.MaxUpload >> 20}
	if s.cfg.Releases.KeyID != nil {
		d.KeyID = termtext.Line(s.cfg.Releases.KeyID())
	}
	s.render(w, r, status, "publish", view{Title: "发布内容", User: ss.name, CSRF: ss.csrf, Now: now, Data: d})
}

// packExt is the pack's kind by the uploaded file's name.
func packExt(name string) (string, bool) {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".zip"):
		return ".zip", true
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return ".tar.gz", true
	}
	return "", false
}

// publish takes an uploaded pack and the points it goes to, and calls the
// publishing code; the form's CSRF token was checked by form.
func (s *Site) publish(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	bad := func(status int, msg string) { s.showPublish(w, r, ss, status, msg) }
	f, hdr, err := r.FormFile("pack")
	if err != nil {
		bad(http.StatusBadRequest, "请选择内容包文件(.zip 或 .tar.gz) (choose a pack file)")
		return
	}
	defer f.Close()
	ext, ok := packExt(hdr.Filename)
	if !ok {
		bad(http.StatusBadRequest, "内容包须为 .zip 或 .tar.gz 文件 (the pack must be a .zip or .tar.gz file)")
		return
	}
	var points []string
	switch r.PostForm.Get("to") {
	case "all":
	case "selected":
		points = r.PostForm["point"]
		if len(points) == 0 {
			bad(http.StatusBadRequest, "请勾选要先发布的查阅点 (tick the points to publish to)")
			return
		}
	default:
		bad(http.StatusBadRequest, "请选择发布到全部查阅点还是选定的查阅点 (choose all points or the ticked ones)")
		return
	}
	path, err := saveUpload(f, ext)
	if err != nil {
		s.cfg.Log.Error("saving an uploaded pack", "err", err)
		bad(http.StatusInternalServerError, "无法保存上传的内容包 (cannot keep the uploaded pack)")
		return
	}
	defer os.Remove(path)
	who := "全部查阅点"
	if len(points) > 0 {
		who = strings.Join(points, ",")
	}
	// Publishing writes the ledger, the archive and the database in turn:
	// a browser that gives up waiting must not cut it in the middle.
	ctx := context.WithoutCancel(r.Context())
	n, err := s.cfg.Releases.Publish(ctx, path, points)
	if err != nil {
		s.audit1(ctx, r, ss.name, EventPublish, fmt.Sprintf("failed: %s → %s: %s", termtext.Line(hdr.Filename), who, termtext.Line(err.Error())))
		bad(http.StatusUnprocessableEntity, "没有发布 (nothing published): "+termtext.Text(err.Error()))
		return
	}
	s.audit1(ctx, r, ss.name, EventPublish, fmt.Sprintf("release %d: %s → %s", n, termtext.Line(hdr.Filename), who))
	http.Redirect(w, r, fmt.Sprintf("%sreleases?published=%d", Prefix, n), http.StatusSeeOther)
}

func saveUpload(f multipart.File, ext string) (string, error) {
	out, err := os.CreateTemp("", "kiosk-upload-*"+ext)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, f)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// widen makes a staged release every point's.
func (s *Site) widen(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "没有这个发布 (no such release)")
		return
	}
	if err := s.cfg.Releases.Widen(r.Context(), n); err != nil {
		s.audit1(r.Context(), r, ss.name, EventPublish, fmt.Sprintf("failed: widen release %d to all points: %s", n, termtext.Line(err.Error())))
		s.showReleases(w, r, ss, http.StatusUnprocessableEntity, releasesData{Error: "没有推广 (not widened): " + termtext.Text(err.Error())})
		return
	}
	s.audit1(r.Context(), r, ss.name, EventPublish, fmt.Sprintf("release %d widened to all points", n))
	http.Redirect(w, r, fmt.Sprintf("%sreleases?published=%d", Prefix, n), http.StatusSeeOther)
}
