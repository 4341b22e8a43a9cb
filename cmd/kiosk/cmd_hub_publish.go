package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"kiosk/hub"
	"kiosk/hub/store"
	"kiosk/internal/termtext"
	"kiosk/internal/texttable"
)

// Publishing through the hub (docs/hub.md): kiosk hub publish, release,
// rollback and releases.

func hubPublish(a *app, args []string) error {
	h := newHubFlags(a, "publish", `Usage: kiosk hub publish --data H PACK [--points ID,…] [--expires 90d]

检查内容包 PACK(与 kiosk content check 相同的检查),制作归档并用 H/signing.key 签署,
作为发布 N(H/releases.json 中最大的发布号加一)保存在 H/releases/N/。各查阅点几分钟内
自己下载、验证签名后安装,在两次访问之间换用新内容。--points 只发给这些查阅点(分批发布),
之后用 kiosk hub release --data H N --all 发给全部查阅点。

Checks PACK as kiosk content check does, signs it as release N and stores it
in H/releases/N/; points fetch, verify and install it within minutes. With
--points only those points get it (staged roll-out); widen it later with
kiosk hub release N --all.`)
	points := h.fs.String("points", "", "comma-separated point ids (default: every point)")
	expires := h.fs.String("expires", "90d", "how long the release may be installed: Nd or a Go duration")
	pos, err := h.parse(a, args, 1)
	if err != nil {
		return err
	}
	valid, err := parseExpiry(*expires)
	if err != nil {
		return h.usageErr(a, err.Error())
	}
	st, err := openHubStore(*h.data)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(a.stderr, "正在检查内容包 %s …\n", termtext.Line(pos[0]))
	res, err := hub.Publish(context.Background(), *h.data, st, hub.PublishRequest{Pack: pos[0], Points: splitIDs(*points), Valid: valid})
	if perr := problemsError(a.stdout, err); perr != nil {
		return perr
	}
	if err != nil {
		return fmt.Errorf("没有发布 (nothing published): %w", err)
	}
	printProblems(a.stdout, res.Problems)
	printPublished(a.stdout, res.Release, fmt.Sprintf("%d 篇文档,", res.Docs))
	return nil
}

func printPublished(w io.Writer, r store.Release, extra string) {
	fmt.Fprintf(w, "已发布 %d:%s %s,%s归档 %d 字节,SHA-256 %s,有效期至 %s。\n", r.Release,
		termtext.Line(r.Title), termtext.Line(r.PackVersion), extra, r.Size, r.SHA256[:16], r.Expires.Local().Format("2006-01-02 15:04"))
	if r.All {
		fmt.Fprintf(w, "发给全部查阅点 (release %d published to every point)\n", r.Release)
	} else {
		fmt.Fprintf(w, "只发给 (staged for) %s;确认无误后运行 kiosk hub release N --all\n", termtext.Line(strings.Join(r.Points, ", ")))
	}
}

func hubRelease(a *app, args []string) error {
	h := newHubFlags(a, "release", `Usage: kiosk hub release --data H N --all [--expires 90d]

把分批发布的发布 N 发给全部查阅点:同一个归档,重新签署一份不限查阅点的清单。
Widens staged release N to every point: the same archive, its manifest signed
again without a point list.`)
	all := h.fs.Bool("all", false, "widen the release to every point (required)")
	expires := h.fs.String("expires", "90d", "how long the release may be installed from now: Nd or a Go duration")
	pos, err := h.parse(a, args, 1)
	if err != nil {
		return err
	}
	n, err := strconv.ParseUint(pos[0], 10, 64)
	if err != nil || n == 0 {
		return h.usageErr(a, fmt.Sprintf("发布号 %q 不是正整数 (not a release number)", pos[0]))
	}
	if !*all {
		return h.usageErr(a, "请用 --all 确认发给全部查阅点 (--all is required)")
	}
	valid, err := parseExpiry(*expires)
	if err != nil {
		return h.usageErr(a, err.Error())
	}
	st, err := openHubStore(*h.data)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := hub.Widen(context.Background(), *h.data, st, n, hub.PublishRequest{Valid: valid})
	if err != nil {
		return fmt.Errorf("没有改变 (nothing changed): %w", err)
	}
	printPublished(a.stdout, res.Release, "")
	return nil
}

