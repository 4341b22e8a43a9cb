package release

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"kiosk/internal/atomicfile"
	"kiosk/internal/lockfile"
)

// The office's files, in the hub's data folder H:
//
//	H/signing.key     the private key (PEM, PKCS #8, mode 0600)
//	H/signing.pub     its public key (PEM)
//	H/releases.json   every release signed, so that numbers only grow
//	H/releases.lock   held while a release is numbered and recorded
const (
	PrivateKeyFile = "signing.key"
	PublicKeyFile  = "signing.pub"
	LedgerFile     = "releases.json"
)

// Issued is one release the office signed.
type Issued struct {
	Release     uint64    `json:"release"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires"`
	KeyID       string    `json:"key_id"`
	Points      []string  `json:"points,omitempty"`
	Title       string    `json:"title,omitempty"`
	PackVersion string    `json:"pack_version,omitempty"`
	Note        string    `json:"note,omitempty"` // e.g. the bundle file written
}

// Ledger is H/releases.json: the releases signed so far, oldest first.
// Offline bundles and releases published through the hub take their
// numbers from the same ledger, so one number never means two contents.
type Ledger struct {
	Releases []Issued `json:"releases"`
}

// Highest is the highest release number signed, 0 for none.
func (l Ledger) Highest() uint64 {
	var n uint64
	for _, r := range l.Releases {
		n = max(n, r.Release)
	}
	return n
}

// ReadLedger reads H/releases.json (empty when there is none).
func ReadLedger(hubDir string) (Ledger, error) {
	var l Ledger
	p := filepath.Join(hubDir, LedgerFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, err
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("发布记录 %s 已损坏 (the release ledger is damaged): %w", p, err)
	}
	return l, nil
}

// LockLedger takes H/releases.lock, so that two commands never number two
// releases alike. Close the file to release it.
func LockLedger(hubDir string) (*os.File, error) {
	f, err := lockfile.Open(filepath.Join(hubDir, "releases.lock"), 5*time.Second)
	if errors.Is(err, lockfile.ErrLocked) {
		return nil, errors.New("另一个命令正在签署发布,请稍后再试 (another command is signing a release)")
	}
	return f, err
}

// Record appends r to the ledger, which must be locked (LockLedger). A
// number not higher than every recorded one is refused.
func Record(hubDir string, r Issued) error {
	l, err := ReadLedger(hubDir)
	if err != nil {
		return err
	}
	if h := l.Highest(); r.Release <= h {
		return fmt.Errorf("发布号 %d 不高于已签署的发布 %d;各查阅点会拒绝它 (release %d is not higher than %d, already signed)", r.Release, h, r.Release, h)
	}
	l.Releases = append(l.Releases, r)
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(hubDir, LedgerFile), append(b, '\n'), 0o644)
}
