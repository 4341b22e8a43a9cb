package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kiosk/content"
	"kiosk/index"
	"kiosk/internal/termtext"
	"kiosk/release"
)

const contentUsage = `Usage: kiosk content COMMAND [args]

  check PATH           检查内容包(文件夹、.zip 或 .tar.gz),不安装;
                       每个问题一行:文件:行: 问题。有错误时退出码为 1。
                       .kpack 签名包:先验证签名,再检查其中的内容包。
  load PATH            检查、解包、建立索引,然后切换到新版本(原子操作;
                       失败时什么都不改变)。保留最近 3 个版本。
                       .kpack 签名包先验证签名(docs/release.md);
                       content.require_signed 时只接受签名包。
  list                 列出已安装的版本、当前版本、载入时间和来源。
  rollback [VERSION]   切换回以前的版本(不写版本号时回到上一个版本;
                       最早的版本之前是内置的默认内容,也可写 default)。
  import [-o DIR] [-force] FILE…
                       把网页上复制的报告文本或另存的网页(UTF-8、UTF-16、
                       GBK 均可,每个文件最大 16 MiB)转换成内容包文档
                       DIR/名称.md(默认当前文件夹)。

check validates a pack; load installs it as the live version; list shows the
installed versions; rollback switches back; import converts reports (text or
saved web pages) into pack documents. The format and the limits are in
docs/content-format.md.`

