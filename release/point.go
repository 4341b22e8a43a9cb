package release

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kiosk/content"
	"kiosk/internal/atomicfile"
	"kiosk/internal/lockfile"
)

// StateDir is the folder under a point's data folder where it keeps its
// release state (state.json), its lock and archives being installed.
const StateDir = "release"

// keepInstalled is how many installs state.json remembers: more than the
// versions the content store keeps (content.KeepVersions, plus the live
// one and the one it replaced), so every installed version can be told
// signed or not.
const keepInstalled = 32

// Installed is one verified release a point installed.
type Installed struct {
	Release     uint64    `json:"release"`
	Version     string    `json:"version"` // the content store's version id
	SHA256      string    `json:"sha256"`
	KeyID       string    `json:"key_id"`
	Title       string    `json:"title,omitempty"`
	PackVersion string    `json:"pack_version,omitempty"`
	At          time.Time `json:"at"`
}

// State is a point's DATA/release/state.json: the highest release ever
// installed — a release not higher is refused, after a restart too — and
// the recent installs, newest first.
type State struct {
	Highest   uint64      `json:"highest"`
	Installed []Installed `json:"installed,omitempty"`
}

// Signed reports whether the content version id was installed from a
// verified release.
func (s State) Signed(id string) bool {
	_, ok := s.Find(id)
	return ok
}

// Find returns the newest install of the content version id.
func (s State) Find(id string) (Installed, bool) {
	for _, in := range s.Installed {
		if in.Version == id {
			return in, true
		}
	}
	return Installed{}, false
}

// ReadState reads DATA/release/state.json; a point that never installed a
// release has the zero State. A damaged file is an error: installing
// anyway would forget which releases are replays.
func ReadState(dataDir string) (State, error) {
	var s State
	p := filepath.Join(dataDir, StateDir, "state.json")
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("无法读取发布状态 (cannot read the release state) %s: %w", p, err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("发布状态文件 %s 已损坏,不能判断哪些发布是重放的;请从备份恢复它 (the release state file is damaged: restore it from a backup): %w", p, err)
	}
	return s, nil
}

func writeState(dataDir string, s State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dataDir, StateDir, "state.json"), append(b, '\n'), 0o644)
}

// Point installs verified releases into a point's content store.
type Point struct {
	DataDir string              // the point's data folder (DATA)
	Store   *content.Store      // DATA/content
	Keys    []ed25519.PublicKey // trusted keys
	PointID string              // kiosk.toml point.id, for staged roll-outs
	MaxSize int64               // archive size cap (0: DefaultMaxSize)
	Now     time.Time           // the clock the expiry is checked against (zero: time.Now())
	Build   content.IndexBuilder
	// Progress is called while the index is built (may be nil).
	Progress func(done, total int)
}

// Result is what Install did.
type Result struct {
	Manifest Manifest
	KeyID    string // the key that signed it
	Load     *content.LoadResult
}

// Install verifies envelope and the archive read from r against the
// point's keys and state, then loads the verified bytes through
// content.Store.Load and records the release. The archive is copied to a
// private file while it is verified and only that file is unpacked, so
// what is loaded is what was checked. On any refusal the live content and
// the state are unchanged.
//
// The release is recorded after the content switched: a point stopped in
// between shows release N and would accept N once more (the same content:
// the load changes nothing).
func (pt Point) Install(envelope []byte, r io.Reader) (Result, error) {
	return pt.install(envelope, func() (io.Reader, error) { return r, nil }, nil)
}

// InstallBundle is Install from a .kpack bundle file.
func (pt Point) InstallBundle(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("无法打开签名包 (cannot open the bundle): %w", err)
	}
	defer f.Close()
	br, err := ReadBundle(f)
	if err != nil {
		return Result{}, err
	}
	return pt.install(br.Envelope, br.Archive, br.End)
}

func (pt Point) install(envelope []byte, archive func() (io.Reader, error), end func() error) (Result, error) {
	dir := filepath.Join(pt.DataDir, StateDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, err
	}
	lf, err := lockfile.Open(filepath.Join(dir, "lock"), 5*time.Second)
	if errors.Is(err, lockfile.ErrLocked) {
		return Result{}, content.ErrBusy
	}
	if err != nil {
		return Result{}, err
	}
	defer lf.Close()
	removeIncoming(dir)
	st, err := ReadState(pt.DataDir)
	if err != nil {
		return Result{}, err
	}
	pol := Policy{Keys: pt.Keys, Installed: st.Highest, Now: pt.Now, MaxSize: pt.MaxSize, PointID: pt.PointID}
	// The signature, number, expiry and size are checked before a byte
	// of the archive is read.
	m, err := pol.CheckManifest(envelope)
	if err != nil {
		return Result{Manifest: m}, err
	}
	r, err := archive()
	if err != nil {
		return Result{Manifest: m}, err
	}
	tmp, err := os.MkdirTemp(dir, "incoming-")
	if err != nil {
		return Result{Manifest: m}, err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, fmt.Sprintf("release-%d.tar.gz", m.Release))
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Result{Manifest: m}, err
	}
	_, err = pol.VerifyTo(envelope, r, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && end != nil {
		err = end()
	}
	if err != nil {
		return Result{Manifest: m}, err
	}
	res, err := pt.Store.Load(file, pt.Build, pt.Progress)
	if err != nil {
		return Result{Manifest: m}, fmt.Errorf("发布 %d 签名有效,但加载失败,内容没有改变 (verified, but the load failed; content unchanged): %w", m.Release, err)
	}
	env, _ := ParseEnvelope(envelope) // parsed and verified above
	at := pt.Now
	if at.IsZero() {
		at = time.Now()
	}
	in := Installed{Release: m.Release, Version: res.Version.ID, SHA256: m.SHA256, KeyID: env.KeyID, Title: m.Title, PackVersion: m.PackVersion, At: at.UTC()}
	st.Highest = m.Release
	st.Installed = append([]Installed{in}, st.Installed...)
	if len(st.Installed) > keepInstalled {
		st.Installed = st.Installed[:keepInstalled]
	}
	if err := writeState(pt.DataDir, st); err != nil {
		return Result{Manifest: m, KeyID: env.KeyID, Load: res}, fmt.Errorf("发布 %d 已加载,但无法记录发布号 (loaded, but the release number was not recorded): %w", m.Release, err)
	}
	return Result{Manifest: m, KeyID: env.KeyID, Load: res}, nil
}

// removeIncoming removes archives an interrupted install left. Called
// with the lock held.
func removeIncoming(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "incoming-") {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