func hubRollback(a *app, args []string) error {
	h := newHubFlags(a, "rollback", `Usage: kiosk hub rollback --data H [--to N] [--expires 90d]

把上一个发布(或 --to 给出的发布 N)的内容作为一个新的、更高的发布号发给全部查阅点。
查阅点不接受比已安装的更低的发布号,所以回退也是向前发布。
Publishes the previous release's content (or release N's) again, to every
point, as a new and higher release: points refuse lower numbers.`)
	to := h.fs.Uint64("to", 0, "the release whose content to publish again (default: the one before the newest)")
	expires := h.fs.String("expires", "90d", "how long the release may be installed: Nd or a Go duration")
	if _, err := h.parse(a, args, 0); err != nil {
		return err
	}
	valid, err := parseExpiry(*expires)
	if err != nil {
		return h.usageErr(a, err.Error())
	}
	st, err := openHubStore(*h.data)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := hub.Rollback(context.Background(), *h.data, st, *to, hub.PublishRequest{Valid: valid})
	if err != nil {
		return fmt.Errorf("没有回退 (nothing rolled back): %w", err)
	}
	printPublished(a.stdout, res.Release, termtext.Line(res.Release.Note)+",")
	return nil
}

func hubReleases(a *app, args []string) error {
	h := newHubFlags(a, "releases", `Usage: kiosk hub releases --data H [--json]

各发布及其推送进度:发给多少个查阅点、已安装(含已装更高发布的)、失败或拒绝的及原因。
Every release and its roll-out: points targeted, installed (this or a later
release), failed or refused and why (as the points reported it).`)
	asJSON := h.fs.Bool("json", false, "print JSON")
	_, st, err := h.parseAndOpen(a, args, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	pgs, err := st.RolloutProgress(context.Background())
	if err != nil {
		return fmt.Errorf("%s: %w", st.Where(), err)
	}
	if *asJSON {
		type row struct {
			Release     uint64            `json:"release"`
			Title       string            `json:"title"`
			PackVersion string            `json:"pack_version"`
			SHA256      string            `json:"sha256"`
			Size        int64             `json:"size"`
			Published   time.Time         `json:"published"`
			Expires     time.Time         `json:"expires"`
			All         bool              `json:"all_points"`
			Note        string            `json:"note,omitempty"`
			Targets     []string          `json:"targets"`
			Installed   []string          `json:"installed"`
			Failed      map[string]string `json:"failed"`
		}
		rows := []row{}
		for _, p := range pgs {
			r := p.Release
			rows = append(rows, row{r.Release, r.Title, r.PackVersion, r.SHA256, r.Size, r.Published, r.Expires, r.All, r.Note,
				nonNil(p.Targets), nonNil(p.Installed), p.Failed})
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	writeReleases(a.stdout, pgs, time.Now())
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeReleases prints one line per release, newest first, then the
// failures of each; what points reported is made safe for the terminal.
func writeReleases(w io.Writer, pgs []store.Progress, now time.Time) {
	if len(pgs) == 0 {
		fmt.Fprintln(w, "还没有发布 (nothing published yet)")
		return
	}
	rows := [][]string{{"发布 release", "内容 content", "发布时间 published", "有效期 expires", "范围 for", "已安装 installed", "失败 failed", "备注 note"}}
	for i := len(pgs) - 1; i >= 0; i-- {
		p := pgs[i]
		r := p.Release
		scope := "全部 all"
		if !r.All {
			scope = "分批 staged " + strconv.Itoa(len(r.Points))
		}
		exp := r.Expires.Local().Format("2006-01-02")
		if !now.Before(r.Expires) {
			exp += " 已过期 expired"
		}
		rows = append(rows, []string{strconv.FormatUint(r.Release, 10), termtext.Line(r.Title) + " " + termtext.Line(r.PackVersion),
			r.Published.Local().Format("2006-01-02 15:04"), exp, scope, fmt.Sprintf("%d/%d", len(p.Installed), len(p.Targets)),
			strconv.Itoa(len(p.Failed)), termtext.Line(r.Note)})
	}
	texttable.Write(w, rows, 2)
	for i := len(pgs) - 1; i >= 0; i-- {
		p := pgs[i]
		for _, id := range slices.Sorted(maps.Keys(p.Failed)) {
			fmt.Fprintf(w, "  发布 %d,查阅点 %s: %s\n", p.Release.Release, termtext.Line(id), termtext.Line(truncRunes(p.Failed[id], 300)))
		}
	}
}

func truncRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// splitIDs reads --points a,b,c.
func splitIDs(s string) []string {
	var ids []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}
