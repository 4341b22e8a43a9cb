package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"kiosk/internal/atomicfile"
	"kiosk/internal/termtext"
	"kiosk/visits"
)

const visitsUsage = `Usage: kiosk visits COMMAND [args]

  export --year YEAR [--format csv|json|xlsx|md] [--out FILE]
                       导出本查阅点一年的接待人次:年报行(查阅点接待人数及
                       (一)(二)分项)、按月、按查阅点。json 为合并用的交换格式。
  merge FILE... [--points FILE] [--year YEAR] [--format …] [--out FILE]
                       合并各查阅点导出的 json 文件为全区汇总表;同一访问只计一次。
                       --points 给出全区查阅点清单时列出未报送的查阅点。
  summary              本查阅点今天、本月、今年的接待人次。

export writes this kiosk's figures for a year; merge combines the JSON
exports of many kiosks without double counting; summary prints today / this
month / this year. The format default comes from --out's extension, else md.
See docs/visits.md.`

func cmdVisits(a *app, args []string) error {
	if done, err := groupHelp(a, args, visitsUsage); done {
		return err
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "export":
		return visitsExport(a, rest)
	case "merge":
		return visitsMerge(a, rest)
	case "summary":
		return visitsSummary(a, rest)
	}
	fmt.Fprintf(a.stderr, "kiosk visits: 未知的命令 %q (unknown command)\n\n%s\n", sub, visitsUsage)
	return errUsage
}

func visitsDB(a *app) string { return filepath.Join(a.dataDir, "visits.db") }

// openVisitsReadOnly opens DATA/visits.db for a staff command, which only
// reads, and says so when the data folder is read-only.
func openVisitsReadOnly(a *app) (*visits.Store, error) {
	s, err := visits.OpenReadOnly(visitsDB(a))
	if err != nil {
		return nil, err
	}
	if s.Immutable() {
		fmt.Fprintln(a.stderr, "注意:数据文件夹不可写,已按只读文件读取 visits.db (note: the data folder is read-only; visits.db was read as a file nothing writes to)")
	}
	return s, nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (kiosk visits merge a.json b.json --out x.xlsx).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage // the flag package has printed why
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// outputFlags are --format and --out, shared by export and merge.
type outputFlags struct{ format, out string }

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "", "csv, json, xlsx or md (default: from --out's extension, else md)")
	fs.StringVar(&o.out, "out", "", "write to FILE (atomically) instead of standard output")
}

func (o *outputFlags) resolve() (visits.Format, error) {
	var f visits.Format
	switch {
	case o.format != "":
		var err error
		if f, err = visits.ParseFormat(o.format); err != nil {
			return "", err
		}
	case o.out != "":
		var ok bool
		if f, ok = visits.FormatOf(o.out); !ok {
			return "", fmt.Errorf("无法从 %q 看出格式,请加 --format csv|json|xlsx|md (cannot tell the format from %q: give --format csv|json|xlsx|md)", o.out, o.out)
		}
	default:
		f = visits.FormatMarkdown
	}
	if f == visits.FormatXLSX && o.out == "" {
		return "", errors.New("xlsx 是二进制文件,请加 --out 文件.xlsx (xlsx is a binary file: give --out FILE.xlsx)")
	}
	return f, nil
}

// write renders r to --out (temp file, fsync, rename: a pulled USB stick
// never holds half a file under the final name) or to standard output.
func (o *outputFlags) write(a *app, r *visits.Report, f visits.Format) error {
	if o.out == "" {
		return r.Write(a.stdout, f)
	}
	if err := atomicfile.WriteFunc(o.out, 0o644, func(w io.Writer) error { return r.Write(w, f) }); err != nil {
		return fmt.Errorf("无法写入 %s (writing %s): %w", o.out, o.out, err)
	}
	return nil
}

func visitsExport(a *app, args []string) error {
	fs := flag.NewFlagSet("visits export", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	year := fs.Int("year", 0, "the year to export, e.g. 2026 (required)")
	var o outputFlags
	o.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, `Usage: kiosk visits export --year YEAR [--format csv|json|xlsx|md] [--out FILE]

导出本查阅点(及本数据库中记录过的其他查阅点)一年的接待人次。访问按开始时
的当地日期计入。--format json 是交给区里合并(kiosk visits merge)的文件。
Exports a year: the report rows, by month, by lookup point. Opens DATA/visits.db
read-only: safe while the kiosk runs, and on a read-only data folder.

Flags:`)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError(a, fs, fmt.Sprintf("多余的参数 %q (unexpected argument %q)", pos[0], pos[0]))
	}
	if *year == 0 {
		return usageError(a, fs, "缺少 --year,例如 --year 2026 (--year is required)")
	}
	if *year < 2000 || *year > 2999 {
		return usageError(a, fs, fmt.Sprintf("--year %d 不像是年份 (--year %d is not a plausible year)", *year, *year))
	}
	f, err := o.resolve()
	if err != nil {
		return usageError(a, fs, err.Error())
	}
	s, err := openVisitsReadOnly(a)
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := visits.BuildReport(context.Background(), s, visits.ReportOptions{
		Year: *year, Point: a.cfg.Point, Labels: a.cfg.Labels,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", s.Path(), err)
	}
	if err := o.write(a, r, f); err != nil {
		return err
	}
	printNotes(a, r)
	if o.out != "" {
		fmt.Fprintf(a.stderr, "已导出 %d 年 %d 人次到 %s (exported %d visits of %d)\n", r.Year, r.Total, termtext.Line(o.out), r.Total, r.Year)
	}
	return nil
}

