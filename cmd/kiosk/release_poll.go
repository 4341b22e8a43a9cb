package main

import (
	"fmt"
	"io"

	"kiosk/content"
	"kiosk/hub/point"
	"kiosk/index"
	"kiosk/release"
)

// newReleaser is the point's fetcher of the releases the hub publishes
// (hub/point.Releaser): it installs into DATA/content through the same
// verified, atomic path as kiosk content load of a signed bundle, with the
// keys of kiosk.toml's [content]. The running kiosk picks the new version
// up between visits (hot reload). nil when the content store cannot be
// opened.
func newReleaser(a *app, cred point.Credential) (*point.Releaser, error) {
	store, err := content.OpenStore(a.dataDir)
	if err != nil {
		return nil, err
	}
	return point.NewReleaser(cred, release.Point{
		DataDir: a.dataDir,
		Store:   store,
		Keys:    a.cfg.Content.Keys(),
		Build:   index.Build,
	}, nil), nil
}

// printReleaseCheck says what kiosk sync's release check did. The
// refusal's words are the release package's; the hub's are made safe.
func printReleaseCheck(w io.Writer, rc *point.ReleaseCheck, err error) {
	switch {
	case rc == nil:
		return
	case err != nil:
		fmt.Fprintf(w, "发布:未完成,下次同步时继续 (release: not done, continues next time): %s\n", point.Safe(err.Error(), 300))
	case rc.Installed > 0:
		fmt.Fprintf(w, "发布:已安装发布 %d;运行中的自助终端在两次访问之间换用新内容 (release %d installed; a running kiosk switches between visits)\n", rc.Installed, rc.Installed)
	case rc.Refused != nil:
		fmt.Fprintf(w, "发布:拒绝了发布 %d,内容没有改变 (release %d refused; content unchanged): %s\n", rc.Offered, rc.Offered, point.Safe(rc.Refused.Error(), 300))
	case rc.Offered == 0:
		fmt.Fprintln(w, "发布:中心服务器还没有发布内容 (release: none published)")
	default:
		fmt.Fprintf(w, "发布:已是最新的发布 %d (release %d is installed already)\n", rc.Offered, rc.Offered)
	}
}
