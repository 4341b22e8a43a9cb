// Package web is the office's status page, served by the hub under
// /office/: every point on one page, a point's months, the year's table
// to download, the audit log. Staff log in with a name and password
// (bcrypt); a session is a random cookie kept hashed, every form carries
// a CSRF token and five failed logins in a row lock a name for five
// minutes. Pages are rendered on the server from embedded html/template
// files, with a little CSS and no JavaScript.
//
// Everything the points sent (names, versions, errors) is untrusted:
// controls are stripped (termtext.Line) before html/template escapes it.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"kiosk/hub/store"
	"kiosk/visits"
)

//go:embed templates/*.html static/*
var files embed.FS

// Prefix is where the pages are served.
const Prefix = "/office/"

// Point is one point's line on the status page; the hub fills it from
// what kiosk hub status shows.
type Point struct {
	ID, Name, Level string
	Enrolled        bool
	Online          bool
	LastSeen        time.Time // zero: never
	KioskVersion    string
	ContentVersion  string
	// Stale: the point's content is not the release it should hold;
	// StaleNote says why.
	Stale       bool
	StaleNote   string
	Release     uint64 // the signed release it reported installed (0: none)
	Today       int    // visits the hub holds
	Month       int
	Year        int
	Unsent      int // the point's own count of visits not yet uploaded
	LastError   string
	SkewSeconds float64
	SkewFlagged bool
}

// Config is what the pages read and write.
type Config struct {
	Store *store.Store // staff, sessions, lockout, audit; a point's months
	// Points gives every point's status at now.
	Points func(ctx context.Context, now time.Time) ([]Point, error)
	// Report builds the year's table (the same as kiosk hub report).
	Report func(ctx context.Context, year int) (*visits.Report, error)
	Now    func() time.Time
	Log    *slog.Logger
	// Location is the office's time zone for the pages (default
	// time.Local).
	Location *time.Location
	// Releases is the publishing; nil: no releases page.
	Releases *Releases
	// AddressGate, when set, limits failed logins per remote address
	// (many names tried from one address), on top of the lock per name.
	AddressGate AddressGate
}

// AddressGate counts failed logins by remote address. Check says whether
// the address may try now, else how long until it may; Failed counts one
// failure.
type AddressGate interface {
	Check(addr string, now time.Time) (bool, time.Duration)
	Failed(addr string, now time.Time)
}

// DefaultMaxUpload bounds an uploaded pack when Releases.MaxUpload is 0.
const DefaultMaxUpload = 300 << 20

// Site serves the pages. Make it with New.
type Site struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
	// checking serialises password checks: the lock, the check and the
	// count of a failure happen as one, so that many attempts sent at
	// once cannot all pass the lock before the first failure is counted.
	// Staff log in rarely; a check takes one bcrypt comparison.
	checking sync.Mutex
}

// New parses the templates and routes the pages.
func New(cfg Config) (*Site, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Releases != nil {
		rel := *cfg.Releases
		if rel.MaxUpload <= 0 {
			rel.MaxUpload = DefaultMaxUpload
		}
		cfg.Releases = &rel
	}
	s := &Site{cfg: cfg, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"when":  s.when,
		"ago":   s.ago,
		"skew":  skewText,
		"level": levelName,
	}
	for _, p := range []string{"login", "points", "point", "audit", "error", "releases", "publish"} {
		t, err := template.New(p).Funcs(funcs).ParseFS(files, "templates/base.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", p, err)
		}
		s.pages[p] = t
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	m := http.NewServeMux()
	m.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", http.FileServerFS(static)))
	m.HandleFunc("GET "+Prefix+"login", s.loginPage)
	m.HandleFunc("POST "+Prefix+"login", s.login)
	m.HandleFunc("POST "+Prefix+"logout", s.form(s.logout))
	m.HandleFunc("GET "+Prefix+"{$}", s.page(s.points))
	m.HandleFunc("GET "+Prefix+"point/{id}", s.page(s.point))
	m.HandleFunc("GET "+Prefix+"report", s.page(s.report))
	m.HandleFunc("GET "+Prefix+"audit", s.page(s.audit))
	if rel := s.cfg.Releases; rel != nil {
		m.HandleFunc("GET "+Prefix+"releases", s.page(s.releasesPage))
		m.HandleFunc("GET "+Prefix+"releases/new", s.page(s.publishPage))
		m.HandleFunc("POST "+Prefix+"releases", s.upload(rel.MaxUpload, s.publish))
		m.HandleFunc("POST "+Prefix+"releases/{n}/widen", s.form(s.widen))
	}
	m.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "没有这个页面 (no such page)")
	})
	s.mux = m
	return s, nil
}

// ServeHTTP serves the pages with the headers every page carries: no
// framing, nothing from elsewhere, nothing cached.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// view is what every page's template gets.
type view struct {
	Title    string
	Releases bool   // the releases page exists
	Refresh  int    // seconds: the page reloads itself (meta refresh, no script)
	User     string // empty: not logged in
	CSRF     string
	Now      time.Time
	Data     any
}

// render writes a page; a template error is a 500 with nothing half
// written.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	v.Releases = s.cfg.Releases != nil
	var b bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&b, "base", v); err != nil {
		s.cfg.Log.Error("rendering a page", "page", page, "err", err)
		http.Error(w, "页面生成失败 (rendering the page failed)", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b.Bytes())
	}
}

// fail shows an error page; msg is Chinese first, English after.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := view{Title: "出错了", Now: s.cfg.Now(), Data: msg}
	if ss, ok := s.session(r); ok {
		v.User, v.CSRF = ss.name, ss.csrf
	}
	s.render(w, r, status, "error", v)
}

func (s *Site) when(t time.Time) string {
	if t.IsZero() {
		return "从未"
	}
	return t.In(s.cfg.Location).Format("2006-01-02 15:04")
}

// ago words the time since t in Chinese: 刚刚, 5 分钟前, 3 小时前, 12 天前.
func (s *Site) ago(t time.Time) string {
	if t.IsZero() {
		return "无心跳"
	}
	d := s.cfg.Now().Sub(t)
	switch {
	case d < time.Minute:
		return "刚刚"
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟前", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d 小时前", int(d.Hours()))
	}
	return fmt.Sprintf("%d 天前", int(d.Hours()/24))
}

func skewText(sec float64) string {
	switch {
	case sec >= 0:
		return fmt.Sprintf("快 %.0f 秒", sec)
	default:
		return fmt.Sprintf("慢 %.0f 秒", -sec)
	}
}

func levelName(l string) string {
	switch l {
	case "county":
		return "县级"
	case "township":
		return "乡镇"
	}
	return l
}
