package main

import (
	"path/filepath"

	"kiosk/content"
)

// livePack returns the content the kiosk shows and the folder its search
// index lives in. Until staff install a pack (kiosk content load), it is the
// embedded default pack, indexed under DATA/index/default-<fingerprint>.
func livePack(a *app) (*content.Pack, string, error) {
	p, err := content.Default()
	if err != nil {
		return nil, "", err
	}
	return p, filepath.Join(a.dataDir, "index", "default-"+p.Fingerprint[:12]), nil
}