func visitsMerge(a *app, args []string) error {
	fs := flag.NewFlagSet("visits merge", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	year := fs.Int("year", 0, "require every file to be of this year (default: the files' year, which must agree)")
	points := fs.String("points", "", "the district's list of lookup points (CSV id,name,level or TOML [[point]]), to list the points that sent nothing")
	var o outputFlags
	o.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, `Usage: kiosk visits merge FILE... [--points FILE] [--year YEAR] [--format csv|json|xlsx|md] [--out FILE]

合并各查阅点 'kiosk visits export --format json' 的文件为全区汇总表。同一个
文件给两次、或同一查阅点不同时间的导出,同一次访问只计一次(按查阅点和访问编号)。
没有 --points 清单时无法知道哪些查阅点未报送。
Merges the JSON exports of many kiosks; a visit counts once however many
files hold it. With --points, the points that sent nothing are listed.

Flags:`)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError(a, fs, "缺少要合并的文件 (give the export files to merge)")
	}
	f, err := o.resolve()
	if err != nil {
		return usageError(a, fs, err.Error())
	}
	opt := visits.MergeOptions{Year: *year, Labels: a.cfg.Labels}
	if *points != "" {
		if opt.Expected, err = visits.ReadPointsFile(*points); err != nil {
			return err
		}
	}
	r, err := visits.MergeFiles(files, opt)
	if err != nil {
		return err
	}
	if err := o.write(a, r, f); err != nil {
		return err
	}
	printNotes(a, r)
	if !r.MissingKnown {
		fmt.Fprintln(a.stderr, "注意:未提供 --points 查阅点清单,无法判断哪些查阅点未报送 (without --points, missing points cannot be known)")
	} else if m := r.Missing(); len(m) > 0 {
		var ids []string
		for _, p := range m {
			ids = append(ids, termtext.Line(p.ID+" "+p.Name))
		}
		fmt.Fprintf(a.stderr, "未报送的查阅点 %d 个 (%d points sent nothing): %s\n", len(m), len(m), strings.Join(ids, "、"))
	}
	fmt.Fprintf(a.stderr, "已合并 %d 个文件:%d 年 %d 人次 = %d + %d (merged %d files)\n",
		len(files), r.Year, r.Total, r.County.Total, r.Township.Total, len(files))
	return nil
}

func visitsSummary(a *app, args []string) error {
	fs := flag.NewFlagSet("visits summary", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, `Usage: kiosk visits summary

本查阅点今天、本月、今年的接待人次(按访问开始的当地日期),以及今年每月的人次。
只读打开 DATA/visits.db,自助终端运行时、数据文件夹只读时都可以用。
Prints today / this month / this year for this kiosk's lookup point. Opens
DATA/visits.db read-only: safe while the kiosk runs, and on a read-only folder.`)
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError(a, fs, fmt.Sprintf("多余的参数 %q (unexpected argument %q)", pos[0], pos[0]))
	}
	now := time.Now()
	s, err := openVisitsReadOnly(a)
	if errors.Is(err, visits.ErrNoDatabase) {
		// A kiosk that has counted no one yet: nothing is wrong.
		fmt.Fprintf(a.stdout, "%s (%s)  %s\n还没有访客记录 (no visits recorded yet)\n",
			termtext.Line(a.cfg.Point.Name), termtext.Line(a.cfg.Point.ID), now.Format("2006-01-02 15:04"))
		fmt.Fprintf(a.stderr, "注意:%s 还不存在;如果这不是自助终端的数据文件夹,请用 --data 指定 (note: %s does not exist yet; give --data if this is not the kiosk's data folder)\n",
			termtext.Line(visitsDB(a)), termtext.Line(visitsDB(a)))
		return nil
	}
	if err != nil {
		return err
	}
	defer s.Close()
	sum, err := s.Summary(context.Background(), a.cfg.Point.ID, now)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Path(), err)
	}
	writeSummary(a.stdout, a.cfg.Point.Name, sum)
	return nil
}

// printNotes prints the report's notes on stderr; they name points and
// files.
func printNotes(a *app, r *visits.Report) {
	for _, n := range r.Notes {
		fmt.Fprintln(a.stderr, "note:", termtext.Line(n))
	}
}

// writeSummary prints the figures and a bar per month of this year (ASCII
// bars: block characters are double width in some CJK terminals).
func writeSummary(w io.Writer, name string, sum visits.Summary) {
	fmt.Fprintf(w, "%s (%s)  %s\n", termtext.Line(name), termtext.Line(sum.Point), sum.Now.Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "今天 today:       %d\n", sum.Today)
	fmt.Fprintf(w, "本月 this month:  %d\n", sum.Month)
	fmt.Fprintf(w, "今年 this year:   %d\n", sum.Year)
	if sum.InProgress > 0 {
		fmt.Fprintf(w, "进行中 in progress: %d\n", sum.InProgress)
	}
	top := 0
	for _, n := range sum.Months {
		top = max(top, n)
	}
	fmt.Fprintln(w)
	for m, n := range sum.Months[:sum.Now.Month()] {
		bar := 0
		if top > 0 {
			bar = (n*40 + top - 1) / top
		}
		fmt.Fprintf(w, "%2d月 %-40s %d\n", m+1, strings.Repeat("#", bar), n)
	}
}
