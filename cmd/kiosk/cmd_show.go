package main

import (
	"flag"
	"fmt"
	"strings"

	"kiosk/render"
)

func cmdShow(a *app, args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	width := fs.Int("width", 80, "render width in terminal cells (20–400)")
	plain := fs.Bool("plain", false, "no colour codes (for scripts and previews)")
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, `Usage: kiosk show [--width N] [--plain] REF

Prints a document (REF = its 索引号) or a section (REF = 索引号#4.2) rendered
exactly as the kiosk renders it. 'kiosk list' prints every reference.

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	if *width < 20 || *width > 400 {
		return fmt.Errorf("--width 应在 20 到 400 之间,不是 %d (--width must be between 20 and 400)", *width)
	}
	kc, err := loadContent(a)
	if err != nil {
		return err
	}
	p := kc.Pack
	d, s, err := p.Find(fs.Arg(0))
	if err != nil {
		return err
	}
	style := a.cfg.Kiosk.Style
	if *plain {
		style = "notty"
	}
	r := render.New(render.Options{Style: style})
	var md, key string
	if s != nil {
		md, key = s.Markdown(), s.Ref()
	} else {
		var b strings.Builder
		fmt.Fprintf(&b, "# %s\n\n", d.Title)
		fmt.Fprintf(&b, "索引号:%s  \n发布机构:%s  \n发布日期:%s  \n公开目录:%s  \n公开方式:%s  \n文号:%s\n\n",
			d.IndexNo, d.Publisher, d.Date.Format("2006-01-02"), d.Catalogue, d.Mode, d.DocNo)
		b.WriteString(d.Body)
		md, key = b.String(), d.Ref()
	}
	out, err := r.Render(key, md, *width)
	if err != nil {
		return fmt.Errorf("无法显示 (cannot render) %s: %w", fs.Arg(0), err)
	}
	fmt.Fprintln(a.stdout, out)
	return nil
}
