package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"kiosk/hub/store"
	"kiosk/internal/termtext"
)

// Login limits.
const (
	// MaxFailures failed logins in a row lock the name for LockFor.
	MaxFailures = 5
	LockFor     = 5 * time.Minute
	// SessionFor is a session's absolute life: a working day.
	SessionFor = 10 * time.Hour
	// IdleFor ends a session not used for that long.
	IdleFor = 30 * time.Minute
	// MaxNameRunes and MaxPasswordBytes bound what a login form may
	// carry (bcrypt reads 72 bytes at most).
	MaxNameRunes     = 32
	MaxPasswordBytes = 72
	MinPasswordRunes = 10
)

// Cookies. The __Host- prefix makes the browser insist on Secure, Path=/
// and no Domain: no other site and no plain-HTTP page can set them.
const (
	sessionCookie = "__Host-kiosk-office"
	loginCookie   = "__Host-kiosk-login"
)

// Events of the audit log.
const (
	EventLogin       = "login"
	EventLoginFailed = "login_failed"
	EventLockout     = "lockout"      // the failure that locked the name
	EventLocked      = "login_locked" // an attempt while locked
	// EventAddressLimited: an attempt from an address with too many
	// failures.
	EventAddressLimited = "login_address_limited"
	EventLogout         = "logout"
	EventPublish        = "publish"
)

// dummyHash is compared against when the name is no account, so that a
// login takes as long whether the name exists or not.
const dummyHash = "$2a$10$yRL68UYXivsHwQycr9I6Gu2pKtrzk95kHS0.0Xi10qpD88B2H7lh6"

// HashPassword checks a new password (at least MinPasswordRunes
// characters, at most MaxPasswordBytes bytes) and hashes it with bcrypt.
func HashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < MinPasswordRunes {
		return "", fmt.Errorf("密码至少 %d 个字符 (the password needs at least %d characters)", MinPasswordRunes, MinPasswordRunes)
	}
	if len(pw) > MaxPasswordBytes {
		return "", fmt.Errorf("密码最多 %d 字节 (the password may have at most %d bytes)", MaxPasswordBytes, MaxPasswordBytes)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hashing the password: %w", err)
	}
	return string(h), nil
}

// ValidName checks a staff name: 1–32 letters, digits, '.', '_' or '-'.
func ValidName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > MaxNameRunes {
		return fmt.Errorf("用户名须为 1–%d 个字符 (a name has 1 to %d characters)", MaxNameRunes, MaxNameRunes)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("用户名只能含字母、数字和 . _ - (a name has letters, digits, '.', '_' and '-' only): %q", termtext.Line(name))
		}
	}
	return nil
}

// sessionInfo is a request's logged-in staff member.
type sessionInfo struct {
	name, hash, csrf string
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// csrfFor derives a session's CSRF token from its secret: the page can
// show it, and it reveals nothing of the cookie.
func csrfFor(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("kiosk office csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomToken() ([]byte, string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return b, base64.RawURLEncoding.EncodeToString(b)
}

// session finds the request's live session. Only the cookie counts: a
// point's Bearer token opens nothing here.
func (s *Site) session(r *http.Request) (sessionInfo, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return sessionInfo{}, false
	}
	secret, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(secret) != 32 {
		return sessionInfo{}, false
	}
	h := hashHex(secret)
	now := s.cfg.Now()
	ss, err := s.cfg.Store.SessionByHash(r.Context(), h, now, IdleFor)
	if err != nil {
		if !errors.Is(err, store.ErrNoSession) {
			s.cfg.Log.Error("reading a session", "err", err)
		}
		return sessionInfo{}, false
	}
	// One write a minute at most per session.
	if now.Sub(ss.Seen) >= time.Minute {
		if err := s.cfg.Store.TouchSession(r.Context(), h, now); err != nil {
			s.cfg.Log.Error("touching a session", "err", err)
		}
	}
	return sessionInfo{name: ss.Name, hash: h, csrf: csrfFor(secret)}, true
}

// page serves a GET page to logged-in staff; anyone else goes to the
// login page.
func (s *Site) page(h func(http.ResponseWriter, *http.Request, sessionInfo)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, ok := s.session(r)
		if !ok {
			http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
			return
		}
		h(w, r, ss)
	}
}

