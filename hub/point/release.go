package point

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"kiosk/content"
	"kiosk/hub/api"
	"kiosk/internal/lockfile"
	"kiosk/release"
)

// Releaser fetches and installs the signed content releases the hub
// offers the point. Check asks once; the Uploader calls it every few
// minutes (Options.Releases). Nothing the hub sends is trusted: the
// envelope's signature, expiry, number and size are checked before the
// archive is downloaded, and the archive's size and SHA-256 before a byte
// is unpacked (release.Point.Install); the live content changes only
// through content.Store.Load, atomically, and the running kiosk switches
// to it between visits (hot reload).
//
// A download is kept in DATA/release/download-N-HASH.part and resumed
// with HTTP Range after a cut. It has no overall time limit (50 MB over a
// slow line takes minutes) but is cut when no byte arrives for
// StallTimeout.
type Releaser struct {
	cred   Credential
	point  release.Point
	client *http.Client

	mu     sync.Mutex
	etag   string // the last offer dealt with for good
	status ReleaseStatus
	// retryAt: the offer in etag was refused, or verified but did not
	// load (disk full); from then on it is asked for again.
	retryAt time.Time
}

// offerRetry is how long an offer that was refused, or that verified but
// did not load, waits before the point asks for it and tries it again.
const offerRetry = time.Hour

// ReleaseStatus is the last install attempt, for the heartbeat.
type ReleaseStatus struct {
	Attempt uint64 // the release tried
	Result  string // api.ReleaseInstalled, ReleaseRefused, ReleaseFailed; "" before any
	Error   string // why, safe for a terminal
}

// ReleaseCheck is what one Check did.
type ReleaseCheck struct {
	Unchanged bool   // the hub's offer is the one dealt with last time (304)
	Offered   uint64 // the release the hub offered (0: none)
	Installed uint64 // installed now (0: nothing installed)
	Resumed   int64  // bytes of a kept partial download the hub was asked to continue from
	// Refused is why the offer was refused for good (nil: it was not);
	// errors.Is tells the release package's sentinel errors apart.
	Refused error
}

// StallTimeout ends a download during which no byte arrived for so long.
const StallTimeout = 60 * time.Second

// NewReleaser returns a releaser for the enrolled point cred.Point that
// installs through pt (its Keys, MaxSize, Store, Build, DataDir; its
// PointID is the credential's point when empty). A nil client is the
// credential's HTTPClient.
func NewReleaser(cred Credential, pt release.Point, client *http.Client) *Releaser {
	if client == nil {
		c := *cred.HTTPClient()
		c.Timeout = 0 // downloads are bounded by StallTimeout instead
		client = &c
	}
	if pt.PointID == "" {
		pt.PointID = cred.Point
	}
	return &Releaser{cred: cred, point: pt, client: client}
}

// Status is the last install attempt.
func (r *Releaser) Status() ReleaseStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Installed is the highest release installed (DATA/release/state.json), by
// the hub or from a USB stick; 0 when none or unreadable.
func (r *Releaser) Installed() uint64 {
	st, err := release.ReadState(r.point.DataDir)
	if err != nil {
		return 0
	}
	return st.Highest
}

func (r *Releaser) setStatus(n uint64, result string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = ReleaseStatus{Attempt: n, Result: result}
	if err != nil {
		r.status.Error = Safe(err.Error(), 300)
	}
}

