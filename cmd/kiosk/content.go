package main

import (
	"fmt"
	"os"
	"path/filepath"

	"kiosk/content"
	"kiosk/internal/termtext"
)

// kioskContent is the content the kiosk shows (also what kiosk list, show and
// search read) and where to notice that it changed. "Live" means one thing:
// the version the store marks live.
type kioskContent struct {
	Pack     *content.Pack
	IndexDir string // the search index of Pack (may not be built yet)
	// Version is the installed version shown, or content.NoVersion for
	// the embedded default pack.
	Version string
	// Live is the store's live version when it was read. The kiosk polls
	// Store.LiveVersion() on the attract screen and reloads when the answer
	// differs from Live (hot reload). Live differs from Version only when
	// the live version could not be loaded and an older one is shown.
	Live string
	// Store is nil when the data folder cannot hold one (read-only); then
	// Live is content.NoVersion and there is nothing to poll.
	Store *content.Store
}

// loadContent reads the content to show: the version installed with `kiosk
// content load` if any, else the embedded default pack, indexed under
// DATA/index/default-<fingerprint>. A live version that does not load
// (disk damage) is reported on stderr and the next older installed version
// is used instead, then the embedded default: the kiosk always starts.
func loadContent(a *app) (kioskContent, error) {
	lc := kioskContent{Version: content.NoVersion, Live: content.NoVersion}
	store, err := content.OpenStore(a.dataDir)
	if err != nil {
		fmt.Fprintf(a.stderr, "kiosk: 警告: 无法打开内容存储,使用内置的默认内容 (cannot open the content store, using the embedded default): %s\n", termtext.Line(err.Error()))
	} else {
		lc.Store = store
		lc.Live, err = store.LiveVersion()
		if err != nil {
			fmt.Fprintf(a.stderr, "kiosk: 警告: 无法读取当前内容版本 (cannot read the live version): %s\n", termtext.Line(err.Error()))
			lc.Live = content.NoVersion
		}
		if lc.Live != content.NoVersion {
			if p, id, ok := loadInstalled(a, store, lc.Live); ok {
				lc.Pack, lc.Version, lc.IndexDir = p, id, store.IndexDir(id)
				return lc, nil
			}
		}
	}
	p, err := content.Default()
	if err != nil {
		return lc, err
	}
	lc.Pack = p
	lc.IndexDir = filepath.Join(a.dataDir, "index", "default-"+p.Fingerprint[:12])
	return lc, nil
}

// loadInstalled loads the live version, or else the newest older one that
// loads.
func loadInstalled(a *app, store *content.Store, live string) (*content.Pack, string, bool) {
	try := []string{live}
	if vs, err := store.List(); err == nil {
		for _, v := range vs {
			if v.ID != live {
				try = append(try, v.ID)
			}
		}
	}
	allow := signedOnly(a)
	for _, id := range try {
		if allow != nil {
			if err := allow(content.Version{ID: id}); err != nil {
				fmt.Fprintf(a.stderr, "kiosk: 警告: %s\n", termtext.Line(err.Error()))
				continue
			}
		}
		p, probs := content.Load(os.DirFS(store.PackDir(id)))
		if p != nil {
			if id != live {
				fmt.Fprintf(a.stderr, "kiosk: 警告: 改用已安装的版本 %s (using installed version %s instead)\n", termtext.Line(id), termtext.Line(id))
			}
			return p, id, true
		}
		fmt.Fprintf(a.stderr, "kiosk: 警告: 内容版本 %s 无法加载 (cannot load):\n%s\n", termtext.Line(id), termtext.Text(probs.Errors().Error()))
	}
	fmt.Fprintln(a.stderr, "kiosk: 警告: 已安装的内容都无法加载,使用内置的默认内容 (no installed version loads: using the embedded default)")
	return nil, "", false
}

// Changed reports whether staff installed or rolled back to another version
// since lc was read (hot reload). It reads one small file; the kiosk's
// contentWatch asks every second while the attract screen shows and, when
// it is true, calls loadContent again and switches — never during a visit.
func (lc kioskContent) Changed() bool {
	if lc.Store == nil {
		return false
	}
	v, err := lc.Store.LiveVersion()
	return err == nil && v != lc.Live
}
