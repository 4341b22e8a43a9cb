package point

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"kiosk/hub/api"
	"kiosk/visits"
)

// Store is what the uploader needs of the visit store (*visits.Store).
type Store interface {
	Unsent(ctx context.Context, point string, limit int) ([]visits.VisitRecord, error)
	MarkSent(ctx context.Context, ids []string, at time.Time) error
	UnsentCount(ctx context.Context, point string) (own, others int, err error)
	Summary(ctx context.Context, point string, now time.Time) (visits.Summary, error)
}

// Options tune an Uploader; the zero value is the running kiosk's setting.
type Options struct {
	KioskVersion string
	// ContentVersion names the content the kiosk shows (nil: "").
	ContentVersion func() string
	// Every is how often Run uploads and sends a heartbeat while the hub
	// answers; default api.HeartbeatSeconds.
	Every time.Duration
	// MinBackoff and MaxBackoff bound the wait after failures: full
	// jitter, a random wait up to MinBackoff·2^(failures-1), at most
	// MaxBackoff. Defaults 5 s and 10 min.
	MinBackoff, MaxBackoff time.Duration
	// BatchPause is the rest between two batches of a backlog, so that a
	// months-long backlog never takes the processor from the screen for
	// long (default 200 ms: 50,000 visits cost 10 s more).
	BatchPause time.Duration
	// RefusedRetry is how long a visit the hub refused waits before this
	// uploader offers it again (default 1 hour: a kiosk whose clock ran
	// ahead does not resend its future visits every minute).
	RefusedRetry time.Duration
	// BatchSize is the most visits a batch carries (default and at most
	// api.MaxBatchVisits).
	BatchSize int
	// Releases, when set, fetches and installs the releases the hub
	// offers: a pass asks every ReleaseEvery (jittered between half and
	// one and a half times it; default 5 minutes), and after a failed
	// fetch again after Every. Heartbeats carry its status.
	Releases     *Releaser
	ReleaseEvery time.Duration
	// Client talks to the hub (default: the credential's HTTPClient).
	Client *http.Client
	// Log receives what the uploader did and every failure (nil: nothing).
	Log func(format string, args ...any)
	// Now, After and Rand replace the clock, the timers and the jitter's
	// random numbers in [0, 1) (tests).
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	Rand  func() float64
}