// refusal reports an error that makes an offer refused for good: asking
// again brings the same bytes.
func refusal(err error) bool {
	for _, e := range []error{
		release.ErrMalformed, release.ErrNoKeys, release.ErrUnknownKey, release.ErrBadSignature,
		release.ErrExpired, release.ErrReplay, release.ErrNotForPoint, release.ErrTooLarge,
		release.ErrSizeMismatch, release.ErrHashMismatch,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	var probs content.Problems
	return errors.As(err, &probs)
}

// Check asks the hub which release is meant for the point and installs it
// when it is new. An error is a passing failure (no answer, a cut
// download, the content store busy): the next Check tries again and
// resumes the download. A refusal is not an error: it is in
// ReleaseCheck.Refused and Status, and the same offer is not asked for
// again for an hour.
func (r *Releaser) Check(ctx context.Context) (ReleaseCheck, error) {
	var rc ReleaseCheck
	dir := filepath.Join(r.point.DataDir, release.StateDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return rc, err
	}
	lf, err := lockfile.Open(filepath.Join(dir, "download.lock"), 0)
	if errors.Is(err, lockfile.ErrLocked) {
		return rc, errors.New("另一个进程正在下载发布 (another process is fetching a release)")
	}
	if err != nil {
		return rc, err
	}
	defer lf.Close()

	r.mu.Lock()
	if !r.retryAt.IsZero() && !r.now().Before(r.retryAt) {
		r.etag, r.retryAt = "", time.Time{}
	}
	etag := r.etag
	r.mu.Unlock()
	offer, newTag, err := r.offer(ctx, etag)
	if err != nil {
		return rc, err
	}
	if offer == nil {
		rc.Unchanged = true
		return rc, nil
	}
	done := func() {
		r.mu.Lock()
		r.etag = newTag
		r.mu.Unlock()
	}
	rc.Offered = offer.Release
	st, err := release.ReadState(r.point.DataDir)
	if err != nil {
		return rc, err
	}
	if offer.Release == 0 || offer.Release == st.Highest {
		done() // nothing, or installed already
		return rc, nil
	}
	refuse := func(err error) (ReleaseCheck, error) {
		rc.Refused = err
		r.setStatus(offer.Release, api.ReleaseRefused, err)
		removeDownloads(dir, "")
		done()
		// Asked for again after offerRetry: what was refused may have been
		// changed on the way (a network that alters answers would
		// otherwise keep the hub's real release from the point for as
		// long as the hub offers it). Most refusals cost only the
		// manifest's check; a tampered archive is fetched again.
		r.mu.Lock()
		r.retryAt = r.now().Add(offerRetry)
		r.mu.Unlock()
		return rc, nil
	}
	pt := r.point
	pol := release.Policy{Keys: pt.Keys, Installed: st.Highest, Now: pt.Now, MaxSize: pt.MaxSize, PointID: pt.PointID}
	m, err := pol.CheckManifest(offer.Envelope)
	if err != nil {
		return refuse(err)
	}
	if m.Release != offer.Release || offer.ArchivePath != api.ArchivePath(m.Release) {
		return refuse(fmt.Errorf("%w: 中心服务器说是发布 %d,签名的清单是发布 %d", release.ErrMalformed, offer.Release, m.Release))
	}
	part := filepath.Join(dir, fmt.Sprintf("download-%d-%s.part", m.Release, m.SHA256[:16]))
	removeDownloads(dir, part)
	rc.Resumed, err = r.download(ctx, offer.ArchivePath, part, m)
	if refusal(err) {
		return refuse(err)
	}
	if err != nil {
		r.setStatus(m.Release, api.ReleaseFailed, err)
		return rc, err
	}
	f, err := os.Open(part)
	if err != nil {
		return rc, err
	}
	res, err := pt.Install(offer.Envelope, f)
	f.Close()
	if errors.Is(err, content.ErrBusy) {
		r.setStatus(m.Release, api.ReleaseFailed, err)
		return rc, err
	}
	os.Remove(part) // installed or refused: the bytes are never used again
	if err != nil {
		if rc.Resumed > 0 && errors.Is(err, release.ErrHashMismatch) {
			// The kept part may be what is wrong (a disk error, an
			// archive changed between the two halves): one more try,
			// whole. A tampered archive is refused after it.
			err = fmt.Errorf("续传的归档校验失败,将重新完整下载 (the resumed archive failed its check; it is fetched whole next time): %w", err)
			r.setStatus(m.Release, api.ReleaseFailed, err)
			return rc, err
		}
		if refusal(err) {
			return refuse(err)
		}
		// Verified but not loaded (disk full, a pack this kiosk cannot
		// load): report it, and fetch and try it again in loadRetry, or
		// at once when the hub's offer changes.
		r.setStatus(m.Release, api.ReleaseFailed, err)
		done()
		r.mu.Lock()
		r.retryAt = r.now().Add(offerRetry)
		r.mu.Unlock()
		return rc, err
	}
	rc.Installed = res.Manifest.Release
	r.setStatus(m.Release, api.ReleaseInstalled, nil)
	done()
	return rc, nil
}

// offer GETs the release meant for the point; nil when unchanged (304).
func (r *Releaser) offer(ctx context.Context, etag string) (*api.ReleaseOffer, string, error) {
	base := r.cred.URL
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+api.PathRelease, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+r.cred.Token)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, "", &UnreachableError{URL: base, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, release.MaxEnvelopeBytes*2))
	if err != nil {
		return nil, "", &UnreachableError{URL: base, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, etag, nil
	case http.StatusOK:
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		// A hub from before publishing: it offers nothing.
		return &api.ReleaseOffer{}, "", nil
	default:
		return nil, "", hubError(resp, data)
	}
	var offer api.ReleaseOffer
	if err := json.Unmarshal(data, &offer); err != nil {
		return nil, "", fmt.Errorf("中心服务器的发布信息无法解析 (cannot decode the hub's release offer): %w", err)
	}
	return &offer, resp.Header.Get("ETag"), nil
}

