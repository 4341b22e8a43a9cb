package point

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kiosk/hub/point/pointtest"
	"kiosk/visits"
)

// enrolled is a data folder enrolled with h as point "jinqueshan", with an
// open visit store.
func enrolled(t testing.TB, h *pointtest.Hub) (dir string, cred Credential, store *visits.Store) {
	t.Helper()
	dir = t.TempDir()
	cred, err := Enroll(context.Background(), dir, h.URL(), h.Code("jinqueshan", "金雀山街道查阅点", "township"), h.CA.SHA256(), EnrollOptions{KioskVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	store, err = visits.Open(filepath.Join(dir, "visits.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return dir, cred, store
}

// failOnce is a store whose first MarkSent fails as if the kiosk died
// between the hub's answer and the mark.
type failOnce struct {
	*visits.Store
	mu     sync.Mutex
	failed bool
}

func (f *failOnce) MarkSent(ctx context.Context, ids []string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.failed {
		f.failed = true
		return errors.New("power cut")
	}
	return f.Store.MarkSent(ctx, ids, at)
}
