package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"runtime/debug"
	"strings"

	"kiosk/content"
	"kiosk/hub/api"
	"kiosk/hub/point"
	"kiosk/internal/termtext"
	"kiosk/visits"
)

const syncUsage = `Usage: kiosk [--data D] sync

立即把尚未发送的访问记录全部上传到中心服务器(分批),并发送一次心跳;
打印发送和确认的数量。无法连接中心服务器时退出状态为 1,凭证无效或已被
吊销时为 3(请重新注册)。运行中的自助终端在后台做同样的事。

Uploads every unsent closed visit now (in batches) and sends one heartbeat;
prints what was sent and acknowledged. Exit status 1 when the hub could not
be reached, 3 when it refused the credential (enrol again). The running
kiosk does the same in the background. See docs/hub-point.md.`

// exitCredential is kiosk sync's exit status when the hub refuses the
// point's credential.
const exitCredential = 3

// syncError carries kiosk sync's exit status.
type syncError struct {
	err  error
	code int
}

func (e *syncError) Error() string { return e.err.Error() }
func (e *syncError) Unwrap() error { return e.err }
func (e *syncError) ExitCode() int { return e.code }

func cmdSync(a *app, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() { fmt.Fprintln(a.stderr, syncUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	cred, err := point.LoadCredential(a.dataDir)
	if errors.Is(err, point.ErrNotEnrolled) {
		return errors.New("本机尚未注册到中心服务器,请先运行 kiosk enroll (this kiosk is not enrolled with a hub: run kiosk enroll first)")
	}
	if err != nil {
		return err
	}
	// Beside a running kiosk: its visit in progress is left alone, and
	// both may upload at once (the hub counts a visit once).
	store, err := visits.OpenBeside(visitsDB(a))
	if err != nil {
		return err
	}
	defer store.Close()
	rel, err := newReleaser(a, cred)
	if err != nil {
		return err
	}
	u := point.NewUploader(cred, store, point.Options{
		KioskVersion:   kioskVersion(),
		ContentVersion: func() string { return liveVersion(a.dataDir) },
		BatchPause:     -1,
		Releases:       rel, // the first pass asks once
	})
	fmt.Fprintf(a.stdout, "中心服务器 (hub) %s,查阅点 (point) %s\n", termtext.Line(cred.URL), termtext.Line(cred.Point))
	if a.cfg.Point.ID != cred.Point {
		fmt.Fprintf(a.stdout, "注意:配置文件中的查阅点是 %s,而注册的是 %s;以 %s 记录的访问不会发送 (note: kiosk.toml names point %s but the kiosk is enrolled as %s: visits recorded as %s are not sent)\n",
			termtext.Line(a.cfg.Point.ID), termtext.Line(cred.Point), termtext.Line(a.cfg.Point.ID),
			termtext.Line(a.cfg.Point.ID), termtext.Line(cred.Point), termtext.Line(a.cfg.Point.ID))
	}
	sum, err := u.SyncOnce(context.Background())
	printSync(a.stdout, sum)
	printReleaseCheck(a.stdout, sum.Release, sum.ReleaseErr)
	switch {
	case errors.Is(err, point.ErrCredential):
		return &syncError{fmt.Errorf("%w;请向区办公室索取新的注册码后运行 kiosk enroll (ask the office for a new code and run kiosk enroll)", err), exitCredential}
	case err != nil:
		return &syncError{err, 1}
	case sum.ReleaseErr != nil:
		return &syncError{fmt.Errorf("发布未能下载或安装,下次同步时继续 (the release was not fetched or installed; the next sync continues): %w", sum.ReleaseErr), 1}
	}
	return nil
}

// printSync says what a sync sent and what the hub answered. The hub's
// words (refusal reasons) are made safe for the terminal.
func printSync(w io.Writer, s point.Summary) {
	fmt.Fprintf(w, "已发送 %d 次访问,共 %d 批;中心服务器新存 %d,已有 %d,拒收 %d\n(sent %d visits in %d batches: stored %d, duplicates %d, refused %d)\n",
		s.Sent, s.Batches, s.Stored, s.Duplicates, len(s.Refused), s.Sent, s.Batches, s.Stored, s.Duplicates, len(s.Refused))
	const show = 20
	for i, r := range s.Refused {
		if i == show {
			fmt.Fprintf(w, "  …… 另有 %d 条 (%d more)\n", len(s.Refused)-show, len(s.Refused)-show)
			break
		}
		fmt.Fprintf(w, "  拒收 (refused) %s: %s\n", point.Safe(r.ID, 64), point.Safe(r.Reason, 200))
	}
	fmt.Fprintf(w, "尚未被确认 (unsent): %d\n", s.Unsent)
	if s.Others > 0 {
		fmt.Fprintf(w, "另有 %d 次访问记录在其他查阅点编号下(如注册前的 default),不会发送 (%d visits recorded under another point id, e.g. default before enrolling, are not sent)\n", s.Others, s.Others)
	}
	if hb := s.Heartbeat; hb != nil {
		skew := math.Round(hb.ClockSkewSeconds*10) / 10
		if skew == 0 {
			skew = 0 // not "-0.0"
		}
		fmt.Fprintf(w, "心跳已确认,中心服务器时间 %s,本机时钟相差 %.1f 秒 (heartbeat acknowledged; clock skew %.1f s)\n",
			point.Safe(hb.HubTime, 40), skew, skew)
		if math.Abs(hb.ClockSkewSeconds) > api.MaxClockSkewSeconds {
			fmt.Fprintf(w, "警告:本机时钟与中心服务器相差超过 %d 秒,请校准时间 (warning: this clock is off by more than %d s: set the time)\n", api.MaxClockSkewSeconds, api.MaxClockSkewSeconds)
		}
	}
}

// kioskVersion names this build for the hub's status page: the module
// version and the commit it was built from.
func kioskVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value[:min(12, len(s.Value))]
		case "vcs.modified":
			if s.Value == "true" {
				v += "+dirty"
			}
		}
	}
	return v
}

