package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"kiosk/hub"
	"kiosk/hub/api"
	"kiosk/hub/store"
	"kiosk/internal/termtext"
	"kiosk/visits"
)

const hubPointsUsage = `Usage: kiosk hub points COMMAND --data H ARG

  import FILE   导入或更新查阅点清单(CSV id,name,level 或 TOML [[point]])
  token POINT   生成一次性注册码(7 天内有效),在查阅点上用 kiosk enroll 输入
  revoke POINT  立即吊销查阅点的凭据;新的注册码可让它重新注册

Manages the lookup points the hub knows. See docs/hub.md.`

func hubPoints(a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(a.stderr, hubPointsUsage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	switch args[0] {
	case "import":
		return hubPointsImport(a, args[1:])
	case "token":
		return hubPointsToken(a, args[1:])
	case "revoke":
		return hubPointsRevoke(a, args[1:])
	}
	fmt.Fprintf(a.stderr, "kiosk hub points: 未知的命令 %q (unknown command)\n\n%s\n", args[0], hubPointsUsage)
	return errUsage
}

// openHubStore opens the database of the hub at dataDir (while it serves,
// too: SQLite waits its turn to write).
func openHubStore(dataDir string) (*store.Store, error) {
	cfg, err := hub.LoadConfig(dataDir)
	if err != nil {
		return nil, err
	}
	return store.Open(context.Background(), cfg.DatabaseURL())
}

// parseAndOpen is parse, then the hub's database opened (the caller closes
// it).
func (h *hubFlags) parseAndOpen(a *app, args []string, positional int) ([]string, *store.Store, error) {
	pos, err := h.parse(a, args, positional)
	if err != nil {
		return nil, nil, err
	}
	st, err := openHubStore(*h.data)
	return pos, st, err
}

func hubPointsImport(a *app, args []string) error {
	h := newHubFlags(a, "points import", `Usage: kiosk hub points import --data H FILE

导入全区查阅点清单:与 kiosk visits merge --points 读取的文件相同(CSV 每行 id,name,level,
或 TOML 的 [[point]])。新的查阅点加入,已有的更新名称和层级,清单中没有的保留。
Adds the points of FILE and updates the names and levels of known ones.`)
	pos, err := h.parse(a, args, 1)
	if err != nil {
		return err
	}
	pts, err := visits.ReadPointsFile(pos[0])
	if err != nil {
		return err
	}
	st, err := openHubStore(*h.data)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := st.ImportPoints(context.Background(), pts, time.Now())
	if err != nil {
		return fmt.Errorf("%s: %w", st.Where(), err)
	}
	fmt.Fprintf(a.stdout, "新增 %d,更新 %d,未变 %d (added %d, updated %d, unchanged %d)\n",
		c.Added, c.Updated, c.Unchanged, c.Added, c.Updated, c.Unchanged)
	return nil
}

func hubPointsToken(a *app, args []string) error {
	h := newHubFlags(a, "points token", `Usage: kiosk hub points token --data H POINT

为查阅点 POINT 生成一次性注册码(16 个字母数字,每 4 个一组;大小写、短横线均可),
7 天内有效,只能用一次。工作人员在查阅点上运行打印出的 kiosk enroll 命令。
Prints a one-time enrolment code for POINT (valid 7 days) and the command to
run on the point.`)
	pos, st, err := h.parseAndOpen(a, args, 1)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	p, err := st.PointByID(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("查阅点 %s 不在汇总服务的清单中,请先 kiosk hub points import (point %s is not known: import the points file first): %w", pos[0], pos[0], err)
	}
	code := hub.NewEnrolCode()
	hash, _ := hub.CodeHash(code)
	now := time.Now()
	expires := now.Add(api.EnrolCodeDays * 24 * time.Hour)
	if err := st.AddEnrolCode(ctx, p.ID, hash, now, expires); err != nil {
		return fmt.Errorf("%s: %w", st.Where(), err)
	}
	fp, err := hub.CAFingerprint(*h.data)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "查阅点 (point) %s %s\n注册码 (enrolment code): %s\n有效至 (valid until): %s\n\n在查阅点上运行 (run on the point):\n  kiosk --data D enroll %s %s --ca %s\n",
		termtext.Line(p.ID), termtext.Line(p.Name), code, expires.Format("2006-01-02 15:04"), hubURL(*h.data), code, fp)
	return nil
}

// hubURL guesses the URL points use: the server certificate's first name
// and hub.toml's port.
func hubURL(dataDir string) string {
	host, port := "HOST", "8443"
	if cfg, err := hub.LoadConfig(dataDir); err == nil {
		if _, p, err := net.SplitHostPort(cfg.Listen); err == nil {
			port = p
		}
	}
	if c, err := hub.LoadCertificate(dataDir); err == nil {
		if leaf, err := x509.ParseCertificate(c.Certificate[0]); err == nil {
			switch {
			case len(leaf.DNSNames) > 0:
				host = leaf.DNSNames[0]
			case len(leaf.IPAddresses) > 0:
				host = leaf.IPAddresses[0].String()
			}
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}

func hubPointsRevoke(a *app, args []string) error {
	h := newHubFlags(a, "points revoke", `Usage: kiosk hub points revoke --data H POINT

立即吊销查阅点 POINT 的凭据和未用的注册码:它的上传和心跳从此被拒绝 (401)。
要让它重新注册,用 kiosk hub points token 生成新的注册码。
Revokes POINT's credential at once; a new token lets it enrol again.`)
	pos, st, err := h.parseAndOpen(a, args, 1)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Revoke(context.Background(), pos[0], time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "已吊销查阅点 %s 的 %d 个凭据 (revoked %d credentials of point %s)\n", termtext.Line(pos[0]), n, n, termtext.Line(pos[0]))
	return nil
}