// maxFormBytes bounds a form's body.
const maxFormBytes = 64 << 10

// form serves a POST from logged-in staff whose form carries the
// session's CSRF token; anything else is 403.
func (s *Site) form(h func(http.ResponseWriter, *http.Request, sessionInfo)) http.HandlerFunc {
	return s.checked(maxFormBytes, false, h)
}

// upload is form for a multipart form with a file of up to limit bytes.
func (s *Site) upload(limit int64, h func(http.ResponseWriter, *http.Request, sessionInfo)) http.HandlerFunc {
	return s.checked(limit+maxFormBytes, true, h)
}

// uploadTime bounds a pack upload and its publishing (256 MiB at a slow
// office line, then checking, archiving and signing it).
const uploadTime = 30 * time.Minute

func (s *Site) checked(limit int64, multi bool, h func(http.ResponseWriter, *http.Request, sessionInfo)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, ok := s.session(r)
		if !ok {
			s.fail(w, r, http.StatusForbidden, "请先登录 (log in first)")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var err error
		if multi {
			// A pack upload and its publishing outlast the server's
			// 2-minute limits: a logged-in staff member's upload gets
			// uploadTime (errors ignored: a writer without deadlines has
			// none to extend).
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Now().Add(uploadTime))
			_ = rc.SetWriteDeadline(time.Now().Add(uploadTime))
		}
		if multi && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			// Files over 1 MiB wait on disk, removed when the request ends.
			err = r.ParseMultipartForm(1 << 20)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("上传的内容超过 %d MB (the upload is over %d MB)", limit>>20, limit>>20))
				return
			}
			s.fail(w, r, http.StatusBadRequest, "表单无法读取 (unreadable form)")
			return
		}
		if !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(ss.csrf)) {
			s.cfg.Log.Warn("CSRF token missing or wrong", "path", r.URL.Path, "user", ss.name, "remote", r.RemoteAddr)
			s.fail(w, r, http.StatusForbidden, "表单已失效,请返回重新打开页面 (the form is stale or forged: open the page again)")
			return
		}
		h(w, r, ss)
	}
}

type loginData struct {
	Name, Error string
}

// loginPage shows the form with a fresh login token, also set as a
// cookie: a login POST must carry both, equal (no session yet to tie a
// CSRF token to).
func (s *Site) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.session(r); ok {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, loginData{})
}

func (s *Site) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	_, tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/", MaxAge: 3600,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	s.render(w, r, status, "login", view{Title: "登录", CSRF: tok, Now: s.cfg.Now(), Data: d})
}

func (s *Site) audit1(ctx context.Context, r *http.Request, name, event, detail string) {
	err := s.cfg.Store.Audit(ctx, store.AuditEntry{At: s.cfg.Now(), Name: name, Event: event, Remote: remoteHost(r), Detail: detail})
	if err != nil {
		s.cfg.Log.Error("writing the audit log", "event", event, "err", err)
	}
	s.cfg.Log.Info("audit", "event", event, "user", name, "remote", remoteHost(r), "detail", detail)
}

