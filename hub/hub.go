package hub

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"kiosk/hub/store"
)

// Server is a hub: its configuration, its database and its log. Many can
// run in one process (tests do); nothing is shared between them.
type Server struct {
	cfg     Config
	store   *store.Store
	log     *slog.Logger
	cert    tls.Certificate
	now     func() time.Time
	metrics *metrics
	points  *limiter // per point
	enrol   *limiter // per remote address
	http    *http.Server
	closing atomic.Bool
}

// Option changes a Server made by New.
type Option func(*Server)

// WithClock makes the hub read the time from now (tests).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New makes a hub that serves cert (the chain and key) over the store. The
// caller closes the store after Shutdown.
func New(cfg Config, st *store.Store, cert tls.Certificate, log *slog.Logger, opts ...Option) *Server {
	s := &Server{
		cfg:     cfg,
		store:   st,
		log:     log,
		cert:    cert,
		now:     time.Now,
		metrics: newMetrics(),
		points:  newLimiter(cfg.Limits.PointPerMinute, cfg.Limits.PointBurst),
		enrol:   newLimiter(cfg.Limits.EnrollPerMinute, cfg.Limits.EnrollPerMinute),
	}
	for _, o := range opts {
		o(s)
	}
	s.http = &http.Server{
		Handler: s.Handler(),
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{cert},
		},
		// A full batch of 1,000 visits is 132 KB of JSON: 17 s at 64
		// kbit/s. Two minutes is ample, and a client that trickles bytes
		// is cut off.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// Open reads the data folder's hub.toml and certificate and opens its
// database: what kiosk hub serve runs. Close the Server's Store after
// Shutdown.
func Open(ctx context.Context, dataDir string, log *slog.Logger, opts ...Option) (*Server, error) {
	cfg, err := LoadConfig(dataDir)
	if err != nil {
		return nil, err
	}
	cert, err := LoadCertificate(dataDir)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL())
	if err != nil {
		return nil, err
	}
	return New(cfg, st, cert, log, opts...), nil
}

// Config is the hub's configuration.
func (s *Server) Config() Config { return s.cfg }

// Store is the hub's database.
func (s *Server) Store() *store.Store { return s.store }

// Serve answers HTTPS on ln until Shutdown; it returns nil after a
// Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.ServeTLS(ln, "", "")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits, until ctx ends, for the
// requests in flight: a batch being stored is stored and acknowledged.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
