package content

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"kiosk/internal/atomicfile"
	"kiosk/internal/lockfile"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// NoVersion is the live version when nothing is installed: the kiosk then
// shows the embedded default pack.
const NoVersion = "none"

// KeepVersions is how many installed versions Store.Load keeps (the live
// one and the one it replaced are always kept as well).
const KeepVersions = 3

// Store holds the installed versions of the content under DATA/content:
//
//	content/current                  the live version's id (one line)
//	content/versions/<id>/pack/      the unpacked pack files
//	content/versions/<id>/index/     the search index built from them
//	content/versions/<id>/meta.json  Version: when, from where, counts
//	content/staging-*/               a load in progress (removed if a load died)
//	content/trash-*/                 a version being deleted
//	content/lock                     held by a command that changes the store
//
// A version folder appears by rename(2) only when complete, and the live
// version changes by rename(2) of a freshly written current file, so a kiosk
// killed or unplugged at any moment finds either the old or the new version
// live, complete. Reading (Live, LiveVersion, List) takes no lock.
type Store struct {
	dir      string
	lockWait time.Duration // how long Load and Rollback wait for another command
}

// Version describes an installed version (its meta.json).
type Version struct {
	ID          string    `json:"id"`
	LoadedAt    time.Time `json:"loaded_at"`
	Source      string    `json:"source"` // the folder or archive it was loaded from
	Fingerprint string    `json:"fingerprint"`
	Docs        int       `json:"docs"`
	Sections    int       `json:"sections"`
	Title       string    `json:"title"`        // pack.toml title
	PackVersion string    `json:"pack_version"` // pack.toml version
	Published   string    `json:"published"`    // pack.toml published
	Warnings    int       `json:"warnings"`
	IndexMillis int64     `json:"index_ms"` // time taken to build the index
	Live        bool      `json:"-"`
}

// IndexBuilder builds the search index of p in indexDir, which does not
// exist yet, calling progress as documents are indexed. content does not
// import the index package: the command wires the builder in.
type IndexBuilder func(indexDir string, p *Pack, progress func(done, total int)) error

// NoIndex is an IndexBuilder that builds nothing (it creates the empty folder).
func NoIndex(indexDir string, p *Pack, progress func(done, total int)) error {
	if progress != nil {
		progress(len(p.Docs), len(p.Docs))
	}
	return os.Mkdir(indexDir, 0o755)
}

// LoadResult is what Store.Load did.
type LoadResult struct {
	Version   Version
	Warnings  Problems
	Unchanged bool // the pack is the live version already; nothing was installed
}

// ErrBusy is returned when another command is changing the store.
var ErrBusy = errors.New("另一个 kiosk content 命令正在加载或回退内容,请稍后再试 (another kiosk content command is loading or rolling back: try again later)")

// OpenStore opens (creating it if needed) the store under dataDir/content and
// removes what an interrupted load or prune left behind, unless another
// process is changing the store right now. It fails only when the folder
// cannot be created.
func OpenStore(dataDir string) (*Store, error) {
	s := &Store{dir: filepath.Join(dataDir, "content"), lockWait: 5 * time.Second}
	if err := os.MkdirAll(filepath.Join(s.dir, "versions"), 0o755); err != nil {
		return nil, err
	}
	// Tidying is best effort: a kiosk that cannot take the lock or remove a
	// leftover (another command is running; files of another user) must
	// still show its content.
	if unlock, err := s.lock(0); err == nil {
		s.cleanup()
		unlock()
	}
	return s, nil
}

// Dir is the store's folder, DATA/content.
func (s *Store) Dir() string { return s.dir }

