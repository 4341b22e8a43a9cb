package web

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"kiosk/internal/termtext"
	"kiosk/visits"
)

// group is one level's points, county first.
type group struct {
	Title  string
	Points []Point
}

type pointsData struct {
	All                                    []Point
	Groups                                 []group
	Online, Offline, Stale, Skewed, Errors int
	Today, Month, Year                     int
	ThisYear, LastYear                     int
}

func levelRank(l string) int {
	switch l {
	case "county":
		return 0
	case "township":
		return 1
	}
	return 2
}

// clean makes what a point sent safe to show: no controls, no escape
// sequences, no bidirectional overrides (html/template escapes the rest).
func clean(p Point) Point {
	p.ID, p.Name, p.Level = termtext.Line(p.ID), termtext.Line(p.Name), termtext.Line(p.Level)
	p.KioskVersion, p.ContentVersion = termtext.Line(p.KioskVersion), termtext.Line(p.ContentVersion)
	p.LastError, p.StaleNote = termtext.Line(p.LastError), termtext.Line(p.StaleNote)
	return p
}

// groups cleans the points and puts them in order: county, then
// township, each by id.
func groups(pts []Point) []group {
	for i := range pts {
		pts[i] = clean(pts[i])
	}
	slices.SortStableFunc(pts, func(a, b Point) int {
		return cmp.Or(cmp.Compare(levelRank(a.Level), levelRank(b.Level)), cmp.Compare(a.ID, b.ID))
	})
	byLevel := map[int][]Point{}
	for _, p := range pts {
		byLevel[levelRank(p.Level)] = append(byLevel[levelRank(p.Level)], p)
	}
	g := []group{{"县级查阅点", byLevel[0]}, {"乡镇查阅点", byLevel[1]}}
	if len(byLevel[2]) > 0 {
		g = append(g, group{"其他查阅点", byLevel[2]})
	}
	return g
}

// readPoints is every point's status at now; when it returns false the
// error page has been sent.
func (s *Site) readPoints(w http.ResponseWriter, r *http.Request, now time.Time) ([]Point, bool) {
	pts, err := s.cfg.Points(r.Context(), now)
	if err != nil {
		s.cfg.Log.Error("reading the points", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "无法读取查阅点状态 (cannot read the points' status)")
		return nil, false
	}
	return pts, true
}

func (s *Site) points(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	now := s.cfg.Now()
	pts, ok := s.readPoints(w, r, now)
	if !ok {
		return
	}
	year := now.In(s.cfg.Location).Year()
	d := pointsData{All: pts, ThisYear: year, LastYear: year - 1, Groups: groups(pts)}
	for _, p := range pts {
		if p.Online {
			d.Online++
		} else {
			d.Offline++
		}
		if p.Stale {
			d.Stale++
		}
		if p.SkewFlagged {
			d.Skewed++
		}
		if p.LastError != "" {
			d.Errors++
		}
		d.Today += p.Today
		d.Month += p.Month
		d.Year += p.Year
	}
	s.render(w, r, http.StatusOK, "points", view{Title: "全部查阅点", User: ss.name, CSRF: ss.csrf, Now: now, Data: d})
}

// bar is one month of a point's chart, in the SVG's units.
type bar struct {
	Label, Short         string
	N                    int
	X, Y, BW, BH, CX, TY int
	LY                   int
}

type chart struct {
	W, H, Base int
	Bars       []bar
}

// monthChart lays out twelve bars: the tallest fills the plot.
func monthChart(months [12]int) chart {
	const w, h, top, bottom, slot = 600, 230, 24, 26, 50
	c := chart{W: w, H: h, Base: h - bottom}
	peak := max(1, slices.Max(months[:]))
	for i, n := range months {
		bh := n * (c.Base - top) / peak
		if n > 0 && bh < 2 {
			bh = 2
		}
		x := i*slot + 8
		c.Bars = append(c.Bars, bar{
			Label: fmt.Sprintf("%d 月", i+1), Short: fmt.Sprintf("%d月", i+1), N: n,
			X: x, BW: slot - 16, Y: c.Base - bh, BH: bh, CX: x + (slot-16)/2,
			TY: c.Base - bh - 6, LY: c.Base + 18,
		})
	}
	return c
}