func (o *Options) defaults(c Credential) {
	if o.ContentVersion == nil {
		o.ContentVersion = func() string { return "" }
	}
	if o.Every <= 0 {
		o.Every = api.HeartbeatSeconds * time.Second
	}
	if o.ReleaseEvery <= 0 {
		o.ReleaseEvery = 5 * time.Minute
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 5 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.BatchPause < 0 {
		o.BatchPause = 0
	} else if o.BatchPause == 0 {
		o.BatchPause = 200 * time.Millisecond
	}
	if o.RefusedRetry <= 0 {
		o.RefusedRetry = time.Hour
	}
	if o.BatchSize <= 0 || o.BatchSize > api.MaxBatchVisits {
		o.BatchSize = api.MaxBatchVisits
	}
	if o.Client == nil {
		o.Client = c.HTTPClient()
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
}

// Uploader sends a point's closed visits to the hub and heartbeats. Run
// and SyncOnce may be called from any goroutine; passes never overlap.
type Uploader struct {
	cred  Credential
	store Store
	opt   Options

	pass        sync.Mutex           // one upload pass at a time
	refusedAt   map[string]time.Time // when the hub refused a visit; under pass
	nextRelease time.Time            // when a pass asks for a release next; under pass
	mu          sync.Mutex
	lastErr     string
	lastContact time.Time // the hub's last heartbeat acknowledgement
}

// NewUploader returns an uploader for the enrolled point cred.Point.
// Negative BatchPause means no pause.
func NewUploader(cred Credential, store Store, opt Options) *Uploader {
	opt.defaults(cred)
	return &Uploader{cred: cred, store: store, opt: opt, refusedAt: map[string]time.Time{}}
}

// Summary is what one SyncOnce did.
type Summary struct {
	Batches    int // batches the hub acknowledged
	Sent       int // visits in those batches
	Stored     int // new to the hub
	Duplicates int // the hub held them already
	Refused    []api.Refusal
	// Unsent is the point's closed visits still not acknowledged after
	// the pass (the refused ones among them); Others those recorded under
	// another point id, which are never sent.
	Unsent, Others int
	// Heartbeat is the hub's answer to the heartbeat, nil when none was
	// acknowledged.
	Heartbeat *api.HeartbeatAck
	// Release is what the release check of the pass did (nil: none was
	// due), ReleaseErr its passing failure.
	Release    *ReleaseCheck
	ReleaseErr error
}

// SyncOnce sends every closed unsent visit of the point, in batches, then
// one heartbeat. A failure ends the pass with the error; what the hub
// acknowledged before it stays marked. The heartbeat is sent after a
// failed upload too (carrying its error) unless the hub could not be
// reached, refused the credential or asked the point to wait.
func (u *Uploader) SyncOnce(ctx context.Context) (Summary, error) {
	u.pass.Lock()
	defer u.pass.Unlock()
	var sum Summary
	err := u.upload(ctx, &sum)
	if ctx.Err() == nil {
		// The heartbeat carries the upload's error, or none.
		u.setLastErr(err)
		if err != nil {
			u.opt.Log("hub upload: %v", err)
		}
	}
	// No heartbeat when it cannot help: no answer, a refused credential,
	// or the hub asked the point to wait (429, 503).
	var unreachable *UnreachableError
	if !errors.Is(err, ErrCredential) && !errors.As(err, &unreachable) && !hubBusy(err) && ctx.Err() == nil {
		u.checkRelease(ctx, &sum)
		ack, herr := u.heartbeat(ctx)
		if herr != nil {
			u.opt.Log("hub heartbeat: %v", herr)
			u.setLastErr(errors.Join(err, herr))
			err = errors.Join(err, herr)
		} else {
			sum.Heartbeat = &ack
			u.mu.Lock()
			u.lastContact = u.opt.Now()
			u.mu.Unlock()
		}
	}
	own, others, cerr := u.store.UnsentCount(ctx, u.cred.Point)
	if cerr == nil {
		sum.Unsent, sum.Others = own, others
	}
	if err == nil && sum.Sent > 0 {
		u.opt.Log("hub: sent %d visits in %d batches (%d new, %d already held, %d refused); %d unsent",
			sum.Sent, sum.Batches, sum.Stored, sum.Duplicates, len(sum.Refused), sum.Unsent)
	}
	return sum, errors.Join(err, cerr)
}

// upload sends batches until none is left. A visit the hub refused is not
// offered again in the same pass, nor by this uploader for RefusedRetry.
func (u *Uploader) upload(ctx context.Context, sum *Summary) error {
	now := u.opt.Now()
	refused := map[string]bool{}
	for id, at := range u.refusedAt {
		if d := now.Sub(at); d >= 0 && d < u.opt.RefusedRetry {
			refused[id] = true
		} else {
			delete(u.refusedAt, id)
		}
	}
	for first := true; ; first = false {
		if !first && u.opt.BatchPause > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-u.opt.After(u.opt.BatchPause):
			}
		}
		recs, err := u.store.Unsent(ctx, u.cred.Point, u.opt.BatchSize+len(refused))
		if err != nil {
			return err
		}
		b := api.Batch{BatchID: newBatchID(), SentAt: u.opt.Now().Format(time.RFC3339)}
		for _, r := range recs {
			if !refused[r.ID] && len(b.Visits) < u.opt.BatchSize {
				b.Visits = append(b.Visits, r.JSON())
			}
		}
		if len(b.Visits) == 0 {
			return nil
		}
		var ack api.BatchAck
		if err := post(ctx, u.opt.Client, u.cred.URL, api.PathVisits, u.cred.Token, b, &ack); err != nil {
			return err
		}
		inBatch := make(map[string]bool, len(b.Visits))
		for _, v := range b.Visits {
			inBatch[v.ID] = true
		}
		for _, r := range ack.Refused {
			if inBatch[r.ID] && !refused[r.ID] {
				refused[r.ID] = true
				u.refusedAt[r.ID] = now
				sum.Refused = append(sum.Refused, r)
			}
		}
		held := make([]string, 0, len(b.Visits))
		for _, v := range b.Visits {
			if !refused[v.ID] {
				held = append(held, v.ID)
			}
		}
		if err := u.store.MarkSent(ctx, held, u.opt.Now()); err != nil {
			// The hub holds them: they are sent again and counted once.
			return fmt.Errorf("记录已发送的访问失败 (cannot record the sent visits): %w", err)
		}
		sum.Batches++
		sum.Sent += len(b.Visits)
		sum.Stored += ack.Stored
		sum.Duplicates += ack.Duplicates
	}
}