func (s *Site) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "表单无法读取 (unreadable form)")
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || !hmac.Equal([]byte(c.Value), []byte(r.PostForm.Get("csrf"))) {
		s.fail(w, r, http.StatusForbidden, "登录表单已失效,请重新打开登录页 (the login form is stale or forged: open the login page again)")
		return
	}
	ctx := r.Context()
	now := s.cfg.Now()
	// What was typed, made safe and bounded: it goes into the audit log
	// and the lockout table whether it is an account or not.
	name := termtext.Line(strings.TrimSpace(r.PostForm.Get("name")))
	if utf8.RuneCountInString(name) > MaxNameRunes {
		name = string([]rune(name)[:MaxNameRunes])
	}
	pw := r.PostForm.Get("password")
	locked := func(until time.Time) {
		s.showLogin(w, r, http.StatusTooManyRequests, loginData{Name: name, Error: fmt.Sprintf(
			"登录失败次数过多,此用户名已被锁定 %d 分钟,请于 %s 后再试 (too many failed logins: locked for %d minutes, until %s)",
			int(LockFor.Minutes()), until.In(s.cfg.Location).Format("15:04:05"), int(LockFor.Minutes()), until.In(s.cfg.Location).Format("15:04:05"))})
	}
	if name == "" || pw == "" {
		s.showLogin(w, r, http.StatusUnauthorized, loginData{Name: name, Error: "请输入用户名和密码 (enter your name and password)"})
		return
	}
	s.checking.Lock()
	defer s.checking.Unlock()
	now = s.cfg.Now() // after waiting for the attempts before this one
	if g := s.cfg.AddressGate; g != nil {
		if ok, wait := g.Check(remoteHost(r), now); !ok {
			secs := max(1, int((wait+time.Second-1)/time.Second))
			s.audit1(ctx, r, name, EventAddressLimited, "")
			w.Header().Set("Retry-After", fmt.Sprint(secs))
			s.showLogin(w, r, http.StatusTooManyRequests, loginData{Name: name, Error: fmt.Sprintf(
				"从此地址登录失败次数过多,请 %d 秒后再试 (too many failed logins from this address: try again in %d s)", secs, secs)})
			return
		}
	}
	until, err := s.cfg.Store.LockedUntil(ctx, name, now)
	if err != nil {
		s.cfg.Log.Error("reading the lockout", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "暂时无法登录,请稍后再试 (cannot log in now: try again later)")
		return
	}
	if !until.IsZero() {
		s.audit1(ctx, r, name, EventLocked, "")
		locked(until)
		return
	}
	hash, err := s.cfg.Store.StaffHash(ctx, name)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrUnknownStaff) {
		s.cfg.Log.Error("reading a staff account", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "暂时无法登录,请稍后再试 (cannot log in now: try again later)")
		return
	}
	if !known {
		hash = dummyHash
	}
	good := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil && known
	if !good {
		if g := s.cfg.AddressGate; g != nil {
			g.Failed(remoteHost(r), now)
		}
		until, err := s.cfg.Store.LoginFailed(ctx, name, now, MaxFailures, LockFor)
		if err != nil {
			s.cfg.Log.Error("counting a failed login", "err", err)
		}
		if !until.IsZero() {
			s.audit1(ctx, r, name, EventLockout, fmt.Sprintf("locked until %s", until.UTC().Format(time.RFC3339)))
			locked(until)
			return
		}
		s.audit1(ctx, r, name, EventLoginFailed, "")
		s.showLogin(w, r, http.StatusUnauthorized, loginData{Name: name, Error: "用户名或密码不正确 (wrong name or password)"})
		return
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, name); err != nil {
		s.cfg.Log.Error("clearing login failures", "err", err)
	}
	secret, cookie := randomToken()
	if err := s.cfg.Store.AddSession(ctx, store.Session{Hash: hashHex(secret), Name: name, Created: now, Seen: now, Expires: now.Add(SessionFor)}); err != nil {
		s.cfg.Log.Error("storing a session", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "暂时无法登录,请稍后再试 (cannot log in now: try again later)")
		return
	}
	s.audit1(ctx, r, name, EventLogin, "")
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: cookie, Path: "/", MaxAge: int(SessionFor.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

func (s *Site) logout(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	if err := s.cfg.Store.EndSession(r.Context(), ss.hash); err != nil {
		s.cfg.Log.Error("ending a session", "err", err)
	}
	s.audit1(r.Context(), r, ss.name, EventLogout, "")
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

// remoteHost is the address a request came from, without the port.
func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}