type pointData struct {
	P                Point
	Year, Prev, Next int
	Total            int
	Chart            chart
}

func (s *Site) point(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	now := s.cfg.Now()
	id := r.PathValue("id")
	thisYear := now.In(s.cfg.Location).Year()
	year := thisYear
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > thisYear {
			s.fail(w, r, http.StatusBadRequest, "年份不对 (bad year)")
			return
		}
		year = n
	}
	pts, ok := s.readPoints(w, r, now)
	if !ok {
		return
	}
	i := slices.IndexFunc(pts, func(p Point) bool { return p.ID == id })
	if i < 0 {
		s.fail(w, r, http.StatusNotFound, "没有这个查阅点 (no such point)")
		return
	}
	months, err := s.cfg.Store.PointMonths(r.Context(), id, year)
	if err != nil {
		s.cfg.Log.Error("reading a point's months", "point", id, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "无法读取访问记录 (cannot read the visits)")
		return
	}
	d := pointData{P: clean(pts[i]), Year: year, Chart: monthChart(months)}
	for _, n := range months {
		d.Total += n
	}
	if year > 2000 {
		d.Prev = year - 1
	}
	if year < thisYear {
		d.Next = year + 1
	}
	s.render(w, r, http.StatusOK, "point", view{Title: d.P.Name, User: ss.name, CSRF: ss.csrf, Now: now, Data: d})
}

// report sends the year's table as a file, written by the same code as
// kiosk hub report.
func (s *Site) report(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	q := r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil || year < 2000 || year > 2999 {
		s.fail(w, r, http.StatusBadRequest, "年份不对 (bad year)")
		return
	}
	f := visits.Format(q.Get("format"))
	ctype := map[visits.Format]string{
		visits.FormatCSV:  "text/csv; charset=utf-8",
		visits.FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	}[f]
	if ctype == "" {
		s.fail(w, r, http.StatusBadRequest, "格式只能是 csv 或 xlsx (format is csv or xlsx)")
		return
	}
	rep, err := s.cfg.Report(r.Context(), year)
	if err != nil {
		s.cfg.Log.Error("building the report", "year", year, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "无法生成年度汇总表 (cannot build the year's table)")
		return
	}
	var b bytes.Buffer
	if err := rep.Write(&b, f); err != nil {
		s.cfg.Log.Error("writing the report", "year", year, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "无法生成年度汇总表 (cannot write the year's table)")
		return
	}
	name := fmt.Sprintf("visits-%d.%s", year, f)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	s.cfg.Log.Info("report downloaded", "user", ss.name, "year", year, "format", string(f))
	w.Write(b.Bytes())
}

// auditView is one line of the audit log as shown.
type auditView struct {
	At                                 time.Time
	Name, Event, Remote, Detail, Class string
}

// eventName words an audit event in Chinese.
func eventName(e string) string {
	switch e {
	case EventLogin:
		return "登录"
	case EventLoginFailed:
		return "登录失败"
	case EventLockout:
		return "连续失败,锁定"
	case EventLocked:
		return "锁定期间尝试登录"
	case EventAddressLimited:
		return "此地址失败过多,拒绝"
	case EventLogout:
		return "退出"
	case EventPublish:
		return "发布内容"
	}
	return termtext.Line(e)
}

func (s *Site) audit(w http.ResponseWriter, r *http.Request, ss sessionInfo) {
	log, err := s.cfg.Store.AuditLog(r.Context(), 200)
	if err != nil {
		s.cfg.Log.Error("reading the audit log", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "无法读取操作记录 (cannot read the audit log)")
		return
	}
	rows := make([]auditView, 0, len(log))
	for _, e := range log {
		rows = append(rows, auditView{At: e.At, Name: termtext.Line(e.Name), Event: eventName(e.Event), Remote: termtext.Line(e.Remote),
			Detail: termtext.Line(e.Detail), Class: e.Event})
	}
	s.render(w, r, http.StatusOK, "audit", view{Title: "操作记录", User: ss.name, CSRF: ss.csrf, Now: s.cfg.Now(), Data: rows})
}
