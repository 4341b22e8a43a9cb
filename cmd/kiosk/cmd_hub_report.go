package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"kiosk/hub"
	"kiosk/internal/termtext"
	"kiosk/internal/texttable"
)

func hubReport(a *app, args []string) error {
	h := newHubFlags(a, "report", `Usage: kiosk hub report --data H --year YEAR [--format json|csv|xlsx|md] [--out FILE] [--silent-since DATE]

全区一年的接待人次:与 kiosk visits export / merge 相同的表格和文件格式,数据来自汇总服务,
每次访问只计一次。汇总服务清单中自 --silent-since(默认该年 1 月 1 日)起既无心跳也无上传、
且该年没有访问记录的查阅点列为未报送。
The year's report from the hub's database, in the shapes of visits merge.`)
	year := h.fs.Int("year", 0, "the year, e.g. 2026 (required)")
	silent := h.fs.String("silent-since", "", "list points not heard from since DATE (yyyy-mm-dd; default: 1 January of --year)")
	var o outputFlags
	o.register(h.fs)
	if _, err := h.parse(a, args, 0); err != nil {
		return err
	}
	if *year < 2000 || *year > 2999 {
		return h.usageErr(a, "缺少 --year 或年份不合理,例如 --year 2026 (--year is required, e.g. 2026)")
	}
	f, err := o.resolve()
	if err != nil {
		return h.usageErr(a, err.Error())
	}
	opt := hub.ReportOptions{Year: *year}
	if *silent != "" {
		if opt.SilentSince, err = time.ParseInLocation(time.DateOnly, *silent, time.Local); err != nil {
			return h.usageErr(a, fmt.Sprintf("--silent-since %q 不是日期 yyyy-mm-dd (is not a date)", *silent))
		}
	}
	cfg, err := hub.LoadConfig(*h.data)
	if err != nil {
		return err
	}
	opt.Labels = cfg.Labels
	st, err := openHubStore(*h.data)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := hub.BuildReport(context.Background(), st, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", st.Where(), err)
	}
	if err := o.write(a, r, f); err != nil {
		return err
	}
	printNotes(a, r)
	if m := r.Missing(); len(m) > 0 {
		var ids []string
		for _, p := range m {
			ids = append(ids, termtext.Line(p.ID+" "+p.Name))
		}
		fmt.Fprintf(a.stderr, "未报送的查阅点 %d 个 (%d points not reporting): %s\n", len(m), len(m), strings.Join(ids, "、"))
	}
	fmt.Fprintf(a.stderr, "%d 年 %d 人次 = %d + %d (%d visits of %d)\n", r.Year, r.Total, r.County.Total, r.Township.Total, r.Total, r.Year)
	return nil
}

func hubStatus(a *app, args []string) error {
	h := newHubFlags(a, "status", `Usage: kiosk hub status --data H [--json]

各查阅点:最后一次心跳(多久以前)、程序版本、内容版本、今天/今年的人次(汇总服务收到的
与查阅点自己统计的)、未上传数、最后的错误、时钟偏差(超过 5 分钟标出)。
Each point's last heartbeat, versions, visits (hub's / point's own), unsent,
last error and clock skew.`)
	asJSON := h.fs.Bool("json", false, "print JSON")
	_, st, err := h.parseAndOpen(a, args, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	sts, err := hub.Status(context.Background(), st, now)
	if err != nil {
		return fmt.Errorf("%s: %w", st.Where(), err)
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Now    time.Time         `json:"now"`
			Points []hub.PointStatus `json:"points"`
		}{now, sts})
	}
	writeHubStatus(a.stdout, sts)
	return nil
}

// writeHubStatus prints one line per point; every text the points sent
// is made safe for the terminal (hub.Status did), ids and names too.
func writeHubStatus(w io.Writer, sts []hub.PointStatus) {
	rows := [][]string{{"查阅点 point", "名称 name", "心跳 heartbeat", "版本 kiosk", "内容 content", "今天 today hub/point", "今年 year hub/point", "未上传 unsent", "时钟 skew", "错误 last error"}}
	online, flagged := 0, 0
	for _, s := range sts {
		hb := "从未 never"
		if !s.LastSeen.IsZero() {
			hb = s.LastSeen.Local().Format("01-02 15:04") + " (" + ago(time.Duration(s.AgoSeconds)*time.Second) + ")"
			if !s.Online {
				hb = "! " + hb
			}
		}
		if s.Online {
			online++
		}
		skew := "-"
		if !s.LastSeen.IsZero() {
			skew = fmt.Sprintf("%+.0fs", s.SkewSeconds)
			if skew == "-0s" {
				skew = "+0s"
			}
			if s.SkewFlagged {
				skew = "! " + skew
				flagged++
			}
		}
		last := s.LastError
		if r := []rune(last); len(r) > 60 {
			last = string(r[:60]) + "…"
		}
		rows = append(rows, []string{
			termtext.Line(s.ID), termtext.Line(s.Name), hb, termtext.Line(s.KioskVersion), termtext.Line(s.ContentVersion),
			fmt.Sprintf("%d/%d", s.HubToday, s.PointToday), fmt.Sprintf("%d/%d", s.HubYear, s.PointYear),
			fmt.Sprint(s.Unsent), skew, termtext.Line(last)})
	}
	texttable.Write(w, rows, 2)
	fmt.Fprintf(w, "\n在线 %d / %d 个查阅点;时钟偏差超过 5 分钟:%d (online %d of %d; clock off by more than 5 minutes: %d)\n",
		online, len(sts), flagged, online, len(sts), flagged)
}

// ago words a duration for staff: 45s, 12m, 3h, 5d.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
