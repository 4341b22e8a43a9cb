package hub

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"kiosk/hub/web"
	"kiosk/release"
)

// officeReleases is the publishing behind the status page's releases:
// the same Publish and Widen as kiosk hub publish and kiosk hub release
// --all, and the roll-out as the points' heartbeats report it
// (store.RolloutProgress).
func (s *Server) officeReleases() *web.Releases {
	return &web.Releases{
		List: func(ctx context.Context) ([]web.Release, error) {
			pgs, err := s.store.RolloutProgress(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]web.Release, 0, len(pgs))
			for _, pg := range pgs {
				r := pg.Release
				wr := web.Release{Number: r.Release, Title: r.Title, PackVersion: r.PackVersion, Note: r.Note,
					Published: r.Published, Expires: r.Expires, All: r.All, Targets: pg.Targets, Installed: pg.Installed}
				for _, p := range slices.Sorted(maps.Keys(pg.Failed)) {
					wr.Failed = append(wr.Failed, web.Failure{Point: p, Reason: pg.Failed[p]})
				}
				out = append(out, wr)
			}
			return out, nil
		},
		Publish: func(ctx context.Context, pack string, points []string) (uint64, error) {
			p, err := Publish(ctx, s.cfg.DataDir, s.store, PublishRequest{Pack: pack, Points: points, Now: s.now()})
			if err != nil {
				return 0, err
			}
			return p.Release.Release, nil
		},
		Widen: func(ctx context.Context, n uint64) error {
			_, err := Widen(ctx, s.cfg.DataDir, s.store, n, PublishRequest{Now: s.now()})
			return err
		},
		KeyID: func() string { return signingKeyID(s.cfg.DataDir) },
	}
}

// signingKeyID is the key id of H/signing.pub, "" when there is none.
func signingKeyID(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, release.PublicKeyFile))
	if err != nil {
		return ""
	}
	pub, err := release.ParsePublicKey(string(b))
	if err != nil {
		return ""
	}
	return release.KeyID(pub)
}