// cleanup removes leftovers of interrupted commands. Call with the lock held.
func (s *Store) cleanup() error {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, "staging-") || strings.HasPrefix(n, "trash-") || strings.HasPrefix(n, ".current-") {
			if err := os.RemoveAll(filepath.Join(s.dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// lock takes the store's lock, waiting up to wait for it. The lock is an
// flock(2) on DATA/content/lock: the kernel releases it when the process
// dies, however it dies.
func (s *Store) lock(wait time.Duration) (func(), error) {
	f, err := lockfile.Open(filepath.Join(s.dir, "lock"), wait)
	if errors.Is(err, lockfile.ErrLocked) {
		return nil, ErrBusy
	}
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// LiveVersion returns the live version's id, or NoVersion. It reads one
// small file: cheap enough for the kiosk to poll every few seconds.
func (s *Store) LiveVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "current"))
	if errors.Is(err, fs.ErrNotExist) {
		return NoVersion, nil
	}
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if id == "" {
		return NoVersion, nil
	}
	return id, nil
}

// Live returns the live version's id with its pack and index folders;
// id is NoVersion (and the folders empty) when nothing is installed.
func (s *Store) Live() (id, packDir, indexDir string, err error) {
	id, err = s.LiveVersion()
	if err != nil || id == NoVersion {
		return id, "", "", err
	}
	if _, err := s.Version(id); err != nil {
		return "", "", "", fmt.Errorf("当前版本 %s 不完整 (the live version is incomplete): %w", id, err)
	}
	return id, s.PackDir(id), s.IndexDir(id), nil
}

// PackDir is the folder of an installed version's pack files.
func (s *Store) PackDir(id string) string { return filepath.Join(s.dir, "versions", id, "pack") }

// IndexDir is the folder of an installed version's search index.
func (s *Store) IndexDir(id string) string { return filepath.Join(s.dir, "versions", id, "index") }

// Version reads an installed version's meta.json.
func (s *Store) Version(id string) (Version, error) {
	var v Version
	if id == "" || id != filepath.Base(id) || strings.HasPrefix(id, ".") {
		return v, fmt.Errorf("没有版本 %q (no version %q)", id, id)
	}
	b, err := os.ReadFile(filepath.Join(s.dir, "versions", id, "meta.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return v, fmt.Errorf("没有版本 %q (no version %q)", id, id)
	}
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("版本 %s 的 meta.json 损坏 (damaged meta.json): %w", id, err)
	}
	v.ID = id
	return v, nil
}

// List returns the installed versions, newest first, the live one marked.
func (s *Store) List() ([]Version, error) {
	live, err := s.LiveVersion()
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, "versions"))
	if err != nil {
		return nil, err
	}
	var out []Version
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		v, err := s.Version(e.Name())
		if err != nil {
			continue // not a version (cannot happen short of tampering)
		}
		v.Live = v.ID == live
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].LoadedAt.Equal(out[j].LoadedAt) {
			return out[i].LoadedAt.After(out[j].LoadedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// Load installs the pack at src (a folder, .zip or .tar.gz) as a new
// version and makes it live: it checks it (DefaultLimits), unpacks it into a
// staging folder, loads it from there, builds its index with build, writes
// meta.json, moves the staging folder into versions/ and switches current.
// Then it deletes versions beyond the newest KeepVersions (never the live
// one nor the one it replaced).
//
// On any failure nothing changes. When the pack has errors the error is
// the Problems (errors.As), warnings included. When the pack is the live
// version already nothing is installed and the result says Unchanged.
func (s *Store) Load(src string, build IndexBuilder, progress func(done, total int)) (*LoadResult, error) {
	return s.load(src, build, progress, DefaultLimits())
}

func (s *Store) load(src string, build IndexBuilder, progress func(done, total int), lim Limits) (*LoadResult, error) {
	if build == nil {
		build = NoIndex
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return nil, err
	}
	unlock, err := s.lock(s.lockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	staging, err := os.MkdirTemp(s.dir, "staging-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging) // gone once renamed into versions/

	packDir := filepath.Join(staging, "pack")
	probs, err := Unpack(abs, packDir, lim)
	if err != nil {
		return nil, err
	}
	if len(probs.Errors()) > 0 {
		return nil, probs
	}
	p, lp := Load(os.DirFS(packDir))
	probs = append(probs, lp...)
	if p == nil {
		return nil, probs
	}
	res := &LoadResult{Warnings: probs}
	live, err := s.LiveVersion()
	if err != nil {
		return nil, err
	}
	if live != NoVersion {
		if lv, err := s.Version(live); err == nil && lv.Fingerprint == p.Fingerprint {
			lv.Live = true
			res.Version, res.Unchanged = lv, true
			return res, nil
		}
	}

	start := time.Now()
	if err := build(filepath.Join(staging, "index"), p, progress); err != nil {
		return nil, fmt.Errorf("建立索引失败 (building the index failed): %w", err)
	}
	v := Version{
		LoadedAt:    time.Now().UTC(),
		Source:      abs,
		Fingerprint: p.Fingerprint,
		Docs:        len(p.Docs),
		Title:       p.Manifest.Title,
		PackVersion: p.Manifest.Version,
		Published:   p.Manifest.Published,
		Warnings:    len(probs),
		IndexMillis: time.Since(start).Milliseconds(),
	}
	for _, d := range p.Docs {
		v.Sections += len(d.Sections)
	}
	v.ID = s.newID(v)
	if err := writeFileAtomic(filepath.Join(staging, "meta.json"), mustJSON(v)); err != nil {
		return nil, err
	}
	// Everything in staging reaches the disk before it is renamed into
	// place: one sync(2) is far cheaper than an fsync per file of a large
	// pack and its index.
	syscall.Sync()
	if err := os.Chmod(staging, 0o755); err != nil {
		return nil, err
	}
	versions := filepath.Join(s.dir, "versions")
	if err := os.Rename(staging, filepath.Join(versions, v.ID)); err != nil {
		return nil, err
	}
	if err := atomicfile.SyncDir(versions); err != nil {
		return nil, err
	}
	if err := s.setCurrent(v.ID); err != nil {
		return nil, err
	}
	v.Live = true
	res.Version = v
	s.prune(v.ID, live)
	return res, nil
}

// newID names a version by the time it was loaded and its fingerprint,
// e.g. 20190122-093000-3f2a9c1b.
func (s *Store) newID(v Version) string {
	base := v.LoadedAt.Format("20060102-150405") + "-" + v.Fingerprint[:8]
	id := base
	for n := 2; ; n++ {
		if _, err := os.Lstat(filepath.Join(s.dir, "versions", id)); errors.Is(err, fs.ErrNotExist) {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, n)
	}
}

// DefaultVersion names the embedded default pack in `content rollback`.
const DefaultVersion = "default"

// rollbackToDefault makes the embedded default pack live again; the
// installed versions stay for a later rollback to them. Called locked.
func (s *Store) rollbackToDefault() (Version, error) {
	live, err := s.LiveVersion()
	if err != nil {
		return Version{}, err
	}
	if live == NoVersion {
		return Version{}, errors.New("当前已经在使用内置的默认内容 (the embedded default is in use already)")
	}
	if err := s.setCurrent(NoVersion); err != nil {
		return Version{}, err
	}
	return Version{ID: NoVersion, Title: "内置的默认内容", Live: true}, nil
}

// setCurrent makes id live: write a temp file, fsync, rename over current,
// fsync the folder.
func (s *Store) setCurrent(id string) error {
	return writeFileAtomic(filepath.Join(s.dir, "current"), []byte(id+"\n"))
}

// prune deletes old versions, keeping the newest KeepVersions, the live
// one and prev (the one just replaced, which a running kiosk may still
// show). A version is renamed to trash-* first so a half-deleted version
// is never seen as installed. Errors are ignored: pruning is tidying.
func (s *Store) prune(live, prev string) {
	vs, err := s.List()
	if err != nil {
		return
	}
	for i, v := range vs {
		if i < KeepVersions || v.ID == live || v.ID == prev {
			continue
		}
		trash := filepath.Join(s.dir, "trash-"+v.ID)
		if os.Rename(filepath.Join(s.dir, "versions", v.ID), trash) == nil {
			os.RemoveAll(trash)
		}
	}
}

// Rollback makes an installed version live again. With id "" it is the
// version loaded before the live one. id may be a unique prefix of a
// version id.
func (s *Store) Rollback(id string) (Version, error) {
	return s.RollbackIf(id, nil)
}

// RollbackIf is Rollback that asks allow (when not nil) about the installed
// version it would make live, under the store's lock, and changes nothing
// when allow returns an error. The embedded default pack is not asked
// about: it is built into the program.
func (s *Store) RollbackIf(id string, allow func(Version) error) (Version, error) {
	unlock, err := s.lock(s.lockWait)
	if err != nil {
		return Version{}, err
	}
	defer unlock()
	vs, err := s.List()
	if err != nil {
		return Version{}, err
	}
	if len(vs) == 0 {
		return Version{}, errors.New("还没有安装任何内容版本(正在使用内置的默认内容) (no version installed: the embedded default is in use)")
	}
	var target *Version
	if id == "" {
		liveAt := -1
		for i := range vs {
			if vs[i].Live {
				liveAt = i
			}
		}
		if liveAt < 0 {
			return Version{}, errors.New("当前已经在使用内置的默认内容 (the embedded default is in use already)")
		}
		if liveAt+1 >= len(vs) {
			// The oldest installed version is live: the one before it
			// is the embedded default pack.
			return s.rollbackToDefault()
		}
		target = &vs[liveAt+1]
	} else if id == NoVersion || id == DefaultVersion {
		return s.rollbackToDefault()
	} else {
		var matches []*Version
		for i := range vs {
			if vs[i].ID == id {
				matches = []*Version{&vs[i]}
				break
			}
			if strings.HasPrefix(vs[i].ID, id) {
				matches = append(matches, &vs[i])
			}
		}
		switch len(matches) {
		case 0:
			return Version{}, fmt.Errorf("没有版本 %s(用 kiosk content list 查看已安装的版本) (no version %s: kiosk content list shows the installed ones)", id, id)
		case 1:
			target = matches[0]
		default:
			return Version{}, fmt.Errorf("%s 对应多个版本,请写出完整的版本号 (%s matches several versions: give the full id)", id, id)
		}
	}
	if target.Live {
		return *target, fmt.Errorf("版本 %s 已经是当前版本 (version %s is live already)", target.ID, target.ID)
	}
	if allow != nil {
		if err := allow(*target); err != nil {
			return Version{}, err
		}
	}
	// Refuse a version whose files no longer load (disk damage).
	if _, probs := Load(os.DirFS(s.PackDir(target.ID))); len(probs.Errors()) > 0 {
		return Version{}, fmt.Errorf("版本 %s 的文件已损坏,不能回退到它 (version %s is damaged: cannot roll back to it):\n%w", target.ID, target.ID, probs.Errors())
	}
	if err := s.setCurrent(target.ID); err != nil {
		return Version{}, err
	}
	target.Live = true
	return *target, nil
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // Version always marshals
	}
	return append(b, '\n')
}

// writeFileAtomic replaces path with data: temp file in the same folder,
// fsync, rename, fsync the folder.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.Write(path, data, 0o644)
}