// download fetches the archive of m into part, continuing a kept partial
// file with a Range request. It never writes more than m.Size bytes: more
// is release.ErrSizeMismatch. It returns the bytes kept from before that
// the hub was asked to continue from.
func (r *Releaser) download(ctx context.Context, path, part string, m release.Manifest) (int64, error) {
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if have == m.Size {
		return have, nil
	}
	if have > m.Size {
		f.Truncate(0)
		have, _ = f.Seek(0, io.SeekStart)
	}
	from := have
	base := r.cred.URL
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := time.AfterFunc(StallTimeout, cancel)
	defer stall.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+r.cred.Token)
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		req.Header.Set("If-Range", `"`+m.SHA256+`"`)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return have, &UnreachableError{URL: base, Err: err}
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		if have > 0 { // the hub sends it whole
			if err := f.Truncate(0); err != nil {
				return have, err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return have, err
			}
			have, from = 0, 0
		}
	case http.StatusPartialContent:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != have {
			return have, fmt.Errorf("中心服务器续传的范围不对 (the hub resumed at the wrong place): Content-Range %q", Safe(resp.Header.Get("Content-Range"), 80))
		}
	case http.StatusRequestedRangeNotSatisfiable:
		f.Truncate(0) // the kept part is not a prefix of this archive
		return have, fmt.Errorf("中心服务器不能续传,下次重新下载 (the hub cannot resume; the next try starts over)")
	default:
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
		return have, hubError(resp, data)
	}
	// At most one byte more than the signed size is read.
	body := &progressReader{r: resp.Body, progress: func() { stall.Reset(StallTimeout) }}
	n, err := io.Copy(f, io.LimitReader(body, m.Size-have+1))
	have += n
	if have > m.Size {
		return have, fmt.Errorf("%w: 发布 %d 的归档超过 %d 字节", release.ErrSizeMismatch, m.Release, m.Size)
	}
	if err != nil {
		return have, &UnreachableError{URL: base, Err: fmt.Errorf("下载中断,已保存 %d/%d 字节 (download cut at %d of %d bytes): %w", have, m.Size, have, m.Size, err)}
	}
	if have < m.Size {
		return have, &UnreachableError{URL: base, Err: fmt.Errorf("下载不完整,已保存 %d/%d 字节 (download short: %d of %d bytes)", have, m.Size, have, m.Size)}
	}
	return from, f.Sync()
}

// progressReader calls progress after every read that got bytes.
type progressReader struct {
	r        io.Reader
	progress func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.progress()
	}
	return n, err
}

// rangeStart reads the first byte of "bytes first-last/total".
func rangeStart(h string) (int64, bool) {
	rest, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, false
	}
	first, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(first, 10, 64)
	return n, err == nil && n >= 0
}

// removeDownloads removes kept partial downloads but keep.
func removeDownloads(dir, keep string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), "download-") && strings.HasSuffix(e.Name(), ".part") && p != keep {
			os.Remove(p)
		}
	}
}

// now is the point's clock: release.Point's, or the real one.
func (r *Releaser) now() time.Time {
	if !r.point.Now.IsZero() {
		return r.point.Now
	}
	return time.Now()
}