func cmdContent(a *app, args []string) error {
	if done, err := groupHelp(a, args, contentUsage); done {
		return err
	}
	sub, rest := args[0], args[1:]
	var nargs string
	switch sub {
	case "check", "load":
		nargs = "PATH"
	case "list":
	case "rollback":
		nargs = "[VERSION]"
	case "import":
		nargs = "[-o DIR] [-force] FILE…"
	default:
		fmt.Fprintf(a.stderr, "kiosk content: 未知的命令 %q\n\n%s\n", sub, contentUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("content "+sub, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	var outDir *string
	var force *bool
	if sub == "import" {
		outDir = fs.String("o", ".", "folder to write the documents into")
		force = fs.Bool("force", false, "overwrite existing documents")
	}
	fs.Usage = func() { fmt.Fprintf(a.stderr, "Usage: kiosk content %s %s\n\n%s\n", sub, nargs, contentUsage) }
	if err := fs.Parse(rest); err != nil {
		return err
	}
	pos := fs.Args()
	bad := func() error { fs.Usage(); return errUsage }
	switch sub {
	case "check":
		if len(pos) != 1 {
			return bad()
		}
		return contentCheck(a, pos[0])
	case "load":
		if len(pos) != 1 {
			return bad()
		}
		return contentLoad(a, pos[0])
	case "list":
		if len(pos) != 0 {
			return bad()
		}
		return contentList(a)
	case "import":
		if len(pos) == 0 {
			return bad()
		}
		return contentImport(a, *outDir, *force, pos)
	default: // rollback
		if len(pos) > 1 {
			return bad()
		}
		return contentRollback(a, strings.Join(pos, ""))
	}
}

// packError reports a pack refused for its errors; the problems have been
// printed already. Its exit status is 1.
// problemsError prints a pack's problems when err holds them and returns
// the packError to exit with; nil when err holds none.
func problemsError(w io.Writer, err error) error {
	var probs content.Problems
	if !errors.As(err, &probs) {
		return nil
	}
	printProblems(w, probs)
	return packError{errors: len(probs.Errors()), warnings: len(probs) - len(probs.Errors())}
}

type packError struct{ errors, warnings int }

func (e packError) Error() string {
	return fmt.Sprintf("内容包有 %d 个错误、%d 个警告,不能加载;请改正上面列出的问题", e.errors, e.warnings)
}

func (e packError) ExitCode() int { return 1 }

// printProblems writes one problem a line and returns the error to return
// (nil when there are only warnings).
func printProblems(w io.Writer, probs content.Problems) error {
	for _, p := range probs {
		fmt.Fprintln(w, termtext.Line(p.String()))
	}
	if n := len(probs.Errors()); n > 0 {
		return packError{errors: n, warnings: len(probs) - n}
	}
	return nil
}

func contentCheck(a *app, src string) error {
	if release.IsBundle(src) {
		return contentCheckSigned(a, src)
	}
	p, probs, err := content.Check(src, content.DefaultLimits())
	if err != nil {
		return err
	}
	if err := printProblems(a.stdout, probs); err != nil {
		return err
	}
	sections := 0
	for _, d := range p.Docs {
		sections += len(d.Sections)
	}
	fmt.Fprintf(a.stdout, "内容包可以加载:%s %s,%d 篇文档,%d 个章节", termtext.Line(p.Manifest.Title), termtext.Line(p.Manifest.Version), len(p.Docs), sections)
	if len(p.Synonyms) > 0 {
		fmt.Fprintf(a.stdout, ",%d 组同义词", len(p.Synonyms))
	}
	if len(probs) > 0 {
		fmt.Fprintf(a.stdout, "(%d 个警告)", len(probs))
	}
	fmt.Fprintln(a.stdout, "。")
	return nil
}

func contentLoad(a *app, src string) error {
	if release.IsBundle(src) {
		return contentLoadSigned(a, src)
	}
	if a.cfg.Content.RequireSigned {
		return fmt.Errorf("%w;%s 没有签名,没有加载,内容没有改变 (unsigned; not loaded, content unchanged)", release.ErrUnsigned, src)
	}
	store, err := content.OpenStore(a.dataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "正在检查并解包 %s …\n", termtext.Line(src))
	bar := newProgressBar(a.stderr, "建立索引")
	start := time.Now()
	res, err := store.Load(src, index.Build, bar.update)
	bar.done()
	if perr := problemsError(a.stdout, err); perr != nil {
		return perr
	}
	if err != nil {
		return fmt.Errorf("加载失败,内容没有改变: %w", err)
	}
	printProblems(a.stdout, res.Warnings)
	v := res.Version
	if res.Unchanged {
		fmt.Fprintf(a.stdout, "这个内容包与当前版本 %s 相同,没有做任何改变。\n", termtext.Line(v.ID))
		return nil
	}
	fmt.Fprintf(a.stdout, "已加载并切换到版本 %s:%s %s,%d 篇文档,%d 个章节(用时 %.1f 秒)。\n",
		termtext.Line(v.ID), termtext.Line(v.Title), termtext.Line(v.PackVersion), v.Docs, v.Sections, time.Since(start).Seconds())
	fmt.Fprintln(a.stdout, "正在运行的自助终端会在回到待机画面时换用新内容。")
	return nil
}

func contentList(a *app) error {
	store, err := content.OpenStore(a.dataDir)
	if err != nil {
		return err
	}
	vs, err := store.List()
	if err != nil {
		return err
	}
	live, err := store.LiveVersion()
	if err != nil {
		return err
	}
	if live == content.NoVersion {
		msg := "还没有用 kiosk content load 安装内容,正在使用内置的默认内容"
		if len(vs) > 0 {
			msg = "* 正在使用内置的默认内容(已安装的版本见下,可用 kiosk content rollback VERSION 切换)"
		}
		if p, err := content.Default(); err == nil {
			msg += fmt.Sprintf("(%s %s,%d 篇文档)", termtext.Line(p.Manifest.Title), termtext.Line(p.Manifest.Version), len(p.Docs))
		}
		fmt.Fprintln(a.stdout, msg+"。")
	}
	signed, _ := release.ReadState(a.dataDir) // a damaged state shows nothing as signed
	for _, v := range vs {
		mark, note := " ", ""
		if v.Live {
			mark, note = "*", "  (当前版本)"
		}
		fmt.Fprintf(a.stdout, "%s %s%s\n", mark, termtext.Line(v.ID), note)
		fmt.Fprintf(a.stdout, "    内容包: %s %s(发布于 %s)\n", termtext.Line(v.Title), termtext.Line(v.PackVersion), termtext.Line(v.Published))
		fmt.Fprintf(a.stdout, "    载入于: %s,来自 %s\n", v.LoadedAt.Local().Format("2006-01-02 15:04:05"), termtext.Line(v.Source))
		fmt.Fprintf(a.stdout, "    文档 %d 篇,章节 %d 个\n", v.Docs, v.Sections)
		if in, ok := signed.Find(v.ID); ok {
			fmt.Fprintf(a.stdout, "    签名发布 %d,密钥 %s\n", in.Release, in.KeyID)
		}
	}
	return nil
}

func contentRollback(a *app, id string) error {
	store, err := content.OpenStore(a.dataDir)
	if err != nil {
		return err
	}
	v, err := store.RollbackIf(id, signedOnly(a))
	if err != nil {
		return err
	}
	if v.ID == content.NoVersion {
		fmt.Fprintln(a.stdout, "已切换到内置的默认内容(已安装的版本仍保留,可再用 rollback VERSION 切换)。")
	} else {
		fmt.Fprintf(a.stdout, "已切换到版本 %s:%s %s,%d 篇文档。\n", termtext.Line(v.ID), termtext.Line(v.Title), termtext.Line(v.PackVersion), v.Docs)
	}
	fmt.Fprintln(a.stdout, "正在运行的自助终端会在回到待机画面时换用这个版本。")
	return nil
}

// importError reports files that could not be imported; each has been
// reported already. Its exit status is 1.
type importError struct{ failed, total int }

func (e importError) Error() string {
	return fmt.Sprintf("%d 个文件中有 %d 个没有转换", e.total, e.failed)
}

func (e importError) ExitCode() int { return 1 }

// contentImport converts each file with content.Import and writes the
// document to outDir/<name>.md, never over an existing file unless force.
func contentImport(a *app, outDir string, force bool, files []string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	failed := 0
	for _, f := range files {
		if err := importOne(a, outDir, force, f); err != nil {
			fmt.Fprintf(a.stderr, "kiosk: %s: %s\n", termtext.Line(f), termtext.Line(err.Error()))
			failed++
		}
	}
	if failed > 0 {
		return importError{failed: failed, total: len(files)}
	}
	fmt.Fprintf(a.stdout, "请补全警告中提到的内容,再用 kiosk content check 检查内容包。\n")
	return nil
}

func importOne(a *app, outDir string, force bool, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	data, err := content.ReadImport(f)
	f.Close()
	if err != nil {
		return err
	}
	base := filepath.Base(file)
	im, err := content.Import(base, data)
	if err != nil {
		return err
	}
	out := filepath.Join(outDir, strings.TrimSuffix(base, filepath.Ext(base))+".md")
	if same, _ := sameFile(file, out); same {
		return fmt.Errorf("输出文件 %s 就是输入文件;请用 -o 指定另一个文件夹", out)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	w, err := os.OpenFile(out, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s 已存在,没有覆盖(要覆盖请加 -force)", out)
	}
	if err != nil {
		return err
	}
	if _, err := w.Write(im.Markdown); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	for _, p := range im.Warnings {
		fmt.Fprintln(a.stdout, termtext.Line(p.String()))
	}
	kind := "文本"
	if im.HTML {
		kind = "网页"
	}
	fmt.Fprintf(a.stdout, "已写入 %s(%s,%s 编码;%d 条警告,略去原文 %d 行)\n", termtext.Line(out), kind, im.Encoding, len(im.Warnings), len(im.Dropped))
	return nil
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// progressBar draws "建立索引 [=====     ] 523/1000" on a terminal, redrawn
// in place; elsewhere (a log, a pipe) it prints only the final count.
type progressBar struct {
	w        io.Writer
	label    string
	tty      bool
	last     int // last percentage drawn
	n, total int // last update
}

func newProgressBar(w io.Writer, label string) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, label: label, tty: tty, last: -1}
}

func (b *progressBar) update(done, total int) {
	b.n, b.total = done, total
	if !b.tty || total <= 0 {
		return
	}
	pct := done * 100 / total
	if pct == b.last {
		return
	}
	b.last = pct
	const width = 30
	fill := width * done / total
	fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d", b.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total)
}

func (b *progressBar) done() {
	if b.total == 0 {
		return
	}
	if b.tty {
		fmt.Fprintln(b.w)
		return
	}
	fmt.Fprintf(b.w, "%s: %d/%d\n", b.label, b.n, b.total)
}