// liveVersion is the installed content version, "" for the built-in pack.
func liveVersion(dataDir string) string {
	st, err := content.OpenStore(dataDir)
	if err != nil {
		return ""
	}
	v, err := st.LiveVersion()
	if err != nil || v == content.NoVersion {
		return ""
	}
	return v
}

// startUploader starts the background uploader of an enrolled kiosk and
// returns what stops it (and waits for it) and what the staff panel says
// of it. A kiosk that is not enrolled gets a function that does nothing
// and no info (nil). The uploader runs in its own goroutine and never
// touches the screen; what it does goes to the staff log.
func startUploader(a *app, store *visits.Store, watch *contentWatch, logger *log.Logger) (stop func(), info func() string) {
	cred, err := point.LoadCredential(a.dataDir)
	if err != nil {
		if !errors.Is(err, point.ErrNotEnrolled) {
			logger.Printf("hub: not uploading: %v", err)
		}
		return func() {}, nil
	}
	if a.cfg.Point.ID != cred.Point {
		logger.Printf("hub: kiosk.toml names point %q but the kiosk is enrolled as %q: visits recorded as %q are not sent", a.cfg.Point.ID, cred.Point, a.cfg.Point.ID)
	}
	opt := point.Options{
		KioskVersion:   kioskVersion(),
		ContentVersion: watch.version,
		Log:            func(format string, args ...any) { logger.Printf(format, args...) },
	}
	if rel, err := newReleaser(a, cred); err != nil {
		logger.Printf("hub: releases are not fetched: %v", err)
	} else {
		opt.Releases = rel
	}
	u := point.NewUploader(cred, store, opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := u.Run(ctx); err != nil {
			logger.Printf("hub: uploader stopped: %v", err)
		}
	}()
	info = func() string {
		last, lastErr := u.Contact()
		var b strings.Builder
		switch {
		case lastErr != "":
			b.WriteString("上传失败:" + lastErr)
		case last.IsZero():
			b.WriteString("正在连接 " + cred.URL)
		default:
			b.WriteString("正常")
		}
		if !last.IsZero() {
			b.WriteString(",上次联系 " + last.Local().Format("01-02 15:04"))
		}
		if own, _, err := store.UnsentCount(context.Background(), cred.Point); err == nil {
			fmt.Fprintf(&b, ",未上传 %d 人次", own)
		}
		return b.String()
	}
	return func() {
		cancel()
		<-done
	}, info
}

// version is the content version the kiosk shows.
func (l *contentWatch) version() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lc.Version == content.NoVersion {
		return ""
	}
	return l.lc.Version
}
