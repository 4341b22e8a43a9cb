package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"kiosk/hub"
	"kiosk/internal/lockfile"
	"kiosk/internal/termtext"
)

const hubUsage = `Usage: kiosk hub COMMAND --data H [args]

  init --data H --host NAMES    新建汇总服务文件夹、私有 CA 与服务器证书,打印 CA 指纹
  cert --data H --host NAMES    用同一 CA 重新签发服务器证书(轮换;查阅点无需改动)
  serve --data H [--listen ADDR] 运行 HTTPS 汇总服务
  points import --data H FILE   导入查阅点清单(与 visits merge --points 相同)
  points token --data H POINT   为查阅点生成一次性注册码(7 天内有效)
  points revoke --data H POINT  吊销查阅点的凭据
  report --data H --year Y [--format json|csv|xlsx|md] [--out F] [--silent-since DATE]
                                全区年度汇总表(与 visits merge 相同的格式)
  status --data H [--json]      各查阅点的心跳、版本、人次、未上传数、错误
  user add --data H NAME        新建状态页(https://HUB/office/)的工作人员账户
  user passwd --data H NAME     为工作人员设置新密码(结束其登录,解除锁定)
  keygen --data H               生成区办公室的内容签名密钥(Ed25519)
  sign --data H PACK --out F    检查内容包并生成签名发布包(离线交付,见 docs/release.md)
  publish --data H PACK [--points ID,…]
                                检查并签署内容包,作为新发布推送给各查阅点(--points 分批)
  release --data H N --all      把分批发布 N 发给全部查阅点
  rollback --data H [--to N]    把上一个发布的内容作为新的、更高的发布号再发一次
  releases --data H [--json]    各发布的推送进度:已安装、失败及原因

The district office's hub: points upload their visits to it over HTTPS.
See docs/hub.md.`

func cmdHub(a *app, args []string) error {
	if done, err := groupHelp(a, args, hubUsage); done {
		return err
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "init":
		return hubInit(a, rest, false)
	case "cert":
		return hubInit(a, rest, true)
	case "serve":
		return hubServe(a, rest)
	case "points":
		return hubPoints(a, rest)
	case "report":
		return hubReport(a, rest)
	case "status":
		return hubStatus(a, rest)
	case "user":
		return hubUser(a, rest)
	case "keygen":
		return exitStatus(hubKeygen(rest, a.stdout, a.stderr))
	case "sign":
		return exitStatus(hubSign(rest, a.stdout, a.stderr))
	case "publish":
		return hubPublish(a, rest)
	case "release":
		return hubRelease(a, rest)
	case "rollback":
		return hubRollback(a, rest)
	case "releases":
		return hubReleases(a, rest)
	}
	fmt.Fprintf(a.stderr, "kiosk hub: 未知的命令 %q (unknown command)\n\n%s\n", sub, hubUsage)
	return errUsage
}

// exitStatus carries a command function's exit status (it has printed its
// own messages) through cmdHub's error return.
func exitStatus(code int) error {
	switch code {
	case 0:
		return nil
	case 2:
		return errUsage
	}
	return silentExit(code)
}

// silentExit is an exit status whose message was already printed.
type silentExit int

func (e silentExit) Error() string { return "" }
func (e silentExit) ExitCode() int { return int(e) }

// hubFlags is a sub-command's flag set with --data, the hub's folder.
type hubFlags struct {
	fs   *flag.FlagSet
	data *string
	name string
}