// checkRelease asks for a release when one is due. Its failures do not
// fail the pass (visits and heartbeats go on); it is asked again after
// Every, and the heartbeat reports it.
func (u *Uploader) checkRelease(ctx context.Context, sum *Summary) {
	r := u.opt.Releases
	now := u.opt.Now()
	if r == nil || now.Before(u.nextRelease) {
		return
	}
	rc, err := r.Check(ctx)
	sum.Release, sum.ReleaseErr = &rc, err
	next := time.Duration((0.5 + u.opt.Rand()) * float64(u.opt.ReleaseEvery))
	switch {
	case err != nil:
		next = min(next, u.opt.Every)
		u.opt.Log("hub release: %v", err)
	case rc.Installed > 0:
		u.opt.Log("hub release: installed release %d", rc.Installed)
	case rc.Refused != nil:
		u.opt.Log("hub release: refused release %d: %v", rc.Offered, rc.Refused)
	}
	u.nextRelease = now.Add(next)
}

func (u *Uploader) heartbeat(ctx context.Context) (api.HeartbeatAck, error) {
	now := u.opt.Now()
	hb := api.Heartbeat{
		Time:           now.Format(time.RFC3339Nano),
		KioskVersion:   u.opt.KioskVersion,
		ContentVersion: u.opt.ContentVersion(),
		LastError:      u.LastError(),
	}
	if r := u.opt.Releases; r != nil {
		st := r.Status()
		hb.Release, hb.ReleaseAttempt, hb.ReleaseResult, hb.ReleaseError = r.Installed(), st.Attempt, st.Result, st.Error
	}
	if s, err := u.store.Summary(ctx, u.cred.Point, now); err == nil {
		hb.VisitsToday, hb.VisitsYear = s.Today, s.Year
	}
	if own, _, err := u.store.UnsentCount(ctx, u.cred.Point); err == nil {
		hb.Unsent = own
	}
	var ack api.HeartbeatAck
	err := post(ctx, u.opt.Client, u.cred.URL, api.PathHeartbeat, u.cred.Token, hb, &ack)
	return ack, err
}

// Run uploads and sends heartbeats every Options.Every until ctx ends
// (then it returns nil) or the hub refuses the credential (then it
// returns an error wrapping ErrCredential: enrolling again is the only
// cure). After a failure it waits with exponential backoff and full
// jitter, or as long as a 429's Retry-After asks, and tries again: a
// point offline for months catches up when the hub answers again.
func (u *Uploader) Run(ctx context.Context) error {
	defer u.opt.Client.CloseIdleConnections()
	failures := 0
	for ctx.Err() == nil {
		sum, err := u.SyncOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := u.opt.Every
		switch {
		case errors.Is(err, ErrCredential):
			u.opt.Log("hub: %v; the uploader stops", err)
			return err
		case err != nil:
			failures++
			wait = u.backoff(failures)
			if sum.Heartbeat != nil {
				// The hub answers but refused the upload (e.g. a batch it
				// cannot read): keep the heartbeat every minute, so the
				// office sees the point and its error.
				wait = min(wait, u.opt.Every)
			}
			if ra := retryAfter(err); ra > 0 {
				wait = ra
			}
			u.opt.Log("hub: failure %d, next try in %v", failures, wait.Round(time.Second))
		default:
			failures = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-u.opt.After(wait):
		}
	}
	return nil
}

// backoff is the wait after n failures in a row: full jitter over
// MinBackoff·2^(n-1), capped at MaxBackoff, at least one second.
func (u *Uploader) backoff(n int) time.Duration {
	ceil := u.opt.MinBackoff
	for i := 1; i < n && ceil < u.opt.MaxBackoff; i++ {
		ceil *= 2
	}
	ceil = min(ceil, u.opt.MaxBackoff)
	return max(time.Second, time.Duration(u.opt.Rand()*float64(ceil)))
}

// LastError is the last failure's text, "" after a pass that succeeded.
func (u *Uploader) LastError() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.lastErr
}

// Contact is when the hub last acknowledged a heartbeat (zero: not since
// the uploader started) and the last pass's failure ("" when it went
// well), safe for a terminal: for the staff screen.
func (u *Uploader) Contact() (last time.Time, lastErr string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.lastContact, u.lastErr
}

func (u *Uploader) setLastErr(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.lastErr = ""
	if err != nil {
		u.lastErr = Safe(err.Error(), 300)
	}
}

// Credential is the credential the uploader uses.
func (u *Uploader) Credential() Credential { return u.cred }

// newBatchID names a batch in the hub's logs.
func newBatchID() string { return crand.Text()[:16] }
