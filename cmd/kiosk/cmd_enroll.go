package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"kiosk/config"
	"kiosk/hub/point"
	"kiosk/internal/termtext"
)

const enrollUsage = `Usage: kiosk [--data D] enroll URL CODE --ca SHA256

把本查阅点注册到区办公室的中心服务器:用一次性注册码换取本机凭证(保存在
D/hub.json,仅本用户可读),并固定中心服务器的 CA(kiosk hub init 打印的
SHA-256 指纹)。kiosk.toml 仍是默认查阅点时,写入注册的查阅点编号、名称和级别。

Exchanges a one-time enrolment code (kiosk hub points token) for this
point's credential, saved as D/hub.json (0600), and pins the hub's CA by
the SHA-256 fingerprint kiosk hub init printed. When kiosk.toml still has
the default point, the enrolled point's id, name and level are written
into it. See docs/hub-point.md.`

func cmdEnroll(a *app, args []string) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	ca := fs.String("ca", "", "SHA-256 fingerprint of the hub's CA (as kiosk hub init prints it)")
	fs.Usage = func() { fmt.Fprintln(a.stderr, enrollUsage); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || *ca == "" {
		fs.Usage()
		return errUsage
	}
	wasDefault := a.cfg.Point.ID == config.Default().Point.ID
	cred, err := point.Enroll(context.Background(), a.dataDir, fs.Arg(0), fs.Arg(1), *ca,
		point.EnrollOptions{ConfigPath: a.cfg.Path, KioskVersion: kioskVersion()})
	if err != nil {
		return fmt.Errorf("注册失败 (enrolment failed): %w", err)
	}
	fmt.Fprintf(a.stdout, "已注册:查阅点 %s %s(%s),中心服务器 %s\n(enrolled as point %s with hub %s)\n",
		termtext.Line(cred.Point), termtext.Line(cred.Name), termtext.Line(cred.Level), termtext.Line(cred.URL),
		termtext.Line(cred.Point), termtext.Line(cred.URL))
	fmt.Fprintf(a.stdout, "凭证 (credential): %s\n", termtext.Line(filepath.Join(a.dataDir, point.CredentialFile)))
	if wasDefault {
		fmt.Fprintf(a.stdout, "已把查阅点写入 %s 的 [point] (the point was written into the config file)\n", termtext.Line(a.cfg.Path))
	}
	fmt.Fprintln(a.stdout, "请重新启动自助终端,它会在后台上传访问记录;现在上传可运行 kiosk sync (restart the kiosk to upload in the background; kiosk sync uploads now)")
	return nil
}