func newHubFlags(a *app, name, usage string) *hubFlags {
	fs := flag.NewFlagSet("hub "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	h := &hubFlags{fs: fs, name: name}
	h.data = fs.String("data", "", "the hub's data folder H (required)")
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, usage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	return h
}

// parse parses args and checks --data; it returns the positional args.
func (h *hubFlags) parse(a *app, args []string, positional int) ([]string, error) {
	pos, err := parseInterleaved(h.fs, args)
	if err != nil {
		return nil, err
	}
	if *h.data == "" {
		return nil, h.usageErr(a, "缺少 --data:汇总服务的数据文件夹 (--data H is required)")
	}
	if len(pos) != positional {
		if len(pos) > positional {
			return nil, h.usageErr(a, fmt.Sprintf("多余的参数 %q (unexpected argument)", pos[positional]))
		}
		return nil, h.usageErr(a, "缺少参数 (missing argument)")
	}
	return pos, nil
}

func (h *hubFlags) usageErr(a *app, msg string) error {
	fmt.Fprintf(a.stderr, "kiosk hub %s: %s\n\n", h.name, termtext.Line(msg))
	h.fs.Usage()
	return errUsage
}

func hubInit(a *app, args []string, rotate bool) error {
	name, usage := "init", `Usage: kiosk hub init --data H --host NAMES

新建汇总服务的数据文件夹 H(0700):私有 CA(10 年)、为 NAMES(逗号分隔的域名或
IP 地址,查阅点用来连接的名字)签发的服务器证书(2 年)、hub.toml;所有文件 0600。
打印 CA 的 SHA-256 指纹:每个查阅点注册时用 --ca 固定它。已初始化的文件夹不会被覆盖。
Creates the hub's folder, a private CA and a server certificate for NAMES, and
prints the CA's fingerprint that points pin.`
	if rotate {
		name, usage = "cert", `Usage: kiosk hub cert --data H --host NAMES

用同一个 CA 为 NAMES 重新签发服务器证书(证书到期前或更换地址时)。查阅点固定的是
CA 指纹,无需任何改动。重新启动 kiosk hub serve 后生效。
Re-issues the server certificate from the same CA (rotation); points keep their
pin. Restart kiosk hub serve to use it.`
	}
	h := newHubFlags(a, name, usage)
	hosts := h.fs.String("host", "", "comma-separated DNS names and IP addresses the points connect to (required)")
	if _, err := h.parse(a, args, 0); err != nil {
		return err
	}
	names, err := hub.ParseHosts(*hosts)
	if err != nil {
		return h.usageErr(a, err.Error())
	}
	var res hub.InitResult
	if rotate {
		res, err = hub.ReissueCert(*h.data, names, time.Now())
	} else {
		res, err = hub.Init(*h.data, names, time.Now())
	}
	if err != nil {
		return err
	}
	if rotate {
		fmt.Fprintf(a.stderr, "已重新签发服务器证书,有效至 %s;请重新启动 kiosk hub serve (server certificate re-issued, valid until %s; restart kiosk hub serve)\n",
			res.CertExpires.Format("2006-01-02"), res.CertExpires.Format("2006-01-02"))
	} else {
		fmt.Fprintf(a.stderr, "已初始化汇总服务 %s,服务器证书有效至 %s (hub initialised; server certificate valid until %s)\n",
			termtext.Line(*h.data), res.CertExpires.Format("2006-01-02"), res.CertExpires.Format("2006-01-02"))
		fmt.Fprintln(a.stderr, "CA 指纹如下,查阅点注册时用 --ca 给出 (the CA fingerprint below is what points pin with --ca):")
	}
	fmt.Fprintln(a.stdout, res.Fingerprint)
	return nil
}

// shutdownGrace is how long serve waits, after SIGTERM, for the batches in
// flight: a 1 MiB batch over a slow line, stored in one transaction.
const shutdownGrace = 30 * time.Second

func hubServe(a *app, args []string) error {
	h := newHubFlags(a, "serve", `Usage: kiosk hub serve --data H [--listen ADDR]

运行汇总服务:只用 HTTPS;日志为 JSON,写到标准错误。SIGTERM 或 Ctrl-C 时停止接受新连接,
把正在上传的批次保存并确认后退出。/healthz 检查数据库,/metrics 为 Prometheus 指标。
Serves the hub over HTTPS until SIGTERM/SIGINT, then finishes the batches in
flight and exits.`)
	listen := h.fs.String("listen", "", "address to serve on (default: hub.toml's listen, else "+hub.DefaultListen+")")
	if _, err := h.parse(a, args, 0); err != nil {
		return err
	}
	if _, err := hub.LoadConfig(*h.data); err != nil {
		return err
	}
	// One hub per folder: two would share one database and one port.
	lockPath := filepath.Join(*h.data, "serve.lock")
	if f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	lock, err := lockfile.Open(lockPath, 0)
	if errors.Is(err, lockfile.ErrLocked) {
		return fmt.Errorf("%s 的汇总服务已在运行 (a hub already serves %s): %w", *h.data, *h.data, err)
	}
	if err != nil {
		return err
	}
	defer lock.Close()

	log := slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv, err := hub.Open(ctx, *h.data, log)
	if err != nil {
		return err
	}
	defer srv.Store().Close()
	addr := srv.Config().Listen
	if *listen != "" {
		addr = *listen
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s (cannot listen on %s): %w", addr, addr, err)
	}
	fp, _ := hub.CAFingerprint(*h.data)
	log.Info("serving", "addr", ln.Addr().String(), "database", srv.Store().Where(), "ca_sha256", fp)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal kills at once
	log.Info("shutting down: finishing requests in flight", "grace_seconds", shutdownGrace.Seconds())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-served; err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
