package point

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"kiosk/content"
	"kiosk/hub/api"
	"kiosk/hub/point/pointtest"
	"kiosk/release"
)

// countingTransport counts the requests for the release offer.
type countingTransport struct {
	rt     http.RoundTripper
	offers atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == api.PathRelease {
		c.offers.Add(1)
	}
	return c.rt.RoundTrip(r)
}

// The uploader asks for a release at its first pass, then only when
// ReleaseEvery (jittered) has passed, and every heartbeat carries the
// installed release. A hub from before publishing (pointtest's: 405 on
// the release path) offers nothing and fails nothing.
func TestUploaderAsksForReleasesOnSchedule(t *testing.T) {
	h := pointtest.NewHub(t)
	dir, cred, store := enrolled(t, h)
	cs, err := content.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := cred.HTTPClient()
	ct := &countingTransport{rt: c.Transport}
	c.Transport = ct
	rel := NewReleaser(cred, release.Point{DataDir: dir, Store: cs, Build: content.NoIndex}, c)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	u := NewUploader(cred, store, Options{
		Releases: rel, ReleaseEvery: 5 * time.Minute,
		Now: func() time.Time { return now }, Rand: func() float64 { return 0.5 }, // jitter factor 1
	})
	pass := func() Summary {
		t.Helper()
		sum, err := u.SyncOnce(context.Background())
		if err != nil || sum.ReleaseErr != nil {
			t.Fatalf("pass at %v: %v %v", now, err, sum.ReleaseErr)
		}
		return sum
	}
	if sum := pass(); sum.Release == nil || sum.Release.Offered != 0 || ct.offers.Load() != 1 {
		t.Fatalf("first pass: %+v, %d offers asked", sum.Release, ct.offers.Load())
	}
	now = now.Add(4 * time.Minute)
	if sum := pass(); sum.Release != nil || ct.offers.Load() != 1 {
		t.Fatalf("asked again before it was due: %+v, %d", sum.Release, ct.offers.Load())
	}
	// A release installed from a USB stick shows in the heartbeat.
	os.MkdirAll(filepath.Join(dir, release.StateDir), 0o755)
	os.WriteFile(filepath.Join(dir, release.StateDir, "state.json"), []byte(`{"highest": 7}`), 0o644)
	now = now.Add(time.Minute)
	if sum := pass(); sum.Release == nil || ct.offers.Load() != 2 {
		t.Fatalf("not asked when due: %+v, %d", sum.Release, ct.offers.Load())
	}
	hbs := h.Heartbeats()
	if len(hbs) != 3 || hbs[2].Release != 7 || hbs[0].Release != 0 || hbs[2].ReleaseResult != "" {
		t.Fatalf("heartbeats: %+v", hbs)
	}
}
